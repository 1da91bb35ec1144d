//! Files for the media upload endpoints (`POST /v3/merchant/media/upload` for images,
//! `/v3/merchant/media/video_upload` for videos).
//!
//! An upload is a multipart request: a `meta` JSON part `{"filename", "sha256"}` (the text the
//! request signature covers) and a `file` part. [`MediaFile`] checks the file name, works out
//! the content type and the digest, and gives both parts.
//!
//! ```no_run
//! # async fn run(client: &wechatpay_api::runtime::Client) -> Result<(), wechatpay_api::runtime::Error> {
//! use wechatpay_api::runtime::HttpMethod;
//! use wechatpay_api::runtime::media::MediaFile;
//!
//! let file = MediaFile::new("logo.png", std::fs::read("logo.png").expect("readable"))?;
//! let answer = client
//!     .request(HttpMethod::Post, file.kind().upload_path())
//!     .json(&file.meta())
//!     .file("file", file.file_part())
//!     .await?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::io::Read;

use aws_lc_rs::digest::{SHA256, digest};
use serde::Serialize;

use super::error::Error;
use super::operation::FilePart;

/// Which upload endpoint a file goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    /// jpg, jpeg, png, bmp.
    Image,
    /// avi, wmv, mpeg, mp4, mov, mkv, flv, f4v, m4v, rmvb.
    Video,
}

impl MediaKind {
    /// The path of the upload endpoint for this kind.
    pub fn upload_path(self) -> &'static str {
        match self {
            MediaKind::Image => "/v3/merchant/media/upload",
            MediaKind::Video => "/v3/merchant/media/video_upload",
        }
    }
}

/// The accepted extensions (lower case), their content type and kind.
const FORMATS: &[(&str, &str, MediaKind)] = &[
    ("jpg", "image/jpeg", MediaKind::Image),
    ("jpeg", "image/jpeg", MediaKind::Image),
    ("png", "image/png", MediaKind::Image),
    ("bmp", "image/bmp", MediaKind::Image),
    ("avi", "video/x-msvideo", MediaKind::Video),
    ("wmv", "video/x-ms-wmv", MediaKind::Video),
    ("mpeg", "video/mpeg", MediaKind::Video),
    ("mp4", "video/mp4", MediaKind::Video),
    ("mov", "video/quicktime", MediaKind::Video),
    ("mkv", "video/x-matroska", MediaKind::Video),
    ("flv", "video/x-flv", MediaKind::Video),
    ("f4v", "video/x-f4v", MediaKind::Video),
    ("m4v", "video/x-m4v", MediaKind::Video),
    ("rmvb", "application/vnd.rn-realmedia-vbr", MediaKind::Video),
];

/// Why a file cannot be uploaded.
#[derive(Debug)]
#[non_exhaustive]
pub enum MediaError {
    /// The name is empty, a path, or holds a quote or control character (it travels in a
    /// multipart header).
    InvalidFileName(String),
    /// The name has no extension to tell the format by.
    MissingExtension(String),
    /// The extension is not one WeChat Pay accepts.
    UnsupportedExtension {
        file_name: String,
        extension: String,
    },
    /// The file has no bytes.
    EmptyFile(String),
    /// Reading the file failed.
    Read {
        file_name: String,
        source: std::io::Error,
    },
}

impl fmt::Display for MediaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MediaError::InvalidFileName(name) => write!(
                f,
                "media file name `{}` must be a bare file name without quotes or control characters",
                name.escape_debug()
            ),
            MediaError::MissingExtension(name) => write!(
                f,
                "media file `{}` has no extension (images: jpg, jpeg, png, bmp; videos: avi, \
                 wmv, mpeg, mp4, mov, mkv, flv, f4v, m4v, rmvb)",
                name.escape_debug()
            ),
            MediaError::UnsupportedExtension {
                file_name,
                extension,
            } => write!(
                f,
                "media file `{}`: `.{}` is not an accepted format (images: jpg, jpeg, png, bmp; \
                 videos: avi, wmv, mpeg, mp4, mov, mkv, flv, f4v, m4v, rmvb)",
                file_name.escape_debug(),
                extension.escape_debug()
            ),
            MediaError::EmptyFile(name) => {
                write!(f, "media file `{}` is empty", name.escape_debug())
            }
            MediaError::Read { file_name, source } => {
                write!(
                    f,
                    "media file `{}` could not be read: {source}",
                    file_name.escape_debug()
                )
            }
        }
    }
}

