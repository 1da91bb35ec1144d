//! Writes generated modules as a standalone crate that depends on the `wechatpay-api` runtime.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::Context;
use codegen::emit::{Generated, V2_FEATURE_PREFIX, V2_ROOT};

/// Writes `Cargo.toml`, `src/lib.rs` and the generated modules into `out`, replacing any
/// previously generated `src/`.
pub fn write_crate(out: &Path, generated: &Generated, runtime: &Path) -> anyhow::Result<()> {
    let src = out.join("src");
    if src.exists() {
        fs::remove_dir_all(&src).with_context(|| format!("clearing {}", src.display()))?;
    }
    fs::create_dir_all(&src)?;
    let runtime = fs::canonicalize(runtime).context("locating the wechatpay-api runtime")?;
    let areas = areas(generated);

    let mut manifest = String::from(
        "[package]\nname = \"wechatpay-generated\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n",
    );
    let _ = writeln!(
        manifest,
        "[dependencies]\nwechatpay-api = {{ path = {:?}, default-features = false }}\n",
        runtime.display().to_string()
    );
    manifest.push_str("[features]\ndefault = []\n# The blocking client wrapper (`BlockingClient`).\nblocking = [\"wechatpay-api/blocking\"]\n");
    let mut features = areas.clone();
    if generated.webhook {
        features.push(WEBHOOK.to_owned());
    }
    let _ = writeln!(
        manifest,
        "full = [{}]",
        features
            .iter()
            .map(|a| format!("{a:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for feature in &features {
        let _ = writeln!(manifest, "{feature} = []");
    }
    manifest.push_str("\n[workspace]\n");
    fs::write(out.join("Cargo.toml"), manifest)?;

    let mut lib = String::from(codegen::emit::GENERATED_HEADER);
    lib.push_str("//! WeChat Pay endpoints generated from markdown docs (`v3`, and `v2` for APIv2 pages); one cargo feature per business area (`v2-<area>` for APIv2), `full` for all.\n\n");
    for root in &generated.roots {
        let _ = writeln!(lib, "#[rustfmt::skip]\npub mod {root};");
    }
    if generated.models {
        let _ = writeln!(
            lib,
            "/// Named models: one type per business object.\n#[rustfmt::skip]\npub mod models;"
        );
    }
    if generated.webhook {
        let _ = writeln!(
            lib,
            "/// Typed webhook notifications (feature `{WEBHOOK}`).\n#[cfg(feature = \"{WEBHOOK}\")]\n#[rustfmt::skip]\npub mod {WEBHOOK};"
        );
    }
    lib.push_str("\npub use wechatpay_api::runtime;\n");
    lib.push_str(&client_wrappers(&generated.roots));
    lib.push_str("\n/// Starts this crate's typed call chains on any client of the runtime: `Api::v3(&client)`.\npub trait Api {\n");
    for root in &generated.roots {
        let node = root.to_uppercase();
        let _ = writeln!(lib, "    fn {root}(&self) -> {root}::{node}<'_, Self>;");
    }
    lib.push_str("}\n\nimpl<C> Api for C {\n");
    for root in &generated.roots {
        let node = root.to_uppercase();
        let _ = writeln!(
            lib,
            "    fn {root}(&self) -> {root}::{node}<'_, Self> {{\n        {root}::{node}::new(self, wechatpay_api::runtime::PathArgs::new())\n    }}"
        );
    }
    lib.push_str("}\n");
    fs::write(src.join("lib.rs"), lib)?;

    for (relative, content) in &generated.files {
        let path = src.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&path, content)?;
    }
    Ok(())
}

/// `Client` (and, with the `blocking` feature, `BlockingClient`): the runtime's clients, whose
/// `v3()` (and `v2()`, with APIv2 pages) start this crate's chains. The runtime's own
/// `Client::v3()` is an inherent method that starts the runtime crate's built-in chain, which a
/// trait method cannot override.
fn client_wrappers(roots: &[String]) -> String {
    let mut out = String::new();
    for (name, runtime, feature) in [
        ("Client", "runtime::Client", None),
        (
            "BlockingClient",
            "runtime::blocking::Client",
            Some("blocking"),
        ),
    ] {
        let gate = feature
            .map(|f| format!("#[cfg(feature = \"{f}\")]\n"))
            .unwrap_or_default();
        let _ = write!(
            out,
            "\n/// A [`{runtime}`] whose root methods (`v3()`, `v2()`) start this crate's typed chains:\n\
             /// `{name}::new(builder.build()?)` then `client.v3()…`. Derefs to the runtime client.\n\
             {gate}#[derive(Debug, Clone)]\npub struct {name}(pub {runtime});\n\n\
             {gate}impl {name} {{\n    pub fn new(client: {runtime}) -> Self {{\n        {name}(client)\n    }}\n"
        );
        for root in roots {
            let node = root.to_uppercase();
            let _ = write!(
                out,
                "\n    /// The root of this crate's `/{root}` chain.\n    pub fn {root}(&self) -> {root}::{node}<'_, {runtime}> {{\n        {root}::{node}::new(&self.0, runtime::PathArgs::new())\n    }}\n"
            );
        }
        let _ = write!(
            out,
            "}}\n\n{gate}impl From<{runtime}> for {name} {{\n    fn from(client: {runtime}) -> Self {{\n        {name}(client)\n    }}\n}}\n\n\
             {gate}impl std::ops::Deref for {name} {{\n    type Target = {runtime};\n    fn deref(&self) -> &{runtime} {{\n        &self.0\n    }}\n}}\n"
        );
    }
    out
}

/// The module and cargo feature of typed notifications.
const WEBHOOK: &str = "webhook";

/// Business area features: the files directly under each root (`v3/marketing.rs` →
/// `marketing`, `v2/pay.rs` → `v2-pay`).
fn areas(generated: &Generated) -> Vec<String> {
    let mut areas: Vec<String> = generated
        .files
        .keys()
        .filter_map(|f| f.split_once('/'))
        .filter(|(root, _)| generated.roots.iter().any(|r| r == root))
        .filter(|(_, rest)| *rest != "mod.rs" && !rest.contains('/'))
        .filter_map(|(root, rest)| {
            let area = rest.strip_suffix(".rs")?;
            Some(if root == V2_ROOT {
                format!("{V2_FEATURE_PREFIX}{area}")
            } else {
                area.to_owned()
            })
        })
        .collect();
    areas.sort();
    areas.dedup();
    areas
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_areas_are_prefixed_features() {
        let mut generated = Generated::default();
        for file in [
            "v3/mod.rs",
            "v3/pay.rs",
            "v2/mod.rs",
            "v2/pay.rs",
            "v2/tools.rs",
        ] {
            generated.files.insert(file.to_owned(), String::new());
        }
        generated
            .files
            .insert("webhook/v2/mod.rs".to_owned(), String::new());
        generated.roots = vec!["v2".to_owned(), "v3".to_owned()];
        assert_eq!(areas(&generated), ["pay", "v2-pay", "v2-tools"]);
    }
}
