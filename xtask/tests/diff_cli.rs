//! The `cargo xtask diff` contract: the markdown report (default) or JSON on stdout; exit
//! status 2 with `--deny breaking` when a change is breaking, 1 when a page could not be read,
//! 0 otherwise; `--git REV` compares `specs/` at a revision with the working tree.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PAGE: &str = "---\ntitle: 查询\n---\n\n# {{ $frontmatter.title }} {#get}\n\n| 请求参数 | 类型 {.type} | 描述 {.desc}\n| --- | --- | ---\n| id {data-required} | string | 编号\n\n{.im-table #request}\n\n| 返回字典 | 类型 {.type} | 描述 {.desc}\n| --- | --- | ---\n| state | string | 状态<br/>`A` \\| `B` 枚举值之一\n\n{.im-table #response}\n";

/// An old and a new tree under the system temp dir, removed on drop.
struct Trees(PathBuf);

impl Trees {
    fn new(name: &str, old: &str, new: &str) -> Trees {
        let dir = std::env::temp_dir().join(format!("xtask-diff-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for (side, text) in [("old", old), ("new", new)] {
            let page = dir.join(side).join("v3/items/{id}.md");
            fs::create_dir_all(page.parent().unwrap()).unwrap();
            fs::write(page, text).unwrap();
        }
        Trees(dir)
    }

    fn side(&self, side: &str) -> String {
        self.0.join(side).to_str().unwrap().to_owned()
    }

    fn diff(&self, extra: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .arg("diff")
            .args([self.side("old"), self.side("new")])
            .args(extra)
            .output()
            .unwrap()
    }
}

impl Drop for Trees {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn markdown_by_default_json_on_request() {
    let trees = Trees::new(
        "formats",
        PAGE,
        &PAGE.replace("`B` 枚举值之一", "`B` \\| `C` 枚举值之一"),
    );
    let output = trees.diff(&[]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(
        text.starts_with(&format!(
            "**API diff** `{}` → `{}`: 0 breaking, 1 additive, in 1 operation.\n",
            trees.side("old"),
            trees.side("new")
        )),
        "{text}"
    );
    assert!(text.contains("\n### `GET /v3/items/{id}`\n"), "{text}");
    assert!(
        text.contains("| additive | response | `state` | values added: `C` |"),
        "{text}"
    );

    let output = trees.diff(&["--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        report,
        serde_json::json!({
            "changes": [{
                "operation": "GET /v3/items/{id}", "location": "response", "field": "state",
                "change": "enum-values-added", "before": ["A", "B"], "after": ["A", "B", "C"],
                "breaking": false, "rule": "enum-value-added",
                "old": "v3/items/{id}.md:15", "new": "v3/items/{id}.md:15"
            }],
            "errors": []
        })
    );
}

#[test]
fn prose_only_updates_print_no_api_changes() {
    let trees = Trees::new(
        "prose",
        PAGE,
        &PAGE.replace("title: 查询", "title: 查询单个物品"),
    );
    let output = trees.diff(&["--deny", "breaking"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).ends_with(": no API changes.\n"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn deny_breaking_exits_2_only_on_breaking_changes() {
    let additive = Trees::new(
        "additive",
        PAGE,
        &PAGE.replace("`B` 枚举值之一", "`B` \\| `C` 枚举值之一"),
    );
    assert_eq!(
        additive.diff(&["--deny", "breaking"]).status.code(),
        Some(0)
    );

    let breaking = Trees::new(
        "breaking",
        PAGE,
        &PAGE.replace("| state | string |", "| state | integer |"),
    );
    // Report mode: the breaking change is printed, the exit status is 0.
    let output = breaking.diff(&[]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).contains("| **breaking** | response | `state` | `string` → `integer` |")
    );
    let output = breaking.diff(&["--deny", "breaking"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stdout(&output).contains("**1 breaking**"),
        "{}",
        stdout(&output)
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("1 breaking change(s)"));
}

#[test]
fn pages_that_fail_are_listed_and_exit_1() {
    let trees = Trees::new(
        "errors",
        PAGE,
        &PAGE.replace("| string | 编号", "| map | 编号"),
    );
    let output = trees.diff(&["--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["changes"], serde_json::json!([]));
    assert_eq!(
        report["errors"],
        serde_json::json!([{"side": "new", "file": "v3/items/{id}.md:9", "message": "`id`: unknown type `map`"}])
    );
}

#[test]
fn git_mode_compares_specs_at_a_revision_with_the_working_tree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    if !root.join(".git").exists() {
        eprintln!("skipping: {} is not a git checkout", root.display());
        return;
    }
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["diff", "--git", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The working tree may carry uncommitted spec edits: only the form is pinned here.
    assert!(stdout(&output).starts_with("**API diff** `HEAD:specs/` → `specs/`: "));
}

#[test]
fn bad_arguments_are_refused() {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["diff", "only-one-tree"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("diff needs OLD NEW"));
}
