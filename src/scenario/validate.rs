//! Validation: raw serde types → trusted `Scenario`, collecting every problem before failing.

use super::dist::Distribution;
use super::error::Problem;
use super::model::{Function, KeepAlive, Platform, Retry, Scaling, Scenario};
use super::quantity::{parse_duration, parse_time_of_day, Quantity};
use super::raw::{Invocation, RawArrivals, RawDist, RawFunction, RawProcess, RawScenario, Reuse};
use crate::engine::SimDuration;
use crate::runtime::{self, Arch, Package};
use crate::workload::{Arrivals, Bursty, Diurnal, Process};
use std::collections::HashSet;
use std::path::Path;

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

/// Validates `raw`. `name_default` names the scenario when the file does not; `base_dir`
/// resolves relative paths (empirical distribution files).
pub fn validate(
    raw: RawScenario,
    name_default: &str,
    base_dir: &Path,
) -> Result<Scenario, Vec<Problem>> {
    let mut c = Checker {
        problems: Vec::new(),
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

    let platform = platform(&mut c, &raw);
    let mut names = HashSet::new();
    let mut functions = Vec::new();
    if raw.functions.is_empty() {
        c.fail(
            "functions",
            "a scenario needs at least one [[functions]] entry",
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
        if let Some(func) = function(&mut c, f, &format!("functions.{key}"), base_dir) {
            functions.push(func);
        }
    }
    limits(&mut c, &platform, &functions);

    let report_interval = c.positive(
        "report.interval",
        raw.report
            .interval
            .map_or(SimDuration::from_secs(60), |d| d.0),
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
        })
    } else {
        Err(c.problems)
    }
}

fn platform(c: &mut Checker, raw: &RawScenario) -> Platform {
    let p = &raw.platform;
    let keep_alive = match &p.keep_alive {
        None => KeepAlive::Fixed {
            idle: SimDuration::from_secs(600),
        },
        Some(super::raw::RawKeepAlive::Fixed { idle }) => KeepAlive::Fixed { idle: idle.0 },
    };
    let account_concurrency = p.account_concurrency.unwrap_or(1000);
    if account_concurrency == 0 {
        c.fail("platform.account_concurrency", "must be at least 1");
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
    Platform {
        keep_alive,
        max_lifetime: c.positive(
            "platform.max_lifetime",
            p.max_lifetime.map_or(SimDuration::from_secs(7200), |d| d.0),
        ),
        account_concurrency,
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

fn function(c: &mut Checker, f: &RawFunction, at: &str, base_dir: &Path) -> Option<Function> {
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
    if let (Some(r), Some(p)) = (f.reserved_concurrency, f.provisioned_concurrency) {
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
    let arrivals = arrivals(c, &f.arrivals, &format!("{at}.arrivals"));
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
        provisioned_concurrency: f.provisioned_concurrency.unwrap_or(0),
        init: init?,
        execution: execution?,
        first_execution: first_execution.map(|d| d.expect("problems would have returned above")),
        memory_used: memory_used.map(|d| d.expect("problems would have returned above")),
        arrivals,
        invocation: f.invocation.unwrap_or(Invocation::Sync),
    })
}

/// Reserved concurrency must leave the unreserved minimum; provisioned concurrency of
/// functions without a reservation must fit the unreserved pool.
fn limits(c: &mut Checker, p: &Platform, functions: &[Function]) {
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

fn arrivals(c: &mut Checker, raw: &RawArrivals, at: &str) -> Arrivals {
    match raw {
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
            let vals: Vec<f64> = match (values, path) {
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
                    match super::empirical::read_column(&base_dir.join(p), column.as_deref()) {
                        Ok(vs) => vs.into_iter().map(|v| v * scale).collect(),
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
            Distribution::Empirical(vals.into())
        }
    };
    (c.problems.len() == before).then_some(d)
}
