//! Validation: raw serde types → trusted `Scenario`, collecting every problem before failing.

use super::dist::Distribution;
use super::error::Problem;
use super::model::{
    Autoscale, Function, HybridHistogram, KeepAlive, Platform, Provisioned, Retry, Scaling,
    Scenario, Warmers,
};
use super::quantity::{parse_duration, parse_time_of_day, Quantity};
use super::raw::{
    Eviction, Invocation, RawArrivals, RawDist, RawFunction, RawKeepAlive, RawPricing, RawProcess,
    RawProvisioned, RawScenario, RawTrace, RawTraceFunction, Reuse, TraceFormat, WhenFull,
};
use crate::engine::SimDuration;
use crate::metrics::Pricing;
use crate::runtime::{self, Arch, Package, RuntimeProfile};
use crate::workload::trace::{
    self, Azure2019Spec, CsvSpec, FormatSpec, Found, HuaweiCounts, HuaweiSpec, Replay, Select,
    Spread, TimeUnit, TraceSpec,
};
use crate::workload::{Arrivals, Bursty, Diurnal, Process};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

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
    if let Some(t) = &raw.trace {
        trace_section(&mut c, t, &mut traces, &names, &mut functions);
    }
    limits(&mut c, &platform, &functions);

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
        })
    } else {
        Err(c.problems)
    }
}

fn platform(c: &mut Checker, raw: &RawScenario, base_dir: &Path) -> Platform {
    let p = &raw.platform;
    let keep_alive = keep_alive(c, p.keep_alive.as_ref(), base_dir);
    let account_concurrency = p.account_concurrency.unwrap_or(1000);
    if account_concurrency == 0 {
        c.fail("platform.account_concurrency", "must be at least 1");
    }
    // "Lambda enforces a requests per second limit of 10 times your account concurrency"
    // (Lambda developer guide, "Understanding Lambda function scaling", concurrency and
    // requests per second). AWS states it per second and documents no finer window, so it
    // is counted over each whole second of simulated time.
    let requests_per_second = p
        .requests_per_second
        .unwrap_or(10 * u64::from(account_concurrency));
    if requests_per_second == 0 {
        c.fail(
            "platform.requests_per_second",
            "must be at least 1 (every request would be throttled); omit it for 10 × account_concurrency",
        );
    }
    // "Retry attempts – ... between 0 and 2" [2] (Lambda developer guide, "Configuring error
    // handling settings for Lambda asynchronous invocations").
    let retry_attempts = p.retry_attempts.unwrap_or(2);
    if retry_attempts > 2 {
        c.fail(
            "platform.retry_attempts",
            format!("must be 0, 1 or 2 (AWS's MaximumRetryAttempts), got {retry_attempts}"),
        );
    }
    let unreserved_minimum = p.unreserved_minimum.unwrap_or(100.min(account_concurrency));
    if unreserved_minimum > account_concurrency {
        c.fail("platform.unreserved_minimum", format!("cannot exceed account_concurrency ({account_concurrency}), got {unreserved_minimum}"));
    }
    let scaling = match &p.scaling {
        None => Scaling {
            capacity: 1000,
            per: SimDuration::from_secs(10),
        },
        Some(s) => {
            if s.envs == 0 {
                c.fail(
                    "platform.scaling.envs",
                    "must be at least 1 (the bucket could never start an environment)",
                );
            }
            Scaling {
                capacity: s.envs,
                per: c.positive("platform.scaling.per", s.per.0),
            }
        }
    };
    let env_concurrency = p.env_concurrency.unwrap_or(1);
    if env_concurrency == 0 {
        c.fail("platform.env_concurrency", "must be at least 1");
    }
    let retry = {
        let r = p.retry.as_ref();
        let initial = r
            .and_then(|r| r.initial)
            .map_or(SimDuration::from_secs(1), |d| d.0);
        let max = r
            .and_then(|r| r.max)
            .map_or(SimDuration::from_secs(300), |d| d.0);
        let multiplier = r.and_then(|r| r.multiplier).unwrap_or(2.0);
        c.positive("platform.retry.initial", initial);
        if max < initial {
            c.fail(
                "platform.retry.max",
                format!("must be at least retry.initial ({initial}), got {max}"),
            );
        }
        if !(multiplier.is_finite() && multiplier >= 1.0) {
            c.fail(
                "platform.retry.multiplier",
                format!("must be a finite number ≥ 1, got {multiplier}"),
            );
        }
        Retry {
            initial,
            max,
            multiplier,
        }
    };
    let capacity_mb = p.capacity.as_ref().map(|cap| {
        let mb = cap.memory_gb * 1024.0;
        if !(mb.is_finite() && mb >= 128.0) {
            c.fail(
                "platform.capacity.memory_gb",
                format!("must be a finite number of GB, at least 0.125 (one 128 MB environment), got {}", cap.memory_gb),
            );
        }
        if mb.is_finite() { mb.max(0.0).round() as u64 } else { 0 }
    });
    for (key, set) in [
        ("eviction", p.eviction.is_some()),
        ("when_full", p.when_full.is_some()),
    ] {
        if set && capacity_mb.is_none() {
            c.fail(
                format!("platform.{key}"),
                "applies only to a memory-bounded platform: add platform.capacity = { memory_gb = 64 }",
            );
        }
    }
    Platform {
        capacity_mb,
        eviction: p.eviction.unwrap_or(Eviction::Lru),
        when_full: p.when_full.unwrap_or(WhenFull::Wait),
        keep_alive,
        max_lifetime: c.positive(
            "platform.max_lifetime",
            p.max_lifetime.map_or(SimDuration::from_secs(7200), |d| d.0),
        ),
        account_concurrency,
        requests_per_second,
        retry_attempts,
        unreserved_minimum,
        scaling,
        reuse: p.reuse.unwrap_or(Reuse::Mru),
        init_limit: c.positive(
            "platform.init_limit",
            p.init_limit.map_or(SimDuration::from_secs(10), |d| d.0),
        ),
        env_concurrency,
        max_event_age: p
            .max_event_age
            .map_or(SimDuration::from_secs(6 * 3600), |d| d.0),
        retry,
    }
}

