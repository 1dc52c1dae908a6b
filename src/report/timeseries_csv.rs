//! `timeseries.csv`: one row per interval, per function when there are several, plus `all`.

use crate::metrics::timeseries::{Interval, TimeSeries};
use crate::metrics::Class;
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct Row<'a> {
    function: &'a str,
    start_s: f64,
    arrivals: u64,
    cold_starts: u64,
    warm_starts: u64,
    throttled: u64,
    errors: u64,
    latency_p50_ms: Option<f64>,
    latency_p99_ms: Option<f64>,
    busy: f64,
    idle: f64,
    initializing: f64,
    provisioned: f64,
    provisioned_allocated: f64,
    provisioned_utilization: f64,
}

fn rows<W: Write>(
    w: &mut csv::Writer<W>,
    name: &str,
    ts: &TimeSeries,
    series: impl Iterator<Item = Interval>,
) -> csv::Result<()> {
    let width = ts.interval_ns as f64;
    for (i, iv) in series.enumerate() {
        let mean = |c: Class| iv.occupancy[c as usize] as f64 / width;
        let row = Row {
            function: name,
            start_s: (ts.start.0 + i as u64 * ts.interval_ns) as f64 / 1e9,
            arrivals: iv.arrivals,
            cold_starts: iv.cold,
            warm_starts: iv.warm,
            throttled: iv.throttled,
            errors: iv.errors,
            latency_p50_ms: iv.latency_p50_ns.map(|ns| ns / 1e6),
            latency_p99_ms: iv.latency_p99_ns.map(|ns| ns / 1e6),
            busy: mean(Class::Busy),
            idle: mean(Class::Idle),
            initializing: mean(Class::Initializing),
            provisioned: mean(Class::ProvisionedIdle),
            provisioned_allocated: iv.provisioned[0] as f64 / width,
            provisioned_utilization: if iv.provisioned[0] == 0 {
                0.0
            } else {
                iv.provisioned[1] as f64 / iv.provisioned[0] as f64
            },
        };
        w.serialize(row)?;
    }
    Ok(())
}

/// The bytes of `timeseries.csv`. Environment columns are time-weighted means over the
/// interval (`provisioned` = idle provisioned environments; busy ones count as `busy`;
/// `provisioned_allocated` = the configured count; `provisioned_utilization` = busy
/// provisioned / allocated).
/// Latency percentiles are of requests that arrived in the interval, within 3.1%; empty when
/// none of them completed (nothing was measured, so nothing is written).
pub fn timeseries_csv(ts: &TimeSeries, names: &[String]) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_timeseries_csv(&mut bytes, ts, names).expect("writing CSV to memory cannot fail");
    bytes
}

/// Writes `timeseries.csv` (see [`timeseries_csv`]) row by row, so its size in memory does
/// not grow with the number of intervals.
pub fn write_timeseries_csv<W: Write>(
    out: W,
    ts: &TimeSeries,
    names: &[String],
) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    if names.len() > 1 {
        for (f, name) in names.iter().enumerate() {
            if let Some(series) = ts.function_rows(f) {
                rows(&mut w, name, ts, series)?;
            }
        }
    }
    rows(&mut w, "all", ts, ts.total_rows())?;
    w.flush()?;
    Ok(())
}
