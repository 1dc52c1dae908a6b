//! `coldsim estimate`: the steady-state analytic model of one function's environments, after
//! Mahmoudi & Khazaei, "Performance Modeling of Serverless Computing Platforms" (IEEE TCC 2020).
//!
//! Requests arrive as a Poisson process of rate λ; an environment serves one request at a time
//! and is retired T after its last request. With n environments, a request is cold with the
//! Erlang-B probability `B(λT_w, n)`; environment m (in the order requests try them) receives
//! the requests that overflow the first m − 1, `λ_m = λ(B(m−1) − B(m))`, and lives as long as
//! no idle gap of its Poisson stream exceeds T. A birth–death chain over n gives the
//! stationary distribution of the number of environments and, from it, everything else.
//!
//! The model treats the environments' lifetimes as independent, each fed by a Poisson stream.
//! Neither holds exactly: overflow streams are burstier than Poisson, and which environment
//! retires depends on the others. `tests/estimate.rs` measures how far this carries against
//! the simulator; the README's "Validation" section tabulates it.
//!
//! The model is pure arithmetic ([`estimate`]); [`Inputs::from_scenario`] checks that a
//! scenario fits it, and [`simulate_figures`] runs the simulator on the same scenario for
//! `--compare`, the tests and `examples/validation.rs`.

mod compare;
mod inputs;
pub mod model;

pub use compare::{
    format_difference, format_error, format_figure, simulate_figures,
    simulate_figures_with_progress, table, Figures, Simulated,
};
pub use inputs::{EstimateError, FromScenario, Inputs};

use model::solve;

/// How an environment's mean lifetime `ℓ_m` follows from the rate `λ_m` it is used at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LifetimeRule {
    /// As the paper (and its reference code, `pacsltk`) writes it: with `p = e^(−λ_m T)` and
    /// `T' = T + T_w`, `ℓ = T + (1/p − 1)·g` where
    /// `g = (1 − e^(−λ_m T'))/λ_m − T'e^(−λ_m T')`. Here `g` is the *partial* expectation
    /// `E[X; X < T']` of an Exp(λ_m) gap, not its conditional mean, so for λ_m·T near 1 the
    /// lifetime is too short: for a lone environment the cold-start probability comes out as
    /// `1/(e^x − 1 + (1 + x)e^(−x))`, x = λT, instead of the exact `e^(−x)` (+11% at x = 1).
    Paper,
    /// The renewal argument done exactly for a Poisson stream: `ℓ = T_c + (e^(λ_m T) − 1)·(1/λ_m + T_w)`.
    /// For a lone environment (λT_w ≪ 1) it gives the exact cold-start probability `e^(−λT)`.
    #[default]
    Renewal,
}

/// The model's answer for one function, in steady state.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// The figures shared with the simulation.
    pub figures: Figures,
    /// Probability that a request is throttled (all `max_concurrency` environments busy).
    pub throttle_probability: f64,
    /// `π_n`: probability of n environments, n = 0, 1, … (the tail below 1e-17 is cut).
    pub distribution: Vec<f64>,
    /// Which lifetime rule produced it.
    pub rule: LifetimeRule,
}

