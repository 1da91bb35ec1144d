//! One v2 request's description, from a generated operation's static spec or a dynamic call.

use super::operation::{OperationSpec, RequestKind, ResponseKind, SignType};
use crate::runtime::operation::HttpMethod;

/// What the runtime needs to know about the operation a v2 request goes to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Route<'a> {
    pub method: HttpMethod,
    pub path: &'a str,
    pub base_uri: Option<&'a str>,
    pub request: RequestKind,
    pub response: ResponseKind,
    pub security: bool,
    pub nonceless: bool,
    pub merchant_id: Option<&'a str>,
    pub app_id: Option<&'a str>,
    pub signed: bool,
    pub sign_types: &'a [SignType],
    pub encrypted_request_fields: &'a [&'a str],
    pub encrypted_response_fields: &'a [&'a str],
    /// A successful answer must carry `sign`.
    pub answer_signed: bool,
}

impl Route<'static> {
    pub(crate) fn of(spec: &'static OperationSpec) -> Route<'static> {
        Route {
            method: spec.method,
            path: spec.path,
            base_uri: spec.base_uri,
            request: spec.request,
            response: spec.response,
            security: spec.security,
            nonceless: spec.nonceless,
            merchant_id: spec.merchant_id,
            app_id: spec.app_id,
            signed: spec.signed,
            sign_types: spec.sign_types,
            encrypted_request_fields: spec.encrypted_request_fields,
            encrypted_response_fields: spec.encrypted_response_fields,
            answer_signed: spec.answer_signed,
        }
    }
}

impl Route<'_> {
    /// The sign types the operation allows: those of its `sign_type` element, or MD5 alone
    /// when it has none.
    pub(crate) fn allowed_sign_types(&self) -> &[SignType] {
        if self.sign_types.is_empty() {
            &[SignType::Md5]
        } else {
            self.sign_types
        }
    }
}
