//! Malformed twoslash pages: each yields exactly the expected `file:line: message`, never a panic.

use codegen::frontend::{Outcome, read_page};
use codegen::{frontmatter, twoslash};

const SEED: &str =
    include_str!("../../specs/v3/marketing/membercard-open/cards/{card_id}/users/import.md");
const SEED_LOCATION: &str = "specs/v3/marketing/membercard-open/cards/{card_id}/users/import.md";

fn diagnostics_at(location: &str, page: &str) -> Vec<String> {
    match read_page("page.md", location, page.as_bytes()) {
        Outcome::Failed(diagnostics) => diagnostics.iter().map(ToString::to_string).collect(),
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn diagnostics(page: &str) -> Vec<String> {
    diagnostics_at(SEED_LOCATION, page)
}

/// The seed with the `n`-th (1-based) line replaced.
fn with_line(n: usize, replacement: &str) -> String {
    let mut lines: Vec<&str> = SEED.lines().collect();
    lines[n - 1] = replacement;
    lines.join("\n") + "\n"
}

#[test]
fn the_seed_itself_parses() {
    assert!(matches!(
        read_page("page.md", SEED_LOCATION, SEED.as_bytes()),
        Outcome::Page(_)
    ));
}

#[test]
fn unbalanced_braces() {
    assert_eq!(SEED.lines().nth(18), Some("  }"));
    assert_eq!(
        diagnostics(&with_line(19, "")),
        ["page.md:15: `{` is never closed: expected a member or `}`, found `export`"]
    );
    assert_eq!(SEED.lines().nth(26), Some("}"));
    assert_eq!(
        diagnostics(&with_line(27, "")),
        ["page.md:14: `{` is never closed: expected `export interface` or `}`, found `namespace`"]
    );
    assert_eq!(
        diagnostics(&with_line(27, "}}")),
        ["page.md:27: expected a declaration (`namespace`, `interface`, `export var`), found `}`"]
    );
}

#[test]
fn unknown_type() {
    assert_eq!(
        diagnostics(&with_line(16, "    openid: Strin")),
        ["page.md:16: unknown type `Strin`"]
    );
    assert_eq!(
        diagnostics(&with_line(16, "    openid: Array<string>")),
        ["page.md:16: unknown type `Array<…>`"]
    );
    assert_eq!(
        diagnostics(&with_line(16, "    openid: string[][]")),
        ["page.md:16: arrays of arrays are not supported"]
    );
    assert_eq!(
        diagnostics(&with_line(16, "    openid: string | boolean")),
        ["page.md:16: unsupported union: only unions of strings, of numbers, or `string | number`"]
    );
    assert_eq!(
        diagnostics(&with_line(16, "    openid: typeof nothing")),
        ["page.md:16: `typeof nothing` names no `export var nothing`"]
    );
}

#[test]
fn missing_http_method_namespace() {
    let page = SEED.replace(".PostHttpMethod {", ".Post {");
    assert_eq!(
        diagnostics(&page),
        [
            "page.md:10: no `WeChatPay.OpenAPI.….<Verb>HttpMethod` namespace in this ```js twoslash block"
        ]
    );
}

#[test]
fn heading_anchor_without_its_namespace() {
    let page = SEED.replace("{#post}", "{#get}");
    assert_eq!(
        diagnostics(&page),
        [
            "page.md:6: heading anchor `{#get}` has no matching `GetHttpMethod` namespace in its block"
        ]
    );
}

#[test]
fn namespace_that_disagrees_with_the_page_path() {
    assert_eq!(
        diagnostics_at(
            "specs/v3/marketing/membercard-open/cards/{card_id}/users/export.md",
            SEED
        ),
        [
            "page.md:14: namespace `WeChatPay.OpenAPI.V3.Marketing.MembercardOpen.Cards._card_id_.Users.Import.PostHttpMethod` names the path `/v3/marketing/membercard-open/cards/{card_id}/users/import` but the page path names `/v3/marketing/membercard-open/cards/{card_id}/users/export`"
        ]
    );
}

#[test]
fn example_call_that_disagrees_with_the_namespace() {
    let page = SEED.replace(".users.import.post(", ".users.export.post(");
    assert_eq!(
        diagnostics(&page),
        [
            "page.md:82: the example call names post `/v3/marketing/membercard-open/cards/{card_id}/users/export` but the namespace names post `/v3/marketing/membercard-open/cards/{card_id}/users/import`"
        ]
    );
}

#[test]
fn path_params_must_match_placeholders() {
    assert_eq!(
        diagnostics(&with_line(22, "    cardid: string")),
        [
            "page.md:22: RequestConfig member `cardid` is neither an axios option nor a placeholder of `/v3/marketing/membercard-open/cards/{card_id}/users/import`",
            "page.md:14: placeholder `{card_id}` of `/v3/marketing/membercard-open/cards/{card_id}/users/import` has no RequestConfig member",
        ]
    );
}

#[test]
fn lexical_errors() {
    assert_eq!(
        diagnostics(&with_line(16, "    openid: 'unclosed")),
        ["page.md:16: string literal opened with `'` is never closed"]
    );
    assert_eq!(
        diagnostics(&with_line(16, "    openid: string @")),
        ["page.md:16: unexpected character `@`"]
    );
    let unclosed = SEED.trim_end().strip_suffix("```").unwrap();
    assert_eq!(
        diagnostics(unclosed),
        [
            "page.md:10: code fence is never closed",
            "page.md:6: heading `{#post}` has no ```js twoslash block",
        ]
    );
}

#[test]
fn deep_nesting_is_a_diagnostic() {
    let deep = format!(
        "    openid: {}string{}",
        "{ a: ".repeat(100),
        " }".repeat(100)
    );
    assert_eq!(
        diagnostics(&with_line(16, &deep)),
        [format!(
            "page.md:16: nesting deeper than {} levels",
            twoslash::MAX_DEPTH
        )]
    );
}

#[test]
fn webhook_pages_with_jsdoc_blocks_are_empty_and_other_pages_are_not() {
    let page = "---\ntitle: 支付成功通知\n---\n\n# {{ $frontmatter.title }} {#post}\n\n```js twoslash\n/**\n * @typedef {Object} RequestHeader\n * @prop {string} wechatpay-nonce\n */\nconst x = 1\n```\n";
    let (fm, body_start) = frontmatter::split("p.md", page).unwrap();
    let webhook = twoslash::parse("webhook/v3/TRANSACTION.SUCCESS.md", page, &fm, body_start);
    assert_eq!(webhook, Ok(Default::default()));
    let openapi = twoslash::parse("openapi/v3/pay/x.md", page, &fm, body_start).unwrap_err();
    assert_eq!(
        openapi.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["openapi/v3/pay/x.md:12: expected `:`, found `=`"]
    );
}

/// Every prefix and every single-line deletion of the seeds: no panic, and a line inside the page.
#[test]
fn no_panics_on_mangled_pages() {
    let seeds = [
        SEED,
        include_str!("../../specs/v3/marketing/membercard-open/cards/{card_id}/codes/{code}.md"),
    ];
    for seed in seeds {
        let line_count = u32::try_from(seed.lines().count()).unwrap() + 1;
        let check = |page: &str| {
            if let Outcome::Failed(diagnostics) =
                read_page("page.md", SEED_LOCATION, page.as_bytes())
            {
                for d in diagnostics {
                    assert!(d.line <= line_count, "{d}");
                }
            }
        };
        for (i, _) in seed.char_indices().step_by(3) {
            check(&seed[..i]);
        }
        let lines: Vec<&str> = seed.lines().collect();
        for skip in 0..lines.len() {
            let page: Vec<&str> = lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, l)| *l)
                .collect();
            check(&page.join("\n"));
        }
    }
}
