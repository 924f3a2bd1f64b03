//! Calendar dates of manifests and git histories, in UTC, without a
//! time-zone library: ISO 8601 days to and from Unix time (Howard Hinnant's
//! civil-date algorithms).

/// Days since 1970-01-01 of an ISO 8601 date (`2020-01-31T...`).
pub fn days(iso: &str) -> Option<i64> {
    let d = iso.get(..10)?;
    let mut it = d.split('-');
    let (y, m, day): (i64, i64, i64) = (it.next()?.parse().ok()?, it.next()?.parse().ok()?, it.next()?.parse().ok()?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146097 + doe - 719468)
}

/// Unix time of an ISO 8601 day's midnight, UTC.
pub fn midnight(iso: &str) -> Option<i64> {
    days(iso).map(|d| d * 86_400)
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a Unix time.
pub fn iso_utc(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_times_round_trip() {
        assert_eq!(days("1970-01-01"), Some(0));
        assert_eq!(days("2022-09-01T10:00:00Z"), Some(19_236));
        assert_eq!(days("2022-13-01"), None);
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(19_236 * 86_400 + 3_661), "2022-09-01T01:01:01Z");
        assert_eq!(iso_utc(951_782_400), "2000-02-29T00:00:00Z");
        for d in [-1000i64, 0, 11_016, 19_236, 20_000] {
            assert_eq!(days(&iso_utc(d * 86_400)), Some(d));
        }
    }
}
