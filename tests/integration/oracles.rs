//! Analytic oracles: results the simulation must reproduce within stated statistical tolerances.
//! Seeds are fixed, so each test is deterministic; tolerances are ~4 standard errors, so a
//! failure means a real bias, not bad luck.

use crate::run;

fn poisson(rate: f64, keep_alive_s: f64, execution: &str, duration: &str, extra: &str) -> String {
    format!(
        r#"
seed = 7
duration = "{duration}"
warmup = "10m"
[platform]
keep_alive = {{ policy = "fixed", idle = "{keep_alive_s}s" }}
max_lifetime = "10000h"
{extra}
[[functions]]
name = "f"
runtime = "custom"
timeout = "15m"
execution = {execution}
arrivals = {{ process = "poisson", rate = {rate} }}
"#
    )
}

#[test]
fn cold_start_ratio_is_e_to_the_minus_lambda_t() {
    // One function, λ = 1/s, execution 10 µs (≪ 1/λ), init 0: a request is cold exactly when
    // the gap since the previous one exceeds T, so P(cold) = e^(−λT).
    for lt in [0.1, 0.5, 1.0, 2.0, 3.0] {
        let text = poisson(
            1.0,
            lt,
            r#"{ dist = "constant", value = "10us" }"#,
            "200000s",
            "",
        );
        let (_, s) = run(&text);
        let n = s.stats.invocations as f64;
        let p = (-lt).exp();
        let got = s.stats.cold_start_ratio;
        // Binomial standard error; 4σ. Requests are independent given Poisson gaps.
        let tol = 4.0 * (p * (1.0 - p) / n).sqrt();
        assert!(
            (got - p).abs() < tol,
            "λT = {lt}: cold ratio {got}, expected {p} ± {tol}"
        );
    }
}

#[test]
fn littles_law_mean_busy_is_lambda_times_mean_execution() {
    // λ = 50/s, exponential execution with mean 2 s → 100 busy environments on average.
    // Over 20 000 s the time-average of an M/G/∞ occupancy (variance 100, correlation time
    // ~2 s) has a standard error of about 0.1 (0.1%); 1% is a generous bound that still
    // catches any accounting error.
    let text = poisson(
        50.0,
        600.0,
        r#"{ dist = "exponential", mean = "2s" }"#,
        "20000s",
        "",
    );
    let (_, s) = run(&text);
    let busy = s.stats.environments.mean_busy;
    assert!((busy - 100.0).abs() < 1.0, "mean busy {busy}");
    assert_eq!(s.stats.throttled, 0);
    assert!(
        s.stats.environments.mean_initializing < 1e-9,
        "init is zero"
    );
}

#[test]
fn a_burst_gets_bucket_size_cold_starts_and_the_rest_throttled() {
    for (n, bucket) in [(50, 20), (10, 20), (20, 20), (1000, 500)] {
        let list = vec![r#"{ process = "periodic", every = "1000h" }"#; n].join(", ");
        let text = format!(
            r#"
duration = "1h"
[platform]
scaling = {{ envs = {bucket}, per = "10s" }}
[[functions]]
name = "f"
runtime = "custom"
execution = {{ dist = "constant", value = "1s" }}
arrivals = [{list}]
"#
        );
        let (_, s) = run(&text);
        let want_cold = n.min(bucket) as u64;
        assert_eq!(s.stats.cold_starts, want_cold, "N = {n}, B = {bucket}");
        assert_eq!(
            s.stats.throttled,
            n as u64 - want_cold,
            "N = {n}, B = {bucket}"
        );
    }
}

#[test]
fn reserved_concurrency_caps_busy_environments() {
    // Offered load λ·E[S] = 20 ≫ R = 5: the function saturates at 5 and throttles the rest.
    let text = poisson(
        20.0,
        600.0,
        r#"{ dist = "constant", value = "1s" }"#,
        "2h",
        "",
    )
    .replace(
        "timeout = \"15m\"",
        "timeout = \"15m\"\nreserved_concurrency = 5",
    );
    let (r, s) = run(&text);
    assert!(r.peak_concurrency[0] <= 5);
    assert!(s.stats.environments.peak <= 5);
    assert!(s.stats.environments.mean_busy <= 5.0);
    // Erlang loss with 5 servers at load 20: blocking probability B(20, 5) ≈ 0.7640.
    let blocked = s.stats.throttled as f64 / s.stats.invocations as f64;
    assert!((blocked - 0.764).abs() < 0.01, "blocked {blocked}");
}
