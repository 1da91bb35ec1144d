//! Times as WeChat Pay writes them: Beijing time (UTC+8), `YYYY-MM-DD` for bill dates and
//! RFC 3339 with `+08:00` for fields such as `time_expire`.

/// The civil date and time of day of `unix` seconds in Beijing time.
fn civil(unix: i64) -> (i64, i64, i64, i64) {
    let secs = unix + 8 * 3600;
    let (days, time_of_day) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, time_of_day)
}

/// `YYYY-MM-DD` of `unix` seconds in Beijing time (a `bill_date`).
pub fn date(unix: i64) -> String {
    let (year, month, day, _) = civil(unix);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `YYYY-MM-DDTHH:MM:SS+08:00` of `unix` seconds.
pub fn rfc3339(unix: i64) -> String {
    let (year, month, day, time) = civil(unix);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}+08:00",
        time / 3600,
        time % 3600 / 60,
        time % 60
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
