//! Keep-alive policies and the memory-bounded platform on sequences worked out by hand:
//! custom runtime, init 1 s, execution 1 s, 1 GB, so idle GB-seconds are idle seconds.

use crate::run;
use coldsim::metrics::Summary;

/// One function with requests every `every`, the first at 0.
fn periodic(keep_alive: &str, every: &str, duration: &str) -> String {
    format!(
        r#"
duration = "{duration}"
[platform]
keep_alive = {keep_alive}
max_lifetime = "2d"
[[functions]]
name = "f"
runtime = "custom"
memory_mb = 1024
init = {{ dist = "constant", value = "1s" }}
execution = {{ dist = "constant", value = "1s" }}
arrivals = {{ process = "periodic", every = "{every}" }}
"#
    )
}

#[test]
fn fixed_once_is_not_extended_by_requests() {
    // Requests at 0, 4, 8, 12, 16 min. The environment first becomes idle at 2 s, so fixed_once
    // 10 min retires it at 10m02s although it served requests at 4 and 8 min: 12 min is cold,
    // and its environment (first idle at 12m02s) serves 16 min. Fixed 10 min keeps one warm.
    let (r, s) = run(&periodic(
        r#"{ policy = "fixed_once", idle = "10m" }"#,
        "4m",
        "20m",
    ));
    assert_eq!((s.stats.cold_starts, s.stats.warm_starts), (2, 3));
    assert_eq!(r.ended, 5);
    let env = &s.stats.environments;
    assert_eq!((env.created, env.retired_idle), (2, 1));
    // Idle: [2s, 4m) + [4m01s, 8m) + [8m01s, 10m02s) and [12m02s, 16m) + [16m01s, 20m).
    let idle_s = 238.0 + 239.0 + 121.0 + 238.0 + 239.0;
    assert_eq!(env.idle_gb_seconds, idle_s);
    assert_eq!(s.keep_alive.wasted_memory_gb_seconds, idle_s);

    let (_, s) = run(&periodic(
        r#"{ policy = "fixed", idle = "10m" }"#,
        "4m",
        "20m",
    ));
    assert_eq!((s.stats.cold_starts, s.stats.warm_starts), (1, 4));
}

#[test]
fn random_with_a_constant_draw_is_fixed() {
    // Idle 3 min < the 4-minute gap: every request is cold; each environment is retired
    // 3 min after its request ends (at 3m02s, 7m02s, ...).
    let (_, s) = run(&periodic(
        r#"{ policy = "random", idle = { dist = "constant", value = "3m" } }"#,
        "4m",
        "20m",
    ));
    assert_eq!((s.stats.cold_starts, s.stats.warm_starts), (5, 0));
    let env = &s.stats.environments;
    // The last one (idle from 16m02s) is retired at 19m02s, before the end.
    assert_eq!((env.created, env.retired_idle), (5, 5));
    assert_eq!(env.idle_gb_seconds, 5.0 * 180.0);
    // Uniform draws between 5 and 6 min are all above the gap: one cold start.
    let (_, s) = run(&periodic(
        r#"{ policy = "random", idle = { dist = "uniform", min = "5m", max = "6m" } }"#,
        "4m",
        "20m",
    ));
    assert_eq!((s.stats.cold_starts, s.stats.warm_starts), (1, 4));
}

