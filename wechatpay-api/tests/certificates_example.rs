//! The `certificates` example against the test server: with only the merchant's credentials
//! and the APIv3 key it saves every valid platform certificate and reports the others; when
//! the answer does not pass its checks it fails having written nothing.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use wechatpay_api::runtime::beijing_time::rfc3339;
use wechatpay_api::runtime::verify::unix_now;
use wechatpay_api::testing::{
    CERTIFICATES_PATH, Misbehavior, PlatformCertificate, TestServer, keys,
};

#[allow(dead_code)]
#[path = "../examples/certificates.rs"]
mod certificates_example;

const DAY: i64 = 86_400;
const VALID: &str = "3775B6A45ACD588826D15E583A95F5DD5A3E3C12";
const NEWER: &str = "4A1B2C3D4E5F60718293A4B5C6D7E8F901234567";
const EXPIRED: &str = "6E0000000000000000000000000000000000000E";
const FUTURE: &str = "7F0000000000000000000000000000000000000F";

fn mint(private_key: &str, serial: &str, not_before: i64, not_after: i64) -> PlatformCertificate {
    PlatformCertificate::mint(private_key, serial, not_before, not_after).unwrap()
}

struct Certificates {
    valid: PlatformCertificate,
    newer: PlatformCertificate,
    expired: PlatformCertificate,
    future: PlatformCertificate,
}

fn certificates() -> Certificates {
    let now = unix_now();
    Certificates {
        valid: mint(
            keys::PLATFORM_PRIVATE_KEY_PEM,
            VALID,
            now - 30 * DAY,
            now + 365 * DAY,
        ),
        newer: mint(
            keys::WECHATPAY_PRIVATE_KEY_PEM,
            NEWER,
            now - DAY,
            now + 400 * DAY,
        ),
        expired: mint(
            keys::MERCHANT_PRIVATE_KEY_PEM,
            EXPIRED,
            now - 700 * DAY,
            now - DAY,
        ),
        future: mint(
            keys::MERCHANT_PRIVATE_KEY_PEM,
            FUTURE,
            now + DAY,
            now + 700 * DAY,
        ),
    }
}

/// A server that knows only platform certificates (the first one signs).
fn server(listed: &[&PlatformCertificate]) -> TestServer {
    let mut builder = TestServer::builder().clear_keys();
    for certificate in listed {
        builder = builder.add_certificate((*certificate).clone());
    }
    builder.start().unwrap()
}

/// A directory for one run (the merchant key file and `out/`), removed when dropped.
struct Workspace(PathBuf);