/// `platform.keep_alive` [fixed, 10m].
fn keep_alive(c: &mut Checker, raw: Option<&RawKeepAlive>, base_dir: &Path) -> KeepAlive {
    const AT: &str = "platform.keep_alive";
    match raw {
        None => KeepAlive::Fixed {
            idle: SimDuration::from_secs(600),
        },
        Some(RawKeepAlive::Fixed { idle }) => KeepAlive::Fixed { idle: idle.0 },
        Some(RawKeepAlive::FixedOnce { idle }) => KeepAlive::FixedOnce { idle: idle.0 },
        Some(RawKeepAlive::Forever {}) => KeepAlive::Forever,
        Some(RawKeepAlive::Random { idle }) => {
            match dist(c, idle, Kind::Time, &format!("{AT}.idle"), base_dir) {
                Some(idle) => KeepAlive::Random { idle },
                None => KeepAlive::Forever,
            }
        }
        Some(RawKeepAlive::HybridHistogram {
            bin,
            range,
            head_percentile,
            tail_percentile,
            margin,
            cv_threshold,
            min_samples,
            fallback_idle,
        }) => {
            let bin = c.positive(
                &format!("{AT}.bin"),
                bin.map_or(SimDuration::from_secs(60), |d| d.0),
            );
            let range = c.positive(
                &format!("{AT}.range"),
                range.map_or(SimDuration::from_secs(4 * 3600), |d| d.0),
            );
            let bins = if bin > SimDuration::ZERO {
                range.0 / bin.0
            } else {
                1
            };
            if bin > SimDuration::ZERO && range > SimDuration::ZERO {
                if range.0 % bin.0 != 0 || bins == 0 {
                    c.fail(
                        format!("{AT}.range"),
                        format!("must be a whole number of bins ({bin} each), got {range}"),
                    );
                } else if bins > 100_000 {
                    c.fail(
                        format!("{AT}.bin"),
                        format!(
                            "gives {bins} bins over {range}; the limit is 100000: use wider bins"
                        ),
                    );
                }
            }
            let head = head_percentile.unwrap_or(5.0);
            let tail = tail_percentile.unwrap_or(99.0);
            if !(0.0..=100.0).contains(&head) {
                c.fail(
                    format!("{AT}.head_percentile"),
                    format!("must be between 0 and 100, got {head}"),
                );
            }
            if !(0.0..=100.0).contains(&tail) || tail < head {
                c.fail(
                    format!("{AT}.tail_percentile"),
                    format!("must be between head_percentile ({head}) and 100, got {tail}"),
                );
            }
            let margin = margin.unwrap_or(0.1);
            if !(0.0..1.0).contains(&margin) {
                c.fail(
                    format!("{AT}.margin"),
                    format!("must be a fraction in [0, 1), got {margin}"),
                );
            }
            let cv_threshold = cv_threshold.unwrap_or(2.0);
            if !(cv_threshold.is_finite() && cv_threshold >= 0.0) {
                c.fail(
                    format!("{AT}.cv_threshold"),
                    format!("must be a finite number ≥ 0, got {cv_threshold}"),
                );
            }
            KeepAlive::HybridHistogram(HybridHistogram {
                bin,
                bins: bins.clamp(1, 100_000) as u32,
                head_percentile: head,
                tail_percentile: tail,
                margin,
                cv_threshold,
                min_samples: min_samples.unwrap_or(10).max(1),
                fallback_idle: fallback_idle.map_or(range, |d| d.0),
            })
        }
    }
}

/// The app part of a trace function's key (Azure formats only).
fn app_of(format: TraceFormat, key: &str) -> Option<String> {
    let parts = match format {
        TraceFormat::Azure2019 => 2,
        TraceFormat::Azure2021 => 1,
        TraceFormat::Csv | TraceFormat::Huawei2023 => return None,
    };
    let mut ends = key.match_indices(trace::KEY_SEP).map(|(i, _)| i);
    ends.nth(parts - 1).map(|end| key[..end].to_owned())
}

fn function(
    c: &mut Checker,
    f: &RawFunction,
    at: &str,
    traces: &mut Traces,
    index: u32,
) -> Option<Function> {
    let base_dir = traces.base_dir;
    let before = c.problems.len();
    let arch = f.arch.unwrap_or(Arch::X86_64);
    let package = f.package.unwrap_or(Package::Zip);
    let profile = if f.runtime == "custom" {
        None
    } else {
        match runtime::find(&f.runtime, arch, package) {
            Ok(p) => Some(p),
            Err(e) => {
                c.fail(format!("{at}.runtime"), e.to_string());
                None
            }
        }
    };
    let memory_mb = f.memory_mb.unwrap_or(128);
    if !(128..=10_240).contains(&memory_mb) {
        c.fail(
            format!("{at}.memory_mb"),
            format!("must be between 128 and 10240 MB (Lambda's range), got {memory_mb}"),
        );
    }
    let timeout = f.timeout.map_or(SimDuration::from_secs(3), |d| d.0);
    c.positive(&format!("{at}.timeout"), timeout);
    if timeout > SimDuration::from_secs(900) {
        c.fail(
            format!("{at}.timeout"),
            format!("must be at most 15m (Lambda's maximum), got {timeout}"),
        );
    }
    let provisioned = provisioned(c, f.provisioned_concurrency.as_ref(), at);
    let most = provisioned.as_ref().map_or(0, most_provisioned);
    if let (Some(r), Some(p)) = (f.reserved_concurrency, Some(most)) {
        if p > r {
            c.fail(format!("{at}.provisioned_concurrency"), format!("{p} exceeds the function's reserved_concurrency ({r}); provisioned environments count against it"));
        }
    }
    let init = match &f.init {
        Some(d) => dist(c, d, Kind::Time, &format!("{at}.init"), base_dir),
        None => Some(Distribution::Constant(0.0)),
    };
    let execution = dist(
        c,
        &f.execution,
        Kind::Time,
        &format!("{at}.execution"),
        base_dir,
    );
    let first_execution = f
        .first_execution
        .as_ref()
        .map(|d| dist(c, d, Kind::Time, &format!("{at}.first_execution"), base_dir));
    let memory_used = f
        .memory_used
        .as_ref()
        .map(|d| dist(c, d, Kind::Memory, &format!("{at}.memory_used"), base_dir));
    let arrivals = arrivals(c, &f.arrivals, &format!("{at}.arrivals"), traces, index);
    let warmers = f.warmers.as_ref().and_then(|w| {
        let field = format!("{at}.warmers");
        let every = c.positive(&format!("{field}.every"), w.every.0);
        // Zero pings per round: no warmers (a sweep can switch them off this way).
        let concurrency = w.concurrency.unwrap_or(1);
        (concurrency > 0).then_some(Warmers {
            every,
            concurrency,
            execution: w.execution.map_or(SimDuration::from_millis(10), |d| d.0),
            start: w.start.map_or(SimDuration::ZERO, |d| d.0),
        })
    });
    let snapstart = f.snapstart.as_ref().filter(|s| s.enabled != Some(false)).and_then(|s| {
        let field = format!("{at}.snapstart");
        if let Some(kind) = snapstart_runtime(&f.runtime) {
            if most > 0 {
                c.fail(&field, "SnapStart cannot be combined with provisioned_concurrency (AWS refuses both on one version): remove one of them");
            }
            if package == Package::Image {
                c.fail(&field, "SnapStart supports zip packages only, not container images");
            }
            match &s.restore {
                Some(d) => dist(c, d, Kind::Time, &format!("{field}.restore"), base_dir),
                None => Some(default_restore(kind)),
            }
        } else {
            c.fail(&field, format!("runtime `{}` does not support SnapStart; it needs Java 11+, Python 3.12+ or .NET 8+ (java11, java17, java21, python3.12, python3.13, dotnet8, ...)", f.runtime));
            None
        }
    });
    if c.problems.len() > before {
        return None;
    }
    Some(Function {
        name: f.name.clone(),
        runtime: f.runtime.clone(),
        runtime_init: profile.map(|p| Distribution::LogNormal {
            mu: p.mu + 1e6f64.ln(),
            sigma: p.sigma,
        }),
        profile,
        arch,
        package,
        memory_mb,
        timeout,
        reserved_concurrency: f.reserved_concurrency,
        provisioned_concurrency: most,
        provisioned: provisioned?,
        warmers,
        snapstart,
        snapstart_billed: snapstart_billed(c, f, at),
        init: init?,
        execution: execution?,
        first_execution: first_execution.map(|d| d.expect("problems would have returned above")),
        memory_used: memory_used.map(|d| d.expect("problems would have returned above")),
        arrivals,
        invocation: f.invocation.unwrap_or(Invocation::Sync),
        app: None,
    })
}

/// The most environments a provisioned-concurrency plan allocates.
fn most_provisioned(p: &Provisioned) -> u32 {
    match p {
        Provisioned::Fixed(n) => *n,
        Provisioned::Schedule(steps) => steps.iter().map(|s| s.1).max().unwrap_or(0),
        Provisioned::Autoscale(a) => a.max,
    }
}

