//! Arguments of `cargo xtask diff`.

use std::path::PathBuf;

use anyhow::bail;

/// The trees to compare.
#[derive(Debug, PartialEq, Eq)]
pub enum Trees {
    /// Two doc trees on disk (directories, or single pages).
    Dirs { old: PathBuf, new: PathBuf },
    /// `specs/` at a git revision against `specs/` in the working tree.
    Git { rev: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Json,
}

#[derive(Debug, PartialEq, Eq)]
pub struct DiffArgs {
    pub trees: Trees,
    pub format: Format,
    /// `--deny breaking`: exit 2 when any change is breaking.
    pub deny_breaking: bool,
}

impl DiffArgs {
    /// Accepts `OLD NEW` or `--git REV`, with `--format markdown|json` (or `--format=…`) and
    /// `--deny breaking` (or `--deny=breaking`) anywhere.
    pub fn parse(args: &[String]) -> anyhow::Result<DiffArgs> {
        let mut format = Format::Markdown;
        let mut deny_breaking = false;
        let mut rev = None;
        let mut dirs = Vec::new();
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            let (option, inline) = match arg.split_once('=') {
                Some((option, value)) if option.starts_with("--") => (option, Some(value)),
                _ => (arg.as_str(), None),
            };
            let mut value = |name: &str| match inline {
                Some(value) => Ok(value.to_owned()),
                None => match iter.next() {
                    Some(value) => Ok(value.clone()),
                    None => bail!("{name} needs a value"),
                },
            };
            match option {
                "--format" => {
                    format = match value("--format")?.as_str() {
                        "markdown" | "md" => Format::Markdown,
                        "json" => Format::Json,
                        other => bail!("unknown format `{other}` (markdown or json)"),
                    }
                }
                "--deny" => match value("--deny")?.as_str() {
                    "breaking" => deny_breaking = true,
                    other => bail!("`--deny {other}`: only `--deny breaking` is known"),
                },
                "--git" => {
                    if rev.is_some() {
                        bail!("--git is given twice");
                    }
                    rev = Some(value("--git")?);
                }
                other if other.starts_with("--") => bail!("unknown option `{other}`"),
                _ => dirs.push(PathBuf::from(arg)),
            }
        }
        let trees = match (rev, dirs.len()) {
            (Some(rev), 0) => Trees::Git { rev },
            (Some(_), _) => {
                bail!("--git REV compares specs/ with the working tree; it takes no OLD NEW")
            }
            (None, 2) => {
                let new = dirs.pop().expect("two trees");
                let old = dirs.pop().expect("two trees");
                Trees::Dirs { old, new }
            }
            (None, n) => bail!("diff needs OLD NEW (two doc trees) or --git REV; got {n} path(s)"),
        };
        Ok(DiffArgs {
            trees,
            format,
            deny_breaking,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> anyhow::Result<DiffArgs> {
        DiffArgs::parse(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn two_trees_default_to_markdown_and_report_only() {
        let args = parse(&["a", "b"]).unwrap();
        assert_eq!(
            args.trees,
            Trees::Dirs {
                old: "a".into(),
                new: "b".into()
            }
        );
        assert_eq!(args.format, Format::Markdown);
        assert!(!args.deny_breaking);
    }

    #[test]
    fn git_json_and_deny_in_both_spellings() {
        let a = parse(&["--git", "HEAD~1", "--format", "json", "--deny", "breaking"]).unwrap();
        let b = parse(&["--deny=breaking", "--format=json", "--git=HEAD~1"]).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            a.trees,
            Trees::Git {
                rev: "HEAD~1".into()
            }
        );
        assert_eq!(a.format, Format::Json);
        assert!(a.deny_breaking);
    }

    #[test]
    fn bad_combinations_are_refused() {
        assert!(parse(&[]).is_err());
        assert!(parse(&["a"]).is_err());
        assert!(parse(&["a", "b", "c"]).is_err());
        assert!(parse(&["--git", "main", "a"]).is_err());
        assert!(parse(&["--git"]).is_err());
        assert!(parse(&["--git", "a", "--git", "b"]).is_err());
        assert!(parse(&["a", "b", "--format", "yaml"]).is_err());
        assert!(parse(&["a", "b", "--deny", "additive"]).is_err());
        assert!(parse(&["a", "b", "--bogus"]).is_err());
    }
}
