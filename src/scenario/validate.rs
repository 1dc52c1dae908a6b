//! Validation: raw serde types → trusted `Scenario`, collecting every problem before failing.

use super::dist::Distribution;
use super::error::Problem;
use super::model::{
    Autoscale, CpuWork, Function, HybridHistogram, KeepAlive, Platform, Provisioned, Retry,
    Scaling, Scenario, Warmers,
};
use super::quantity::{parse_duration, parse_time_of_day, Quantity};
use super::raw::{
    Eviction, Invocation, RawArrivals, RawCpu, RawDist, RawFunction, RawKeepAlive, RawPricing,
    RawProcess, RawProvisioned, RawScenario, RawTrace, RawTraceFunction, Reuse, TraceFormat,
    TraceUnit, WhenFull,
};
use crate::engine::SimDuration;
use crate::metrics::Pricing;
use crate::runtime::{self, Arch, Package, RuntimeProfile};
use crate::workload::trace::{self, FormatSpec, Found, Replay, Select, TraceSpec};
use crate::workload::{Arrivals, Bursty, Diurnal, Process};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

mod arrivals;
mod cluster;
mod functions;
mod managed;
mod platform;
mod traces;

use arrivals::*;
use cluster::*;
use functions::*;
use managed::*;
use platform::*;
use traces::*;

/// What a distribution describes, which fixes its base unit.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Nanoseconds; text needs a unit, numbers need `unit`.
    Time,
    /// Megabytes; plain numbers.
    Memory,
}

/// Collects problems with their field paths.
struct Checker {
    problems: Vec<Problem>,
    /// The empirical distribution files read, in the order met.
    data_files: Vec<PathBuf>,
}

impl Checker {
    fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            field: field.into(),
            line: None,
            message: message.into(),
        });
    }

    fn positive_rate(&mut self, field: &str, v: f64) -> f64 {
        if !(v.is_finite() && v > 0.0) {
            self.fail(
                field,
                format!("must be a positive, finite rate in requests per second, got {v}"),
            );
        }
        v
    }

    fn positive(&mut self, field: &str, d: SimDuration) -> SimDuration {
        if d == SimDuration::ZERO {
            self.fail(field, "must be longer than zero");
        }
        d
    }
}

const Z99: f64 = 2.326_347_874_040_841;

/// Most time-series rows a run may ask for (memory grows with rows × tracked functions).
const MAX_ROWS: u64 = 100_000;

/// Most rows the default `[report] interval` gives: a day of minutes. It keeps a time chart
/// within a few thousand points and far below `MAX_ROWS`.
const DEFAULT_ROWS: u64 = 1440;
const _: () = assert!(DEFAULT_ROWS <= MAX_ROWS);

/// Widths the default interval is chosen from, seconds: 1 min up to a counted day, then the
/// first of these that gives at most `DEFAULT_ROWS` rows, then whole days.
const DEFAULT_INTERVALS_S: [u64; 12] = [
    60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400,
];

/// The default `[report] interval` for a counted period of `counted`: 1 min up to a day,
/// coarser beyond (15 min for 14 days, 3 h for 3000 h), never more than `DEFAULT_ROWS` rows.
pub fn default_report_interval(counted: SimDuration) -> SimDuration {
    let rows = |width_s: u64| counted.0.div_ceil(width_s * 1_000_000_000);
    let width_s = DEFAULT_INTERVALS_S
        .iter()
        .copied()
        .find(|&w| rows(w) <= DEFAULT_ROWS)
        .unwrap_or_else(|| 86_400 * rows(86_400).div_ceil(DEFAULT_ROWS));
    SimDuration::from_secs(width_s)
}