fn provisioned(c: &mut Checker, raw: Option<&RawProvisioned>, at: &str) -> Option<Provisioned> {
    let field = format!("{at}.provisioned_concurrency");
    let table = match raw {
        None => return Some(Provisioned::Fixed(0)),
        Some(RawProvisioned::Count(n)) => return Some(Provisioned::Fixed(*n)),
        Some(RawProvisioned::Table(t)) => t,
    };
    let given = [
        table.count.is_some(),
        table.schedule.is_some(),
        table.autoscale.is_some(),
    ];
    if given.iter().filter(|&&g| g).count() != 1 {
        c.fail(
            &field,
            "give exactly one of `count`, `schedule` or `autoscale`",
        );
        return None;
    }
    if let Some(n) = table.count {
        return Some(Provisioned::Fixed(n));
    }
    if let Some(schedule) = &table.schedule {
        if schedule.is_empty() {
            c.fail(
                format!("{field}.schedule"),
                "needs at least one { at = \"HH:MM\", count = N } entry",
            );
            return None;
        }
        let mut steps = Vec::new();
        for (i, step) in schedule.iter().enumerate() {
            match parse_time_of_day(&step.at) {
                Ok(t) => steps.push((t, step.count)),
                Err(e) => c.fail(format!("{field}.schedule.{i}.at"), e),
            }
        }
        steps.sort_by_key(|s| s.0);
        if steps.windows(2).any(|w| w[0].0 == w[1].0) {
            c.fail(
                format!("{field}.schedule"),
                "two entries have the same time of day",
            );
        }
        return (steps.len() == schedule.len()).then_some(Provisioned::Schedule(steps));
    }
    let a = table.autoscale.as_ref().expect("one key is given");
    let field = format!("{field}.autoscale");
    if a.min == 0 || a.min > a.max {
        c.fail(&field, format!("needs 1 <= min <= max (utilization is measured on allocated environments), got min {} and max {}", a.min, a.max));
    }
    let target = a.target_utilization.unwrap_or(0.7);
    if !(target > 0.0 && target <= 1.0) {
        c.fail(
            format!("{field}.target_utilization"),
            format!("must be in (0, 1], got {target}"),
        );
    }
    let period = c.positive(
        &format!("{field}.period"),
        a.period.map_or(SimDuration::from_secs(60), |d| d.0),
    );
    let mut periods = |key: &str,
                       d: Option<crate::scenario::quantity::DurationText>,
                       default_s: u64,
                       at_least: u64| {
        let d = d.map_or(SimDuration::from_secs(default_s), |d| d.0);
        let n = d.0 / period.0.max(1);
        if period.0 > 0 && (d.0 % period.0 != 0 || n < at_least) {
            c.fail(
                format!("{field}.{key}"),
                format!(
                    "must be a multiple of the period ({period}){}, got {d}",
                    if at_least > 0 { ", at least one" } else { "" }
                ),
            );
        }
        n as u32
    };
    let out_after = periods("scale_out_after", a.scale_out_after, 180, 1);
    let in_after = periods("scale_in_after", a.scale_in_after, 900, 1);
    let cooldown = periods("cooldown", a.cooldown, 0, 0);
    Some(Provisioned::Autoscale(Autoscale {
        min: a.min,
        max: a.max,
        target,
        period,
        out_after,
        in_after,
        in_ratio: 0.9,
        cooldown,
    }))
}

/// Default share of a SnapStart restore that AWS bills. AWS bills only "the time it takes for
/// Lambda to load the runtime (JVM) and run any afterRestore hooks", not restoring the
/// snapshot ("Monitoring for Lambda SnapStart"), and publishes no typical ratio. 0.21 is the
/// median `Billed Restore Duration` ÷ `Restore Duration` of five Java REPORT lines published
/// in public repositories (2023-06-02 182/398.97 ms, 2023-07-05 303/511.25 ms, 2024-09-05
/// 26/325.93 ms, 2025-05-21 163/789.64 ms, 2025-05-22 76/422.92 ms: 0.46, 0.59, 0.08, 0.21,
/// 0.18): a dated observation, not an AWS figure; set `snapstart.billed` from your own logs.
const DEFAULT_SNAPSTART_BILLED: f64 = 0.21;

/// `snapstart.billed` of `f`, the share of a restore billed: 0 to 1 [0.21].
fn snapstart_billed(c: &mut Checker, f: &RawFunction, at: &str) -> f64 {
    match f.snapstart.as_ref().and_then(|s| s.billed) {
        Some(v) if (0.0..=1.0).contains(&v) => v,
        Some(v) => {
            c.fail(
                format!("{at}.snapstart.billed"),
                format!("must be the share of a restore that is billed, from 0 to 1 (Billed Restore Duration ÷ Restore Duration of your REPORT lines), got {v}"),
            );
            DEFAULT_SNAPSTART_BILLED
        }
        None => DEFAULT_SNAPSTART_BILLED,
    }
}

/// The SnapStart family of a runtime name, or `None` where AWS does not offer SnapStart.
fn snapstart_runtime(runtime: &str) -> Option<SnapFamily> {
    let version = |prefix: &str| -> Option<Vec<u32>> {
        let rest = runtime.strip_prefix(prefix)?;
        rest.split('.').map(|p| p.parse().ok()).collect()
    };
    if let Some(v) = version("java") {
        return (v.len() == 1 && v[0] >= 11).then_some(if v[0] == 11 {
            SnapFamily::Java11
        } else {
            SnapFamily::Java17
        });
    }
    if let Some(v) = version("python") {
        return (v.len() == 2 && v[0] == 3 && v[1] >= 12).then_some(SnapFamily::Python);
    }
    if let Some(v) = version("dotnet") {
        return (v.len() == 1 && v[0] >= 8).then_some(SnapFamily::DotNet);
    }
    None
}

/// Runtime families with their own default restore latency.
#[derive(Clone, Copy)]
enum SnapFamily {
    Java11,
    Java17,
    Python,
    DotNet,
}

