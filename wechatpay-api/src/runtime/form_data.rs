//! `multipart/form-data` bodies: the media uploads of APIv3 (a `meta` JSON part and the file)
//! and of APIv2 (one text field per parameter and the file).

use super::error::{Error, RequestPart};
use super::operation::FilePart;

/// A `multipart/form-data` body being written, part by part.
pub(crate) struct FormData<'b> {
    boundary: &'b str,
    body: Vec<u8>,
}

impl<'b> FormData<'b> {
    /// A body for parts of about `payload` bytes in all.
    pub(crate) fn new(boundary: &'b str, payload: usize) -> FormData<'b> {
        FormData {
            boundary,
            body: Vec::with_capacity(payload + 200),
        }
    }

    /// A text part (`Content-Type` only when given).
    pub(crate) fn field(
        &mut self,
        name: &str,
        content_type: Option<&str>,
        value: &[u8],
    ) -> Result<(), Error> {
        check("field name", name)?;
        let boundary = self.boundary;
        let mut head =
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n");
        if let Some(content_type) = content_type {
            check("content type", content_type)?;
            head.push_str(&format!("Content-Type: {content_type}\r\n"));
        }
        head.push_str("\r\n");
        self.body.extend_from_slice(head.as_bytes());
        self.body.extend_from_slice(value);
        self.body.extend_from_slice(b"\r\n");
        Ok(())
    }

    /// A file part.
    pub(crate) fn file(&mut self, name: &str, part: &FilePart) -> Result<(), Error> {
        check("part name", name)?;
        check("file name", &part.file_name)?;
        check("content type", &part.content_type)?;
        let boundary = self.boundary;
        self.body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                part.file_name, part.content_type
            )
            .as_bytes(),
        );
        self.body.extend_from_slice(&part.bytes);
        self.body.extend_from_slice(b"\r\n");
        Ok(())
    }

    /// The body, closed by the final boundary.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        let boundary = self.boundary;
        self.body
            .extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        self.body
    }
}

/// Names and values go between quotes and on header lines: no quote or line break may end them.
fn check(what: &str, text: &str) -> Result<(), Error> {
    if text.contains(['"', '\r', '\n']) {
        return Err(Error::request(
            RequestPart::File,
            format!(
                "multipart {what} `{}` contains a quote or line break",
                text.escape_debug()
            ),
        ));
    }
    Ok(())
}

/// The payload size of `files`, for [`FormData::new`].
pub(crate) fn files_len(files: &[(String, FilePart)]) -> usize {
    files.iter().map(|(_, f)| f.bytes.len() + 200).sum()
}
