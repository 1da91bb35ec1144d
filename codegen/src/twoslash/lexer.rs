//! Tokens of the TypeScript subset used in the `virtual.ts` part of a twoslash block.
//!
//! Offsets are byte offsets into the whole page, so every token maps to a page line.
//! Line comments vanish; JSDoc comments (`/** … */`) are kept because they carry `@link`s.

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// Identifiers and keywords alike (`namespace`, `string`, `_card_id_`, `$x$`).
    Ident(String),
    /// The unquoted value of a `'…'` or `"…"` literal.
    Str(String),
    Number(String),
    /// The text of a `/** … */` comment, delimiters removed.
    DocComment(String),
    Punct(char),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    /// Byte offset of the token's first character in the page.
    pub offset: usize,
}

/// A lexing failure: what went wrong and where (page byte offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    pub offset: usize,
    pub message: String,
}

const PUNCTUATION: &str = "{}()[]<>:;,.?|=&*";

/// Splits `code` (which starts at page offset `base`) into tokens.
pub fn tokenize(code: &str, base: usize) -> Result<Vec<Token>, LexError> {
    let mut tokens = Vec::new();
    let mut chars = code.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        let offset = base + start;
        let rest = &code[start..];
        if c.is_whitespace() {
            chars.next();
        } else if rest.starts_with("//") {
            let end = rest.find('\n').map_or(code.len(), |n| start + n);
            skip_to(&mut chars, end);
        } else if let Some(comment) = rest.strip_prefix("/*") {
            let Some(close) = comment.find("*/") else {
                return Err(LexError {
                    offset,
                    message: "comment opened with `/*` is never closed".to_owned(),
                });
            };
            if rest.starts_with("/**") && close > 0 {
                tokens.push(Token {
                    kind: TokenKind::DocComment(rest[3..2 + close].to_owned()),
                    offset,
                });
            }
            skip_to(&mut chars, start + 2 + close + 2);
        } else if c == '\'' || c == '"' {
            let Some(close) = rest[1..]
                .find([c, '\n'])
                .filter(|&n| rest[1 + n..].starts_with(c))
            else {
                return Err(LexError {
                    offset,
                    message: format!("string literal opened with `{c}` is never closed"),
                });
            };
            tokens.push(Token {
                kind: TokenKind::Str(rest[1..1 + close].to_owned()),
                offset,
            });
            skip_to(&mut chars, start + 1 + close + 1);
        } else if c.is_ascii_alphabetic() || c == '_' || c == '$' {
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
                .unwrap_or(rest.len());
            tokens.push(Token {
                kind: TokenKind::Ident(rest[..len].to_owned()),
                offset,
            });
            skip_to(&mut chars, start + len);
        } else if c.is_ascii_digit()
            || (c == '-' && rest[1..].starts_with(|d: char| d.is_ascii_digit()))
        {
            let len = 1 + rest[1..]
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len() - 1);
            tokens.push(Token {
                kind: TokenKind::Number(rest[..len].to_owned()),
                offset,
            });
            skip_to(&mut chars, start + len);
        } else if PUNCTUATION.contains(c) {
            tokens.push(Token {
                kind: TokenKind::Punct(c),
                offset,
            });
            chars.next();
        } else {
            return Err(LexError {
                offset,
                message: format!("unexpected character `{c}`"),
            });
        }
    }
    Ok(tokens)
}

fn skip_to(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, end: usize) {
    while chars.next_if(|&(i, _)| i < end).is_some() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(code: &str) -> Vec<TokenKind> {
        tokenize(code, 0)
            .unwrap()
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn lexes_properties_comments_and_literals() {
        use TokenKind::*;
        assert_eq!(
            kinds("// x\n/** @link u */ 'Wechatpay-Serial'?: 'A' | 1 /* no */ $a$"),
            vec![
                DocComment(" @link u ".into()),
                Str("Wechatpay-Serial".into()),
                Punct('?'),
                Punct(':'),
                Str("A".into()),
                Punct('|'),
                Number("1".into()),
                Ident("$a$".into()),
            ]
        );
    }

    #[test]
    fn reports_unclosed_and_stray_input() {
        assert_eq!(tokenize("a 'b", 10).unwrap_err().offset, 12);
        assert_eq!(tokenize("/* x", 0).unwrap_err().offset, 0);
        assert_eq!(
            tokenize("a: 一", 0).unwrap_err().message,
            "unexpected character `一`"
        );
        assert!(tokenize("'\n'", 0).is_err());
    }
}
