//! The steady-state model itself: Erlang-B, environment lifetimes, and the birth–death chain
//! over the number of environments. Pure functions of [`Inputs`]; no scenario types.

use super::{EstimateError, Inputs, LifetimeRule};

/// Most states the chain may need before it is cut off (about ρ + a few √ρ in practice).
pub const MAX_STATES: usize = 1_000_000;

/// Stop growing the chain once a state's probability is below `e^-TAIL_LOG` of the largest
/// one and falling: the neglected tail is then below 1e-17 of the mass.
const TAIL_LOG: f64 = 40.0;

/// Erlang-B blocking probability `B(ρ, n)`: the chance that a Poisson request finds all `n`
/// servers of an M/G/n/n loss system busy, with offered load `ρ = λ·T_w` (insensitive to the
/// service-time distribution beyond its mean). `B(ρ, 0) = 1`.
pub fn erlang_b(rho: f64, n: usize) -> f64 {
    let mut b = 1.0;
    for k in 1..=n {
        b = rho * b / (k as f64 + rho * b);
    }
    b
}

/// Rate at which the `m`-th environment (in the order requests try them) retires, `1/ℓ_m`,
/// when it receives requests at `rate_per_s` (λ_m). Written as a rate so that lifetimes too
/// long for an `f64` (λ_m·T in the thousands) give 0 instead of ∞/∞.
pub fn retire_rate_per_s(rule: LifetimeRule, rate_per_s: f64, inputs: &Inputs) -> f64 {
    let t = inputs.keep_alive_s;
    let tw = inputs.execution_s;
    let l = rate_per_s;
    if l <= 0.0 {
        // Never used again after its first request: it lives its first service plus T
        // (the paper's formula gives T).
        return match rule {
            LifetimeRule::Paper => 1.0 / t,
            LifetimeRule::Renewal => 1.0 / (inputs.cold_s() + t),
        };
    }
    match rule {
        LifetimeRule::Paper => {
            // p = e^(−λ_m T); g = (1 − e^(−λ_m T'))/λ_m − T' e^(−λ_m T'), T' = T + T_w;
            // ℓ = T + (1/p − 1) g  ⇒  1/ℓ = p / (pT + (1 − p) g).
            let p = (-l * t).exp();
            let t2 = t + tw;
            let e2 = (-l * t2).exp();
            let g = -(-l * t2).exp_m1() / l - t2 * e2;
            p / (p * t + (1.0 - p) * g)
        }
        LifetimeRule::Renewal => {
            // The first request takes T_c; after each request the environment idles for an
            // Exp(λ_m) gap; a gap longer than T retires it. The number of short gaps is
            // geometric with mean 1/p − 1, each costing E[gap | gap < T] + T_w, and
            // E[gap | gap < T]·(1/p − 1) + T = (1/p − 1)/λ_m exactly, so
            // ℓ = T_c + (e^(λ_m T) − 1)(1/λ_m + T_w).
            let growth = (l * t).exp_m1();
            if !growth.is_finite() {
                return 0.0;
            }
            1.0 / (inputs.cold_s() + growth * (1.0 / l + tw))
        }
    }
}

/// The stationary distribution `π_n`, n = 0, 1, …, of the number of environments, and the
/// Erlang-B probability `B(n)` of each state.
pub struct Chain {
    /// `π_n`; sums to 1.
    pub pi: Vec<f64>,
    /// `B(ρ, n)` for the same n.
    pub blocking: Vec<f64>,
    /// The chain stopped at the maximum concurrency: its last state throttles.
    pub capped: bool,
}

