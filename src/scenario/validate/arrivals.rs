//! Arrival processes (`arrivals`: Poisson, periodic, diurnal, bursty, superposed) and the
//! distributions of every duration and size (`dist`), with their units.

use super::*;

pub(super) fn arrivals(
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

pub(super) fn process(c: &mut Checker, raw: &RawProcess, at: &str) -> Process {
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
pub(super) fn unit_scale(
    c: &mut Checker,
    unit: Option<&str>,
    kind: Kind,
    field: &str,
) -> Option<f64> {
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
pub(super) fn amount(
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

pub(super) fn dist(
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
                    match super::super::empirical::shared_column(&file, column.as_deref(), scale) {
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