#[test]
fn forever_never_retires_for_idleness() {
    let (_, s) = run(&periodic(r#"{ policy = "forever" }"#, "3h", "13h"));
    assert_eq!((s.stats.cold_starts, s.stats.warm_starts), (1, 4));
    let env = &s.stats.environments;
    assert_eq!(
        (env.created, env.retired_idle, env.retired_lifetime),
        (1, 0, 0)
    );
    // Busy 4 × 1 s + init 1 s + the first request 1 s: idle the rest of 13 h.
    assert_eq!(env.idle_gb_seconds, 13.0 * 3600.0 - 6.0);
}

#[test]
fn hybrid_histogram_prewarms_and_unloads_a_periodic_function() {
    // Requests every 10 min, at 0..=50 min. Idle times (from a request's end to the next
    // start) are 9m58s, then 9m59s: bin 9 ([9m, 10m)). With min_samples = 3 the first three
    // decisions (at 2s, 10m01s, 20m01s) are the 4-hour fallback, so 10, 20 and 30 min are
    // warm on the first environment. From the request at 30 min on, the histogram is
    // representative (one bin: CV = √239): the environment is unloaded when its request ends
    // (30m01s), one is pre-warmed at end + 9m × 0.9 = 38m07s (init 1 s, idle from 38m08s) and
    // kept until end + 10m × 1.1 = 41m01s; the request at 40 min is warm on it, and so on.
    let (r, s) = run(&periodic(
        r#"{ policy = "hybrid_histogram", min_samples = 3 }"#,
        "10m",
        "1h",
    ));
    assert_eq!((s.stats.cold_starts, s.stats.warm_starts), (1, 5));
    assert_eq!(r.ended, 6);
    let env = &s.stats.environments;
    // Pre-warms at 38m07s, 48m07s and 58m07s (after the request at 50 min).
    assert_eq!(env.prewarmed, 3);
    assert_eq!(env.created, 4);
    // Unloaded at 30m01s, 40m01s, 50m01s; the last pre-warmed one lives past the end.
    assert_eq!(env.retired_idle, 3);
    // Idle: [2s, 10m) + [10m01s, 20m) + [20m01s, 30m) on the first environment, then
    // [38m08s, 40m), [48m08s, 50m), [58m08s, 1h) on the pre-warmed ones.
    assert_eq!(env.idle_gb_seconds, 598.0 + 599.0 + 599.0 + 3.0 * 112.0);
    // Init: the cold start and three pre-warms, 1 s each.
    assert!((env.mean_initializing - 4.0 / 3600.0).abs() < 1e-12);
    // Every pre-warm came 1m53s before its request: no request waited for init after 0.
    assert_eq!(s.stats.cold_latency_ms.max, 2000.0);
    assert_eq!(s.stats.warm_latency_ms.max, 1000.0);
}

#[test]
fn hybrid_histogram_falls_back_while_not_representative() {
    // Default min_samples = 10: six requests never make the histogram representative, so
    // the 4-hour fallback keeps the one environment: no unload, no pre-warm.
    let (_, s) = run(&periodic(r#"{ policy = "hybrid_histogram" }"#, "10m", "1h"));
    assert_eq!((s.stats.cold_starts, s.stats.warm_starts), (1, 5));
    let env = &s.stats.environments;
    assert_eq!((env.prewarmed, env.retired_idle), (0, 0));
}

/// Two 1 GB functions `a` and `b` on a 1 GB platform.
fn two_functions(platform: &str, a: &str, b: &str) -> String {
    format!(
        r#"
duration = "10m"
[platform]
keep_alive = {{ policy = "fixed", idle = "10m" }}
capacity = {{ memory_gb = 1 }}
{platform}
[[functions]]
name = "a"
runtime = "custom"
memory_mb = 1024
init = {{ dist = "constant", value = "1s" }}
execution = {{ dist = "constant", value = "1s" }}
arrivals = {a}
[[functions]]
name = "b"
runtime = "custom"
memory_mb = 1024
init = {{ dist = "constant", value = "1s" }}
execution = {{ dist = "constant", value = "1s" }}
arrivals = {b}
"#
    )
}

#[test]
fn a_full_platform_evicts_idle_environments() {
    // a at 0, b at 1 min (evicts a), a at 2 min (evicts b): three cold starts, two evictions.
    let text = two_functions(
        r#"eviction = "lru""#,
        r#"[{ process = "periodic", every = "1000h" }, { process = "periodic", every = "1000h", start = "2m" }]"#,
        r#"{ process = "periodic", every = "1000h", start = "1m" }"#,
    );
    let (r, s) = run(&text);
    assert_eq!((s.stats.cold_starts, s.stats.warm_starts), (3, 0));
    assert_eq!(s.stats.environments.retired_evicted, 2);
    assert_eq!(r.peak_memory_mb, 1024);
}

#[test]
fn when_full_waits_or_drops() {
    // a and b both at 0: a gets the memory; b waits until a's environment is idle (2 s),
    // evicts it and starts cold: latency 2 s waiting + 1 s init + 1 s execution.
    let at0 = r#"{ process = "periodic", every = "1000h" }"#;
    let (r, s) = run(&two_functions(r#"when_full = "wait""#, at0, at0));
    assert_eq!((s.stats.cold_starts, s.stats.capacity_waited), (2, 1));
    assert_eq!(s.stats.cold_latency_ms.max, 4000.0);
    assert_eq!(s.stats.environments.retired_evicted, 1);
    assert_eq!(r.ended, 2);
    let (r, s) = run(&two_functions(r#"when_full = "drop""#, at0, at0));
    assert_eq!((s.stats.cold_starts, s.stats.throttled), (1, 1));
    assert_eq!(s.stats.capacity_dropped, 1);
    assert_eq!(r.ended, 2);
}

#[test]
fn greedy_dual_keeps_the_expensive_function() {
    // Capacity 2 GB. `dear` (init 5 s) runs at 0 and is idle from 6 s; `cheap` (init 1 s)
    // runs at 10 s and is idle from 12 s. `new` at 1 min needs room. Both were used once at
    // clock 0, so their Greedy-Dual priorities are 1 × init ms / 1024 MB: dear 4.88, cheap
    // 0.98; cheap is evicted although dear has been idle longer, which LRU evicts instead.
    // At 2 min dear and cheap come back: under Greedy-Dual dear is warm.
    let text = |eviction: &str| {
        format!(
            r#"
duration = "10m"
[platform]
capacity = {{ memory_gb = 2 }}
eviction = "{eviction}"
[[functions]]
name = "dear"
runtime = "custom"
memory_mb = 1024
init = {{ dist = "constant", value = "5s" }}
execution = {{ dist = "constant", value = "1s" }}
arrivals = [{{ process = "periodic", every = "1000h" }}, {{ process = "periodic", every = "1000h", start = "2m" }}]
[[functions]]
name = "cheap"
runtime = "custom"
memory_mb = 1024
init = {{ dist = "constant", value = "1s" }}
execution = {{ dist = "constant", value = "1s" }}
arrivals = [{{ process = "periodic", every = "1000h", start = "10s" }}, {{ process = "periodic", every = "1000h", start = "2m" }}]
[[functions]]
name = "new"
runtime = "custom"
memory_mb = 1024
init = {{ dist = "constant", value = "1s" }}
execution = {{ dist = "constant", value = "1s" }}
arrivals = {{ process = "periodic", every = "1000h", start = "1m" }}
"#
        )
    };
    let starts = |eviction: &str| {
        let (r, s) = run(&text(eviction));
        assert!(r.peak_memory_mb <= 2048);
        s.functions
            .iter()
            .map(|f| (f.stats.cold_starts, f.stats.warm_starts))
            .collect::<Vec<_>>()
    };
    // dear, cheap, new: (cold, warm).
    assert_eq!(starts("greedy_dual"), [(1, 1), (2, 0), (1, 0)]);
    // LRU evicts dear at 1 min; at 2 min dear is cold (evicting cheap), and cheap is cold
    // (evicting new).
    assert_eq!(starts("lru"), [(2, 0), (2, 0), (1, 0)]);
}

#[test]
fn capacity_problems_are_named() {
    let text = two_functions(
        "",
        r#"{ process = "periodic", every = "1m" }"#,
        r#"{ process = "periodic", every = "1m" }"#,
    )
    .replace("memory_gb = 1 ", "memory_gb = 0.5 ");
    let e = coldsim::scenario::parse(
        &text,
        &coldsim::scenario::ParseOptions::default()
            .origin(std::path::Path::new("t.toml"))
            .name_default("t")
            .base_dir(std::path::Path::new(".")),
    )
    .expect_err("a 1 GB function on a 0.5 GB platform");
    assert!(e.to_string().contains("platform.capacity.memory_gb"), "{e}");
    let e = coldsim::scenario::parse("duration = \"1m\"\n[platform]\neviction = \"lru\"\n[[functions]]\nname = \"f\"\nruntime = \"custom\"\nexecution = { dist = \"constant\", value = \"1s\" }\narrivals = { process = \"poisson\", rate = 1.0 }\n", &coldsim::scenario::ParseOptions::default().origin(std::path::Path::new("t.toml")).name_default("t").base_dir(std::path::Path::new(".")))
    .expect_err("eviction without capacity");
    assert!(e.to_string().contains("platform.eviction"), "{e}");
}

#[test]
fn keep_alive_typos_are_rejected() {
    for (bad, says) in [
        (
            r#"{ policy = "fixed_onse", idle = "1m" }"#,
            "unknown variant `fixed_onse`",
        ),
        (
            r#"{ policy = "forever", idle = "1m" }"#,
            "unknown field `idle`",
        ),
        (
            r#"{ policy = "hybrid_histogram", tail_percentil = 99 }"#,
            "unknown field `tail_percentil`",
        ),
        (
            r#"{ policy = "random", idel = "1m" }"#,
            "unknown field `idel`",
        ),
    ] {
        let text = periodic(bad, "1m", "1h");
        let e = coldsim::scenario::parse(
            &text,
            &coldsim::scenario::ParseOptions::default()
                .origin(std::path::Path::new("t.toml"))
                .name_default("t")
                .base_dir(std::path::Path::new(".")),
        )
        .expect_err(bad);
        assert!(e.to_string().contains(says), "{bad}: {e}");
    }
    for (bad, says) in [
        (
            r#"eviction = "gready_dual""#,
            "unknown variant `gready_dual`",
        ),
        (r#"when_full = "queue""#, "unknown variant `queue`"),
        (
            r#"capacity = { memory_gib = 1 }"#,
            "unknown field `memory_gib`",
        ),
    ] {
        let text = two_functions(
            bad,
            r#"{ process = "periodic", every = "1m" }"#,
            r#"{ process = "periodic", every = "1m" }"#,
        )
        .replace(
            "capacity = { memory_gb = 1 }\n",
            if bad.starts_with("capacity") {
                ""
            } else {
                "capacity = { memory_gb = 1 }\n"
            },
        );
        let e = coldsim::scenario::parse(
            &text,
            &coldsim::scenario::ParseOptions::default()
                .origin(std::path::Path::new("t.toml"))
                .name_default("t")
                .base_dir(std::path::Path::new(".")),
        )
        .expect_err(bad);
        assert!(e.to_string().contains(says), "{bad}: {e}");
    }
}

#[test]
fn a_long_wait_for_memory_still_reaches_the_time_series() {
    // Regression: the time series closed an interval once the longest possible latency (init
    // limit + timeout) had passed, but a request waiting for memory can take longer. Eight
    // 1 GB functions at 50 s on a 1 GB platform: the last one waits 7 × 3.5 s = 24.5 s and
    // ends 28 s later, at 78 s, after minute 0 plus the 10 s + 3 s bound; its latency must
    // still count in minute 0.
    let mut text = String::from(
        "duration = \"10m\"\n[platform]\ncapacity = { memory_gb = 1 }\nwhen_full = \"wait\"\n",
    );
    for i in 0..8 {
        text += &format!(
            "[[functions]]\nname = \"f{i}\"\nruntime = \"custom\"\nmemory_mb = 1024\ninit = {{ dist = \"constant\", value = \"1s\" }}\nexecution = {{ dist = \"constant\", value = \"2500ms\" }}\narrivals = {{ process = \"periodic\", every = \"1000h\", start = \"50s\" }}\n"
        );
    }
    let (r, s) = run(&text);
    assert_eq!((s.stats.cold_starts, s.stats.capacity_waited), (8, 7));
    assert_eq!(s.stats.cold_latency_ms.max, 28_000.0);
    let minute0 = &r.series.total()[0];
    assert_eq!(minute0.cold, 8);
    let mean = minute0.latency_mean_ns.expect("minute 0 has latencies");
    assert!(
        (mean - s.stats.cold_latency_ms.mean * 1e6).abs() < 1.0,
        "{} vs {}",
        mean,
        s.stats.cold_latency_ms.mean * 1e6
    );
}

/// A provisioned function `p` (recycled every 5 minutes) and an on-demand `b` arriving every
/// 30 s from `start`, each 1 GB on a 2 GB platform.
fn provisioned_on_full_platform(start: &str, execution: &str) -> String {
    format!(
        r#"
duration = "10m"
[platform]
keep_alive = {{ policy = "fixed", idle = "10m" }}
capacity = {{ memory_gb = 2 }}
max_lifetime = "5m"
[[functions]]
name = "p"
runtime = "custom"
memory_mb = 1024
provisioned_concurrency = 1
init = {{ dist = "constant", value = "1s" }}
execution = {{ dist = "constant", value = "1s" }}
arrivals = {{ process = "periodic", every = "1000h", start = "20m" }}
[[functions]]
name = "b"
runtime = "custom"
memory_mb = 1024
init = {{ dist = "constant", value = "1s" }}
timeout = "1m"
execution = {{ dist = "constant", value = "{execution}" }}
arrivals = {{ process = "periodic", every = "30s", start = "{start}" }}
"#
    )
}

#[test]
fn provisioned_recycling_evicts_only_idle_on_demand_environments() {
    // At 5 min p's replacement needs room: b's idle environment is evicted, never p's.
    let (r, s) = run(&provisioned_on_full_platform("10s", "1s"));
    let (p, b) = (&s.functions[0].stats, &s.functions[1].stats);
    assert_eq!(p.environments.retired_evicted, 0);
    assert_eq!(b.environments.retired_evicted, 1);
    assert_eq!(
        (p.environments.created, p.environments.retired_lifetime),
        (2, 1)
    );
    assert!(r.peak_memory_mb <= 2048);
    assert_eq!(r.ended, r.arrivals);
}

#[test]
fn provisioned_replacement_waits_for_memory() {
    // b is busy from 290 s to 316 s, so at 5 min p's replacement does not fit; it starts when
    // b's environment becomes idle (and is evicted), and p's old environment serves on.
    let (r, s) = run(&provisioned_on_full_platform("290s", "25s"));
    let (p, b) = (&s.functions[0].stats, &s.functions[1].stats);
    assert_eq!(p.environments.retired_evicted, 0);
    assert!(b.environments.retired_evicted >= 1);
    assert_eq!(
        (p.environments.created, p.environments.retired_lifetime),
        (2, 1)
    );
    assert!(r.peak_memory_mb <= 2048);
    assert_eq!(r.ended, r.arrivals);
}

/// One function (custom runtime, init 1 s, 1 GB) whose requests of `execution` come from the
/// periodic `streams`, a TOML list of processes.
fn streams(keep_alive: &str, execution: &str, streams: &str, duration: &str) -> String {
    format!(
        r#"
duration = "{duration}"
[platform]
keep_alive = {keep_alive}
max_lifetime = "2d"
[[functions]]
name = "f"
runtime = "custom"
memory_mb = 1024
timeout = "15m"
init = {{ dist = "constant", value = "1s" }}
execution = {{ dist = "constant", value = "{execution}" }}
arrivals = {streams}
"#
    )
}

/// The `streams` scenario under fixed 10 min and under the hybrid histogram's defaults.
fn fixed_and_hybrid(execution: &str, arrivals: &str) -> (Summary, Summary) {
    let (_, fixed) = run(&streams(
        r#"{ policy = "fixed", idle = "10m" }"#,
        execution,
        arrivals,
        "4h",
    ));
    let (_, hybrid) = run(&streams(
        r#"{ policy = "hybrid_histogram" }"#,
        execution,
        arrivals,
        "4h",
    ));
    (fixed, hybrid)
}

#[test]
fn hybrid_histogram_keeps_every_environment_while_the_app_runs() {
    // Stream A every 60 s with 50 s requests, stream B every 8 min at 20 s past A's start,
    // while A runs: two environments, A's and B's. The app (this function) is idle only 10 s a
    // minute, so its idle times all fall in bin 0: once representative (10 samples) the
    // windows are no pre-warm and keep 1 min × 1.1 = 66 s from the app's stop. B's environment
    // is kept while A runs and gets the app's 66 s only when the app stops; the app runs again
    // 10 s later, so B always finds it warm. Fixed 10 min keeps both too. (Applied per
    // environment, B's would be retired 66 s after B's request: every B cold once learnt.)
    let a_and_b = r#"[{ process = "periodic", every = "60s" }, { process = "periodic", every = "8m", start = "20s" }]"#;
    let (fixed, hybrid) = fixed_and_hybrid("50s", a_and_b);
    // 240 A requests and 30 B requests.
    assert_eq!(fixed.stats.invocations, 270);
    assert_eq!(fixed.stats.cold_starts, 2);
    assert_eq!(hybrid.stats.invocations, 270);
    assert_eq!(hybrid.stats.cold_starts, 2);
    let env = &hybrid.stats.environments;
    assert_eq!((env.created, env.prewarmed, env.retired_idle), (2, 0, 0));
}

#[test]
fn hybrid_histogram_prewarms_as_many_environments_as_the_app_had() {
    // 1 s requests every 5 min in two streams 0.5 s apart: two environments, both busy at
    // [1.5 s, 2 s) of the first period. The app stops 2.5 s into a period (1 s later on the
    // first, with the inits), so its idle times (297.5 s, then 298.5 s) fall in bin 4: once
    // the histogram holds 10 of them (at the stop of period 10), each stop unloads both
    // environments and pre-warms two at stop + 4 min × 0.9 (3m36s), kept until stop +
    // 5 min × 1.1 (5m30s): both requests of the next period are warm. Stops of periods 10 to
    // 47 of 48 (4 h) pre-warm: 38 × 2. Fixed 10 min keeps both environments.
    let two = r#"[{ process = "periodic", every = "5m" }, { process = "periodic", every = "5m", start = "500ms" }]"#;
    let (fixed, hybrid) = fixed_and_hybrid("1s", two);
    assert_eq!(fixed.stats.invocations, 96);
    assert_eq!(fixed.stats.cold_starts, 2);
    assert_eq!(hybrid.stats.invocations, 96);
    assert_eq!(hybrid.stats.cold_starts, 2);
    let env = &hybrid.stats.environments;
    assert_eq!(env.prewarmed, 76);
    // The two first environments and the pre-warmed ones; all but the last two are unloaded.
    assert_eq!((env.created, env.retired_idle), (78, 76));
}

/// Requests every 60 s for 245 s, init 9 s, execution 1 s, under a hybrid histogram of 1 s
/// bins that trusts 3 samples and pre-warms at their median.
fn slow_init_hybrid() -> String {
    periodic(
        r#"{ policy = "hybrid_histogram", bin = "1s", range = "2m", min_samples = 3, head_percentile = 50 }"#,
        "60s",
        "245s",
    )
    .replace(
        "init = { dist = \"constant\", value = \"1s\" }",
        "init = { dist = \"constant\", value = \"9s\" }",
    )
}

#[test]
fn a_request_during_a_prewarm_init_waits_for_it_instead_of_loading_the_app_again() {
    // Requests every 60 s at 0..=240 s, init 9 s, execution 1 s; histogram of 1 s bins, 3
    // samples, head at the 50th percentile. Idle times: 50 s (10 → 60), then 59 s. From the
    // decision at 181 s the head and tail bins are 59: the environment is unloaded, a pre-warm
    // starts at 181 + 59 × 0.9 = 234.1 s and is ready at 243.1 s. The request at 240 s finds
    // no idle environment: it takes the pre-warm still initializing (a cold start of 4.1 s)
    // rather than loading the app a second time beside it. When it ends (244.1 s) the app is
    // unloaded again (idle 62.1 s joins the histogram: keep 63 s × 1.1, pre-warm after 245 s).
    let text = slow_init_hybrid();
    let (r, s) = run(&text);
    assert_eq!(r.ended, 5);
    assert_eq!((s.stats.cold_starts, s.stats.warm_starts), (2, 3));
    let env = &s.stats.environments;
    assert_eq!((env.created, env.prewarmed, env.peak), (2, 1, 1));
    assert_eq!(env.retired_idle, 2);
    // The first cold start waits the whole init (9 s + 1 s), the claiming one the rest of it.
    assert_eq!(s.stats.cold_latency_ms.max, 10_000.0);
    assert!((s.stats.cold_latency_ms.mean - (10_000.0 + 4_100.0) / 2.0).abs() < 1e-6);
}

#[test]
fn a_cold_start_cancels_the_prewarm_that_would_load_the_app_a_second_time() {
    // The arrivals of the test above, but the last at 232 s instead of 240 s: it finds the app
    // unloaded (since 181 s) and no pre-warm yet (due at 234.1 s), so it starts the app cold
    // (init 232–241 s). The pre-warm due meanwhile would load the app a second time; the cold
    // start cancels it.
    use std::io::Write;
    let mut trace = tempfile::NamedTempFile::new().expect("a temporary file");
    trace
        .write_all(b"timestamp\n0\n60\n120\n180\n232\n")
        .expect("writing the trace");
    let text = slow_init_hybrid().replace(
        r#"{ process = "periodic", every = "60s" }"#,
        &format!(
            r#"{{ process = "trace", format = "csv", path = "{}", time_unit = "s" }}"#,
            trace.path().display()
        ),
    );
    let (r, s) = run(&text);
    assert_eq!(r.ended, 5);
    assert_eq!((s.stats.cold_starts, s.stats.warm_starts), (2, 3));
    let env = &s.stats.environments;
    assert_eq!((env.created, env.prewarmed, env.peak), (2, 0, 1));
    assert_eq!(s.stats.cold_latency_ms.max, 10_000.0);
}