impl std::error::Error for MediaError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MediaError::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<MediaError> for Error {
    fn from(e: MediaError) -> Error {
        Error::request(super::error::RequestPart::File, e.to_string())
    }
}

/// The `meta` part of an upload: serialises to `{"filename": …, "sha256": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MediaMeta {
    pub filename: String,
    /// Lower-case hex SHA-256 of the file bytes.
    pub sha256: String,
}

/// An image or video to upload, with its content type and SHA-256 worked out.
#[derive(Clone, PartialEq, Eq)]
pub struct MediaFile {
    file_name: String,
    content_type: &'static str,
    kind: MediaKind,
    sha256: String,
    bytes: Vec<u8>,
}

impl MediaFile {
    /// A file from its name (`logo.png`; the extension, in any case, gives the format) and
    /// its bytes.
    pub fn new(
        file_name: impl Into<String>,
        bytes: impl Into<Vec<u8>>,
    ) -> Result<MediaFile, MediaError> {
        let file_name = file_name.into();
        let (content_type, kind) = format_of(&file_name)?;
        let bytes = bytes.into();
        if bytes.is_empty() {
            return Err(MediaError::EmptyFile(file_name));
        }
        Ok(MediaFile {
            sha256: sha256_hex(&bytes),
            file_name,
            content_type,
            kind,
            bytes,
        })
    }

    /// A file from its name and everything `reader` yields.
    pub fn from_reader(
        file_name: impl Into<String>,
        mut reader: impl Read,
    ) -> Result<MediaFile, MediaError> {
        let file_name = file_name.into();
        format_of(&file_name)?;
        let mut bytes = Vec::new();
        if let Err(source) = reader.read_to_end(&mut bytes) {
            return Err(MediaError::Read { file_name, source });
        }
        MediaFile::new(file_name, bytes)
    }

    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// `image/png`, `video/mp4`… from the extension.
    pub fn content_type(&self) -> &str {
        self.content_type
    }

    /// Image or video: which endpoint takes it ([`MediaKind::upload_path`]).
    pub fn kind(&self) -> MediaKind {
        self.kind
    }

    /// Lower-case hex SHA-256 of the bytes.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The `meta` part.
    pub fn meta(&self) -> MediaMeta {
        MediaMeta {
            filename: self.file_name.clone(),
            sha256: self.sha256.clone(),
        }
    }

    /// The `file` part (a copy of the bytes; [`MediaFile::into_parts`] avoids it).
    pub fn file_part(&self) -> FilePart {
        FilePart::new(
            self.file_name.clone(),
            self.content_type,
            self.bytes.clone(),
        )
    }

    /// The `meta` and `file` parts.
    pub fn into_parts(self) -> (MediaMeta, FilePart) {
        let meta = self.meta();
        let part = FilePart::new(self.file_name, self.content_type, self.bytes);
        (meta, part)
    }
}

