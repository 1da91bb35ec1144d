//! URL paths from the three places a twoslash page states them: the namespace chain
//! (FORMATS.md B.3), the `wxpay.v3.….verb(` example call, and the page's own file path.

use crate::ir::Method;

/// Namespace prefix shared by every operation.
pub const ROOT: [&str; 2] = ["WeChatPay", "OpenAPI"];

/// What an `…HttpMethod` namespace names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub method: Method,
    /// `/v3/marketing/membercard-open/cards/{card_id}/users/import`.
    pub path: String,
    /// The placeholders of `path`, in order (`card_id`).
    pub placeholders: Vec<String>,
    /// True when the first segment is `V2` or `V3`; other roots (`Invoicing`) are relative to
    /// a `baseURL`, not to the API host.
    pub api_root: bool,
}

/// The method of a namespace's last segment (`PostHttpMethod` → POST).
pub fn http_method(segment: &str) -> Option<Method> {
    let verb = segment.strip_suffix("HttpMethod")?;
    Method::ALL.into_iter().find(|m| {
        m.lower().eq_ignore_ascii_case(verb) && verb.starts_with(|c: char| c.is_ascii_uppercase())
    })
}

/// `WeChatPay.OpenAPI.V3.Marketing.….Import.PostHttpMethod` → POST `/v3/marketing/…/import`.
/// `None` unless the path starts with `WeChatPay.OpenAPI` and ends in an `…HttpMethod` segment.
pub fn endpoint(namespace: &[String]) -> Option<Endpoint> {
    let (last, middle) = namespace.split_last()?;
    let method = http_method(last)?;
    let segments = middle.strip_prefix(&ROOT.map(String::from)[..])?;
    let api_root = matches!(segments.first().map(String::as_str), Some("V2" | "V3"));
    let mut path = String::new();
    let mut placeholders = Vec::new();
    for segment in segments {
        path.push('/');
        path.push_str(&url_segment(segment, &mut placeholders));
    }
    Some(Endpoint {
        method,
        path,
        placeholders,
        api_root,
    })
}

/// One namespace or chain segment → its URL segment.
fn url_segment(segment: &str, placeholders: &mut Vec<String>) -> String {
    if segment == "_empty_" || segment == "empty" {
        return String::new();
    }
    if let Some(name) = placeholder(segment) {
        placeholders.push(name.to_owned());
        return format!("{{{name}}}");
    }
    if segment == "Delete" || segment == "delete" {
        return "delete".to_owned();
    }
    let mut out = String::with_capacity(segment.len() + 4);
    for (i, c) in segment.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `_card_id_`, `$card_id$` or `{card_id}` → `card_id`.
fn placeholder(segment: &str) -> Option<&str> {
    [('_', '_'), ('$', '$'), ('{', '}')]
        .into_iter()
        .find_map(|(open, close)| {
            segment
                .strip_prefix(open)?
                .strip_suffix(close)
                .filter(|name| !name.is_empty())
        })
}

/// The example call after `// ---cut---`: `wxpay.v3.a._x_.b.post(` or `axios.get('/a/b', …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleCall {
    pub method: Option<Method>,
    pub path: String,
    /// Byte offset of the call in the page.
    pub offset: usize,
}

/// Finds the example call in the `business.js` part (`code` starts at page offset `base`).
pub fn example_call(code: &str, base: usize) -> Option<ExampleCall> {
    if let Some(start) = code.find("wxpay.") {
        let (segments, verb) = chain(&code[start + "wxpay.".len()..])?;
        let mut placeholders = Vec::new();
        let path = segments
            .iter()
            .map(|s| format!("/{}", url_segment(s, &mut placeholders)))
            .collect();
        return Some(ExampleCall {
            method: Method::from_lower(&verb),
            path,
            offset: base + start,
        });
    }
    let start = code.find("axios.")?;
    let rest = &code[start + "axios.".len()..];
    let verb_len = rest.find(|c: char| !c.is_ascii_alphabetic())?;
    let verb = &rest[..verb_len];
    let literal = rest[verb_len..].strip_prefix("('")?;
    let path = &literal[..literal.find('\'')?];
    Some(ExampleCall {
        method: Method::from_lower(verb),
        path: path.to_owned(),
        offset: base + start,
    })
}

