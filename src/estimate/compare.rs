//! The figures the model and the simulation share, the simulation's side of them (with
//! batch-means standard errors), and the side-by-side table `coldsim estimate` prints.

use crate::engine::{SimDuration, SimTime};
use crate::metrics::{timeseries::Interval, Class, Stats};
use crate::scenario::Scenario;
use crate::simulation::{SimInit, SimulationError};
use std::fmt::Write as _;
use std::ops::ControlFlow;

/// Steady-state figures of one function, defined as in `summary.json` so that the model's and
/// the simulation's can be compared one to one.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Figures {
    /// Mean live environments (initializing, busy or idle).
    pub mean_environments: f64,
    /// Cold starts / requests.
    pub cold_start_probability: f64,
    /// Mean environments executing a request.
    pub mean_busy: f64,
    /// Mean environments running init.
    pub mean_initializing: f64,
    /// Mean idle environments.
    pub mean_idle: f64,
    /// mean_busy / mean_environments.
    pub utilization: f64,
    /// Mean latency of served requests (init when cold + execution), milliseconds.
    pub mean_latency_ms: f64,
}

impl Figures {
    /// The figures of a simulation's statistics (one function, or all of them).
    pub fn from_stats(s: &Stats) -> Self {
        let e = &s.environments;
        Figures {
            mean_environments: e.mean_total,
            cold_start_probability: s.cold_start_ratio,
            mean_busy: e.mean_busy,
            mean_initializing: e.mean_initializing,
            mean_idle: e.mean_idle,
            utilization: e.utilization,
            mean_latency_ms: s.latency_ms.mean,
        }
    }

    /// The figures as (label, value) rows, in table order.
    pub fn rows(&self) -> [(&'static str, f64); 7] {
        [
            ("mean environments", self.mean_environments),
            ("  busy", self.mean_busy),
            ("  initializing", self.mean_initializing),
            ("  idle", self.mean_idle),
            ("utilization", self.utilization),
            ("cold-start probability", self.cold_start_probability),
            ("mean latency (ms)", self.mean_latency_ms),
        ]
    }

    fn from_interval(i: &Interval, width_ns: f64) -> Self {
        let o = i.occupancy;
        let busy = o[Class::Busy as usize] as f64 / width_ns;
        let init = o[Class::Initializing as usize] as f64 / width_ns;
        let idle = (o[Class::Idle as usize] + o[Class::ProvisionedIdle as usize]) as f64 / width_ns;
        let total = busy + init + idle;
        Figures {
            mean_environments: total,
            cold_start_probability: ratio(i.cold as f64, i.arrivals as f64),
            mean_busy: busy,
            mean_initializing: init,
            mean_idle: idle,
            utilization: ratio(busy, total),
            // A batch is a twentieth of the counted period; one without a completed request
            // (no traffic at all) counts as 0 here, as before, and is never written.
            mean_latency_ms: i.latency_mean_ns.map_or(0.0, |ns| ns / 1e6),
        }
    }

    fn map(self, f: impl Fn(f64) -> f64) -> Self {
        Figures {
            mean_environments: f(self.mean_environments),
            cold_start_probability: f(self.cold_start_probability),
            mean_busy: f(self.mean_busy),
            mean_initializing: f(self.mean_initializing),
            mean_idle: f(self.mean_idle),
            utilization: f(self.utilization),
            mean_latency_ms: f(self.mean_latency_ms),
        }
    }

    fn zip(self, o: Self, f: impl Fn(f64, f64) -> f64) -> Self {
        Figures {
            mean_environments: f(self.mean_environments, o.mean_environments),
            cold_start_probability: f(self.cold_start_probability, o.cold_start_probability),
            mean_busy: f(self.mean_busy, o.mean_busy),
            mean_initializing: f(self.mean_initializing, o.mean_initializing),
            mean_idle: f(self.mean_idle, o.mean_idle),
            utilization: f(self.utilization, o.utilization),
            mean_latency_ms: f(self.mean_latency_ms, o.mean_latency_ms),
        }
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        0.0
    }
}

/// A simulation's figures for the comparison.
#[derive(Clone, Debug)]
pub struct Simulated {
    /// Over the whole counted period (exact, from `summary.json`'s statistics).
    pub figures: Figures,
    /// Standard error of each figure by batch means over `batches` equal slices of the
    /// counted period (the slices' spread / √batches). Honest when a slice is much longer than
    /// the correlation time of the environment count (a few keep-alives).
    pub standard_error: Figures,
    /// Number of slices.
    pub batches: usize,
    /// Requests and cold starts counted.
    pub requests: u64,
    /// Cold starts counted.
    pub cold_starts: u64,
}

/// Runs `scenario` (one function) and returns its figures with batch-means standard errors
/// over `batches` ≥ 2 slices of the counted period. Fails only as [`SimInit::run`] does.
pub fn simulate_figures(scenario: &Scenario, batches: usize) -> Result<Simulated, SimulationError> {
    simulate_figures_with_progress(scenario, batches, &mut |_| ControlFlow::Continue(()))
}

/// [`simulate_figures`] with a progress callback that may stop the run, as
/// [`SimInit::progress`] takes.
pub fn simulate_figures_with_progress(
    scenario: &Scenario,
    batches: usize,
    progress: &mut dyn FnMut(SimTime) -> ControlFlow<()>,
) -> Result<Simulated, SimulationError> {
    let batches = batches.max(2);
    let counted = scenario.duration.0.saturating_sub(scenario.warmup.0);
    let width = (counted / batches as u64).max(1);
    let mut s = scenario.clone();
    // The slices are the time series' intervals; nothing else depends on their width.
    s.report_interval = SimDuration(width);
    let results = SimInit::new(&s).progress(progress).run()?;
    let summary = results.summary(&s);
    let figures = Figures::from_stats(&summary.stats);
    let slices: Vec<Figures> = results
        .series
        .total()
        .iter()
        .take(batches)
        .map(|i| Figures::from_interval(i, width as f64))
        .collect();
    let k = slices.len().max(1) as f64;
    let mean = slices
        .iter()
        .fold(Figures::default(), |a, b| a.zip(*b, |x, y| x + y))
        .map(|x| x / k);
    let var = slices
        .iter()
        .fold(Figures::default(), |a, b| {
            a.zip(b.zip(mean, |x, m| (x - m) * (x - m)), |x, y| x + y)
        })
        .map(|x| x / (k - 1.0).max(1.0));
    Ok(Simulated {
        figures,
        standard_error: var.map(|v| (v / k).sqrt()),
        batches: slices.len(),
        requests: summary.stats.invocations,
        cold_starts: summary.stats.cold_starts,
    })
}

/// Formats a figure with four significant digits (scientific below 0.001).
pub fn format_figure(x: f64) -> String {
    if x == 0.0 {
        "0".to_string()
    } else if !x.is_finite() {
        format!("{x}")
    } else if x.abs() < 1e-3 || x.abs() >= 1e6 {
        format!("{x:.3e}")
    } else {
        let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
        format!("{x:.digits$}")
    }
}

/// A standard error with two significant digits (scientific below 0.001).
pub fn format_error(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        format!("{x}")
    } else if x < 1e-3 {
        format!("{x:.1e}")
    } else {
        let digits = (1 - x.log10().floor() as i32).max(0) as usize;
        format!("{x:.digits$}")
    }
}

