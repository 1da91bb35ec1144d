//! A directory of `<serial>.pem` files, so a restart verifies at once without a download.
//! Files are written atomically (temporary file, then rename) and re-validated on load.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::download::DownloadedCertificate;
use crate::runtime::error::CertificateError;
use crate::runtime::key_store::validity_problem;
use crate::runtime::keys::WechatpayKey;
use crate::runtime::signing::nonce;

fn cache_error(path: &Path, reason: impl ToString) -> CertificateError {
    CertificateError::Cache {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// The valid certificates of the directory: each `*.pem` must parse, be named after its own
/// serial and be valid at `now`; the others are skipped and reported. A missing directory is
/// an empty cache.
pub(crate) fn load(
    dir: &Path,
    now: i64,
) -> Result<(Vec<WechatpayKey>, Vec<CertificateError>), CertificateError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
        Err(e) => return Err(cache_error(dir, e)),
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "pem"))
        .collect();
    paths.sort();
    let mut keys = Vec::new();
    let mut skipped = Vec::new();
    for path in paths {
        match load_one(&path, now) {
            Ok(key) => keys.push(key),
            Err(reason) => skipped.push(cache_error(&path, reason)),
        }
    }
    Ok((keys, skipped))
}

fn load_one(path: &Path, now: i64) -> Result<WechatpayKey, String> {
    let pem = fs::read_to_string(path).map_err(|e| e.to_string())?;
    let key = WechatpayKey::platform_certificate(&pem).map_err(|e| e.to_string())?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if !stem.eq_ignore_ascii_case(key.id()) {
        return Err(format!("holds certificate {}, not {stem}", key.id()));
    }
    if let Some(problem) = validity_problem(&key, now, 0) {
        return Err(format!("certificate {}: {problem}", key.id()));
    }
    Ok(key)
}

/// Writes each certificate to `<serial>.pem`, atomically, and prunes the others.
pub(crate) fn save(
    dir: &Path,
    certificates: &[DownloadedCertificate],
) -> Result<(), CertificateError> {
    fs::create_dir_all(dir).map_err(|e| cache_error(dir, e))?;
    for certificate in certificates {
        let target = dir.join(format!("{}.pem", certificate.serial_no));
        let suffix = nonce().map_err(|e| cache_error(dir, e))?;
        let temp = dir.join(format!(
            ".{}.pem.{}.tmp",
            certificate.serial_no,
            &suffix[..12]
        ));
        let written = fs::File::create(&temp)
            .and_then(|mut file| {
                file.write_all(certificate.pem.as_bytes())?;
                file.sync_all()
            })
            .and_then(|()| fs::rename(&temp, &target));
        if let Err(e) = written {
            let _ = fs::remove_file(&temp);
            return Err(cache_error(&target, e));
        }
    }
    if !certificates.is_empty() {
        prune(dir, certificates)?;
    }
    Ok(())
}

/// Removes the `*.pem` files of certificates the latest download no longer lists (withdrawn or
/// expired), so a restart does not bring them back.
fn prune(dir: &Path, listed: &[DownloadedCertificate]) -> Result<(), CertificateError> {
    let entries = fs::read_dir(dir).map_err(|e| cache_error(dir, e))?;
    for path in entries.filter_map(|entry| entry.ok().map(|e| e.path())) {
        let is_pem = path.extension().is_some_and(|ext| ext == "pem");
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let still_listed = listed
            .iter()
            .any(|c| c.serial_no.eq_ignore_ascii_case(stem));
        if is_pem && !still_listed {
            fs::remove_file(&path).map_err(|e| cache_error(&path, e))?;
        }
    }
    Ok(())
}