impl Workspace {
    fn new(name: &str) -> Workspace {
        let path = std::env::temp_dir().join(format!(
            "wechatpay-certificates-example-{}-{name}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap();
        Workspace(path)
    }

    fn out_dir(&self) -> PathBuf {
        self.0.join("out")
    }

    /// The files written to `out/`, sorted; none when it does not exist.
    fn written(&self) -> Vec<String> {
        let Ok(entries) = fs::read_dir(self.out_dir()) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// The example's environment: only the merchant's credentials and the APIv3 key.
    fn environment(&self, server: &TestServer) -> HashMap<&'static str, String> {
        let key_path = self.0.join("apiclient_key.pem");
        fs::write(&key_path, keys::MERCHANT_PRIVATE_KEY_PEM).unwrap();
        HashMap::from([
            ("WECHATPAY_BASE_URL", server.base_url()),
            ("WECHATPAY_MCHID", keys::MERCHANT_ID.to_owned()),
            ("WECHATPAY_MCH_SERIAL", keys::MERCHANT_SERIAL.to_owned()),
            ("WECHATPAY_MCH_PRIVATE_KEY", key_path.display().to_string()),
            ("WECHATPAY_APIV3_KEY", keys::APIV3_KEY.to_owned()),
        ])
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// What one run of the example gave: its result, the JSON lines of `out`, the `report` text.
struct Run {
    result: Result<(), String>,
    lines: Vec<Value>,
    report: String,
}

async fn run(env: &HashMap<&'static str, String>, out_dir: &Path) -> Run {
    let lookup = |name: &str| env.get(name).cloned();
    let (mut out, mut report) = (Vec::new(), Vec::new());
    let result = certificates_example::run(&lookup, out_dir, &mut out, &mut report).await;
    let lines = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON object"))
        .collect();
    Run {
        result,
        lines,
        report: String::from_utf8(report).unwrap(),
    }
}

#[tokio::test]
async fn it_saves_every_valid_certificate_and_reports_the_others() {
    let certificates = certificates();
    let server = server(&[
        &certificates.valid,
        &certificates.expired,
        &certificates.newer,
        &certificates.future,
    ]);
    let workspace = Workspace::new("ok");
    let out_dir = workspace.out_dir();
    let run = run(&workspace.environment(&server), &out_dir).await;
    run.result.unwrap();

    // One line and one file per valid certificate, in the order they were listed.
    let saved = [&certificates.valid, &certificates.newer];
    assert_eq!(run.lines.len(), saved.len(), "{:?}", run.lines);
    for (line, certificate) in run.lines.iter().zip(saved) {
        let path = out_dir.join(format!("{}.pem", certificate.serial()));
        assert_eq!(
            *line,
            json!({
                "serial_no": certificate.serial(),
                "not_after": rfc3339(certificate.not_after()),
                "path": path.display().to_string(),
            })
        );
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            certificate.certificate_pem()
        );
    }
    assert_eq!(
        workspace.written(),
        [format!("{VALID}.pem"), format!("{NEWER}.pem")]
    );

    // The others, on the report writer, with why and when.
    let expired = &certificates.expired;
    let future = &certificates.future;
    assert_eq!(
        run.report,
        format!(
            "skipped {EXPIRED} (expired: valid {} to {})\nskipped {FUTURE} (not yet valid: valid {} to {})\n",
            rfc3339(expired.not_before()),
            rfc3339(expired.not_after()),
            rfc3339(future.not_before()),
            rfc3339(future.not_after()),
        )
    );

    // One download, signed by the merchant, and nothing else.
    assert_eq!(server.certificate_downloads(), 1);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].url.split('?').next(), Some(CERTIFICATES_PATH));
    assert_eq!(requests[0].authorization.mchid, keys::MERCHANT_ID);
    assert_eq!(requests[0].authorization.serial_no, keys::MERCHANT_SERIAL);
}

#[tokio::test]
async fn a_certificate_that_does_not_decrypt_fails_the_run_and_nothing_is_written() {
    let certificates = certificates();
    for (misbehavior, reason) in [
        (Misbehavior::CertificateTampered, "does not decrypt"),
        (
            Misbehavior::CertificateWrongAssociatedData,
            "does not decrypt",
        ),
        (
            Misbehavior::CertificateSerialMismatch,
            "does not match the certificate's own serial",
        ),
    ] {
        let server = server(&[
            &certificates.valid,
            &certificates.newer,
            &certificates.expired,
        ]);
        server.misbehave_once(misbehavior.clone());
        let workspace = Workspace::new("undecryptable");
        let run = run(&workspace.environment(&server), &workspace.out_dir()).await;
        let message = run.result.unwrap_err();
        assert!(
            message.starts_with("download: "),
            "{misbehavior:?}: {message}"
        );
        assert!(message.contains(reason), "{misbehavior:?}: {message}");
        assert!(!workspace.out_dir().exists(), "{misbehavior:?}");
        assert!(
            run.lines.is_empty() && run.report.is_empty(),
            "{misbehavior:?}"
        );
        assert_eq!(server.certificate_downloads(), 1);
    }
}

#[tokio::test]
async fn a_bad_signature_fails_the_run_and_nothing_is_written() {
    let certificates = certificates();
    for (misbehavior, reason) in [
        (Misbehavior::WrongKey, "signature does not match"),
        (Misbehavior::TamperedBody, "signature does not match"),
        (Misbehavior::WrongSerial, "names no configured key"),
        (Misbehavior::Unsigned, "missing header"),
    ] {
        let server = server(&[
            &certificates.valid,
            &certificates.newer,
            &certificates.expired,
        ]);
        server.misbehave_once(misbehavior.clone());
        let workspace = Workspace::new("unsigned");
        // An existing, empty OUT_DIR stays empty.
        fs::create_dir_all(workspace.out_dir()).unwrap();
        let run = run(&workspace.environment(&server), &workspace.out_dir()).await;
        let message = run.result.unwrap_err();
        assert!(
            message.starts_with("download: "),
            "{misbehavior:?}: {message}"
        );
        assert!(message.contains(reason), "{misbehavior:?}: {message}");
        assert!(workspace.written().is_empty(), "{misbehavior:?}");
        assert!(
            run.lines.is_empty() && run.report.is_empty(),
            "{misbehavior:?}"
        );
        assert_eq!(server.certificate_downloads(), 1);
    }
}

#[tokio::test]
async fn an_answer_signed_by_a_certificate_it_does_not_carry_is_refused() {
    // WeChat Pay signs with a certificate that is not (or no longer) in the list: the
    // example has no other key to check the signature with.
    let certificates = certificates();
    let server = server(&[&certificates.valid, &certificates.newer]);
    server.sign_with(NEWER).unwrap();
    server.remove_certificate(NEWER);
    let workspace = Workspace::new("unlisted");
    let run = run(&workspace.environment(&server), &workspace.out_dir()).await;
    let message = run.result.unwrap_err();
    assert!(message.contains(NEWER), "{message}");
    assert!(workspace.written().is_empty());
    assert!(run.lines.is_empty());
}

#[tokio::test]
async fn missing_configuration_sends_nothing() {
    let certificates = certificates();
    let server = server(&[&certificates.valid]);
    let workspace = Workspace::new("missing");
    let mut env = workspace.environment(&server);
    env.remove("WECHATPAY_APIV3_KEY");
    let run = run(&env, &workspace.out_dir()).await;
    assert_eq!(
        run.result.unwrap_err(),
        "environment variable WECHATPAY_APIV3_KEY is not set"
    );
    assert!(server.requests().is_empty());
    assert!(workspace.written().is_empty());
}
