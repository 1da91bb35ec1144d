//! A doc tree at a git revision, read from the object store (no checkout, no temporary files).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail, ensure};
use codegen::spec_tree::{self, PageResult};

/// Every `.md` page under `dir` (relative to the repository root `repo`) at `rev`, read as
/// [`spec_tree::read_tree`] reads a directory: sources relative to `dir`, sorted by path. A
/// revision without `dir` is an empty tree.
pub fn read_tree_at(repo: &Path, rev: &str, dir: &str) -> anyhow::Result<Vec<PageResult>> {
    let commit = git(
        repo,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .with_context(|| {
        format!(
            "`{rev}` is not a commit of the repository at {}",
            repo.display()
        )
    })?;
    let commit = String::from_utf8_lossy(&commit).trim().to_owned();
    let listing = git(
        repo,
        &["ls-tree", "-r", "-z", &commit, "--", &format!("{dir}/")],
    )?;
    let prefix = format!("{dir}/");
    let mut blobs = Vec::new();
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            bail!("unexpected `git ls-tree` line `{entry}`");
        };
        let mut meta = meta.split(' ');
        let (Some(_mode), Some(kind), Some(id)) = (meta.next(), meta.next(), meta.next()) else {
            bail!("unexpected `git ls-tree` line `{entry}`");
        };
        if kind == "blob"
            && path.ends_with(".md")
            && let Some(source) = path.strip_prefix(&prefix)
        {
            blobs.push((source.to_owned(), id.to_owned()));
        }
    }
    blobs.sort_by_key(|(source, _)| PathBuf::from(source));
    let contents = cat_blobs(repo, blobs.iter().map(|(_, id)| id.as_str()))?;
    // The front ends read the URL from the `v3/` (and `webhook/`) part of the location.
    let files = blobs.into_iter().zip(contents).map(|((source, _), bytes)| {
        (
            source.clone(),
            format!("git-revision/{prefix}{source}"),
            bytes,
        )
    });
    Ok(spec_tree::read_files(files))
}

fn git(repo: &Path, args: &[&str]) -> anyhow::Result<Vec<u8>> {
    let output = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .output()
        .context("running git")?;
    ensure!(
        output.status.success(),
        "`git {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr).trim()
    );
    Ok(output.stdout)
}

/// The contents of the given blobs, in order, through one `git cat-file --batch`.
fn cat_blobs<'a>(repo: &Path, ids: impl Iterator<Item = &'a str>) -> anyhow::Result<Vec<Vec<u8>>> {
    let ids: Vec<&str> = ids.collect();
    let mut child = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("running git cat-file")?;
    let mut stdin = child.stdin.take().context("git cat-file stdin")?;
    let request: String = ids.iter().map(|id| format!("{id}\n")).collect();
    // Written from a thread: git answers while it reads, and both pipes are bounded.
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut stdout = BufReader::new(child.stdout.take().context("git cat-file stdout")?);
    let mut contents = Vec::with_capacity(ids.len());
    for id in &ids {
        let mut header = String::new();
        stdout.read_line(&mut header)?;
        let size: usize = match header.trim_end().split(' ').collect::<Vec<_>>().as_slice() {
            [_, "blob", size] => size.parse().context("blob size")?,
            _ => bail!(
                "git cat-file: unexpected answer `{}` for {id}",
                header.trim_end()
            ),
        };
        let mut bytes = vec![0; size + 1];
        stdout.read_exact(&mut bytes)?;
        bytes.pop(); // the newline after each blob
        contents.push(bytes);
    }
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("git cat-file writer panicked"))??;
    ensure!(child.wait()?.success(), "git cat-file failed");
    Ok(contents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use codegen::frontend::Outcome;

    /// A scratch repository under the system temp dir, removed on drop.
    struct Scratch(PathBuf);

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn run(repo: &Path, args: &[&str]) {
        git(repo, args).unwrap_or_else(|e| panic!("git {args:?}: {e:#}"));
    }

    const PAGE: &str = "# 查询 {#get}\n\n| 请求参数 | 类型 {.type} | 描述 {.desc}\n| --- | --- | ---\n\
        | query | object | 查询参数\n| limit {data-indent=1} | integer | 条数\n\n{.im-table #request}\n\n\
        | 返回字典 | 类型 {.type} | 描述 {.desc}\n| --- | --- | ---\n| id {data-required} | string | 标识\n\n{.im-table #response}\n";

    #[test]
    fn reads_the_pages_of_a_revision_as_a_directory_would_be() {
        if Command::new("git").arg("--version").output().is_err() {
            eprintln!("skipping: git is not available");
            return;
        }
        let dir = std::env::temp_dir().join(format!("xtask-git-tree-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("specs/v3/things")).unwrap();
        let scratch = Scratch(dir);
        let repo = scratch.0.as_path();
        run(repo, &["init", "-q"]);
        run(repo, &["config", "user.email", "ci@example.invalid"]);
        run(repo, &["config", "user.name", "CI"]);
        std::fs::write(repo.join("README.md"), "no specs yet\n").unwrap();
        run(repo, &["add", "README.md"]);
        run(repo, &["commit", "-q", "-m", "first"]);
        std::fs::write(repo.join("specs/v3/things/list.md"), PAGE).unwrap();
        std::fs::write(repo.join("specs/v3/things.md"), PAGE).unwrap();
        std::fs::write(repo.join("specs/notes.txt"), "not a page\n").unwrap();
        run(repo, &["add", "specs"]);
        run(repo, &["commit", "-q", "-m", "second"]);

        let pages = read_tree_at(repo, "HEAD", "specs").unwrap();
        let sources: Vec<&str> = pages.iter().map(|p| p.source.as_str()).collect();
        // Sorted by path components, as `spec_tree::markdown_files` sorts a directory.
        assert_eq!(sources, ["v3/things/list.md", "v3/things.md"]);
        let paths: Vec<String> = pages
            .iter()
            .map(|p| match &p.outcome {
                Outcome::Page(page) => page.operations[0].path.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(paths, ["/v3/things/list", "/v3/things"]);
        // The same pages read from the working tree: identical outcomes.
        let on_disk = spec_tree::read_tree(&repo.join("specs")).unwrap();
        assert_eq!(
            pages.iter().map(|p| &p.outcome).collect::<Vec<_>>(),
            on_disk.iter().map(|p| &p.outcome).collect::<Vec<_>>()
        );
        // A revision without the directory is an empty tree; a bad revision an error.
        assert!(read_tree_at(repo, "HEAD~1", "specs").unwrap().is_empty());
        assert!(read_tree_at(repo, "no-such-rev", "specs").is_err());
    }
}
