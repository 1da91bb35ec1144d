//! Enum values written in description cells (FORMATS.md A.10):
//! (a) `` `A` \| `B` 枚举值之一 ``, (b) `` `A` 枚举值 ``, (c) `` `A` `B` 枚举值之一 ``,
//! (d) `` `A` \| `B` 枚举值 ``, (e) `` `A`：说明<br/>`B`：说明 ``, (f) `枚举值：<br/>A：说明<br/>B：说明`.

const MARKER: &str = "枚举值";

/// The enum values of a raw description cell, in order, deduplicated; empty if none.
/// `Err` when the cell announces values but their markup is broken.
pub fn enum_values(description: &str) -> Result<Vec<String>, String> {
    let mut values = Vec::new();
    for (at, _) in description.match_indices(MARKER) {
        values.extend(backticked_run_before(&description[..at])?);
    }
    if values.is_empty() {
        values = colon_list(description);
    }
    let mut unique = Vec::with_capacity(values.len());
    for value in values {
        if !unique.contains(&value) {
            unique.push(value);
        }
    }
    Ok(unique)
}

/// The run of backticked values, separated by spaces or `\|`, that ends right before a marker.
fn backticked_run_before(text: &str) -> Result<Vec<String>, String> {
    let mut rest = text.trim_end();
    let mut values = Vec::new();
    while let Some(before_close) = rest.strip_suffix('`') {
        let Some(open) = before_close.rfind('`') else {
            return Err(format!(
                "enum list has an unbalanced backtick before `{MARKER}`"
            ));
        };
        let value = &before_close[open + 1..];
        if value.trim().is_empty() {
            return Err(format!("enum list has an empty value before `{MARKER}`"));
        }
        values.push(value.to_owned());
        rest = before_close[..open].trim_end();
        rest = rest
            .strip_suffix("\\|")
            .or_else(|| rest.strip_suffix('|'))
            .unwrap_or(rest)
            .trim_end();
    }
    values.reverse();
    Ok(values)
}

/// `` `A`：说明 `` items (full-width or ASCII colon), or bare `A：说明` items after `枚举值：`.
fn colon_list(description: &str) -> Vec<String> {
    let mut values = Vec::new();
    for item in description.split("<br/>") {
        let item = item.trim();
        let item = item.rsplit_once('，').map_or(item, |(_, tail)| tail);
        if let Some(rest) = item.strip_prefix('`')
            && let Some((value, after)) = rest.split_once('`')
            && (after.starts_with('：') || after.starts_with(':'))
        {
            values.push(value.to_owned());
        }
    }
    if !values.is_empty() {
        return values;
    }
    let Some((_, listed)) = description
        .split_once("枚举值：")
        .or_else(|| description.split_once("枚举值:"))
    else {
        return values;
    };
    for item in listed.split("<br/>") {
        let Some((value, _)) = item.trim().split_once(['：', ':']) else {
            continue;
        };
        if !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            values.push(value.to_owned());
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<String> {
        enum_values(text).unwrap()
    }

    #[test]
    fn pipe_lists() {
        assert_eq!(
            values("交易状态<br/>`SUCCESS` \\| `REFUND` \\| `NOTPAY` 枚举值之一"),
            ["SUCCESS", "REFUND", "NOTPAY"]
        );
        assert_eq!(
            values("`SM2`\\|`RSA`\\|`ALL`枚举值之一<br/>默认值 `RSA`"),
            ["SM2", "RSA", "ALL"]
        );
        assert_eq!(
            values("收款方式类型<br/>`CFT` | `WPHK` 枚举值之一"),
            ["CFT", "WPHK"]
        );
        assert_eq!(values("`A` \\| `B` 枚举值"), ["A", "B"]);
    }

    #[test]
    fn single_and_space_separated() {
        assert_eq!(
            values("签名算法<br/>`WECHATPAY2-SHA256-RSA2048` 枚举值"),
            ["WECHATPAY2-SHA256-RSA2048"]
        );
        assert_eq!(
            values("`HTTP`状态码<br/>`20X` `4XX` `5XX` 枚举值之一"),
            ["20X", "4XX", "5XX"]
        );
        assert_eq!(
            values("停车<br/>`PARKING SPACE` \\| `X` 枚举值之一"),
            ["PARKING SPACE", "X"]
        );
    }

    #[test]
    fn colon_lists() {
        assert_eq!(
            values("枚举值：<br/>`CASH`：充值型代金券<br/>`NOCASH`：免充值型代金券"),
            ["CASH", "NOCASH"]
        );
        assert_eq!(values("交易场景值，`PARKING`：车场停车场景"), ["PARKING"]);
        assert_eq!(
            values("枚举值：<br/>ADD：签约<br/>DELETE：解约"),
            ["ADD", "DELETE"]
        );
    }

    #[test]
    fn prose_is_not_an_enum() {
        assert!(values("该字段并非枚举值。").is_empty());
        assert!(values("固定填`#wechat_redirect`").is_empty());
        assert!(values("`HTTP`状态码").is_empty());
    }

    #[test]
    fn broken_markup_is_reported() {
        assert_eq!(
            enum_values("状态<br/>SUCCESS` \\| `REFUND` 枚举值之一").unwrap_err(),
            "enum list has an unbalanced backtick before `枚举值`"
        );
        assert_eq!(
            enum_values("状态<br/>`` \\| `REFUND` 枚举值之一").unwrap_err(),
            "enum list has an empty value before `枚举值`"
        );
    }
}
