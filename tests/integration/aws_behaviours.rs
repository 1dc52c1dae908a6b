//! AWS behaviours that change a planner's answer (issue 17): the account's requests-per-second
//! limit, inits beyond the init limit, asynchronous retries after function errors, and how
//! `created` and `cold_starts` are counted. Figures derived by hand in each test.

use crate::run;

/// One custom-runtime function of 1 GB (x86_64) with constant init and execution.
fn one(platform: &str, function: &str, init: &str, execution: &str, duration: &str) -> String {
    format!(
        r#"
duration = "{duration}"
[platform]
{platform}
[[functions]]
name = "f"
runtime = "custom"
memory_mb = 1024
init = {{ dist = "constant", value = "{init}" }}
execution = {{ dist = "constant", value = "{execution}" }}
{function}
"#
    )
}

const X86_GB_S: f64 = 0.000_016_666_7;

#[test]
fn twenty_thousand_requests_per_second_are_throttled_by_half() {
    // 20,000 requests/s (Poisson) of 1 ms handlers for 10 s, default limits: the account
    // allows 10 × 1000 = 10,000 invocations in each whole second. Every second draws about
    // 20,000 ± 141 arrivals, never fewer than 10,000 (that is 70 standard deviations away),
    // so exactly 10 × 10,000 run and the rest are refused by the rate limit. Concurrency is
    // no limit here: ~20 in flight, 1 ms inits.
    let text = one(
        "",
        "arrivals = { process = \"poisson\", rate = 20000.0 }",
        "1ms",
        "1ms",
        "10s",
    );
    let (_, s) = run(&text);
    let st = &s.stats;
    assert_eq!(st.rate_throttled, st.invocations - 100_000);
    assert_eq!(st.throttled, st.rate_throttled, "no concurrency throttles");
    // The fraction is 1 − 100,000 / N with N ~ Poisson(200,000): 0.5 ± 0.0011 (one standard
    // deviation); 1% is about nine of them, so this fails only if the limit is wrong.
    let fraction = st.rate_throttled as f64 / st.invocations as f64;
    assert!((fraction - 0.5).abs() < 0.01, "throttled {fraction}");
    assert_eq!(st.warm_starts + st.cold_starts, 100_000);
}

#[test]
fn a_thousand_requests_per_second_are_not_throttled() {
    let text = one(
        "",
        "arrivals = { process = \"poisson\", rate = 1000.0 }",
        "1ms",
        "1ms",
        "10s",
    );
    let (_, s) = run(&text);
    assert!(s.stats.invocations > 9_000);
    assert_eq!((s.stats.throttled, s.stats.rate_throttled), (0, 0));
}

#[test]
fn the_requests_per_second_limit_is_settable_and_counts_every_second() {
    // 4 requests a second (every 250 ms from 0) with a limit of 3 per second: the fourth of
    // each whole second (at 0.75 s, 1.75 s, ...) is refused, 10 of 40 over 10 s.
    let text = one(
        "requests_per_second = 3",
        "arrivals = { process = \"periodic\", every = \"250ms\" }",
        "1ms",
        "1ms",
        "10s",
    );
    let (_, s) = run(&text);
    assert_eq!(s.stats.invocations, 40);
    assert_eq!((s.stats.rate_throttled, s.stats.throttled), (10, 10));
}