/// Validates `raw`. `name_default` names the scenario when the file does not; `base_dir`
/// resolves relative paths (empirical distribution files).
pub fn validate(
    raw: RawScenario,
    name_default: &str,
    base_dir: &Path,
) -> Result<Scenario, Vec<Problem>> {
    let mut c = Checker {
        problems: Vec::new(),
        data_files: Vec::new(),
    };
    let name = raw.name.clone().unwrap_or_else(|| name_default.to_owned());
    if name.is_empty()
        || !name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))
        || name.starts_with('.')
    {
        c.fail("name", format!("`{name}` must be non-empty and use only letters, digits, '-', '_' and '.' (it names the output folder)"));
    }
    let duration = c.positive("duration", raw.duration.0);
    let warmup = raw.warmup.map_or(SimDuration::ZERO, |w| w.0);
    if warmup >= duration && duration > SimDuration::ZERO {
        c.fail(
            "warmup",
            format!("must be shorter than duration ({duration}), got {warmup}"),
        );
    }

    let platform = platform(&mut c, &raw, base_dir);
    let pricing = pricing(&mut c, raw.pricing.as_ref());
    let capacity_providers = capacity_providers(&mut c, &raw.capacity_provider, base_dir);
    let mut names = HashSet::new();
    let mut functions = Vec::new();
    let mut traces = Traces {
        base_dir,
        seed: raw.seed.unwrap_or(1),
        specs: Vec::new(),
    };
    if raw.functions.is_empty() && raw.trace.is_none() {
        c.fail(
            "functions",
            "a scenario needs at least one [[functions]] entry, or a [trace] section that defines them",
        );
    }
    for (i, f) in raw.functions.iter().enumerate() {
        let key = if f.name.is_empty() || !names.insert(f.name.clone()) {
            c.fail(
                format!("functions.{i}.name"),
                if f.name.is_empty() {
                    "a function needs a non-empty name".to_string()
                } else {
                    format!(
                        "`{}` is used by an earlier function; function names must be unique",
                        f.name
                    )
                },
            );
            i.to_string()
        } else {
            f.name.clone()
        };
        let index = functions.len() as u32;
        if let Some(func) = function(&mut c, f, &format!("functions.{key}"), &mut traces, index) {
            functions.push(func);
        }
    }
    for (i, f) in raw.functions.iter().enumerate() {
        if let Some(func) = functions.iter_mut().find(|g| g.name == f.name) {
            let key = if f.name.is_empty() {
                i.to_string()
            } else {
                f.name.clone()
            };
            function_managed(
                &mut c,
                f,
                &format!("functions.{key}"),
                &capacity_providers,
                &platform,
                func,
            );
        }
    }
    if let Some(t) = &raw.trace {
        trace_section(&mut c, t, &mut traces, &names, &mut functions);
    }
    limits(&mut c, &platform, &functions);
    let cluster = cluster(&mut c, &raw, &functions);
    if cluster.is_some() && functions.iter().any(|f| f.managed.is_some()) {
        c.fail("cluster", "a [cluster] cannot be combined with Lambda Managed Instances (their environments run on the capacity provider's instances): remove one of them");
    }

    let counted = SimDuration(duration.0.saturating_sub(warmup.0));
    let report_interval = c.positive(
        "report.interval",
        raw.report
            .interval
            .map_or(default_report_interval(counted), |d| d.0),
    );
    let rows = duration.0.saturating_sub(warmup.0) / report_interval.0.max(1);
    if rows > MAX_ROWS {
        c.fail("report.interval", format!(
            "{report_interval} gives {rows} time-series rows over the counted period; the limit is {MAX_ROWS}: use a longer interval, e.g. \"{}\"",
            SimDuration::from_secs((duration.0.saturating_sub(warmup.0) / MAX_ROWS).div_ceil(1_000_000_000).max(1))));
    }
    if c.problems.is_empty() {
        Ok(Scenario {
            name,
            description: raw.description.unwrap_or_default(),
            seed: raw.seed.unwrap_or(1),
            duration,
            warmup,
            platform,
            functions,
            report_interval,
            traces: traces.specs,
            pricing,
            data_files: c.data_files,
            capacity_providers,
            cluster,
        })
    } else {
        Err(c.problems)
    }
}

/// Highest price a scenario may set, in US dollars (per million requests or per GB-second).
const MAX_PRICE: f64 = 1e6;