/// The default restore latency (ns) of a SnapStart family.
///
/// Java: lognormal fits of lambda-perf's SnapStart restore measurements of 2023-09-15
/// (`runtime::snapstart_profiles`): java11, and java17 (also used for java21 and later, which
/// lambda-perf did not measure with SnapStart). Python 3.12+ and .NET 8+: no public
/// measurement set comparable to lambda-perf exists; AWS's launch post (aws.amazon.com/blogs,
/// "AWS Lambda SnapStart for Python and .NET functions is now generally available",
/// 2024-11-18) gives no figures. Restore time is dominated by loading the Firecracker
/// snapshot, not by the language, so both default to the java17 fit; give
/// `snapstart = { restore = ... }` from your own `Restore Duration` logs.
fn default_restore(kind: SnapFamily) -> Distribution {
    let name = match kind {
        SnapFamily::Java11 => "java11",
        SnapFamily::Java17 | SnapFamily::Python | SnapFamily::DotNet => "java17",
    };
    let p = runtime::snapstart_profiles()
        .iter()
        .find(|p| p.name == name)
        .expect("the java11 and java17 SnapStart profiles are built in");
    Distribution::LogNormal {
        mu: p.mu + 1e6f64.ln(),
        sigma: p.sigma,
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
    p
}

/// Reserved concurrency must leave the unreserved minimum; provisioned concurrency of
/// functions without a reservation must fit the unreserved pool.
fn limits(c: &mut Checker, p: &Platform, functions: &[Function]) {
    if let Some(cap) = p.capacity_mb {
        if let Some(f) = functions.iter().find(|f| f.memory_mb as u64 > cap) {
            c.fail("platform.capacity.memory_gb", format!(
                "function `{}` needs {} MB, more than the whole capacity ({cap} MB): raise memory_gb",
                f.name, f.memory_mb));
        }
        let provisioned: u64 = functions
            .iter()
            .map(|f| f.provisioned_concurrency as u64 * f.memory_mb as u64)
            .sum();
        if provisioned > cap {
            c.fail("platform.capacity.memory_gb", format!(
                "provisioned environments need {provisioned} MB, more than the capacity ({cap} MB)"));
        }
    }
    let reserved: u64 = functions
        .iter()
        .filter_map(|f| f.reserved_concurrency)
        .map(u64::from)
        .sum();
    let share = p.account_concurrency.saturating_sub(p.unreserved_minimum) as u64;
    if reserved > share {
        c.fail("functions", format!(
            "reserved concurrency adds up to {reserved}, above the {share} the account can reserve (account_concurrency {} minus the {} that always stay unreserved); lower reserved_concurrency or raise platform.account_concurrency",
            p.account_concurrency, p.unreserved_minimum));
    }
    let pool = (p.account_concurrency as u64).saturating_sub(reserved);
    let unreserved_provisioned: u64 = functions
        .iter()
        .filter(|f| f.reserved_concurrency.is_none())
        .map(|f| f.provisioned_concurrency as u64)
        .sum();
    if unreserved_provisioned > pool && reserved <= share {
        c.fail("functions", format!("provisioned concurrency of functions without reserved concurrency adds up to {unreserved_provisioned}, above the unreserved pool of {pool}"));
    }
}

fn arrivals(
    c: &mut Checker,
    raw: &RawArrivals,
    at: &str,
    traces: &mut Traces,
    index: u32,
) -> Arrivals {
    match raw {
        RawArrivals::One(RawProcess::Trace(t)) => {
            Arrivals(vec![trace_process(c, t, at, traces, index)])
        }
        RawArrivals::One(p) => Arrivals(vec![process(c, p, at)]),
        RawArrivals::Many(list) => {
            if list.is_empty() {
                c.fail(at, "an empty list of arrival processes: give at least one");
            }
            Arrivals(
                list.iter()
                    .enumerate()
                    .map(|(i, p)| process(c, p, &format!("{at}.{i}")))
                    .collect(),
            )
        }
    }
}

fn process(c: &mut Checker, raw: &RawProcess, at: &str) -> Process {
    match raw {
        RawProcess::Trace(_) => {
            c.fail(at, "a trace cannot be part of a list of arrival processes: give it alone, arrivals = { process = \"trace\", ... }");
            Process::Trace {
                source: u32::MAX,
                mean_rate_per_s: 0.0,
                requests: 0.0,
            }
        }
        RawProcess::Poisson { rate } => Process::Poisson {
            rate_per_s: c.positive_rate(&format!("{at}.rate"), *rate),
        },
        RawProcess::Periodic { every, start } => Process::Periodic {
            every: c.positive(&format!("{at}.every"), every.0),
            start: start.map_or(SimDuration::ZERO, |s| s.0),
        },
        RawProcess::Diurnal {
            mean_rate,
            peak_to_trough,
            peak_at,
            period,
        } => {
            let mean = c.positive_rate(&format!("{at}.mean_rate"), *mean_rate);
            if !(peak_to_trough.is_finite() && *peak_to_trough >= 1.0) {
                c.fail(format!("{at}.peak_to_trough"), format!("must be a finite ratio ≥ 1 (peak rate / trough rate), got {peak_to_trough}"));
            }
            let peak = match peak_at {
                None => SimDuration::from_secs(14 * 3600),
                Some(t) => parse_time_of_day(t).unwrap_or_else(|e| {
                    c.fail(format!("{at}.peak_at"), e);
                    SimDuration::ZERO
                }),
            };
            let period = c.positive(
                &format!("{at}.period"),
                period.map_or(SimDuration::from_secs(86_400), |p| p.0),
            );
            Process::Diurnal(Diurnal::new(mean, *peak_to_trough, peak, period))
        }
        RawProcess::Bursty {
            base_rate,
            burst_rate,
            mean_burst,
            mean_gap,
        } => {
            if !(base_rate.is_finite() && *base_rate >= 0.0) {
                c.fail(
                    format!("{at}.base_rate"),
                    format!("must be a finite rate ≥ 0 in requests per second, got {base_rate}"),
                );
            }
            Process::Bursty(Bursty {
                base_rate_per_s: *base_rate,
                burst_rate_per_s: c.positive_rate(&format!("{at}.burst_rate"), *burst_rate),
                mean_burst: c.positive(&format!("{at}.mean_burst"), mean_burst.0),
                mean_gap: c.positive(&format!("{at}.mean_gap"), mean_gap.0),
            })
        }
    }
}

/// Scale of a `unit` key, into the kind's base unit.
fn unit_scale(c: &mut Checker, unit: Option<&str>, kind: Kind, field: &str) -> Option<f64> {
    match (kind, unit) {
        (Kind::Time, None) => Some(1e6),
        (Kind::Memory, None) => Some(1.0),
        (Kind::Time, Some(u)) => match parse_duration(&format!("1{u}")) {
            Ok(d) if !u.is_empty() => Some(d.0 as f64),
            _ => {
                c.fail(
                    field,
                    format!("unknown time unit `{u}` (use ns, us, ms, s, m or h)"),
                );
                None
            }
        },
        (Kind::Memory, Some("MB")) => Some(1.0),
        (Kind::Memory, Some("GB")) => Some(1024.0),
        (Kind::Memory, Some(u)) => {
            c.fail(field, format!("unknown memory unit `{u}` (use MB or GB)"));
            None
        }
    }
}

/// A quantity in the kind's base unit. `unit` is the scale of bare numbers, when the
/// distribution has a `unit` key.
fn amount(
    c: &mut Checker,
    q: &Quantity,
    kind: Kind,
    unit: Option<f64>,
    field: &str,
) -> Option<f64> {
    let v = match (q, kind) {
        (Quantity::Text(t), Kind::Time) => match parse_duration(t) {
            Ok(d) => d.0 as f64,
            Err(e) => {
                c.fail(field, e);
                return None;
            }
        },
        (Quantity::Text(t), Kind::Memory) => {
            c.fail(
                field,
                format!("`{t}`: memory values are numbers in MB, e.g. 300"),
            );
            return None;
        }
        (Quantity::Number(n), Kind::Time) => match unit {
            Some(scale) => n * scale,
            None => {
                c.fail(
                    field,
                    format!("{n} has no unit: write a duration string such as \"{n}ms\""),
                );
                return None;
            }
        },
        (Quantity::Number(n), Kind::Memory) => n * unit.unwrap_or(1.0),
    };
    if !(v.is_finite() && v >= 0.0) {
        c.fail(field, format!("must be a finite value ≥ 0, got {v}"));
        return None;
    }
    Some(v)
}

fn dist(
    c: &mut Checker,
    raw: &RawDist,
    kind: Kind,
    at: &str,
    base_dir: &Path,
) -> Option<Distribution> {
    let f = |name: &str| format!("{at}.{name}");
    let before = c.problems.len();
    let d = match raw {
        RawDist::Constant { value } => {
            Distribution::Constant(amount(c, value, kind, None, &f("value"))?)
        }
        RawDist::Uniform { min, max } => {
            let (lo, hi) = (
                amount(c, min, kind, None, &f("min"))?,
                amount(c, max, kind, None, &f("max"))?,
            );
            if hi < lo {
                c.fail(f("max"), "must not be below min");
            }
            Distribution::Uniform { lo, hi }
        }
        RawDist::Exponential { mean } => {
            let m = amount(c, mean, kind, None, &f("mean"))?;
            if m <= 0.0 {
                c.fail(f("mean"), "must be above zero");
            }
            Distribution::Exponential { mean: m }
        }
        RawDist::Normal { mean, std } => {
            let (m, s) = (
                amount(c, mean, kind, None, &f("mean"))?,
                amount(c, std, kind, None, &f("std"))?,
            );
            if m <= 0.0 {
                c.fail(f("mean"), "must be above zero");
            } else if s > 3.0 * m {
                c.fail(f("std"), "is more than 3× the mean: truncation at zero would distort the distribution; use a lognormal");
            }
            if s == 0.0 {
                Distribution::Constant(m)
            } else {
                Distribution::Normal { mean: m, std: s }
            }
        }
        RawDist::Lognormal {
            median,
            p99,
            mu,
            sigma,
            unit,
        } => match (median, p99, mu, sigma) {
            (Some(median), Some(p99), None, None) => {
                if unit.is_some() && kind == Kind::Time {
                    c.fail(
                        f("unit"),
                        "`unit` goes with mu/sigma; median and p99 are duration strings",
                    );
                }
                let scale = unit_scale(c, unit.as_deref(), kind, &f("unit"))?;
                let scale = if kind == Kind::Time {
                    None
                } else {
                    Some(scale)
                };
                let (m, p) = (
                    amount(c, median, kind, scale, &f("median"))?,
                    amount(c, p99, kind, scale, &f("p99"))?,
                );
                if m <= 0.0 {
                    c.fail(f("median"), "must be above zero");
                    return None;
                }
                if p <= m {
                    c.fail(
                        f("p99"),
                        "must be above the median (a lognormal's p99 exceeds its median)",
                    );
                    return None;
                }
                Distribution::LogNormal {
                    mu: m.ln(),
                    sigma: (p / m).ln() / Z99,
                }
            }
            (None, None, Some(mu), Some(sigma)) => {
                let scale = unit_scale(c, unit.as_deref(), kind, &f("unit"))?;
                if !mu.is_finite() {
                    c.fail(f("mu"), "must be finite");
                }
                if !(sigma.is_finite() && *sigma >= 0.0) {
                    c.fail(f("sigma"), "must be finite and ≥ 0");
                }
                Distribution::LogNormal {
                    mu: mu + scale.ln(),
                    sigma: *sigma,
                }
            }
            _ => {
                c.fail(at, "a lognormal takes either `median` and `p99`, or `mu` and `sigma` (with `unit`)");
                return None;
            }
        },
        RawDist::Gamma { shape, scale } => {
            let s = amount(c, scale, kind, None, &f("scale"))?;
            match rand_distr::Gamma::new(*shape, s) {
                Ok(g) if *shape > 0.0 && s > 0.0 && shape.is_finite() => Distribution::Gamma {
                    sampler: g,
                    shape: *shape,
                    scale: s,
                },
                _ => {
                    c.fail(
                        f("shape"),
                        format!("shape and scale must be positive and finite, got shape {shape}"),
                    );
                    return None;
                }
            }
        }
        RawDist::Weibull { shape, scale } => {
            let s = amount(c, scale, kind, None, &f("scale"))?;
            if !(shape.is_finite() && *shape > 0.0) || s <= 0.0 {
                c.fail(
                    f("shape"),
                    format!("shape and scale must be positive and finite, got shape {shape}"),
                );
                return None;
            }
            Distribution::Weibull {
                scale: s,
                inv_shape: 1.0 / shape,
            }
        }
        RawDist::Pareto { scale, shape } => {
            let s = amount(c, scale, kind, None, &f("scale"))?;
            if !(shape.is_finite() && *shape > 0.0) || s <= 0.0 {
                c.fail(
                    f("shape"),
                    format!("shape and scale must be positive and finite, got shape {shape}"),
                );
                return None;
            }
            Distribution::Pareto {
                scale: s,
                inv_shape: 1.0 / shape,
            }
        }
        RawDist::Empirical {
            values,
            path,
            column,
            unit,
        } => {
            let scale = unit_scale(c, unit.as_deref(), kind, &f("unit"))?;
            let vals: std::sync::Arc<[f64]> = match (values, path) {
                (Some(vs), None) => {
                    if column.is_some() {
                        c.fail(f("column"), "`column` goes with `path`");
                    }
                    vs.iter()
                        .enumerate()
                        .filter_map(|(i, q)| {
                            amount(c, q, kind, Some(scale), &format!("{at}.values.{i}"))
                        })
                        .collect()
                }
                (None, Some(p)) => {
                    // Shared: a sweep's points read the file once and hold one copy.
                    let file = base_dir.join(p);
                    if !c.data_files.contains(&file) {
                        c.data_files.push(file.clone());
                    }
                    match super::empirical::shared_column(&file, column.as_deref(), scale) {
                        Ok(vs) => vs,
                        Err(e) => {
                            c.fail(f("path"), e);
                            return None;
                        }
                    }
                }
                _ => {
                    c.fail(
                        at,
                        "an empirical distribution takes either `values` or `path`",
                    );
                    return None;
                }
            };
            if vals.is_empty() && c.problems.len() == before {
                c.fail(at, "has no values");
            }
            Distribution::Empirical(vals)
        }
    };
    (c.problems.len() == before).then_some(d)
}

/// Traces met while validating, in order: `Process::Trace { source }` indexes `specs`.
struct Traces<'a> {
    /// Relative trace paths are resolved against this folder (the scenario file's).
    base_dir: &'a Path,
    /// Seeds `sample` selection.
    seed: u64,
    specs: Vec<TraceSpec>,
}

