//! The temporary file a bill is written to before it is renamed into place: in the same
//! directory (so the rename is atomic), removed unless the download succeeded — also when the
//! download future is dropped half-way.

use std::path::{Path, PathBuf};

use crate::runtime::error::{BillError, Error};
use crate::runtime::signing::nonce;

pub(crate) struct TempFile {
    /// Where the bill goes once checked.
    pub destination: PathBuf,
    /// `.NAME.RANDOM.part` next to it.
    pub path: PathBuf,
    kept: bool,
}

impl TempFile {
    /// Picks the temporary name; the caller creates the file with `create_new`.
    pub(crate) fn beside(destination: &Path) -> Result<TempFile, Error> {
        let Some(name) = destination.file_name() else {
            return Err(BillError::File {
                action: "write the bill to",
                path: destination.to_owned(),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "the path names no file",
                ),
            }
            .into());
        };
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".{}.part", &nonce()?[..12]));
        Ok(TempFile {
            path: destination.with_file_name(temp_name),
            destination: destination.to_owned(),
            kept: false,
        })
    }

    /// The file was renamed into place: nothing to remove.
    pub(crate) fn kept(mut self) {
        self.kept = true;
    }

    pub(crate) fn error(&self, action: &'static str, source: std::io::Error) -> Error {
        BillError::File {
            action,
            path: self.path.clone(),
            source,
        }
        .into()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.kept {
            // Also runs inside async code: unlinking is one short system call. The file may
            // not exist (creation failed), and nothing better can be done if this fails.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_name_sits_beside_the_destination() {
        let temp = TempFile::beside(Path::new("/data/bills/trade.csv")).unwrap();
        assert_eq!(temp.path.parent(), Some(Path::new("/data/bills")));
        let name = temp.path.file_name().unwrap().to_str().unwrap();
        assert!(
            name.starts_with(".trade.csv.") && name.ends_with(".part"),
            "{name}"
        );
        let bare = TempFile::beside(Path::new("trade.csv")).unwrap();
        assert_eq!(bare.path.parent(), Some(Path::new("")));
        assert!(TempFile::beside(Path::new("/")).is_err());
        assert!(TempFile::beside(Path::new("bills/..")).is_err());
    }
}
