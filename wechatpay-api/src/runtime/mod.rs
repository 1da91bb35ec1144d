//! The hand-written runtime: everything generated code calls into.

pub mod operation;

pub use operation::{
    Binary, Call, Decode, Empty, FilePart, HttpMethod, Json, Operation, OperationSpec, PathArgs,
    RequestBodyKind, ResponseBodyKind,
};