/// Random stream purpose of `sample` selection.
const SAMPLE_STREAM: u64 = 5;

/// Default `sort_window`, rows.
const SORT_WINDOW: u32 = 10_000;

fn format_name(f: TraceFormat) -> &'static str {
    match f {
        TraceFormat::Csv => "csv",
        TraceFormat::Azure2019 => "azure2019",
        TraceFormat::Azure2021 => "azure2021",
        TraceFormat::Huawei2023 => "huawei2023",
    }
}

/// Reports options that do not apply to the trace's format, or to where it is used
/// (`in_section`: the `[trace]` section; else one function's arrivals).
fn check_trace_options(c: &mut Checker, raw: &RawTrace, at: &str, in_section: bool) {
    use TraceFormat::{Azure2019, Azure2021, Csv, Huawei2023};
    let per_request: &[TraceFormat] = &[Csv, Azure2021];
    let with_files: &[TraceFormat] = &[Csv, Azure2021, Huawei2023];
    let options: [(&str, bool, &[TraceFormat]); 13] = [
        ("path", raw.path.is_some(), with_files),
        ("paths", raw.paths.is_some(), with_files),
        ("dir", raw.dir.is_some(), &[Azure2019]),
        ("days", raw.days.is_some(), &[Azure2019]),
        ("timestamp", raw.timestamp.is_some(), &[Csv]),
        ("time_unit", raw.time_unit.is_some(), &[Csv]),
        ("function_column", raw.function_column.is_some(), &[Csv]),
        ("duration_column", raw.duration_column.is_some(), &[Csv]),
        ("duration_unit", raw.duration_unit.is_some(), &[Csv]),
        ("counts", raw.counts.is_some(), &[Huawei2023]),
        ("spread", raw.spread.is_some(), &[Azure2019, Huawei2023]),
        ("trigger", raw.trigger.is_some(), &[Azure2019]),
        ("sort_window", raw.sort_window.is_some(), per_request),
    ];
    for (name, set, formats) in options {
        if set && !formats.contains(&raw.format) {
            let names: Vec<&str> = formats.iter().map(|&f| format_name(f)).collect();
            c.fail(
                format!("{at}.{name}"),
                format!(
                    "does not apply to format \"{}\"; it is an option of {}",
                    format_name(raw.format),
                    names.join(", ")
                ),
            );
        }
    }
    if in_section {
        if raw.function.is_some() {
            c.fail(format!("{at}.function"), "picks one trace function for a [[functions]] entry's arrivals; in [trace], choose functions with `top` or `sample` (and `trigger` for azure2019)");
        }
        return;
    }
    let section_only = [
        ("top", raw.top.is_some()),
        ("sample", raw.sample.is_some()),
        ("trigger", raw.trigger.is_some()),
        ("defaults", raw.defaults.is_some()),
        ("overrides", raw.overrides.is_some()),
    ];
    for (name, set) in section_only {
        if set {
            c.fail(format!("{at}.{name}"), "only applies in a [trace] section, which defines one function per trace function; a function's own trace replays the one trace function named by `function`");
        }
    }
}

