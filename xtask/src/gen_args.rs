//! Arguments of `cargo xtask gen`.

use std::path::PathBuf;

use anyhow::bail;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct GenArgs {
    pub check: bool,
    /// Doc trees to read, in priority order (the first tree wins on duplicates).
    pub specs: Vec<PathBuf>,
    /// Generate a standalone crate here instead of updating `wechatpay-api`.
    pub out: Option<PathBuf>,
}

impl GenArgs {
    /// Accepts `--specs A B`, `--specs A --specs B`, `--specs=A`, `--out DIR`, `--check`.
    pub fn parse(args: &[String]) -> anyhow::Result<GenArgs> {
        let mut parsed = GenArgs::default();
        let mut in_specs = false;
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            match arg.as_str() {
                "--check" => {
                    parsed.check = true;
                    in_specs = false;
                }
                "--specs" => in_specs = true,
                "--out" => {
                    let Some(dir) = iter.next() else {
                        bail!("--out needs a directory")
                    };
                    parsed.out = Some(PathBuf::from(dir));
                    in_specs = false;
                }
                other if other.starts_with("--specs=") => {
                    parsed.specs.push(PathBuf::from(&other["--specs=".len()..]));
                    in_specs = true;
                }
                other if other.starts_with("--out=") => {
                    parsed.out = Some(PathBuf::from(&other["--out=".len()..]));
                    in_specs = false;
                }
                other if other.starts_with("--") => bail!("unknown option `{other}`"),
                other if in_specs => parsed.specs.push(PathBuf::from(other)),
                other => bail!("unexpected argument `{other}` (spec directories follow --specs)"),
            }
        }
        if parsed.check && parsed.out.is_some() {
            bail!(
                "--check compares the committed modules of wechatpay-api; it does not take --out"
            );
        }
        if !parsed.specs.is_empty() && parsed.out.is_none() {
            bail!("--specs needs --out: wechatpay-api is always generated from specs/");
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> anyhow::Result<GenArgs> {
        GenArgs::parse(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn specs_lists_in_both_spellings() {
        let a = parse(&["--specs", "A", "B", "--out", "O"]).unwrap();
        let b = parse(&["--specs", "A", "--specs", "B", "--out", "O"]).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.specs, [PathBuf::from("A"), PathBuf::from("B")]);
        assert_eq!(a.out, Some(PathBuf::from("O")));
    }

    #[test]
    fn bad_combinations_are_refused() {
        assert!(parse(&["--check", "--out", "O"]).is_err());
        assert!(parse(&["--specs", "A"]).is_err());
        assert!(parse(&["stray"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
        assert!(parse(&["--check"]).unwrap().check);
    }
}
