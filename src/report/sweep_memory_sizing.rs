//! Choosing a memory size: when a sweep varies a function's `memory_mb`, the cost per million
//! successful requests and the p99 latency of each size, the cheapest and the fastest size
//! (of each line: one per value of the other swept parameters): the numbers of the chart
//! `sweep_memory_sizing.png` (`sweep_figures/memory_sizing.rs`) and a section of `report.html`.
//!
//! Cost counts every request's bill (INIT included) and divides by the requests that
//! succeeded, so a size whose requests time out, run out of memory or are throttled pays for
//! them. A size that fails more than [`MAX_FAILED_PCT`] of its requests is not a candidate
//! for the cheapest or the fastest (unless every size does).

use super::sweep_html::fig;
use crate::sweep::{Estimate, Metric, Mode, SweepSummary};
use std::fmt::Write;

/// Most failed requests (errors and throttles), % of requests, of a size that can be named
/// the cheapest or the fastest.
pub const MAX_FAILED_PCT: f64 = 1.0;

/// A p99 within this fraction of the lowest counts as the fastest: the smallest such size is
/// named. Sizes whose CPU part no longer speeds up (one thread beyond 1,769 MB) differ only by
/// sampling noise, about 1% between points at a few replications.
pub const FASTEST_WITHIN: f64 = 0.02;

/// One memory size of a line.
#[derive(Clone, Debug, PartialEq)]
pub struct Size {
    /// Configured memory, MB.
    pub memory_mb: f64,
    /// The sweep point.
    pub point: usize,
    /// Mean cost per million successful requests, US dollars; `None` if none succeeded.
    pub cost_per_million: Option<f64>,
    /// p99 latency of successful requests, ms.
    pub p99_ms: Estimate,
    /// Failed requests (errors and throttles), % of requests.
    pub failed_pct: f64,
}

/// The sizes of one line and its picks.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// The other parameters' values, `short=value, …`; empty when memory is the only one.
    pub label: String,
    /// Sizes in increasing memory.
    pub sizes: Vec<Size>,
    /// Index in `sizes` of the cheapest candidate.
    pub cheapest: Option<usize>,
    /// Index in `sizes` of the fastest candidate: the smallest whose mean p99 is within
    /// [`FASTEST_WITHIN`] of the lowest.
    pub fastest: Option<usize>,
}

/// The memory-sizing view of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct Sizing {
    /// The swept memory path, e.g. `functions.handler.memory_mb`.
    pub path: String,
    /// The lines.
    pub lines: Vec<Line>,
}

/// The memory-sizing view, when the sweep varies a `memory_mb` (the first such parameter).
pub fn sizing(summary: &SweepSummary) -> Option<Sizing> {
    let (at, param) = summary
        .params
        .iter()
        .enumerate()
        .find(|(_, p)| p.path.ends_with(".memory_mb") && p.numeric.is_some())?;
    let values = param.numeric.as_ref()?;
    let mut lines: Vec<(Vec<usize>, Line)> = Vec::new();
    for p in &summary.points {
        // Zip mode moves every parameter together: one line.
        let key: Vec<usize> = if summary.mode == Mode::Zip {
            Vec::new()
        } else {
            (0..p.choice.len())
                .filter(|&i| i != at)
                .map(|i| p.choice[i])
                .collect()
        };
        let i = match lines.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                let label = if summary.mode == Mode::Zip {
                    String::new()
                } else {
                    summary
                        .params
                        .iter()
                        .zip(&p.choice)
                        .enumerate()
                        .filter(|(i, _)| *i != at)
                        .map(|(_, (param, &c))| format!("{}={}", param.short, param.labels[c]))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                lines.push((
                    key,
                    Line {
                        label,
                        sizes: Vec::new(),
                        cheapest: None,
                        fastest: None,
                    },
                ));
                lines.len() - 1
            }
        };
        let throttled = p.get(Metric::Throttled).mean;
        let served = p.invocations - throttled - p.errors;
        let cost = p.get(Metric::Cost).mean;
        lines[i].1.sizes.push(Size {
            memory_mb: values[p.choice[at]],
            point: p.index,
            cost_per_million: (served > 0.0).then(|| cost / served * 1e6),
            p99_ms: p.get(Metric::LatencyP99),
            failed_pct: if p.invocations > 0.0 {
                (throttled + p.errors) / p.invocations * 100.0
            } else {
                0.0
            },
        });
    }
    let lines = lines
        .into_iter()
        .map(|(_, mut l)| {
            l.sizes.sort_by(|a, b| a.memory_mb.total_cmp(&b.memory_mb));
            pick(&mut l);
            l
        })
        .collect();
    Some(Sizing {
        path: param.path.clone(),
        lines,
    })
}