/// The field a trace's files are named by, to attach file errors to.
fn trace_file_field(raw: &RawTrace, at: &str) -> String {
    let key = match (raw.format, raw.paths.is_some()) {
        (TraceFormat::Azure2019, _) => "dir",
        (_, true) => "paths",
        _ => "path",
    };
    format!("{at}.{key}")
}

fn format_spec(c: &mut Checker, raw: &RawTrace, at: &str, base_dir: &Path) -> Option<FormatSpec> {
    let paths = |c: &mut Checker| -> Option<Vec<PathBuf>> {
        match (&raw.path, &raw.paths) {
            (Some(p), None) => Some(vec![base_dir.join(p)]),
            (None, Some(ps)) if !ps.is_empty() => {
                Some(ps.iter().map(|p| base_dir.join(p)).collect())
            }
            (None, Some(_)) => {
                c.fail(format!("{at}.paths"), "is empty: list at least one file");
                None
            }
            (Some(_), Some(_)) => {
                c.fail(
                    format!("{at}.paths"),
                    "give either `path` (one file) or `paths` (several), not both",
                );
                None
            }
            (None, None) => {
                c.fail(
                    format!("{at}.path"),
                    format!(
                        "a {} trace needs `path`: the file, relative to the scenario file",
                        format_name(raw.format)
                    ),
                );
                None
            }
        }
    };
    let spread = raw.spread.unwrap_or(Spread::Uniform);
    match raw.format {
        TraceFormat::Csv => {
            let duration_ns_per_unit = match &raw.duration_unit {
                None => 1e6,
                Some(u) => unit_scale(c, Some(u), Kind::Time, &format!("{at}.duration_unit"))?,
            };
            Some(FormatSpec::Csv(CsvSpec {
                paths: paths(c)?,
                timestamp: raw.timestamp.clone().unwrap_or_else(|| "timestamp".into()),
                time_unit: raw.time_unit.unwrap_or(TimeUnit::Seconds),
                function_column: raw.function_column.clone(),
                duration_column: raw.duration_column.clone(),
                duration_ns_per_unit,
            }))
        }
        TraceFormat::Azure2019 => {
            let Some(dir) = &raw.dir else {
                c.fail(format!("{at}.dir"), "an azure2019 trace needs `dir`: the folder with the invocations_per_function_md.anon.dNN.csv files, relative to the scenario file");
                return None;
            };
            let days = raw.days.clone().unwrap_or_else(|| vec![1]);
            if days.is_empty() {
                c.fail(
                    format!("{at}.days"),
                    "is empty: list at least one day, e.g. days = [1]",
                );
                return None;
            }
            if let Some(d) = days.iter().find(|&&d| !(1..=99).contains(&d)) {
                c.fail(format!("{at}.days"), format!("day {d} is not a day of the trace: days are numbered from 1, as in the file names (d01 …)"));
                return None;
            }
            // Increasing, so at most 99 days: a replay cannot go back in time, and a list of
            // a million repeats would otherwise be scanned day by day.
            if let Some(w) = days.windows(2).find(|w| w[0] >= w[1]) {
                c.fail(format!("{at}.days"), format!("day {} after day {}: list days in increasing order, each once (a replay cannot go back in time)", w[1], w[0]));
                return None;
            }
            Some(FormatSpec::Azure2019(Azure2019Spec {
                dir: base_dir.join(dir),
                days,
                spread,
            }))
        }
        TraceFormat::Azure2021 => Some(FormatSpec::Azure2021 { paths: paths(c)? }),
        TraceFormat::Huawei2023 => Some(FormatSpec::Huawei2023(HuaweiSpec {
            paths: paths(c)?,
            counts: raw.counts.unwrap_or(HuaweiCounts::RequestsMinute),
            spread,
        })),
    }
}

fn replay(c: &mut Checker, raw: &RawTrace, at: &str) -> Replay {
    let per_request = matches!(raw.format, TraceFormat::Csv | TraceFormat::Azure2021);
    let rate_scale = raw.rate_scale.unwrap_or(1.0);
    if !(rate_scale.is_finite() && rate_scale > 0.0) {
        c.fail(
            format!("{at}.rate_scale"),
            format!("must be a finite number above 0, got {rate_scale}"),
        );
    } else if per_request && rate_scale > 1.0 {
        c.fail(format!("{at}.rate_scale"), format!("must be at most 1 for a per-request trace (each request is kept with this probability; copies would arrive at the same instant), got {rate_scale}; to replay faster, use time_scale < 1"));
    }
    let time_scale = raw.time_scale.unwrap_or(1.0);
    if !(time_scale.is_finite() && time_scale > 0.0) {
        c.fail(
            format!("{at}.time_scale"),
            format!(
                "must be a finite number above 0 (2.0 replays at half speed), got {time_scale}"
            ),
        );
    }
    Replay {
        start: raw.start.map_or(SimDuration::ZERO, |d| d.0),
        time_scale,
        rate_scale,
        lenient: raw.lenient.unwrap_or(false),
        sort_window: raw.sort_window.unwrap_or(SORT_WINDOW) as usize,
    }
}

/// Mean requests per second of `requests` over the scan's span, after scaling.
fn trace_rate(requests: f64, span_s: f64, replay: &Replay) -> f64 {
    if span_s > 0.0 {
        requests * replay.rate_scale / (span_s * replay.time_scale)
    } else {
        0.0
    }
}

/// The last part of a trace key: the name column's value.
fn last_part(key: &str) -> &str {
    key.rsplit(trace::KEY_SEP).next().unwrap_or(key)
}

