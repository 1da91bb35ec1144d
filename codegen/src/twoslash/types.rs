//! TypeScript types → IR fields.
//!
//! | TypeScript                     | IR                                                     |
//! |--------------------------------|--------------------------------------------------------|
//! | `string`, `number`, `boolean`  | String, Number (TS has no integer), Boolean             |
//! | `Date`, `string \| Date`       | String with `format: date-time`                         |
//! | `'A' \| 'B'`, `'OK' \| string` | String with `enum: [A, B]` / `[OK]` (documented values) |
//! | `1 \| 2`, `400`, `true`        | Number, Number, Boolean (no enum: enums are strings)    |
//! | `string \| number`             | Number: the value is numeric, sent as either form       |
//! | `{ … }`, `T[]`                 | Object with fields, Array with items (and fields)       |
//! | `[]` (empty tuple)             | Array with no `items`: the element type is undocumented |
//! | `ReadStream`                   | Object with `format: binary` (an upload part)           |
//! | `typeof v`, `I['k']`           | the type of `export var v`, of property `k` of `I`       |

use super::ast::{Module, Namespace, Property, Type};
use crate::ir::{Field, FieldType, Format, ItemType};
use crate::names::Scope;

/// A type problem: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeError {
    pub offset: usize,
    pub message: String,
}

/// Where names in types are resolved: the operation's namespace, then the whole block.
pub struct Resolver<'m> {
    pub module: &'m Module,
    pub namespace: &'m Namespace,
    pub line_of: &'m dyn Fn(usize) -> u32,
}

/// How deep `typeof` / indexed-access references may chain before we call it a cycle.
const MAX_INDIRECTION: usize = 8;

/// The IR view of one type.
#[derive(Debug, Clone, PartialEq)]
struct Shape {
    ty: FieldType,
    items: Option<ItemType>,
    enum_values: Vec<String>,
    format: Option<Format>,
    fields: Vec<Field>,
}

impl Shape {
    fn scalar(ty: FieldType) -> Shape {
        Shape {
            ty,
            items: None,
            enum_values: Vec::new(),
            format: None,
            fields: Vec::new(),
        }
    }
}