/// `v3.a.b['{x}'].post(` → (["v3", "a", "b", "{x}"], "post").
fn chain(mut rest: &str) -> Option<(Vec<String>, String)> {
    let mut segments = Vec::new();
    loop {
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(rest.len());
        let name = &rest[..len];
        rest = &rest[len..];
        if name.is_empty() {
            let quoted = rest.strip_prefix("['")?;
            let close = quoted.find("']")?;
            segments.push(quoted[..close].to_owned());
            rest = &quoted[close + 2..];
        } else {
            segments.push(name.to_owned());
        }
        if rest.starts_with('(') {
            let verb = segments.pop()?;
            return Some((segments, verb));
        }
        rest = rest
            .strip_prefix('.')
            .or_else(|| rest.starts_with('[').then_some(rest))?;
    }
}

/// The URL path a page's file path implies: the part from its `v3/` (or `v2/`) segment on,
/// without `.md`, with a trailing `index` dropped. `None` when the path has no such segment.
pub fn from_page_path(source: &str) -> Option<String> {
    let without_extension = source.strip_suffix(".md").unwrap_or(source);
    let segments: Vec<&str> = without_extension.split('/').collect();
    let start = segments.iter().position(|s| *s == "v3" || *s == "v2")?;
    let mut path = String::new();
    for (i, segment) in segments[start..].iter().enumerate() {
        path.push('/');
        let last = start + i + 1 == segments.len();
        if !(last && *segment == "index") {
            path.push_str(segment);
        }
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(namespace: &str) -> Vec<String> {
        namespace.split('.').map(String::from).collect()
    }

    #[test]
    fn inverts_namespaces() {
        let e = endpoint(&segments(
            "WeChatPay.OpenAPI.V3.Marketing.MembercardOpen.Cards._card_id_.Users.Import.PostHttpMethod",
        ))
        .unwrap();
        assert_eq!(e.method, Method::Post);
        assert_eq!(
            e.path,
            "/v3/marketing/membercard-open/cards/{card_id}/users/import"
        );
        assert_eq!(e.placeholders, vec!["card_id".to_owned()]);
        let e = endpoint(&segments(
            "WeChatPay.OpenAPI.V3.Ecommerce.Applyments._empty_.PostHttpMethod",
        ))
        .unwrap();
        assert_eq!(e.path, "/v3/ecommerce/applyments/");
        let e = endpoint(&segments(
            "WeChatPay.OpenAPI.V3.Profitsharing.Receivers.Delete.PostHttpMethod",
        ))
        .unwrap();
        assert_eq!(e.path, "/v3/profitsharing/receivers/delete");
        let e = endpoint(&segments(
            "WeChatPay.OpenAPI.V3.A.Commit_status.ComplaintsV2.GetHttpMethod",
        ))
        .unwrap();
        assert_eq!(e.path, "/v3/a/commit_status/complaints-v2");
        let e = endpoint(&segments(
            "WeChatPay.OpenAPI.Invoicing.Fapiao.FapiaoFile.GetHttpMethod",
        ))
        .unwrap();
        assert!(!e.api_root);
        assert!(endpoint(&segments("WeChatPay.OpenAPI.V3.A.B")).is_none());
        assert!(endpoint(&segments("Other.V3.A.GetHttpMethod")).is_none());
    }

    #[test]
    fn reads_example_calls() {
        let call = example_call(
            "x\nwxpay.v3.pay.transactions.id['{transaction_id}'].get({",
            10,
        )
        .unwrap();
        assert_eq!(call.path, "/v3/pay/transactions/id/{transaction_id}");
        assert_eq!(call.method, Some(Method::Get));
        assert_eq!(call.offset, 12);
        let call = example_call("axios.get('/invoicing/fapiao/fapiao-file', {", 0).unwrap();
        assert_eq!(call.path, "/invoicing/fapiao/fapiao-file");
        assert!(example_call("wxpay.v3.", 0).is_none());
    }

    #[test]
    fn page_paths() {
        assert_eq!(
            from_page_path("v3/marketing/membercard-open/cards/{card_id}/codes/{code}.md")
                .as_deref(),
            Some("/v3/marketing/membercard-open/cards/{card_id}/codes/{code}")
        );
        assert_eq!(
            from_page_path("openapi/v3/ecommerce/applyments/index.md").as_deref(),
            Some("/v3/ecommerce/applyments/")
        );
        assert_eq!(from_page_path("seed.md"), None);
    }
}
