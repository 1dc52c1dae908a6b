//! Scenarios small enough to work out by hand, with constant distributions so every latency
//! and count is exact.

use crate::run;

/// One custom-runtime function: init 300 ms, execution 100 ms, arrivals at the given offsets.
fn three_requests(keep_alive: &str, reuse: &str) -> String {
    format!(
        r#"
duration = "30m"
[platform]
keep_alive = {{ policy = "fixed", idle = "{keep_alive}" }}
reuse = "{reuse}"
[[functions]]
name = "f"
runtime = "custom"
memory_mb = 1024
init = {{ dist = "constant", value = "300ms" }}
execution = {{ dist = "constant", value = "100ms" }}
arrivals = [
  {{ process = "periodic", every = "1000h", start = "0s" }},
  {{ process = "periodic", every = "1000h", start = "5m" }},
  {{ process = "periodic", every = "1000h", start = "16m" }},
]
"#
    )
}

#[test]
fn cold_warm_cold_with_ten_minute_keep_alive() {
    // 0: cold (300 + 100 ms). 5 min: warm (100 ms), idle from 5m0.1s, expires at 15m0.1s.
    // 16 min: cold again.
    let (r, s) = run(&three_requests("10m", "mru"));
    assert_eq!(
        (s.stats.cold_starts, s.stats.warm_starts, s.stats.throttled),
        (2, 1, 0)
    );
    assert_eq!(s.stats.cold_latency_ms.max, 400.0);
    assert_eq!(s.stats.cold_latency_ms.mean, 400.0);
    assert_eq!(s.stats.warm_latency_ms.max, 100.0);
    assert_eq!(s.stats.init_ms.mean, 300.0);
    let env = &s.stats.environments;
    assert_eq!((env.created, env.retired_idle, env.peak), (2, 2, 1));
    // Environment time: first 0 → 15m0.1s, second 16m → 26m0.4s; 25m0.4s in all, over 30 min.
    let total_s = 15.0 * 60.0 + 0.1 + 10.0 * 60.0 + 0.4;
    assert!(
        (env.mean_total - total_s / 1800.0).abs() < 1e-12,
        "{}",
        env.mean_total
    );
    // Busy 0.1 + 0.1 + 0.1 s; initializing 0.3 + 0.3 s.
    assert!((env.mean_busy - 0.3 / 1800.0).abs() < 1e-12);
    assert!((env.mean_initializing - 0.6 / 1800.0).abs() < 1e-12);
    assert_eq!(r.arrivals, 3);
    assert_eq!(r.ended, 3);
}

#[test]
fn keep_alive_shorter_than_the_gap_makes_requests_cold() {
    let (_, s) = run(&three_requests("5m", "lru"));
    // Idle since 0.4 s, a 5 min keep-alive expires at 5m0.4s: the request at 5 min is just in
    // time (warm); 16 min is cold. With 4 min, all three are cold.
    assert_eq!((s.stats.cold_starts, s.stats.warm_starts), (2, 1));
    let (_, s) = run(&three_requests("4m", "random"));
    assert_eq!((s.stats.cold_starts, s.stats.warm_starts), (3, 0));
}

#[test]
fn cost_of_the_hand_checked_run() {
    let (_, s) = run(&three_requests("10m", "mru"));
    // 3 requests; 3 × 100 ms execution and 2 × 300 ms init at 1 GB on x86_64.
    let c = s.stats.cost_usd;
    assert!((c.requests - 3.0 * 0.2e-6).abs() < 1e-15);
    assert!((c.duration - 0.3 * 0.000_016_666_7).abs() < 1e-15);
    assert!((c.init - 0.6 * 0.000_016_666_7).abs() < 1e-15);
    assert_eq!(c.provisioned, 0.0);
}

fn single(extra_platform: &str, extra_function: &str, arrivals: &str, duration: &str) -> String {
    format!(
        r#"
duration = "{duration}"
[platform]
{extra_platform}
[[functions]]
name = "f"
runtime = "custom"
init = {{ dist = "constant", value = "200ms" }}
execution = {{ dist = "constant", value = "1s" }}
{extra_function}
arrivals = {arrivals}
"#
    )
}

