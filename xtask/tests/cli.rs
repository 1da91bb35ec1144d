//! The `cargo xtask ir` contract: IR JSON on stdout, `path:line: message` per failed page on
//! stderr, exit status 1 when any page failed.

use std::fs;
use std::path::Path;
use std::process::Command;

const GOOD: &str = "---\ntitle: 查询\n---\n\n# {{ $frontmatter.title }} {#get}\n\n| 请求参数 | 类型 {.type} | 描述 {.desc}\n| --- | --- | ---\n| id {data-required} | string | 编号\n\n{.im-table #request}\n\n| 返回字典 | 类型 {.type} | 描述 {.desc}\n| --- | --- | ---\n| state | string | 状态<br/>`A` \\| `B` 枚举值之一\n\n{.im-table #response}\n";

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-cli-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn ir_prints_json_and_reports_failed_pages() {
    let root = temp_dir("ir");
    write(&root, "v3/items/{id}.md", GOOD);
    write(
        &root,
        "v3/items/broken.md",
        &GOOD.replace("| string | 编号", "| map | 编号"),
    );

    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["ir", root.join("v3").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.trim(), "items/broken.md:9: `id`: unknown type `map`");

    let export: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let operation = &export["operations"][0];
    assert_eq!(operation["source"], "items/{id}.md");
    assert_eq!(operation["line"], 5);
    assert_eq!(operation["method"], "GET");
    assert_eq!(operation["path"], "/v3/items/{id}");
    assert_eq!(operation["path_params"][0]["name"], "id");
    assert_eq!(operation["body"]["kind"], "none");
    assert_eq!(operation["response"]["kind"], "json");
    assert_eq!(
        operation["response"]["fields"][0]["enum"],
        serde_json::json!(["A", "B"])
    );
    assert_eq!(export["errors"][0]["source"], "items/broken.md");
    assert_eq!(export["errors"][0]["line"], 9);
    fs::remove_dir_all(root).unwrap();
}

#[test]
fn ir_succeeds_when_every_page_reads() {
    let root = temp_dir("ok");
    write(&root, "v3/items/{id}.md", GOOD);
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["ir", root.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let export: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(export["operations"][0]["source"], "v3/items/{id}.md");
    assert_eq!(export["errors"], serde_json::json!([]));
    fs::remove_dir_all(root).unwrap();
}
