//! Text forms of durations (`"250ms"`, `"1h30m"`, `"1.5s"`) and times of day (`"14:00"`).
//!
//! Hand-written rather than `humantime` because scenarios need fractions (`"0.5ms"`, `"1.5s"`)
//! and exact integer nanoseconds.

use crate::engine::SimDuration;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

/// Parses a duration with units: one or more `<number><unit>` terms, e.g. `"1h30m"`, `"250ms"`.
/// Units: `ns`, `us`/`µs`, `ms`, `s`, `m`/`min`, `h`, `d`. Whitespace between terms is allowed.
pub fn parse_duration(text: &str) -> Result<SimDuration, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err("an empty duration: write a number with a unit, e.g. \"10m\"".into());
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut total_ns: f64 = 0.0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
            i += 1;
        }
        // An exponent (`1e3s`, `2.5E-1h`) belongs to the number, not to the unit.
        if i > start && i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
            let sign = usize::from(matches!(bytes.get(i + 1), Some(b'+' | b'-')));
            if bytes.get(i + 1 + sign).is_some_and(u8::is_ascii_digit) {
                i += 1 + sign;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
            }
        }
        if start == i {
            return Err(format!(
                "`{text}` is not a duration: expected a number at `{}` (durations look like \"250ms\", \"10m\", \"1h30m\"; they cannot be negative)",
                &s[start..]
            ));
        }
        let number: f64 = s[start..i]
            .parse()
            .map_err(|_| format!("`{text}`: `{}` is not a number", &s[start..i]))?;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let ustart = i;
        while i < bytes.len()
            && !(bytes[i].is_ascii_digit() || bytes[i] == b'.' || bytes[i].is_ascii_whitespace())
        {
            i += 1;
        }
        let unit = &s[ustart..i];
        let scale: f64 = match unit {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" | "sec" => 1e9,
            "m" | "min" => 60e9,
            "h" => 3600e9,
            "d" => 86_400e9,
            "" => {
                return Err(format!(
                    "`{text}` has no unit: write e.g. \"{number}s\" or \"{number}ms\" (units: ns, us, ms, s, m, h, d)"
                ))
            }
            other => {
                return Err(format!(
                    "`{text}`: unknown unit `{other}` (units: ns, us, ms, s, m, h, d)"
                ))
            }
        };
        total_ns += number * scale;
    }
    if !total_ns.is_finite() || total_ns >= u64::MAX as f64 {
        return Err(format!("`{text}` is too long a duration"));
    }
    Ok(SimDuration::from_nanos_f64(total_ns))
}

/// Parses a time of day `HH:MM` or `HH:MM:SS` into the offset from midnight.
pub fn parse_time_of_day(text: &str) -> Result<SimDuration, String> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    let bad = || format!("`{text}` is not a time of day: write \"HH:MM\", e.g. \"14:00\"");
    if !(2..=3).contains(&parts.len()) {
        return Err(bad());
    }
    let mut secs = 0u64;
    for (i, p) in parts.iter().enumerate() {
        let v: u64 = p.parse().map_err(|_| bad())?;
        let max = if i == 0 { 23 } else { 59 };
        if v > max {
            return Err(bad());
        }
        secs = secs * 60 + v;
    }
    if parts.len() == 2 {
        secs *= 60;
    }
    Ok(SimDuration::from_secs(secs))
}

/// A duration as written in a scenario: a string with a unit. A bare number is rejected with a
/// message that says how to write it, and serde attaches the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DurationText(pub SimDuration);