/// Relative difference of the model from the simulation, as text ("—" when undefined).
pub fn format_difference(model: f64, simulation: f64) -> String {
    if simulation == 0.0 || !simulation.is_finite() || !model.is_finite() {
        "—".to_string()
    } else {
        let percent = (model / simulation - 1.0) * 100.0;
        if percent.abs() < 0.05 {
            "0.0%".to_string()
        } else {
            format!("{percent:+.1}%")
        }
    }
}

/// The aligned table `coldsim estimate` prints: the model's figures and, when given, the
/// simulation's beside them with the relative difference and the simulation's standard error.
pub fn table(model: &Figures, simulation: Option<&Simulated>) -> String {
    let mut out = String::new();
    match simulation {
        None => {
            let _ = writeln!(out, "{:<24} {:>12}", "", "model");
            for (label, v) in model.rows() {
                let _ = writeln!(out, "{label:<24} {:>12}", format_figure(v));
            }
        }
        Some(sim) => {
            let _ = writeln!(
                out,
                "{:<24} {:>12} {:>12} {:>11} {:>12}",
                "", "model", "simulation", "difference", "sim. ± s.e."
            );
            let se = sim.standard_error.rows();
            for ((label, m), ((_, s), (_, e))) in model
                .rows()
                .into_iter()
                .zip(sim.figures.rows().into_iter().zip(se))
            {
                let _ = writeln!(
                    out,
                    "{label:<24} {:>12} {:>12} {:>11} {:>12}",
                    format_figure(m),
                    format_figure(s),
                    format_difference(m, s),
                    format!("± {}", format_error(e)),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_keep_four_significant_digits() {
        assert_eq!(format_figure(0.0), "0");
        assert_eq!(format_figure(1.23456), "1.235");
        assert_eq!(format_figure(123.456), "123.5");
        assert_eq!(format_figure(0.012345), "0.01235");
        assert_eq!(format_figure(0.00012345), "1.234e-4");
        assert_eq!(format_figure(12345.6), "12346");
    }

    #[test]
    fn errors_keep_two_significant_digits() {
        assert_eq!(format_error(0.014963), "0.015");
        assert_eq!(format_error(2.849e-6), "2.8e-6");
        assert_eq!(format_error(1.234), "1.2");
        assert_eq!(format_error(34.6), "35");
    }

    #[test]
    fn differences_are_relative_to_the_simulation() {
        assert_eq!(format_difference(1.1, 1.0), "+10.0%");
        assert_eq!(format_difference(0.9, 1.0), "-10.0%");
        assert_eq!(format_difference(1.0, 0.0), "—");
        assert_eq!(format_difference(0.99999, 1.0), "0.0%");
    }

    #[test]
    fn the_table_aligns_its_columns() {
        let f = Figures {
            mean_environments: 2.5,
            ..Figures::default()
        };
        let t = table(&f, None);
        let widths: Vec<usize> = t.lines().map(|l| l.chars().count()).collect();
        assert!(widths.iter().all(|w| *w == widths[0]), "{t}");
        assert!(t.contains("2.500"));
    }
}
