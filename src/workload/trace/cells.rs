//! Parsing of trace cells without allocating: exact decimal times, ISO date-times, counts.

use super::TimeUnit;

/// Nanoseconds per unit of a numeric time unit; `None` for `datetime`.
pub fn ns_per_unit(unit: TimeUnit) -> Option<u64> {
    match unit {
        TimeUnit::Datetime => None,
        TimeUnit::Seconds => Some(1_000_000_000),
        TimeUnit::Millis => Some(1_000_000),
        TimeUnit::Micros => Some(1_000),
        TimeUnit::Nanos => Some(1),
    }
}

/// A timestamp cell in nanoseconds on the trace's clock.
#[inline]
pub fn time_ns(cell: &[u8], unit: TimeUnit) -> Option<i64> {
    match ns_per_unit(unit) {
        None => datetime_ns(cell),
        Some(n) => decimal_ns(cell, n),
    }
}

/// What a timestamp cell should look like, for messages.
pub fn time_expected(unit: TimeUnit) -> &'static str {
    match unit {
        TimeUnit::Datetime => "a date and time such as 2023-11-16 18:17:03.98 (or set time_unit = \"s\" or \"ms\" for numbers)",
        TimeUnit::Seconds => "a number of seconds (or set time_unit = \"datetime\" for dates)",
        TimeUnit::Millis => "a number of milliseconds",
        TimeUnit::Micros => "a number of microseconds",
        TimeUnit::Nanos => "a whole number of nanoseconds",
    }
}