#[test]
fn a_twelve_second_init_with_a_thirty_second_timeout_succeeds_every_time() {
    // Requests at 0, 20 and 40 min; the 10-minute keep-alive makes each a cold start. Init
    // 12 s passes the 10 s limit: the first attempt is cut at 10 s (billed as INIT), the init
    // runs again inside the invoke (12 s) and the handler (1 s) follows, 13 s within the
    // 30 s timeout. The caller waits 10 + 12 + 1 = 23 s; billed 10,000 ms of INIT and
    // 13,000 ms of invoke duration per request. A request 1 min after the first is warm, 1 s.
    let text = one(
        "",
        "timeout = \"30s\"\narrivals = [ { process = \"periodic\", every = \"20m\" }, { process = \"periodic\", every = \"1000h\", start = \"1m\" } ]",
        "12s",
        "1s",
        "1h",
    );
    let (_, s) = run(&text);
    let st = &s.stats;
    assert_eq!((st.invocations, st.cold_starts, st.warm_starts), (4, 3, 1));
    assert_eq!(st.errors, 0);
    assert_eq!(
        (st.cold_latency_ms.mean, st.cold_latency_ms.max),
        (23_000.0, 23_000.0)
    );
    assert_eq!(st.warm_latency_ms.max, 1_000.0);
    assert_eq!(st.init_ms.mean, 12_000.0);
    let c = st.cost_usd;
    assert!((c.init - 3.0 * 10.0 * X86_GB_S).abs() < 1e-12, "{}", c.init);
    assert!(
        (c.duration - (3.0 * 13.0 + 1.0) * X86_GB_S).abs() < 1e-12,
        "{}",
        c.duration
    );
}

#[test]
fn a_slow_init_fails_only_when_init_and_execution_pass_the_timeout() {
    // Init 12 s, handler 1 s. Timeout 12.5 s: the init run again fits (12 s) but 13 s does
    // not: a timeout, billed 12.5 s of invoke. Timeout 11 s: the init itself does not fit.
    for (timeout, timeouts, init_timeouts) in [("12500ms", 1, 0), ("11s", 0, 1)] {
        let text = one(
            "",
            &format!(
                "timeout = \"{timeout}\"\narrivals = {{ process = \"periodic\", every = \"1000h\" }}"
            ),
            "12s",
            "1s",
            "1h",
        );
        let (r, s) = run(&text);
        let f = &r.stats[0];
        assert_eq!(
            (f.timeouts, f.init_timeouts),
            (timeouts, init_timeouts),
            "{timeout}"
        );
        assert_eq!(s.stats.environments.retired_error, 1);
        let billed = if timeouts == 1 { 12_500 } else { 11_000 };
        assert_eq!((f.billed_init_ms, f.billed_ms), (10_000, billed));
    }
}

/// An asynchronous function that always fails (handler 2 s, timeout 1 s; init 200 ms), one
/// event at 0.
fn failing(platform: &str, duration: &str) -> String {
    one(
        platform,
        "invocation = \"async\"\ntimeout = \"1s\"\narrivals = { process = \"periodic\", every = \"1000h\" }",
        "200ms",
        "2s",
        duration,
    )
}

#[test]
fn an_always_failing_async_function_is_invoked_three_times() {
    // Attempt 1 at 0: cold (its environment is discarded after each failure), 0.2 s init +
    // 1 s to the timeout, ends at 1.2 s. Retry 1 minute later, at 61.2 s, ends at 62.4 s;
    // retry 2 minutes after that, at 182.4 s, ends at 183.6 s; then the event is discarded.
    let (r, s) = run(&failing("", "1h"));
    let st = &s.stats;
    assert_eq!((st.invocations, st.error_retries, st.errors), (3, 2, 3));
    assert_eq!((st.cold_starts, st.dead_lettered), (3, 1));
    assert_eq!((r.arrivals, r.ended), (3, 3));
    assert_eq!(st.environments.created, 3);
    // Billed three times: 3 requests, 3 × 1 s of duration, 3 × 200 ms of INIT.
    let c = st.cost_usd;
    assert!((c.requests - 3.0 * 0.2e-6).abs() < 1e-15);
    assert!((c.duration - 3.0 * X86_GB_S).abs() < 1e-12);
    assert!((c.init - 0.6 * X86_GB_S).abs() < 1e-12);
    // The delays, pinned by the maximum event age: a retry runs only if it starts within it.
    for (age, invocations) in [
        ("61199ms", 1),
        ("61200ms", 2),
        ("182399ms", 2),
        ("182400ms", 3),
    ] {
        let (_, s) = run(&failing(&format!("max_event_age = \"{age}\""), "1h"));
        assert_eq!(s.stats.invocations, invocations, "max_event_age {age}");
        assert_eq!(s.stats.dead_lettered, 1);
    }
}