fn pricing(c: &mut Checker, raw: Option<&RawPricing>) -> Pricing {
    let mut p = Pricing::default();
    let Some(r) = raw else { return p };
    let mut set = |key: &str, v: Option<f64>, slot: &mut f64, scale: f64| {
        if let Some(v) = v {
            // The bound keeps every cost finite (a price of 1e308 made the total infinite,
            // written as `null`); it is 10^10 times any AWS price.
            if v.is_finite() && (0.0..=MAX_PRICE).contains(&v) {
                *slot = v * scale;
            } else {
                c.fail(
                    format!("pricing.{key}"),
                    format!(
                        "must be a price in US dollars from 0 to {MAX_PRICE}, got {}",
                        if v.abs() >= 1e15 {
                            format!("{v:e}")
                        } else {
                            format!("{v}")
                        }
                    ),
                );
            }
        }
    };
    set(
        "requests_per_million",
        r.requests_per_million,
        &mut p.per_request,
        1e-6,
    );
    set("gb_second_x86_64", r.gb_second_x86_64, &mut p.gb_s_x86, 1.0);
    set("gb_second_arm64", r.gb_second_arm64, &mut p.gb_s_arm, 1.0);
    set(
        "provisioned_gb_second_x86_64",
        r.provisioned_gb_second_x86_64,
        &mut p.provisioned_gb_s_x86,
        1.0,
    );
    set(
        "provisioned_gb_second_arm64",
        r.provisioned_gb_second_arm64,
        &mut p.provisioned_gb_s_arm,
        1.0,
    );
    set(
        "provisioned_execution_gb_second_x86_64",
        r.provisioned_execution_gb_second_x86_64,
        &mut p.provisioned_exec_gb_s_x86,
        1.0,
    );
    set(
        "provisioned_execution_gb_second_arm64",
        r.provisioned_execution_gb_second_arm64,
        &mut p.provisioned_exec_gb_s_arm,
        1.0,
    );
    set(
        "snapstart_cache_gb_second",
        r.snapstart_cache_gb_second,
        &mut p.snapstart_cache_gb_s,
        1.0,
    );
    set(
        "snapstart_restore_gb",
        r.snapstart_restore_gb,
        &mut p.snapstart_restore_gb,
        1.0,
    );
    p.free_tier = r.free_tier.unwrap_or(false);
    if let Some(v) = r.managed_instances_fee {
        if v.is_finite() && (0.0..=100.0).contains(&v) {
            p.managed_fee = v;
        } else {
            c.fail("pricing.managed_instances_fee", format!("must be a share of the EC2 instance price from 0 to 100 (0.15 is 15%), got {v}"));
        }
    }
    p
}

#[cfg(test)]
mod report_interval_tests {
    use super::{default_report_interval, DEFAULT_ROWS};
    use crate::engine::SimDuration;

    const H: u64 = 3600;

    #[test]
    fn default_interval_is_a_minute_up_to_a_day_then_coarser() {
        let of = |s: u64| default_report_interval(SimDuration::from_secs(s)).0 / 1_000_000_000;
        assert_eq!(of(60), 60);
        assert_eq!(of(23 * H + 1800), 60);
        assert_eq!(of(24 * H), 60);
        assert_eq!(of(24 * H + 1), 120);
        assert_eq!(of(7 * 24 * H - H), 600);
        assert_eq!(of(14 * 24 * H), 900);
        assert_eq!(of(3000 * H), 3 * H);
        assert_eq!(of(1440 * 24 * H), 24 * H);
        assert_eq!(of(1441 * 24 * H), 48 * H);
        // Every counted period stays within the default's rows.
        for days in [
            0.01, 0.5, 1.0, 1.5, 2.0, 3.7, 10.0, 30.0, 125.0, 365.0, 5000.0, 1e5,
        ] {
            let counted = SimDuration::from_secs((days * 86_400.0) as u64);
            let rows = counted.0.div_ceil(default_report_interval(counted).0);
            assert!(rows <= DEFAULT_ROWS, "{days} d: {rows} rows");
        }
    }
}