/// A decimal number (`-12.5`, `3`, `1e3`) times `unit` nanoseconds, exact for plain decimals
/// (rounded below a nanosecond); `None` if it is not a finite number or does not fit.
pub fn decimal_ns(cell: &[u8], unit: u64) -> Option<i64> {
    let s = cell.trim_ascii();
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    if digits.iter().any(|&b| b == b'e' || b == b'E') {
        let v: f64 = std::str::from_utf8(s).ok()?.parse().ok()?;
        let ns = v * unit as f64;
        return (ns.is_finite() && ns.abs() < 9.2e18).then(|| ns.round() as i64);
    }
    let (int, frac) = match digits.iter().position(|&b| b == b'.') {
        Some(i) => (&digits[..i], &digits[i + 1..]),
        None => (digits, &digits[..0]),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut whole: u64 = 0;
    for &b in int {
        if !b.is_ascii_digit() {
            return None;
        }
        whole = whole.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    // Up to 18 fractional digits fit a u64; later ones are below a nanosecond for every unit.
    let (mut f, mut scale) = (0u64, 1u64);
    for (i, &b) in frac.iter().enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        if i < 18 {
            f = f * 10 + u64::from(b - b'0');
            scale *= 10;
        }
    }
    let frac_ns = (u128::from(f) * u128::from(unit) + u128::from(scale / 2)) / u128::from(scale);
    let total = u128::from(whole) * u128::from(unit) + frac_ns;
    let total = i64::try_from(total).ok()?;
    Some(if neg { -total } else { total })
}

/// `YYYY-MM-DD HH:MM:SS[.fraction]` (or with `T`, optionally ending in `Z`), as nanoseconds
/// since 1970-01-01 00:00:00 of the same (unstated) zone.
pub fn datetime_ns(cell: &[u8]) -> Option<i64> {
    let s = cell.trim_ascii();
    let s = s.strip_suffix(b"Z").unwrap_or(s);
    if s.len() < 19
        || s[4] != b'-'
        || s[7] != b'-'
        || !(s[10] == b' ' || s[10] == b'T')
        || s[13] != b':'
        || s[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let mut v = 0i64;
        for &b in &s[r] {
            if !b.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(b - b'0');
        }
        Some(v)
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60
    {
        return None;
    }
    let frac = match &s[19..] {
        [] => 0,
        [b'.', rest @ ..] if !rest.is_empty() => decimal_ns(&s[19..], 1_000_000_000)?,
        _ => return None,
    };
    let days = days_from_civil(y, mo, d);
    Some(((days * 24 + h) * 60 + mi) * 60 * 1_000_000_000 + sec * 1_000_000_000 + frac)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A whole count `0..=u32::MAX` (`12`, not `12.0`).
#[inline]
pub fn count(cell: &[u8]) -> Option<u32> {
    let s = cell.trim_ascii();
    if s.is_empty() || s.len() > 10 {
        return None;
    }
    let mut v: u64 = 0;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(b - b'0');
    }
    u32::try_from(v).ok()
}

/// A float; `NaN`/`nan`/empty give `Some(NAN)` so callers decide what missing data means.
#[inline]
pub fn number(cell: &[u8]) -> Option<f64> {
    let s = cell.trim_ascii();
    if s.is_empty() || s.eq_ignore_ascii_case(b"nan") {
        return Some(f64::NAN);
    }
    std::str::from_utf8(s).ok()?.parse().ok()
}

/// Describes a cell that failed to parse as `expected`.
pub fn bad(cell: &[u8], expected: &str) -> String {
    if std::str::from_utf8(cell).is_err() {
        format!(
            "the cell is not UTF-8 text ({}); save the file as UTF-8",
            super::error::shown(cell)
        )
    } else if cell.trim_ascii().is_empty() {
        format!("the cell is empty, expected {expected}")
    } else if cell.contains(&0x1f) {
        format!(
            "`{}` holds the control character U+001F, which cannot be part of {expected}",
            String::from_utf8_lossy(cell.trim_ascii()).escape_debug()
        )
    } else {
        format!("{} is not {expected}", super::error::shown(cell))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        assert_eq!(decimal_ns(b"1.5", 1_000_000_000), Some(1_500_000_000));
        assert_eq!(decimal_ns(b" 12 ", 1_000_000), Some(12_000_000));
        assert_eq!(decimal_ns(b"-0.25", 1_000), Some(-250));
        assert_eq!(decimal_ns(b"1e3", 1_000_000), Some(1_000_000_000));
        assert_eq!(
            decimal_ns(b"1699999999.123456789", 1_000_000_000),
            Some(1_699_999_999_123_456_789)
        );
        assert_eq!(decimal_ns(b".5", 1_000), Some(500));
        for bad in [
            &b""[..],
            b"-",
            b".",
            b"1.2.3",
            b"abc",
            b"1,5",
            b"99999999999999999999",
        ] {
            assert_eq!(
                decimal_ns(bad, 1),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn datetimes_match_known_epochs() {
        assert_eq!(datetime_ns(b"1970-01-01 00:00:00"), Some(0));
        // 2023-11-16T18:17:03Z is 1700158623 s after the epoch.
        assert_eq!(
            datetime_ns(b"2023-11-16 18:17:03.9799600"),
            Some(1_700_158_623_979_960_000)
        );
        assert_eq!(
            datetime_ns(b"2023-11-16T18:17:03Z"),
            Some(1_700_158_623_000_000_000)
        );
        assert_eq!(
            datetime_ns(b"2024-02-29 00:00:00"),
            Some(19_782 * 86_400 * 1_000_000_000)
        );
        for bad in [
            &b"2023-02-29 00:00:00"[..],
            b"2023-11-16",
            b"2023-13-01 00:00:00",
            b"2023-11-16 18:17:03.",
            b"16/11/2023 18:17:03",
        ] {
            assert_eq!(datetime_ns(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn counts_and_numbers() {
        assert_eq!(count(b"42"), Some(42));
        assert_eq!(count(b"-1"), None);
        assert_eq!(count(b"1.0"), None);
        assert!(number(b"NaN").unwrap().is_nan());
        assert_eq!(number(b"2.5"), Some(2.5));
        assert_eq!(number(b"x"), None);
    }

    #[test]
    fn bad_cells_are_described() {
        assert!(bad(b"\xff\xfe", "a number").contains("not UTF-8"));
        assert!(bad(b"", "a number").contains("empty"));
        assert_eq!(bad(b"abc", "a number"), "`abc` is not a number");
    }
}