/// `arrivals = { process = "trace", ... }`: function `index` replays one trace function.
fn trace_process(
    c: &mut Checker,
    raw: &RawTrace,
    at: &str,
    traces: &mut Traces,
    index: u32,
) -> Process {
    let failed = Process::Trace {
        source: u32::MAX,
        mean_rate_per_s: 0.0,
        requests: 0.0,
    };
    check_trace_options(c, raw, at, false);
    let before = c.problems.len();
    let format = format_spec(c, raw, at, traces.base_dir);
    let replay = replay(c, raw, at);
    let select = match (&format, &raw.function) {
        (Some(FormatSpec::Csv(spec)), Some(_)) if spec.function_column.is_none() => {
            c.fail(
                format!("{at}.function"),
                "needs `function_column`: the header of the column that names each row's function",
            );
            return failed;
        }
        (Some(FormatSpec::Csv(_)), None) => Select::All { function: index },
        (Some(_), Some(v)) => Select::Value {
            value: v.clone(),
            function: index,
        },
        (Some(_), None) => {
            c.fail(format!("{at}.function"), "name the trace function to replay (its HashFunction, func or column name); to replay every function of the trace, use a [trace] section instead");
            return failed;
        }
        (None, _) => return failed,
    };
    let Some(format) = format else { return failed };
    if c.problems.len() > before {
        return failed;
    }
    let scan = match trace::scan(&format, &replay) {
        Ok(s) => s,
        Err(e) => {
            c.fail(trace_file_field(raw, at), e.to_string());
            return failed;
        }
    };
    let requests = match &select {
        Select::Value { value, .. } => {
            let matching: Vec<&Found> = scan
                .functions
                .iter()
                .filter(|f| last_part(&f.key) == value)
                .collect();
            if matching.is_empty() {
                let (column, file) = match &format {
                    FormatSpec::Csv(s) => (
                        format!("column `{}`", s.function_column.clone().unwrap_or_default()),
                        s.paths[0].display().to_string(),
                    ),
                    FormatSpec::Azure2019(s) => (
                        "column `HashFunction`".into(),
                        s.invocations(s.days[0]).display().to_string(),
                    ),
                    FormatSpec::Azure2021 { paths } => {
                        ("column `func`".into(), paths[0].display().to_string())
                    }
                    FormatSpec::Huawei2023(s) => (
                        "the header (one column per function)".into(),
                        s.paths[0].display().to_string(),
                    ),
                };
                let some: Vec<&str> = scan
                    .functions
                    .iter()
                    .take(5)
                    .map(|f| last_part(&f.key))
                    .collect();
                c.fail(format!("{at}.function"), format!("{file}: no function `{value}` in {column}; check the name (it is case-sensitive); the trace has e.g. {}", some.join(", ")));
                return failed;
            }
            matching.iter().map(|f| f.requests).sum()
        }
        _ => scan.functions.iter().map(|f| f.requests).sum(),
    };
    let source = traces.specs.len() as u32;
    traces.specs.push(TraceSpec {
        format,
        replay,
        select,
        rows_skipped: scan.rows_skipped,
    });
    Process::Trace {
        source,
        mean_rate_per_s: trace_rate(requests, scan.span_s, &replay),
        requests: requests * replay.rate_scale,
    }
}

/// `defaults` or one of `overrides`, its distributions validated once for all functions.
struct Layer<'a> {
    raw: &'a RawTraceFunction,
    at: String,
    init: Option<Distribution>,
    execution: Option<Distribution>,
    first_execution: Option<Distribution>,
    memory_used: Option<Distribution>,
}

fn layer<'a>(c: &mut Checker, raw: &'a RawTraceFunction, at: String, base_dir: &Path) -> Layer<'a> {
    if let Some(m) = raw.memory_mb {
        if !(128..=10_240).contains(&m) {
            c.fail(
                format!("{at}.memory_mb"),
                format!("must be between 128 and 10240 MB (Lambda's range), got {m}"),
            );
        }
    }
    if let Some(t) = raw.timeout {
        c.positive(&format!("{at}.timeout"), t.0);
        if t.0 > SimDuration::from_secs(900) {
            c.fail(
                format!("{at}.timeout"),
                format!("must be at most 15m (Lambda's maximum), got {}", t.0),
            );
        }
    }
    let d = |c: &mut Checker, raw: &Option<RawDist>, kind: Kind, name: &str| {
        raw.as_ref()
            .and_then(|r| dist(c, r, kind, &format!("{at}.{name}"), base_dir))
    };
    Layer {
        init: d(c, &raw.init, Kind::Time, "init"),
        execution: d(c, &raw.execution, Kind::Time, "execution"),
        first_execution: d(c, &raw.first_execution, Kind::Time, "first_execution"),
        memory_used: d(c, &raw.memory_used, Kind::Memory, "memory_used"),
        raw,
        at,
    }
}

/// Whether `name` matches a glob `pattern` (`*` any text, `?` one character).
fn glob(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&ch| ch == '*')
}

/// Picks functions per `top`/`sample`/`trigger`; indices into `found`, in trace order.
fn choose(c: &mut Checker, raw: &RawTrace, found: &[Found], seed: u64) -> Vec<usize> {
    let mut chosen: Vec<usize> = match &raw.trigger {
        None => (0..found.len()).collect(),
        Some(t) => (0..found.len())
            .filter(|&i| found[i].trigger.as_deref() == Some(t.as_str()))
            .collect(),
    };
    if chosen.is_empty() {
        match &raw.trigger {
            Some(t) => {
                let mut triggers: Vec<&str> =
                    found.iter().filter_map(|f| f.trigger.as_deref()).collect();
                triggers.sort_unstable();
                triggers.dedup();
                c.fail(
                    "trace.trigger",
                    format!(
                        "no function has Trigger = `{t}`; this trace's triggers are: {}",
                        triggers.join(", ")
                    ),
                );
            }
            None => c.fail(trace_file_field(raw, "trace"), "the trace has no functions"),
        }
        return chosen;
    }
    if let Some(n) = raw.top {
        // Stable: ties keep trace order.
        chosen.sort_by(|&a, &b| found[b].requests.total_cmp(&found[a].requests));
        chosen.truncate(n as usize);
        chosen.sort_unstable();
    } else if let Some(n) = raw.sample {
        use rand::Rng as _;
        let mut rng = crate::engine::rng::stream(seed, SAMPLE_STREAM, 0);
        let k = (n as usize).min(chosen.len());
        for i in 0..k {
            let j = rng.random_range(i..chosen.len());
            chosen.swap(i, j);
        }
        chosen.truncate(k);
        chosen.sort_unstable();
    }
    chosen
}