/// The cheapest candidate of `line` (ties: the smaller memory) and the fastest (the smallest
/// candidate within [`FASTEST_WITHIN`] of the lowest p99).
fn pick(line: &mut Line) {
    let served: Vec<usize> = (0..line.sizes.len())
        .filter(|&i| line.sizes[i].cost_per_million.is_some())
        .collect();
    let healthy: Vec<usize> = served
        .iter()
        .copied()
        .filter(|&i| line.sizes[i].failed_pct <= MAX_FAILED_PCT)
        .collect();
    let candidates = if healthy.is_empty() { served } else { healthy };
    let best = |value: &dyn Fn(&Size) -> f64| {
        candidates
            .iter()
            .copied()
            .fold(None, |best: Option<usize>, i| match best {
                Some(b) if value(&line.sizes[b]) <= value(&line.sizes[i]) => Some(b),
                _ => Some(i),
            })
    };
    line.cheapest = best(&|s| s.cost_per_million.unwrap_or(f64::INFINITY));
    let lowest = best(&|s| s.p99_ms.mean).map(|i| line.sizes[i].p99_ms.mean);
    line.fastest = lowest.and_then(|low| {
        candidates
            .iter()
            .copied()
            .find(|&i| line.sizes[i].p99_ms.mean <= low * (1.0 + FASTEST_WITHIN))
    });
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The "Choosing a memory size" section of `report.html` (empty without a swept `memory_mb`).
pub fn html(summary: &SweepSummary) -> String {
    let Some(s) = sizing(summary) else {
        return String::new();
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<h2>Choosing a memory size</h2>\n<p class=\"meta\">Per size of <code>{}</code>: the mean cost per million successful requests (every request's bill, INIT included, over the requests that succeeded), the p99 latency of successful requests and the requests that failed (errors and throttles). Sizes failing more than {MAX_FAILED_PCT}% of requests are not candidates for the cheapest or the fastest; the fastest is the smallest size whose p99 is within {}% of the lowest.</p>",
        esc(&s.path),
        FASTEST_WITHIN * 100.0
    );
    for l in &s.lines {
        let name = |i: Option<usize>| i.map(|i| &l.sizes[i]);
        let title = if l.label.is_empty() {
            String::new()
        } else {
            format!("<b>{}</b>: ", esc(&l.label))
        };
        let money = |z: &Size| {
            z.cost_per_million
                .map_or("–".into(), |c| format!("${}", fig(c)))
        };
        let _ = write!(out, "<p class=\"sizing\">{title}");
        match (name(l.cheapest), name(l.fastest)) {
            (Some(c), Some(f)) => {
                let _ = write!(
                    out,
                    "cheapest <b>{} MB</b> ({} per million, p99 {} ms); fastest <b>{} MB</b> (p99 {} ms, {} per million).",
                    c.memory_mb,
                    money(c),
                    fig(c.p99_ms.mean),
                    f.memory_mb,
                    fig(f.p99_ms.mean),
                    money(f)
                );
            }
            _ => out += "no size served a request.",
        }
        out += "</p>\n<div class=\"scroll\"><table><thead><tr><th class=\"p\">memory MB</th><th>cost per million</th><th>p99 ms</th><th>failed</th><th class=\"p\"></th></tr></thead><tbody>\n";
        for (i, z) in l.sizes.iter().enumerate() {
            let mut marks = Vec::new();
            if l.cheapest == Some(i) {
                marks.push("cheapest");
            }
            if l.fastest == Some(i) {
                marks.push("fastest");
            }
            let _ = writeln!(
                out,
                "<tr><td class=\"p\">{}</td><td>{}</td><td>{}</td><td>{}%</td><td class=\"p\">{}</td></tr>",
                z.memory_mb,
                money(z),
                fig(z.p99_ms.mean),
                fig(z.failed_pct),
                marks.join(", ")
            );
        }
        out += "</tbody></table></div>\n";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(memory_mb: f64, cost: Option<f64>, p99: f64, failed_pct: f64) -> Size {
        Size {
            memory_mb,
            point: 0,
            cost_per_million: cost,
            p99_ms: Estimate {
                mean: p99,
                ci: None,
            },
            failed_pct,
        }
    }

    #[test]
    fn picks_skip_failing_sizes_and_prefer_the_smaller_on_ties() {
        let mut l = Line {
            label: String::new(),
            sizes: vec![
                size(128.0, Some(1.0), 900.0, 30.0),
                size(256.0, Some(2.0), 500.0, 0.5),
                size(512.0, Some(2.0), 300.0, 0.0),
                size(1024.0, Some(3.0), 203.0, 0.0),
                size(2048.0, Some(5.0), 200.0, 0.0),
            ],
            cheapest: None,
            fastest: None,
        };
        pick(&mut l);
        // 203 ms is within 2% of the lowest 200 ms: 1,024 MB is named, not 2,048 MB.
        assert_eq!((l.cheapest, l.fastest), (Some(1), Some(3)));
        // When every size fails, the picks are made among all that served a request.
        let mut all = Line {
            sizes: vec![
                size(128.0, None, 0.0, 100.0),
                size(256.0, Some(4.0), 800.0, 50.0),
            ],
            ..l
        };
        pick(&mut all);
        assert_eq!((all.cheapest, all.fastest), (Some(1), Some(1)));
    }
}