/// Solves the model for `inputs` with the given lifetime rule. Takes microseconds to
/// milliseconds: the chain has about `λT_w + a few·√(λT_w)` states.
pub fn estimate(inputs: &Inputs, rule: LifetimeRule) -> Result<Estimate, EstimateError> {
    inputs.check()?;
    let chain = solve(inputs, rule)?;
    let lambda = inputs.arrival_rate_per_s;
    let last = chain.pi.len() - 1;
    let mut cold = 0.0;
    let mut throttled = 0.0;
    let mut mean_n = 0.0;
    for (n, (&p, &b)) in chain.pi.iter().zip(&chain.blocking).enumerate() {
        mean_n += n as f64 * p;
        if chain.capped && n == last {
            throttled += p * b;
        } else {
            cold += p * b;
        }
    }
    let warm = 1.0 - cold - throttled;
    // Little's law for each class of environment time: executing (warm requests take T_w,
    // cold ones their first execution) and initializing (cold requests only).
    let busy = lambda * (warm * inputs.execution_s + cold * inputs.first_execution_s);
    let initializing = lambda * cold * inputs.init_s;
    let served = warm + cold;
    let latency_s = if served > 0.0 {
        (warm * inputs.execution_s + cold * inputs.cold_s()) / served
    } else {
        f64::NAN
    };
    Ok(Estimate {
        figures: Figures {
            mean_environments: mean_n,
            cold_start_probability: cold,
            mean_busy: busy,
            mean_initializing: initializing,
            mean_idle: mean_n - busy - initializing,
            utilization: if mean_n > 0.0 { busy / mean_n } else { 0.0 },
            mean_latency_ms: latency_s * 1e3,
        },
        throttle_probability: throttled,
        distribution: chain.pi,
        rule,
    })
}

/// The cold-start probability of an environment that is never shared (`λT_w ≪ 1`): the next
/// request arrives more than T after the last one, `e^(−λT)`. A limit the model must reach.
pub fn lone_environment_cold_probability(arrival_rate_per_s: f64, keep_alive_s: f64) -> f64 {
    (-arrival_rate_per_s * keep_alive_s).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(lambda: f64, t: f64) -> Inputs {
        Inputs {
            arrival_rate_per_s: lambda,
            execution_s: 0.1,
            first_execution_s: 0.1,
            init_s: 0.25,
            keep_alive_s: t,
            max_concurrency: 1000,
        }
    }

    #[test]
    fn renewal_rule_reaches_the_lone_environment_limit() {
        // λT_w = 1e-4: the lone-environment limit e^(−λT) holds up to O(λT_w, λT_c).
        for t in [10.0, 100.0, 300.0, 1000.0] {
            let lambda = 0.001;
            let e = estimate(&inputs(lambda, t), LifetimeRule::Renewal).unwrap();
            let exact = lone_environment_cold_probability(lambda, t);
            let p = e.figures.cold_start_probability;
            assert!((p / exact - 1.0).abs() < 2e-3, "T={t}: {p} vs {exact}");
        }
    }

    #[test]
    fn paper_rule_misses_the_limit_where_lambda_t_is_near_one() {
        // The closed form of the paper's rule for one environment, x = λT:
        // 1/P = e^x − 1 + (1 + x)e^(−x) (up to λT_w, λT_c corrections).
        let lambda = 0.001;
        let t = 1000.0;
        let e = estimate(&inputs(lambda, t), LifetimeRule::Paper).unwrap();
        let x: f64 = lambda * t;
        let closed = 1.0 / (x.exp() - 1.0 + (1.0 + x) * (-x).exp());
        let p = e.figures.cold_start_probability;
        assert!((p / closed - 1.0).abs() < 2e-3, "{p} vs {closed}");
        assert!(p / lone_environment_cold_probability(lambda, t) > 1.1);
    }

    #[test]
    fn busy_environments_follow_littles_law() {
        let e = estimate(&inputs(100.0, 600.0), LifetimeRule::Renewal).unwrap();
        let f = &e.figures;
        assert!((f.mean_busy / 10.0 - 1.0).abs() < 1e-3, "{}", f.mean_busy);
        assert!(f.mean_idle > 0.0);
        assert!(
            (f.mean_busy + f.mean_idle + f.mean_initializing - f.mean_environments).abs() < 1e-9
        );
    }

    #[test]
    fn throttles_appear_at_the_cap() {
        let mut i = inputs(100.0, 600.0);
        i.max_concurrency = 8; // below the load of 10
        let e = estimate(&i, LifetimeRule::Renewal).unwrap();
        assert!(e.throttle_probability > 0.1, "{}", e.throttle_probability);
        assert!(e.figures.mean_environments <= 8.0);
    }
}