/// `[trace]`: one function per (selected) trace function, appended to `functions`.
fn trace_section(
    c: &mut Checker,
    raw: &RawTrace,
    traces: &mut Traces,
    names: &HashSet<String>,
    functions: &mut Vec<Function>,
) {
    let at = "trace";
    check_trace_options(c, raw, at, true);
    let before = c.problems.len();
    let base_dir = traces.base_dir;
    let format = format_spec(c, raw, at, base_dir);
    let replay = replay(c, raw, at);
    let no_defaults = RawTraceFunction::default();
    let defaults_raw = raw.defaults.as_ref().unwrap_or(&no_defaults);
    if defaults_raw.pattern.is_some() {
        c.fail(
            "trace.defaults.pattern",
            "only overrides take a pattern; defaults apply to every trace function",
        );
    }
    let defaults = layer(c, defaults_raw, "trace.defaults".into(), base_dir);
    let overrides: Vec<Layer> = raw
        .overrides
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, o)| {
            if o.pattern.is_none() {
                c.fail(format!("trace.overrides.{i}.pattern"), "an override needs a pattern, e.g. pattern = \"a1b2*\" (`*` matches any text, `?` one character)");
            }
            layer(c, o, format!("trace.overrides.{i}"), base_dir)
        })
        .collect();
    match (raw.top, raw.sample) {
        (Some(_), Some(_)) => c.fail("trace.sample", "choose `top` or `sample`, not both"),
        (Some(0), _) => c.fail("trace.top", "must be at least 1"),
        (_, Some(0)) => c.fail("trace.sample", "must be at least 1"),
        _ => {}
    }
    let Some(format) = format else { return };
    if c.problems.len() > before {
        return;
    }
    let scan = match trace::scan(&format, &replay) {
        Ok(s) => s,
        Err(e) => {
            c.fail(trace_file_field(raw, at), e.to_string());
            return;
        }
    };
    let chosen = choose(c, raw, &scan.functions, traces.seed);
    let keyless = matches!(&format, FormatSpec::Csv(s) if s.function_column.is_none());
    let has_durations = match &format {
        FormatSpec::Csv(s) => s.duration_column.is_some(),
        FormatSpec::Azure2019(_) | FormatSpec::Azure2021 { .. } => true,
        FormatSpec::Huawei2023(_) => false,
    };
    let first = functions.len() as u32;
    let source = traces.specs.len() as u32;
    let mut keys = Vec::with_capacity(chosen.len());
    let mut trace_execution = Vec::with_capacity(chosen.len());
    let mut reported: HashSet<(String, String)> = HashSet::new();
    let mut report = |c: &mut Checker, field: String, message: String| {
        if reported.insert((field.clone(), message.clone())) {
            c.fail(field, message);
        }
    };
    let mut profiles: HashMap<(String, Arch, Package), Option<&'static RuntimeProfile>> =
        HashMap::new();
    let mut without_execution: Vec<&str> = Vec::new();
    let mut seen = HashSet::new();
    for &i in &chosen {
        let found = &scan.functions[i];
        let name = &found.name;
        if names.contains(name) || !seen.insert(name.clone()) {
            report(c, "trace".into(), format!("trace function `{name}` has the same name as a [[functions]] entry; rename that entry"));
            continue;
        }
        let matching: Vec<&Layer> = overrides
            .iter()
            .filter(|o| o.raw.pattern.as_deref().is_some_and(|p| glob(p, name)))
            .collect();
        // The last matching override that sets a value wins, then defaults.
        let from = |get: &dyn Fn(&Layer) -> bool| -> &Layer {
            matching
                .iter()
                .rev()
                .copied()
                .find(|l| get(l))
                .unwrap_or(&defaults)
        };
        let runtime_layer = from(&|l| l.raw.runtime.is_some());
        let Some(runtime_name) = runtime_layer.raw.runtime.clone() else {
            report(c, "trace.defaults.runtime".into(), "set the runtime of trace functions, e.g. runtime = \"python3.12\" (or \"custom\" for no built-in runtime init)".into());
            continue;
        };
        let arch = from(&|l| l.raw.arch.is_some())
            .raw
            .arch
            .unwrap_or(Arch::X86_64);
        let package = from(&|l| l.raw.package.is_some())
            .raw
            .package
            .unwrap_or(Package::Zip);
        let profile = if runtime_name == "custom" {
            None
        } else {
            match profiles.entry((runtime_name.clone(), arch, package)) {
                std::collections::hash_map::Entry::Occupied(e) => *e.get(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    match runtime::find(&runtime_name, arch, package) {
                        Ok(p) => *e.insert(Some(p)),
                        Err(err) => {
                            report(c, format!("{}.runtime", runtime_layer.at), err.to_string());
                            e.insert(None);
                            continue;
                        }
                    }
                }
            }
        };
        let override_memory = matching.iter().rev().find_map(|l| l.raw.memory_mb);
        let trace_memory = found
            .app_memory_mb
            .map(|p| (p[6].ceil() as u32).clamp(128, 10_240));
        let memory_mb = override_memory
            .or(trace_memory)
            .or(defaults.raw.memory_mb)
            .unwrap_or(128);
        let override_execution = matching.iter().rev().find_map(|l| l.execution.clone());
        let uses_trace = has_durations && override_execution.is_none();
        let execution = override_execution.or_else(|| defaults.execution.clone());
        if execution.is_none() && (!uses_trace || found.days_without_durations > 0) {
            without_execution.push(name);
        }
        let reserved = from(&|l| l.raw.reserved_concurrency.is_some())
            .raw
            .reserved_concurrency;
        let provisioned = from(&|l| l.raw.provisioned_concurrency.is_some())
            .raw
            .provisioned_concurrency
            .unwrap_or(0);
        if let Some(r) = reserved {
            if provisioned > r {
                report(c, "trace.overrides".into(), format!("function `{name}`: provisioned_concurrency {provisioned} exceeds its reserved_concurrency ({r}); provisioned environments count against it"));
            }
        }
        let pick = |get: &dyn Fn(&Layer) -> Option<Distribution>| {
            matching
                .iter()
                .rev()
                .find_map(|l| get(l))
                .or_else(|| get(&defaults))
        };
        functions.push(Function {
            name: name.clone(),
            runtime: runtime_name,
            runtime_init: profile.map(|p| Distribution::LogNormal {
                mu: p.mu + 1e6f64.ln(),
                sigma: p.sigma,
            }),
            profile,
            arch,
            package,
            memory_mb,
            timeout: from(&|l| l.raw.timeout.is_some())
                .raw
                .timeout
                .map_or(SimDuration::from_secs(3), |d| d.0),
            reserved_concurrency: reserved,
            provisioned_concurrency: provisioned,
            provisioned: Provisioned::Fixed(provisioned),
            warmers: None,
            snapstart: None,
            snapstart_billed: DEFAULT_SNAPSTART_BILLED,
            init: pick(&|l| l.init.clone()).unwrap_or(Distribution::Constant(0.0)),
            // Without a distribution the trace gives every request's execution time.
            execution: execution.unwrap_or(Distribution::Constant(0.0)),
            first_execution: pick(&|l| l.first_execution.clone()),
            memory_used: pick(&|l| l.memory_used.clone()),
            arrivals: Arrivals(vec![Process::Trace {
                source,
                mean_rate_per_s: trace_rate(found.requests, scan.span_s, &replay),
                requests: found.requests * replay.rate_scale,
            }]),
            invocation: from(&|l| l.raw.invocation.is_some())
                .raw
                .invocation
                .unwrap_or(Invocation::Sync),
            app: app_of(raw.format, &found.key),
        });
        keys.push(if keyless {
            String::new()
        } else {
            found.key.clone()
        });
        trace_execution.push(uses_trace);
    }
    if let Some(example) = without_execution.first() {
        let n = without_execution.len();
        let why = if has_durations {
            "have no execution times in the trace (on some day)"
        } else {
            "need an execution time distribution: this trace records none"
        };
        c.fail("trace.defaults.execution", format!("{n} trace function{} (e.g. `{example}`) {why}; set trace.defaults.execution, e.g. {{ dist = \"lognormal\", median = \"100ms\", p99 = \"1s\" }}", if n == 1 { "" } else { "s" }));
    }
    if c.problems.len() > before {
        return;
    }
    traces.specs.push(TraceSpec {
        format,
        replay,
        select: Select::Keys {
            keys: keys.into(),
            first,
            trace_execution: trace_execution.into(),
        },
        rows_skipped: scan.rows_skipped,
    });
}

#[cfg(test)]
mod trace_tests {
    use super::glob;

    #[test]
    fn glob_matches_wildcards() {
        assert!(glob("a*", "abc"));
        assert!(glob("*c", "abc"));
        assert!(glob("a?c", "abc"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "aXbYbZc"));
        assert!(!glob("a?c", "ac"));
        assert!(!glob("abc", "abcd"));
        assert!(!glob("*x", "abc"));
    }
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