#[test]
fn max_lifetime_retires_after_the_request_that_crosses_it() {
    // A request every minute (1 s each), lifetime 1 h: the environment created at 0 serves
    // the request at 60 min and is retired when it completes; 61 min is cold, and so on:
    // cold at 0, 61, 122, 183, 244 min.
    let text = single(
        "max_lifetime = \"1h\"",
        "",
        "{ process = \"periodic\", every = \"1m\" }",
        "5h",
    );
    let (_, s) = run(&text);
    assert_eq!(s.stats.invocations, 300);
    assert_eq!(s.stats.cold_starts, 5);
    assert_eq!(s.stats.environments.retired_lifetime, 4);
    assert_eq!(s.stats.environments.retired_idle, 0);
}

#[test]
fn max_lifetime_retires_an_idle_environment_at_the_deadline() {
    // Every 8 min, keep-alive 10 min, lifetime 1 h: idle after the 56 min request, the
    // lifetime ends at 60 min before the keep-alive (66 min) → retired at 60 min; 64 min is
    // cold; that environment ends at 124 min; 128 min is cold.
    let text = single(
        "max_lifetime = \"1h\"\nkeep_alive = { policy = \"fixed\", idle = \"10m\" }",
        "",
        "{ process = \"periodic\", every = \"8m\" }",
        "130m",
    );
    let (_, s) = run(&text);
    assert_eq!(s.stats.invocations, 17);
    assert_eq!(s.stats.cold_starts, 3);
    assert_eq!(s.stats.environments.retired_lifetime, 2);
}

#[test]
fn timeout_fails_the_request_and_discards_the_environment() {
    let text = single(
        "",
        "timeout = \"500ms\"",
        "{ process = \"periodic\", every = \"10s\" }",
        "100s",
    );
    let (_, s) = run(&text);
    assert_eq!(s.stats.invocations, 10);
    assert_eq!(s.stats.errors, 10);
    assert_eq!(
        s.stats.cold_starts, 10,
        "each failure discards the environment"
    );
    assert_eq!(s.stats.environments.retired_error, 10);
    assert_eq!(
        s.stats.latency_ms.max, 0.0,
        "failed requests have no latency"
    );
    // Billed: 10 × (200 ms init + 500 ms until the timeout) at 128 MB.
    let gb_s = 10.0 * 0.5 * 128.0 / 1024.0;
    assert!((s.stats.cost_usd.duration - gb_s * 0.000_016_666_7).abs() < 1e-15);
}

#[test]
fn memory_exceeded_fails_the_request() {
    let text = single(
        "",
        "memory_mb = 512\nmemory_used = { dist = \"constant\", value = 600 }",
        "{ process = \"periodic\", every = \"10s\" }",
        "100s",
    );
    let (_, s) = run(&text);
    assert_eq!((s.stats.errors, s.stats.cold_starts), (10, 10));
}

#[test]
fn init_over_the_limit_fails_the_request() {
    let text = r#"
duration = "100s"
[[functions]]
name = "f"
runtime = "custom"
init = { dist = "constant", value = "12s" }
execution = { dist = "constant", value = "1s" }
arrivals = { process = "periodic", every = "20s" }
"#;
    let (_, s) = run(text);
    assert_eq!(
        (s.stats.invocations, s.stats.errors, s.stats.cold_starts),
        (5, 5, 5)
    );
    assert_eq!(s.stats.environments.retired_error, 5);
    assert_eq!(
        s.stats.init_ms.max, 0.0,
        "failed inits are not in the init statistics"
    );
}

fn simultaneous(n: usize, extra_platform: &str, extra_function: &str) -> String {
    let list: Vec<String> = (0..n)
        .map(|_| "{ process = \"periodic\", every = \"1000h\" }".to_string())
        .collect();
    single(
        extra_platform,
        extra_function,
        &format!("[{}]", list.join(", ")),
        "1h",
    )
}