/// Solves the birth–death chain over the number of environments.
///
/// State n has n environments. A request is cold with probability `B(n)`, so new environments
/// are born at rate `λB(n)/(1 + λB(n)·T_c)` (cold requests at rate λB(n), each taking T_c);
/// none at the maximum concurrency, where such a request is throttled. Environments retire at
/// rate `Σ_{m≤n} 1/ℓ_m`. Detailed balance gives `π_{n+1}/π_n = birth(n)/death(n+1)`.
pub fn solve(inputs: &Inputs, rule: LifetimeRule) -> Result<Chain, EstimateError> {
    let lambda = inputs.arrival_rate_per_s;
    let rho = lambda * inputs.execution_s;
    let cap = inputs.max_concurrency as usize;
    let tc = inputs.cold_s();

    let mut blocking = vec![1.0];
    // Log-weights of π; states before a retire rate of exactly 0 are unreachable from above.
    let mut log_w = vec![0.0_f64];
    let mut death = 0.0;
    let mut best = 0.0_f64;
    let mut n = 0;
    loop {
        if n == cap {
            break;
        }
        if n + 1 >= MAX_STATES {
            return Err(EstimateError::TooManyStates {
                states: MAX_STATES,
                load: rho,
            });
        }
        let b = blocking[n];
        let cold_rate = lambda * b;
        let birth = cold_rate / (1.0 + cold_rate * tc);
        let b_next = rho * b / ((n + 1) as f64 + rho * b);
        let rate_m = lambda * (b - b_next);
        death += retire_rate_per_s(rule, rate_m, inputs);
        blocking.push(b_next);
        n += 1;
        if death == 0.0 {
            // No environment among the first n ever retires (λ_m·T too large for an f64):
            // the chain never returns below n.
            log_w.iter_mut().for_each(|w| *w = f64::NEG_INFINITY);
            log_w.push(0.0);
            best = 0.0;
            continue;
        }
        let w = log_w[n - 1] + birth.ln() - death.ln();
        log_w.push(w);
        best = best.max(w);
        if birth < death && w < best - TAIL_LOG {
            break;
        }
    }

    let mut pi: Vec<f64> = log_w.iter().map(|w| (w - best).exp()).collect();
    let total: f64 = pi.iter().sum();
    pi.iter_mut().for_each(|p| *p /= total);
    Ok(Chain {
        capped: pi.len() == cap + 1,
        pi,
        blocking,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(lambda: f64, tw: f64, init: f64, t: f64) -> Inputs {
        Inputs {
            arrival_rate_per_s: lambda,
            execution_s: tw,
            first_execution_s: tw,
            init_s: init,
            keep_alive_s: t,
            max_concurrency: 1000,
        }
    }

    #[test]
    fn erlang_b_known_values() {
        // Worked by hand: B(1, 1) = 1/2; B(2, 2) = (2²/2)/(1 + 2 + 2) = 0.4.
        assert!((erlang_b(1.0, 1) - 0.5).abs() < 1e-15);
        assert!((erlang_b(2.0, 2) - 0.4).abs() < 1e-15);
        assert_eq!(erlang_b(3.0, 0), 1.0);
        // Tabulated: B(10 Erlang, 15 servers) = 0.03649.
        assert!((erlang_b(10.0, 15) - 0.036_496).abs() < 1e-5);
    }

    #[test]
    fn renewal_lifetime_of_an_unused_environment_is_service_plus_keep_alive() {
        let i = inputs(1.0, 0.1, 0.2, 60.0);
        let r = retire_rate_per_s(LifetimeRule::Renewal, 0.0, &i);
        assert!((1.0 / r - 60.3).abs() < 1e-12);
        // A tiny rate is the continuous limit of the same thing.
        let r = retire_rate_per_s(LifetimeRule::Renewal, 1e-12, &i);
        assert!((1.0 / r - 60.3).abs() < 1e-6);
    }

    #[test]
    fn renewal_lifetime_matches_the_closed_form() {
        // λ_m = 0.05/s, T = 20 s: ℓ = T_c + (e − 1)(20 + T_w).
        let i = inputs(1.0, 0.5, 1.0, 20.0);
        let r = retire_rate_per_s(LifetimeRule::Renewal, 0.05, &i);
        let expected = 1.5 + (1.0_f64.exp() - 1.0) * 20.5;
        assert!((1.0 / r - expected).abs() < 1e-9);
    }

    #[test]
    fn paper_lifetime_matches_its_formula() {
        let i = inputs(1.0, 0.5, 1.0, 20.0);
        let (l, t, t2) = (0.05_f64, 20.0_f64, 20.5_f64);
        let p = (-l * t).exp();
        let g = (1.0 - (-l * t2).exp()) / l - t2 * (-l * t2).exp();
        let ell = t + (1.0 / p - 1.0) * g;
        let r = retire_rate_per_s(LifetimeRule::Paper, l, &i);
        assert!((1.0 / r - ell).abs() < 1e-9);
    }

    #[test]
    fn huge_lifetimes_give_a_zero_rate_not_nan() {
        let i = inputs(100.0, 0.1, 0.3, 1800.0);
        for rule in [LifetimeRule::Paper, LifetimeRule::Renewal] {
            let r = retire_rate_per_s(rule, 90.0, &i);
            assert_eq!(r, 0.0, "{rule:?}");
        }
    }

    #[test]
    fn distribution_sums_to_one_and_stops_early() {
        for rule in [LifetimeRule::Paper, LifetimeRule::Renewal] {
            for (lambda, t) in [(0.01, 60.0), (1.0, 600.0), (100.0, 1800.0)] {
                let c = solve(&inputs(lambda, 0.1, 0.3, t), rule).unwrap();
                let sum: f64 = c.pi.iter().sum();
                assert!((sum - 1.0).abs() < 1e-12, "{rule:?} λ={lambda}");
                assert!(c.pi.iter().all(|p| p.is_finite() && *p >= 0.0));
                assert!(c.pi.len() < 200, "{} states", c.pi.len());
                assert!(!c.capped);
            }
        }
    }

    #[test]
    fn the_cap_truncates_the_chain() {
        let mut i = inputs(100.0, 0.1, 0.3, 600.0);
        i.max_concurrency = 5;
        let c = solve(&i, LifetimeRule::Renewal).unwrap();
        assert_eq!(c.pi.len(), 6);
        assert!(c.capped);
    }
}
