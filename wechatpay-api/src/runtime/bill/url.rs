//! The signed GET of a download URL: checked, then signed like every other request and sent
//! to the client's base URL, never to the host the URL names.

use super::BillFile;
use crate::runtime::core::RequestParts;
use crate::runtime::error::{BillError, Error};
use crate::runtime::operation::{HttpMethod, RequestBodyKind, ResponseBodyKind};

const DOWNLOAD_PREFIX: &str = "/v3/billdownload/";

/// The path and query of a download URL, as WeChat Pay wrote them. Refuses URLs whose path is
/// not a file under `/v3/billdownload/`. The query carries a download token, so no message
/// repeats it.
pub(crate) fn download_path(download_url: &str) -> Result<String, BillError> {
    let refuse = |reason: String| Err(BillError::DownloadUrl(reason));
    let url = match reqwest::Url::parse(download_url) {
        Ok(url) => url,
        Err(e) => return refuse(format!("not an absolute URL ({e})")),
    };
    if !matches!(url.scheme(), "https" | "http") {
        return refuse(format!("scheme `{}` is not https", url.scheme()));
    }
    // `Url` has already resolved `.` and `..` segments; percent-encoding could hide more.
    let path = url.path();
    if path.contains('%') {
        return refuse(format!("path `{path}` is percent-encoded"));
    }
    if !path.starts_with(DOWNLOAD_PREFIX) || path.len() == DOWNLOAD_PREFIX.len() {
        return refuse(format!(
            "path `{path}` is not a file under {DOWNLOAD_PREFIX}"
        ));
    }
    Ok(match url.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    })
}

/// The parts of a bill's signed GET (signed anew for each attempt).
pub(crate) fn parts(bill: &BillFile) -> Result<RequestParts<'static>, Error> {
    Ok(RequestParts {
        method: HttpMethod::Get,
        path: download_path(&bill.download_url)?,
        base_uri: None,
        request_body: RequestBodyKind::None,
        response_body: ResponseBodyKind::Binary,
        encrypted_request_fields: &[],
        sends_wechatpay_serial: false,
        decrypt_response_fields: Vec::new(),
        body: None,
        query: &[],
        headers: &[],
        files: &[],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_and_query_are_kept_verbatim() {
        assert_eq!(
            download_path(
                "https://api.mch.weixin.qq.com/v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzNJDFVB7E1&tartype=gzip"
            )
            .unwrap(),
            "/v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzNJDFVB7E1&tartype=gzip"
        );
        assert_eq!(
            download_path("https://elsewhere.example/v3/billdownload/file").unwrap(),
            "/v3/billdownload/file"
        );
    }

    #[test]
    fn urls_outside_the_download_path_are_refused() {
        for url in [
            "https://api.mch.weixin.qq.com/v3/pay/transactions/id/1?token=x",
            "https://api.mch.weixin.qq.com/v3/billdownload/",
            "https://api.mch.weixin.qq.com/v3/billdownload",
            "https://api.mch.weixin.qq.com/v3/billdownload/../merchant/media",
            "https://api.mch.weixin.qq.com/v3/billdownload/%2e%2e/merchant/media",
            "https://api.mch.weixin.qq.com/v3/billdownload/..%2Fmerchant",
            "https://api.mch.weixin.qq.com/v3/billdownloadfile",
            "ftp://api.mch.weixin.qq.com/v3/billdownload/file",
            "/v3/billdownload/file?token=x",
            "",
        ] {
            assert!(
                matches!(download_path(url), Err(BillError::DownloadUrl(_))),
                "{url}"
            );
        }
    }

    #[test]
    fn refusals_do_not_repeat_the_token() {
        let err = download_path("https://api.mch.weixin.qq.com/v3/other?token=SECRET_TOKEN")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("SECRET_TOKEN"), "{err}");
        assert!(err.contains("/v3/other"), "{err}");
    }
}