#[test]
fn provisioned_first_then_spill_over() {
    let (_, s) = run(&simultaneous(3, "", "provisioned_concurrency = 2"));
    assert_eq!((s.stats.warm_starts, s.stats.cold_starts), (2, 1));
    assert_eq!(s.stats.warm_latency_ms.max, 1000.0);
    assert_eq!(s.stats.cold_latency_ms.max, 1200.0);
    assert!(s.stats.cost_usd.provisioned > 0.0);
}

#[test]
fn first_execution_applies_to_an_environments_first_request_only() {
    let text = single(
        "",
        "first_execution = { dist = \"constant\", value = \"3s\" }",
        "{ process = \"periodic\", every = \"1m\" }",
        "3m",
    );
    let (_, s) = run(&text);
    assert_eq!(s.stats.cold_latency_ms.max, 3200.0);
    assert_eq!(s.stats.warm_latency_ms.max, 1000.0);
}

#[test]
fn asynchronous_throttles_are_retried_with_backoff() {
    // Reserved concurrency 1, two requests at 0: the second is throttled and retried at 1 s,
    // when the first (200 ms init + 1 s) is still running → retried again at 1 + 2 = 3 s,
    // warm on the now idle environment, done at 4 s: latency 4 s.
    let (_, s) = run(&simultaneous(
        2,
        "",
        "reserved_concurrency = 1\ninvocation = \"async\"",
    ));
    assert_eq!(
        (s.stats.cold_starts, s.stats.warm_starts, s.stats.throttled),
        (1, 1, 0)
    );
    assert_eq!(s.stats.retries, 2);
    assert_eq!(s.stats.warm_latency_ms.max, 4000.0);
}

#[test]
fn asynchronous_requests_are_dropped_after_the_maximum_event_age() {
    let (_, s) = run(&simultaneous(
        2,
        "max_event_age = \"2s\"",
        "reserved_concurrency = 1\ninvocation = \"async\"",
    ));
    assert_eq!(
        (s.stats.throttled, s.stats.dropped, s.stats.retries),
        (1, 1, 1)
    );
}

#[test]
fn synchronous_throttles_are_rejected() {
    let (r, s) = run(&simultaneous(5, "", "reserved_concurrency = 2"));
    assert_eq!((s.stats.cold_starts, s.stats.throttled), (2, 3));
    assert_eq!(r.ended, 5);
}

#[test]
fn env_concurrency_serves_simultaneous_requests_on_one_environment() {
    // One request at 0 creates the environment; four at 10 s share it (env_concurrency 4).
    let arrivals = r#"[
        { process = "periodic", every = "1000h" },
        { process = "periodic", every = "1000h", start = "10s" },
        { process = "periodic", every = "1000h", start = "10s" },
        { process = "periodic", every = "1000h", start = "10s" },
        { process = "periodic", every = "1000h", start = "10s" },
    ]"#;
    let (_, s) = run(&single("env_concurrency = 4", "", arrivals, "1m"));
    assert_eq!((s.stats.cold_starts, s.stats.warm_starts), (1, 4));
    assert_eq!(s.stats.environments.peak, 1);
    // Busy from 0.2 s to 1.2 s and from 10 s to 11 s: 2 s of 60.
    assert!((s.stats.environments.mean_busy - 2.0 / 60.0).abs() < 1e-12);
}

#[test]
fn warmup_requests_are_not_counted() {
    let text = r#"
duration = "10m"
warmup = "5m"
[[functions]]
name = "f"
runtime = "custom"
execution = { dist = "constant", value = "1s" }
arrivals = { process = "periodic", every = "1m" }
"#;
    let (r, s) = run(text);
    assert_eq!(r.arrivals, 10);
    assert_eq!(s.stats.invocations, 5);
    assert_eq!((s.stats.cold_starts, s.stats.warm_starts), (0, 5));
    assert_eq!(s.simulated_seconds, 300.0);
    // The environment created before the warm-up ended still counts towards the peak.
    assert_eq!(s.stats.environments.peak, 1);
    assert!((s.stats.environments.mean_total - 1.0).abs() < 1e-12);
}