impl fmt::Debug for MediaFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MediaFile")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("kind", &self.kind)
            .field("sha256", &self.sha256)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// Lower-case hex SHA-256, as the upload `meta` carries it.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    digest(&SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn format_of(file_name: &str) -> Result<(&'static str, MediaKind), MediaError> {
    if file_name.is_empty()
        || file_name.contains(['/', '\\', '"'])
        || file_name.chars().any(char::is_control)
    {
        return Err(MediaError::InvalidFileName(file_name.to_owned()));
    }
    let extension = match file_name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() && !extension.is_empty() => extension,
        _ => return Err(MediaError::MissingExtension(file_name.to_owned())),
    };
    FORMATS
        .iter()
        .find(|(known, _, _)| known.eq_ignore_ascii_case(extension))
        .map(|&(_, content_type, kind)| (content_type, kind))
        .ok_or_else(|| MediaError::UnsupportedExtension {
            file_name: file_name.to_owned(),
            extension: extension.to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_and_kind_come_from_the_extension_in_any_case() {
        for (name, content_type, kind) in [
            ("a.jpg", "image/jpeg", MediaKind::Image),
            ("a.JPEG", "image/jpeg", MediaKind::Image),
            ("a.b.Png", "image/png", MediaKind::Image),
            ("a.bmp", "image/bmp", MediaKind::Image),
            ("a.avi", "video/x-msvideo", MediaKind::Video),
            ("a.wmv", "video/x-ms-wmv", MediaKind::Video),
            ("a.mpeg", "video/mpeg", MediaKind::Video),
            ("a.MP4", "video/mp4", MediaKind::Video),
            ("a.mov", "video/quicktime", MediaKind::Video),
            ("a.mkv", "video/x-matroska", MediaKind::Video),
            ("a.flv", "video/x-flv", MediaKind::Video),
            ("a.f4v", "video/x-f4v", MediaKind::Video),
            ("a.m4v", "video/x-m4v", MediaKind::Video),
            (
                "a.RMVB",
                "application/vnd.rn-realmedia-vbr",
                MediaKind::Video,
            ),
        ] {
            let file = MediaFile::new(name, b"x".to_vec()).unwrap();
            assert_eq!(file.content_type(), content_type, "{name}");
            assert_eq!(file.kind(), kind, "{name}");
        }
        assert_eq!(MediaKind::Image.upload_path(), "/v3/merchant/media/upload");
        assert_eq!(
            MediaKind::Video.upload_path(),
            "/v3/merchant/media/video_upload"
        );
    }

    #[test]
    fn sha256_is_lower_case_hex_of_the_bytes() {
        // `printf abc | sha256sum`
        let file = MediaFile::new("a.png", b"abc".to_vec()).unwrap();
        assert_eq!(
            file.sha256(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            serde_json::to_value(file.meta()).unwrap(),
            serde_json::json!({"filename": "a.png", "sha256": file.sha256()})
        );
        let (meta, part) = file.clone().into_parts();
        assert_eq!(meta, file.meta());
        assert_eq!(part, file.file_part());
        assert_eq!(part, FilePart::new("a.png", "image/png", b"abc".to_vec()));
    }

    #[test]
    fn reader_gives_the_same_file() {
        let read = MediaFile::from_reader("a.mp4", &b"video bytes"[..]).unwrap();
        assert_eq!(
            read,
            MediaFile::new("a.mp4", b"video bytes".to_vec()).unwrap()
        );
    }

    #[test]
    fn bad_names_and_empty_files_are_typed_errors() {
        for name in ["a", "a.", ".png", "png"] {
            assert!(
                matches!(
                    MediaFile::new(name, b"x".to_vec()),
                    Err(MediaError::MissingExtension(_))
                ),
                "{name}"
            );
        }
        for name in ["", "dir/a.png", "dir\\a.png", "a\".png", "a\n.png"] {
            assert!(
                matches!(
                    MediaFile::new(name, b"x".to_vec()),
                    Err(MediaError::InvalidFileName(_))
                ),
                "{name:?}"
            );
        }
        match MediaFile::new("a.gif", b"x".to_vec()) {
            Err(e @ MediaError::UnsupportedExtension { .. }) => {
                assert!(e.to_string().contains("`.gif`"), "{e}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            MediaFile::new("a.png", Vec::new()),
            Err(MediaError::EmptyFile(_))
        ));
        assert!(matches!(
            MediaFile::from_reader("a.png", &b""[..]),
            Err(MediaError::EmptyFile(_))
        ));
        let error: Error = MediaFile::new("a.gif", b"x".to_vec()).unwrap_err().into();
        assert!(matches!(error, Error::InvalidRequest(ref e) if e.message.contains("a.gif")));
    }

    #[test]
    fn read_failures_keep_their_cause() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk on fire"))
            }
        }
        let e = MediaFile::from_reader("a.png", Broken).unwrap_err();
        assert!(matches!(e, MediaError::Read { .. }));
        assert!(e.to_string().contains("disk on fire"), "{e}");
        assert!(std::error::Error::source(&e).is_some());
    }

    #[test]
    fn debug_shows_the_length_not_the_bytes() {
        let file = MediaFile::new("a.png", vec![7u8; 3]).unwrap();
        let shown = format!("{file:?}");
        assert!(shown.contains("len: 3"), "{shown}");
        assert!(!shown.contains("[7, 7, 7]"), "{shown}");
    }
}
