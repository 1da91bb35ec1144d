//! Times as WeChat Pay writes them: Beijing time (UTC+8), `YYYY-MM-DD` for bill dates and
//! RFC 3339 with `+08:00` for fields such as `time_expire`.

use time::{OffsetDateTime, UtcOffset};

/// Beijing time: UTC+8, no daylight saving.
const BEIJING: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("UTC+8 is a valid offset"),
};

/// `unix` seconds in Beijing time; instants `time` cannot represent (beyond year ±9999) are
/// clamped to its range.
fn beijing(unix: i64) -> OffsetDateTime {
    let utc = OffsetDateTime::from_unix_timestamp(unix).unwrap_or(if unix < 0 {
        time::PrimitiveDateTime::MIN.assume_utc()
    } else {
        time::PrimitiveDateTime::MAX.assume_utc()
    });
    utc.checked_to_offset(BEIJING).unwrap_or(utc)
}

/// `YYYY-MM-DD` of `unix` seconds in Beijing time (a `bill_date`).
pub fn date(unix: i64) -> String {
    let t = beijing(unix);
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// `YYYY-MM-DDTHH:MM:SS+08:00` of `unix` seconds.
pub fn rfc3339(unix: i64) -> String {
    let t = beijing(unix);
    format!(
        "{}T{:02}:{:02}:{:02}+08:00",
        date(unix),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_is_eight_hours_ahead() {
        assert_eq!(rfc3339(0), "1970-01-01T08:00:00+08:00");
        assert_eq!(rfc3339(1_554_208_460), "2019-04-02T20:34:20+08:00");
        // 2024-02-29T15:59:59Z is 23:59:59 in Beijing; one second later is the next day there.
        assert_eq!(rfc3339(1_709_222_399), "2024-02-29T23:59:59+08:00");
        assert_eq!(date(1_709_222_400), "2024-03-01");
        assert_eq!(date(-1), "1970-01-01");
        assert_eq!(date(-8 * 3600 - 1), "1969-12-31");
    }
}
