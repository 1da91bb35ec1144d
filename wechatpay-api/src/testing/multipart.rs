//! Reads the `multipart/form-data` bodies of uploads: the `meta` part and the file parts.

use crate::runtime::operation::FilePart;

/// One part of a multipart body.
pub(crate) struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// The parts of `body`, or `None` when it is not (well-formed) `multipart/form-data`.
pub(crate) fn parts(content_type: Option<&str>, body: &[u8]) -> Option<Vec<Part>> {
    let (mime, params) = content_type?.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    let boundary = params
        .split(';')
        .find_map(|param| param.trim().strip_prefix("boundary="))?
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    let next = format!("\r\n--{boundary}");
    let mut rest = &body[find(body, delimiter.as_bytes())? + delimiter.len()..];
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Some(parts);
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let headers_end = find(rest, b"\r\n\r\n")?;
        let headers = std::str::from_utf8(&rest[..headers_end]).ok()?;
        let content = &rest[headers_end + 4..];
        let end = find(content, next.as_bytes())?;
        parts.push(Part::read(headers, content[..end].to_vec())?);
        rest = &content[end + next.len()..];
    }
}

impl Part {
    fn read(headers: &str, bytes: Vec<u8>) -> Option<Part> {
        let mut disposition = None;
        let mut content_type = None;
        for line in headers.split("\r\n") {
            let (name, value) = line.split_once(':')?;
            if name.trim().eq_ignore_ascii_case("content-disposition") {
                disposition = Some(disposition_params(value.trim()));
            } else if name.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(value.trim().to_owned());
            }
        }
        let params = disposition?;
        let param = |wanted: &str| {
            params
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(wanted))
                .map(|(_, value)| value.clone())
        };
        Some(Part {
            name: param("name")?,
            file_name: param("filename"),
            content_type,
            bytes,
        })
    }

    /// The part as a file, if it carries a file name.
    pub fn into_file(self) -> Result<(String, FilePart), Part> {
        match self.file_name {
            Some(file_name) => Ok((
                self.name,
                FilePart::new(file_name, self.content_type.unwrap_or_default(), self.bytes),
            )),
            None => Err(self),
        }
    }
}

/// The `name=value` parameters of `form-data; name="file"; filename="a;b.png"` (values may be
/// quoted, and quoted values may hold `;`).
fn disposition_params(value: &str) -> Vec<(String, String)> {
    let mut params = Vec::new();
    let mut rest = value;
    while let Some(separator) = rest.find(';') {
        rest = rest[separator + 1..].trim_start();
        let Some((name, after)) = rest.split_once('=') else {
            break;
        };
        let (value, remainder) = match after.strip_prefix('"') {
            Some(quoted) => match quoted.find('"') {
                Some(close) => (&quoted[..close], &quoted[close + 1..]),
                None => (quoted, ""),
            },
            None => {
                let end = after.find(';').unwrap_or(after.len());
                (after[..end].trim_end(), &after[end..])
            }
        };
        params.push((name.trim().to_owned(), value.to_owned()));
        rest = remainder;
    }
    params
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTENT_TYPE: &str = "multipart/form-data; boundary=XyZ";

    #[test]
    fn meta_and_file_parts_are_read() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"a\":1}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a;b.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x00\r\n--XyZ--\r\n";
        let parts = parts(Some(CONTENT_TYPE), body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "meta");
        assert_eq!(parts[0].file_name, None);
        assert_eq!(parts[0].bytes, b"{\"a\":1}");
        assert_eq!(parts[1].name, "file");
        assert_eq!(parts[1].file_name.as_deref(), Some("a;b.png"));
        assert_eq!(parts[1].content_type.as_deref(), Some("image/png"));
        assert_eq!(parts[1].bytes, b"\x89PNG\r\n\x00");
    }

    #[test]
    fn other_or_broken_bodies_are_not_multipart() {
        assert!(parts(Some("application/json"), b"{}").is_none());
        assert!(parts(None, b"--XyZ--\r\n").is_none());
        assert!(parts(Some(CONTENT_TYPE), b"--XyZ\r\nno blank line").is_none());
        assert!(parts(Some(CONTENT_TYPE), b"--XyZ\r\nX: y\r\n\r\nunterminated").is_none());
        assert_eq!(
            parts(Some(CONTENT_TYPE), b"--XyZ--\r\n").map(|p| p.len()),
            Some(0)
        );
    }
}
