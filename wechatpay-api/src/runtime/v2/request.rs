//! The HTTP request of a v2 call: its signed parameters as an XML body, a query string or
//! multipart form fields.

use http::header::{self, HeaderMap, HeaderValue};

use super::operation::RequestKind;
use super::params::Params;
use super::route::Route;
use super::xml;
use crate::runtime::core::{
    Core, PreparedRequest, USER_AGENT, fill_path, header_value, query_string,
};
use crate::runtime::error::{Error, RequestPart};
use crate::runtime::form_data::{FormData, files_len};
use crate::runtime::operation::FilePart;
use crate::runtime::signing::nonce;

/// The request for `params` (already signed) to `route`, to the backup host when `backup`.
pub(crate) fn prepare(
    core: &Core,
    route: &Route<'_>,
    path_args: &[String],
    params: &Params,
    files: &[(String, FilePart)],
    backup: bool,
) -> Result<PreparedRequest, Error> {
    if !route.path.starts_with('/') || route.path.contains(['?', '#']) {
        return Err(Error::request(
            RequestPart::Path,
            format!(
                "v2 path `{}` must start with `/` and carry no query or fragment",
                route.path.escape_debug()
            ),
        ));
    }
    let mut text = core.base_for(route.base_uri, backup)?;
    text.push_str(&fill_path(route.path, path_args)?);
    let mut headers = HeaderMap::with_capacity(4);
    headers.insert(header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
    if route.request != RequestKind::Xml && params.has_lists() {
        return Err(Error::request(
            RequestPart::Body,
            "a nested list can only be sent in an XML body, not a query or form",
        ));
    }
    let body = match route.request {
        RequestKind::Xml => {
            let body = xml::write(params)
                .map_err(|e| Error::request(RequestPart::Body, format!("v2 request: {e}")))?;
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/xml; charset=utf-8"),
            );
            body.into_bytes()
        }
        RequestKind::Query => {
            if !params.is_empty() {
                text.push('?');
                text.push_str(&query_string(params.iter()));
            }
            Vec::new()
        }
        RequestKind::Multipart => {
            let boundary = format!("wechatpay-rs-{}", nonce()?);
            headers.insert(
                header::CONTENT_TYPE,
                header_value(&format!("multipart/form-data; boundary={boundary}"))?,
            );
            multipart_form(&boundary, params, files)?
        }
    };
    let url = reqwest::Url::parse(&text)
        .map_err(|e| Error::request(RequestPart::Path, format!("path `{}`: {e}", route.path)))?;
    Ok(PreparedRequest::v2(route.method, url, headers, body))
}

/// `multipart/form-data` with one text field per parameter, then the file parts.
fn multipart_form(
    boundary: &str,
    params: &Params,
    files: &[(String, FilePart)],
) -> Result<Vec<u8>, Error> {
    let mut form = FormData::new(boundary, files_len(files) + params.len() * 100);
    for (name, value) in params.iter() {
        form.field(name, None, value.as_bytes())?;
    }
    for (name, part) in files {
        form.file(name, part)?;
    }
    Ok(form.finish())
}