impl Resolver<'_> {
    /// Lowers sibling properties, giving each a Rust name unique among them.
    pub fn fields(&self, properties: &[Property]) -> Result<Vec<Field>, TypeError> {
        let mut scope = Scope::new();
        properties
            .iter()
            .map(|property| {
                let mut field = self.field(property)?;
                field.rust_name = scope.unique_field(std::mem::take(&mut field.rust_name));
                Ok(field)
            })
            .collect()
    }

    pub fn field(&self, property: &Property) -> Result<Field, TypeError> {
        let shape = self.shape(&property.ty, 0).map_err(|e| TypeError {
            offset: if e.offset == 0 {
                property.offset
            } else {
                e.offset
            },
            ..e
        })?;
        let mut field = Field::new(&property.name, shape.ty, (self.line_of)(property.offset));
        field.items = shape.items;
        field.enum_values = shape.enum_values;
        field.format = shape.format;
        field.fields = shape.fields;
        field.required = !property.optional;
        Ok(field)
    }

    fn shape(&self, ty: &Type, indirection: usize) -> Result<Shape, TypeError> {
        match ty {
            Type::Named { path, args, offset } => {
                let name = path.join(".");
                if !args.is_empty() {
                    return Err(error(*offset, format!("unknown type `{name}<…>`")));
                }
                match name.as_str() {
                    "string" => Ok(Shape::scalar(FieldType::String)),
                    "number" => Ok(Shape::scalar(FieldType::Number)),
                    "boolean" => Ok(Shape::scalar(FieldType::Boolean)),
                    "Date" => Ok(Shape {
                        format: Some(Format::DateTime),
                        ..Shape::scalar(FieldType::String)
                    }),
                    "ReadStream" => Ok(Shape {
                        format: Some(Format::Binary),
                        ..Shape::scalar(FieldType::Object)
                    }),
                    _ => Err(error(*offset, format!("unknown type `{name}`"))),
                }
            }
            Type::StringLiteral(value) => Ok(Shape {
                enum_values: vec![value.clone()],
                ..Shape::scalar(FieldType::String)
            }),
            Type::NumberLiteral(_) => Ok(Shape::scalar(FieldType::Number)),
            Type::BooleanLiteral(_) => Ok(Shape::scalar(FieldType::Boolean)),
            Type::Object(properties) => Ok(Shape {
                fields: self.fields(properties)?,
                ..Shape::scalar(FieldType::Object)
            }),
            Type::Array(element) => {
                let element = self.shape(element, indirection)?;
                let items = match element.ty {
                    FieldType::String => ItemType::String,
                    FieldType::Integer => ItemType::Integer,
                    FieldType::Number => ItemType::Number,
                    FieldType::Boolean => ItemType::Boolean,
                    FieldType::Object => ItemType::Object,
                    FieldType::Array => {
                        return Err(error(
                            type_offset(ty),
                            "arrays of arrays are not supported".to_owned(),
                        ));
                    }
                };
                Ok(Shape {
                    ty: FieldType::Array,
                    items: Some(items),
                    ..element
                })
            }
            Type::Tuple(elements) if elements.is_empty() => Ok(Shape::scalar(FieldType::Array)),
            Type::Tuple(_) => Err(error(
                type_offset(ty),
                "tuple types are not supported".to_owned(),
            )),
            Type::Union(alternatives) => self.union(alternatives, indirection),
            Type::Typeof { path, offset } => {
                let name = path.join(".");
                let variable = self
                    .module
                    .variables
                    .iter()
                    .find(|v| v.name == name)
                    .ok_or_else(|| {
                        error(
                            *offset,
                            format!("`typeof {name}` names no `export var {name}`"),
                        )
                    })?;
                self.shape(&variable.ty, self.deeper(indirection, *offset)?)
            }
            Type::Indexed {
                object,
                key,
                offset,
            } => {
                let property = self.indexed(object, key, *offset)?;
                self.shape(&property.ty, self.deeper(indirection, *offset)?)
            }
        }
    }

    fn union(&self, alternatives: &[Type], indirection: usize) -> Result<Shape, TypeError> {
        let shapes = alternatives
            .iter()
            .map(|alternative| self.shape(alternative, indirection))
            .collect::<Result<Vec<_>, _>>()?;
        let all = |ty: FieldType| {
            shapes
                .iter()
                .all(|s| s.ty == ty && s.fields.is_empty() && s.items.is_none())
        };
        let offset = alternatives.first().map_or(0, type_offset);
        if all(FieldType::String) {
            let mut union = Shape::scalar(FieldType::String);
            for shape in shapes {
                union.format = union.format.or(shape.format);
                for value in shape.enum_values {
                    if !union.enum_values.contains(&value) {
                        union.enum_values.push(value);
                    }
                }
            }
            if union.format.is_some() {
                union.enum_values.clear();
            }
            Ok(union)
        } else if all(FieldType::Number) || all(FieldType::Boolean) {
            Ok(Shape::scalar(shapes[0].ty))
        } else if shapes.iter().all(|s| {
            matches!(s.ty, FieldType::String | FieldType::Number)
                && s.enum_values.is_empty()
                && s.format.is_none()
        }) {
            Ok(Shape::scalar(FieldType::Number))
        } else {
            Err(error(
                offset,
                "unsupported union: only unions of strings, of numbers, or `string | number`"
                    .to_owned(),
            ))
        }
    }

    /// `I['key']`, `A.B.I['key']`: property `key` of interface `I` of this namespace (or of the
    /// namespace the dotted path names).
    fn indexed(&self, object: &Type, key: &str, offset: usize) -> Result<&Property, TypeError> {
        let Type::Named { path, .. } = object else {
            return Err(error(
                offset,
                "indexed access is supported on interface names only".to_owned(),
            ));
        };
        let Some((interface_name, namespace_path)) = path.split_last() else {
            return Err(error(offset, "indexed access on an empty name".to_owned()));
        };
        let namespace = if namespace_path.is_empty() {
            Some(self.namespace)
        } else {
            self.module
                .namespaces
                .iter()
                .find(|n| n.path == namespace_path)
        };
        let interface = namespace
            .and_then(|n| n.interface(interface_name))
            .ok_or_else(|| error(offset, format!("unknown type `{}`", path.join("."))))?;
        interface.property(key).ok_or_else(|| {
            error(
                offset,
                format!("interface `{interface_name}` has no property `{key}`"),
            )
        })
    }

    fn deeper(&self, indirection: usize, offset: usize) -> Result<usize, TypeError> {
        if indirection >= MAX_INDIRECTION {
            return Err(error(
                offset,
                "type references nest too deeply (a cycle?)".to_owned(),
            ));
        }
        Ok(indirection + 1)
    }
}

fn error(offset: usize, message: String) -> TypeError {
    TypeError { offset, message }
}

/// Best offset for a type without one of its own: that of its first named part.
pub fn type_offset(ty: &Type) -> usize {
    match ty {
        Type::Named { offset, .. } | Type::Typeof { offset, .. } | Type::Indexed { offset, .. } => {
            *offset
        }
        Type::Array(inner) => type_offset(inner),
        Type::Union(types) | Type::Tuple(types) => types.first().map_or(0, type_offset),
        Type::Object(properties) => properties.first().map_or(0, |p| p.offset),
        Type::StringLiteral(_) | Type::NumberLiteral(_) | Type::BooleanLiteral(_) => 0,
    }
}
