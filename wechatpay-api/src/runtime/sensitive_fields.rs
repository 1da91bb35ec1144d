//! Sensitive fields: encrypting request fields and decrypting response fields in place, at
//! the paths the generator lists (`a.b` into objects, `a[]` over every array element).

use serde_json::Value;

use super::error::{Error, RequestPart};

/// Applies `transform` to the string at every `path` in `value`. Absent and `null` fields are
/// skipped (optional fields); a field of another type is an error.
pub fn transform_fields<P: AsRef<str>>(
    value: &mut Value,
    paths: &[P],
    transform: &mut dyn FnMut(&str, &str) -> Result<String, Error>,
) -> Result<(), Error> {
    for path in paths {
        let path = path.as_ref();
        let segments: Vec<&str> = path.split('.').collect();
        if segments.iter().any(|s| s.is_empty() || *s == "[]") {
            return Err(Error::request(
                RequestPart::EncryptedField,
                format!("malformed field path `{path}`"),
            ));
        }
        walk(value, &segments, path, transform)?;
    }
    Ok(())
}

fn walk(
    value: &mut Value,
    segments: &[&str],
    path: &str,
    transform: &mut dyn FnMut(&str, &str) -> Result<String, Error>,
) -> Result<(), Error> {
    let Some((first, rest)) = segments.split_first() else {
        return match value {
            Value::Null => Ok(()),
            Value::String(text) => {
                *text = transform(path, text)?;
                Ok(())
            }
            other => Err(Error::request(
                RequestPart::EncryptedField,
                format!(
                    "field `{path}` must be a string to be encrypted, found {}",
                    kind(other)
                ),
            )),
        };
    };
    let (name, each) = match first.strip_suffix("[]") {
        Some(name) => (name, true),
        None => (*first, false),
    };
    let Value::Object(map) = value else {
        return match value {
            Value::Null => Ok(()),
            other => Err(Error::request(
                RequestPart::EncryptedField,
                format!(
                    "field path `{path}`: expected an object at `{name}`, found {}",
                    kind(other)
                ),
            )),
        };
    };
    let Some(child) = map.get_mut(name) else {
        return Ok(());
    };
    if !each {
        return walk(child, rest, path, transform);
    }
    match child {
        Value::Null => Ok(()),
        Value::Array(items) => {
            for item in items {
                walk(item, rest, path, transform)?;
            }
            Ok(())
        }
        other => Err(Error::request(
            RequestPart::EncryptedField,
            format!(
                "field path `{path}`: expected an array at `{name}`, found {}",
                kind(other)
            ),
        )),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn upper(value: &mut Value, paths: &[&str]) -> Result<(), Error> {
        transform_fields(value, paths, &mut |_, s| Ok(s.to_uppercase()))
    }

    #[test]
    fn nested_and_array_paths() {
        let mut value = json!({
            "phone_number": "a",
            "name": "keep",
            "user_information": {"common_field_list": [{"value": "b", "name": "x"}, {"value": "c"}, {}]},
        });
        upper(
            &mut value,
            &[
                "phone_number",
                "user_information.common_field_list[].value",
                "absent.x",
            ],
        )
        .unwrap();
        assert_eq!(
            value,
            json!({
                "phone_number": "A",
                "name": "keep",
                "user_information": {"common_field_list": [{"value": "B", "name": "x"}, {"value": "C"}, {}]},
            })
        );
    }

    #[test]
    fn wrong_types_are_reported() {
        let mut value = json!({"phone_number": 13, "list": {"value": "x"}});
        assert!(matches!(
            upper(&mut value, &["phone_number"]),
            Err(Error::InvalidRequest(_))
        ));
        assert!(matches!(
            upper(&mut value, &["list[].value"]),
            Err(Error::InvalidRequest(_))
        ));
        assert!(matches!(
            upper(&mut value, &["a..b"]),
            Err(Error::InvalidRequest(_))
        ));
        let mut null = json!({"phone_number": null});
        upper(&mut null, &["phone_number"]).unwrap();
        assert_eq!(null, json!({"phone_number": null}));
    }
}