#[test]
fn with_no_retry_attempts_a_failing_async_function_is_invoked_once() {
    let (_, s) = run(&failing("retry_attempts = 0", "1h"));
    let st = &s.stats;
    assert_eq!((st.invocations, st.errors, st.dead_lettered), (1, 1, 1));
    assert!((st.cost_usd.requests - 0.2e-6).abs() < 1e-15);
    let (_, s) = run(&failing("retry_attempts = 1", "1h"));
    assert_eq!((s.stats.invocations, s.stats.dead_lettered), (2, 1));
}

#[test]
fn a_failing_sync_function_is_not_retried() {
    let text = one(
        "",
        "timeout = \"1s\"\narrivals = { process = \"periodic\", every = \"1000h\" }",
        "200ms",
        "2s",
        "1h",
    );
    let (_, s) = run(&text);
    assert_eq!((s.stats.invocations, s.stats.errors), (1, 1));
    assert_eq!((s.stats.error_retries, s.stats.dead_lettered), (0, 0));
}

#[test]
fn retries_that_cold_start_after_the_end_count_their_environments() {
    // The run lasts 2 min: the second retry (182.4 s) cold-starts after the end. Its
    // environment counts with its request, as its cold start does.
    let (_, s) = run(&failing("", "2m"));
    assert_eq!(s.stats.cold_starts, 3);
    assert_eq!(s.stats.environments.created, 3);
}

/// The projected month is priced as AWS prices an account's month: 500 requests/s of 1 s at
/// 10 GB for one counted hour is 1.8e7 GB-s, 1.314e10 GB-s in 730 h, past the first x86_64
/// tier (6e9). By hand: 6e9 × $0.0000166667 = $100,000.20; 7.14e9 at 90% = $107,100.21;
/// 1.314e9 requests × $0.0000002 = $262.80; $207,363.21 a month (list: 730 × ($300.0006 + $0.36) = $219,263.24).
#[test]
fn a_month_past_the_first_duration_tier_is_priced_in_tiers() {
    let arrivals = "arrivals = { process = \"periodic\", every = \"2ms\", start = \"0s\" }\n";
    let text =
        one("", arrivals, "0ms", "1s", "1h").replace("memory_mb = 1024", "memory_mb = 10240");
    let (_, s) = run(&text);
    assert_eq!((s.stats.invocations, s.stats.throttled), (1_800_000, 0));
    assert!(
        (s.stats.cost_usd_per_month - 207_363.21).abs() < 0.005,
        "{}",
        s.stats.cost_usd_per_month
    );
    // A function's own figure stays at list price: the tier is the account's.
    let list = s.functions[0].stats.cost_usd_per_month;
    assert!((list - 219_263.24).abs() < 0.005, "{list}");
}

/// `pricing.free_tier = true`: one request a second of 100 ms at 1 GB for an hour is 3600
/// requests and 360 GB-s, a month of 2,628,000 requests and 262,800 GB-s. The free tier takes
/// 1 M requests and all the GB-s (under 400,000): 1,628,000 × $0.0000002 = $0.3256 a month.
/// Without it: $0.5256 + 262,800 × $0.0000166667 = $4.91 (to the cent).
#[test]
fn the_free_tier_comes_off_the_projected_month() {
    let arrivals = "arrivals = { process = \"periodic\", every = \"1s\", start = \"0s\" }\n";
    let base = one("", arrivals, "0ms", "100ms", "1h");
    let (_, without) = run(&base);
    assert_eq!(without.stats.invocations, 3600);
    assert!((without.stats.cost_usd_per_month - 4.9056).abs() < 0.005);
    let (_, with) = run(&format!("{base}[pricing]\nfree_tier = true\n"));
    assert!(
        (with.stats.cost_usd_per_month - 0.3256).abs() < 0.005,
        "{}",
        with.stats.cost_usd_per_month
    );
    // The counted period's own cost is unchanged.
    assert_eq!(with.stats.cost_usd, without.stats.cost_usd);
}