impl<'de> Deserialize<'de> for DurationText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = DurationText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a duration string with a unit, e.g. \"10m\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DurationText, E> {
                parse_duration(v).map(DurationText).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<DurationText, E> {
                Err(E::custom(format!(
                    "duration {v} has no unit: write it as a string with a unit, e.g. \"{}s\" or \"{}ms\"",
                    v.unsigned_abs(),
                    v.unsigned_abs()
                )))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<DurationText, E> {
                self.visit_i64(v as i64)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<DurationText, E> {
                Err(E::custom(format!(
                    "duration {v} has no unit: write it as a string with a unit, e.g. \"{v}s\""
                )))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for DurationText {
    fn schema_name() -> String {
        "Duration".into()
    }
    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        let mut s = schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            ..Default::default()
        };
        s.string().pattern = Some(r"^\s*([0-9.]+\s*(ns|us|µs|ms|s|sec|m|min|h|d)\s*)+$".into());
        s.metadata().description =
            Some("A duration with units, e.g. \"250ms\", \"10m\", \"1h30m\", \"1.5s\".".into());
        s.into()
    }
}

/// A number or a text with a unit, as written for distribution parameters. Which units are
/// allowed depends on what the distribution describes (a time or a memory size).
#[derive(Clone, Debug, PartialEq)]
pub enum Quantity {
    /// A bare number, in the distribution's `unit`.
    Number(f64),
    /// A string such as `"45ms"`.
    Text(String),
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Quantity;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a duration string such as \"45ms\", or a number")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Quantity, E> {
                Ok(Quantity::Text(v.to_owned()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Quantity, E> {
                Ok(Quantity::Number(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Quantity, E> {
                Ok(Quantity::Number(v as f64))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Quantity, E> {
                Ok(Quantity::Number(v))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Quantity {
    fn schema_name() -> String {
        "Quantity".into()
    }
    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        let s = schemars::schema::SchemaObject {
            instance_type: Some(
                vec![
                    schemars::schema::InstanceType::String,
                    schemars::schema::InstanceType::Number,
                ]
                .into(),
            ),
            metadata: Some(Box::new(schemars::schema::Metadata {
                description: Some(
                    "A duration string (\"45ms\") or a number in the distribution's unit.".into(),
                ),
                ..Default::default()
            })),
            ..Default::default()
        };
        s.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_compounds() {
        assert_eq!(parse_duration("250ms"), Ok(SimDuration::from_millis(250)));
        assert_eq!(parse_duration("1h30m"), Ok(SimDuration::from_secs(5400)));
        assert_eq!(parse_duration("1h 30m"), Ok(SimDuration::from_secs(5400)));
        assert_eq!(parse_duration("1.5s"), Ok(SimDuration::from_millis(1500)));
        assert_eq!(parse_duration("0.5ms"), Ok(SimDuration(500_000)));
        assert_eq!(parse_duration("2d"), Ok(SimDuration::from_secs(172_800)));
        assert_eq!(parse_duration("10min"), Ok(SimDuration::from_secs(600)));
        assert_eq!(parse_duration("7us"), Ok(SimDuration(7_000)));
    }

    #[test]
    fn an_exponent_is_part_of_the_number() {
        assert_eq!(parse_duration("1e3s"), Ok(SimDuration::from_secs(1000)));
        assert_eq!(parse_duration("2.5E-1s"), Ok(SimDuration::from_millis(250)));
        let e = parse_duration("1e300h").unwrap_err();
        assert!(e.contains("too long a duration"), "{e}");
        assert!(parse_duration("1e5").unwrap_err().contains("no unit"));
    }

    #[test]
    fn rejects_bad_text_with_advice() {
        assert!(parse_duration("10").unwrap_err().contains("no unit"));
        assert!(parse_duration("-5s").unwrap_err().contains("negative"));
        assert!(parse_duration("5 parsecs")
            .unwrap_err()
            .contains("unknown unit"));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("1e400s").is_err());
        assert!(parse_duration("1..2s").is_err());
    }

    #[test]
    fn time_of_day() {
        assert_eq!(
            parse_time_of_day("14:00"),
            Ok(SimDuration::from_secs(14 * 3600))
        );
        assert_eq!(
            parse_time_of_day("00:00:30"),
            Ok(SimDuration::from_secs(30))
        );
        assert!(parse_time_of_day("24:00").is_err());
        assert!(parse_time_of_day("noon").is_err());
    }
}