#[test]
fn builtin_runtime_adds_its_init_to_the_functions_own() {
    let text = r#"
duration = "1h"
[platform]
keep_alive = { policy = "fixed", idle = "0s" }
[[functions]]
name = "f"
runtime = "java21"
init = { dist = "constant", value = "1s" }
execution = { dist = "constant", value = "10ms" }
arrivals = { process = "periodic", every = "1s" }
"#;
    let (_, s) = run(text);
    let median_runtime = coldsim::runtime::find("java21", Default::default(), Default::default())
        .expect("java21 exists")
        .median_ms;
    // Every request is cold (keep-alive 0); init = runtime (lognormal) + 1 s exactly.
    assert_eq!(s.stats.cold_starts, 3600);
    let p50 = s.stats.init_ms.p50;
    assert!(
        (p50 - (1000.0 + median_runtime)).abs() / (1000.0 + median_runtime) < 0.01,
        "p50 {p50}"
    );
}

/// One request at 10 min on a 1 GB function with `provisioned` and the counted period `duration`.
fn provisioned_for(provisioned: &str, start: &str, duration: &str) -> String {
    single(
        "",
        &format!("memory_mb = 1024\nprovisioned_concurrency = {provisioned}"),
        &format!("[{{ process = \"periodic\", every = \"1000h\", start = \"{start}\" }}]"),
        duration,
    )
}

#[test]
fn provisioned_concurrency_is_billed_in_five_minute_increments() {
    // 2 provisioned at 1 GB enabled for the whole 62-minute run: billed as 65 minutes (AWS
    // rounds the enablement up to 5 minutes), 2 × 3900 s = 7800 GB-s × $0.0000041667 =
    // $0.03250026, plus the 10-minute request's 1 s on a provisioned environment: 1 GB-s ×
    // $0.0000097222. The exact 62 minutes would be $0.03100995 in all.
    let (_, s) = run(&provisioned_for("2", "10m", "62m"));
    assert_eq!((s.stats.warm_starts, s.stats.cold_starts), (1, 0));
    let c = s.stats.cost_usd.provisioned;
    assert!((c - (0.032_500_26 + 0.000_009_722_2)).abs() < 1e-12, "{c}");
    assert_eq!((c * 100.0).round(), 3.0);
    // The allocated figures stay exact: 2 × 3720 s.
    assert_eq!(
        s.functions[0].stats.provisioned.allocated_gb_seconds,
        7440.0
    );
    // A whole number of 5-minute increments is not rounded: 2 × 3600 s = 7200 GB-s.
    let (_, s) = run(&provisioned_for("2", "10m", "60m"));
    let c = s.stats.cost_usd.provisioned;
    assert!((c - (0.030_000_24 + 0.000_009_722_2)).abs() < 1e-12, "{c}");
}

#[test]
fn a_schedule_enabled_twice_rounds_each_enablement() {
    // Enabled 00:00–00:07 at 2: 7 min, billed 10, the extension at 2 → 20 environment-minutes.
    // Disabled 00:07–00:20, enabled again 00:20–00:33: 3 until 00:26, then 1; 13 min billed 15,
    // the 2-minute extension at the level in force when disabled (1) → 18 + 7 + 2 = 27.
    // 47 environment-minutes at 1 GB = 2820 GB-s × $0.0000041667 = $0.011750094 (exactly
    // allocated: 39, $0.009750078). The request at 50 min finds none and runs on demand.
    let schedule = r#"{ schedule = [{ at = "00:00", count = 2 }, { at = "00:07", count = 0 },
        { at = "00:20", count = 3 }, { at = "00:26", count = 1 }, { at = "00:33", count = 0 }] }"#;
    let (_, s) = run(&provisioned_for(schedule, "50m", "1h"));
    assert_eq!((s.stats.warm_starts, s.stats.cold_starts), (0, 1));
    let c = s.stats.cost_usd.provisioned;
    assert!((c - 0.011_750_094).abs() < 1e-12, "{c}");
    assert_eq!((c * 100.0).round(), 1.0);
    assert_eq!(
        s.functions[0].stats.provisioned.allocated_gb_seconds,
        2340.0
    );
}
