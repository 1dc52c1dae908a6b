//! Property tests over random scenarios: every request ends exactly once, counts add up,
//! limits hold, and the same seed gives the same bytes.

use crate::{run, scenario};
use coldsim::report::summary_json;
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct F {
    rate: f64,
    exec_ms: u32,
    exec_kind: u8,
    init_ms: u32,
    reserved: Option<u32>,
    provisioned: u32,
    asynchronous: bool,
    timeout_ms: u32,
    oom_mb: Option<u32>,
    first_ms: Option<u32>,
}

fn function() -> impl Strategy<Value = F> {
    (
        0.05f64..40.0,
        1u32..5000,
        0u8..4,
        0u32..3000,
        proptest::option::of(0u32..15),
        0u32..4,
        any::<bool>(),
        50u32..8000,
        proptest::option::of(100u32..400),
        proptest::option::of(1u32..3000),
    )
        .prop_map(
            |(
                rate,
                exec_ms,
                exec_kind,
                init_ms,
                reserved,
                provisioned,
                asynchronous,
                timeout_ms,
                oom_mb,
                first_ms,
            )| F {
                rate,
                exec_ms,
                exec_kind,
                init_ms,
                provisioned: reserved.map_or(provisioned, |r| provisioned.min(r)),
                reserved,
                asynchronous,
                timeout_ms,
                oom_mb,
                first_ms,
            },
        )
}

/// Platform-wide knobs of a random scenario.
#[derive(Debug, Clone)]
struct P {
    keep_alive_s: u32,
    reuse: u8,
    bucket: u32,
    per_s: u32,
    env_conc: u32,
    lifetime_min: u32,
    duration_s: u32,
    seed: u64,
    /// Keep-alive policy: fixed, fixed_once, random, forever, hybrid_histogram.
    policy: u8,
    /// Memory-bounded platform: room for this many 256 MB environments beyond the
    /// provisioned ones, with an eviction policy and what a request does when full.
    capacity: Option<(u32, u8, bool)>,
}

fn text(fs: &[F], p: &P) -> String {
    let P {
        keep_alive_s,
        reuse,
        bucket,
        per_s,
        env_conc,
        lifetime_min,
        duration_s,
        seed,
        policy,
        capacity,
    } = p.clone();
    let keep_alive = match policy % 5 {
        0 => format!(r#"{{ policy = "fixed", idle = "{keep_alive_s}s" }}"#),
        1 => format!(r#"{{ policy = "fixed_once", idle = "{keep_alive_s}s" }}"#),
        2 => format!(
            r#"{{ policy = "random", idle = {{ dist = "exponential", mean = "{}s" }} }}"#,
            keep_alive_s.max(1)
        ),
        3 => r#"{ policy = "forever" }"#.to_string(),
        _ => r#"{ policy = "hybrid_histogram", bin = "1s", range = "2m", min_samples = 3 }"#
            .to_string(),
    };
    let provisioned_mb: u32 = fs.iter().map(|f| f.provisioned * 256).sum();
    let capacity = capacity.map_or(String::new(), |(extra, eviction, drop)| {
        format!(
            "capacity = {{ memory_gb = {} }}\neviction = \"{}\"\nwhen_full = \"{}\"\n",
            f64::from(provisioned_mb + 256 * extra.max(1)) / 1024.0,
            ["lru", "greedy_dual", "size", "frequency"][eviction as usize % 4],
            if drop { "drop" } else { "wait" }
        )
    });
    let reuse = ["mru", "lru", "random"][reuse as usize % 3];
    let reserved: u32 = fs.iter().filter_map(|f| f.reserved).sum();
    let mut t = format!(
        r#"
seed = {seed}
duration = "{duration_s}s"
[platform]
keep_alive = {keep_alive}
{capacity}reuse = "{reuse}"
scaling = {{ envs = {bucket}, per = "{per_s}s" }}
account_concurrency = {account}
env_concurrency = {env_conc}
max_lifetime = "{lifetime_min}m"
max_event_age = "30s"
"#,
        account = reserved + 100 + 7,
    );
    for (i, f) in fs.iter().enumerate() {
        let exec = match f.exec_kind {
            0 => format!(r#"{{ dist = "constant", value = "{}ms" }}"#, f.exec_ms),
            1 => format!(r#"{{ dist = "exponential", mean = "{}ms" }}"#, f.exec_ms),
            2 => format!(
                r#"{{ dist = "lognormal", median = "{}ms", p99 = "{}ms" }}"#,
                f.exec_ms,
                f.exec_ms * 4
            ),
            _ => format!(
                r#"{{ dist = "uniform", min = "0ms", max = "{}ms" }}"#,
                f.exec_ms * 2
            ),
        };
        t += &format!(
            r#"
[[functions]]
name = "f{i}"
runtime = "{runtime}"
memory_mb = 256
timeout = "{timeout}ms"
init = {{ dist = "constant", value = "{init}ms" }}
execution = {exec}
arrivals = {{ process = "poisson", rate = {rate} }}
invocation = "{inv}"
provisioned_concurrency = {prov}
"#,
            runtime = if i % 2 == 0 { "custom" } else { "python3.12" },
            timeout = f.timeout_ms,
            init = f.init_ms,
            rate = f.rate,
            inv = if f.asynchronous { "async" } else { "sync" },
            prov = f.provisioned,
        );
        if let Some(r) = f.reserved {
            t += &format!("reserved_concurrency = {r}\n");
        }
        if let Some(m) = f.oom_mb {
            t += &format!(
                "memory_used = {{ dist = \"uniform\", min = {}, max = {} }}\n",
                m,
                m + 100
            );
        }
        if let Some(ms) = f.first_ms {
            t += &format!("first_execution = {{ dist = \"constant\", value = \"{ms}ms\" }}\n");
        }
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_on_random_scenarios(
        fs in proptest::collection::vec(function(), 1..4),
        keep_alive_s in 0u32..900,
        reuse in 0u8..3,
        bucket in 1u32..40,
        per_s in 1u32..30,
        env_conc in 1u32..4,
        lifetime_min in 1u32..120,
        duration_s in 10u32..400,
        seed in 0u64..(i64::MAX as u64),
        policy in 0u8..5,
        capacity in proptest::option::of((1u32..12, 0u8..4, any::<bool>())),
    ) {
        let t = text(&fs, &P { keep_alive_s, reuse, bucket, per_s, env_conc, lifetime_min, duration_s, seed, policy, capacity });
        let (r, s) = run(&t);
        // Every request ends exactly once.
        prop_assert_eq!(r.ended, r.arrivals);
        // No warm-up: every arrival is counted, and ends as warm, cold or throttled.
        prop_assert_eq!(s.stats.invocations, r.arrivals);
        prop_assert_eq!(s.stats.warm_starts + s.stats.cold_starts + s.stats.throttled, s.stats.invocations);
        prop_assert!(s.stats.errors <= s.stats.warm_starts + s.stats.cold_starts);
        for (f, fs) in fs.iter().zip(&s.functions) {
            prop_assert_eq!(fs.stats.warm_starts + fs.stats.cold_starts + fs.stats.throttled, fs.stats.invocations);
            if let Some(res) = f.reserved {
                // Recycled provisioned environments live on until their replacements are ready.
                prop_assert!(fs.stats.environments.peak <= res.max(f.provisioned) + f.provisioned);
            }
        }
        for (i, f) in fs.iter().enumerate() {
            if let Some(res) = f.reserved {
                prop_assert!(r.peak_concurrency[i] <= res, "function {} used {} > reserved {}", i, r.peak_concurrency[i], res);
            }
        }
        let sc = scenario(&t);
        // Memory never goes above the capacity.
        if let Some(cap) = sc.platform.capacity_mb {
            prop_assert!(r.peak_memory_mb <= cap, "peak {} > capacity {}", r.peak_memory_mb, cap);
        }
        prop_assert!(s.stats.capacity_dropped <= s.stats.throttled);
        prop_assert!(r.peak_account_concurrency <= sc.platform.account_concurrency);
        let e = &s.stats.environments;
        prop_assert!(e.mean_busy <= e.mean_total + 1e-9);
        prop_assert!(e.utilization >= 0.0 && e.utilization <= 1.0);
        // Same scenario and seed → the same bytes.
        let (_, again) = run(&t);
        prop_assert_eq!(summary_json(&s), summary_json(&again));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// `route`'s plain path (functions without provisioned concurrency, first-execution or
    /// memory draws, on a platform of one request per environment, newest-first reuse,
    /// unbounded memory and a fixed keep-alive) against the general one: the same scenario
    /// with each function's first execution drawn from its own execution distribution makes
    /// the same draws but takes the general path. Every figure must agree.
    #[test]
    fn the_plain_path_replays_as_the_general_one(
        fs in proptest::collection::vec(function(), 1..4),
        keep_alive_s in 0u32..900,
        bucket in 1u32..40,
        per_s in 1u32..30,
        lifetime_min in 1u32..120,
        duration_s in 10u32..400,
        seed in 0u64..(i64::MAX as u64),
    ) {
        let fs: Vec<F> = (fs.into_iter())
            .map(|f| F { provisioned: 0, oom_mb: None, first_ms: None, ..f })
            .collect();
        let p = P { keep_alive_s, reuse: 0, bucket, per_s, env_conc: 1, lifetime_min, duration_s, seed, policy: 0, capacity: None };
        let plain = text(&fs, &p);
        let general: Vec<String> = (plain.lines())
            .flat_map(|l| {
                let first = l.strip_prefix("execution = ").map(|d| format!("first_execution = {d}"));
                std::iter::once(l.to_string()).chain(first)
            })
            .collect();
        let general = general.join("\n");
        prop_assert!(general.contains("first_execution"));
        let (r, s) = run(&plain);
        let (rg, sg) = run(&general);
        prop_assert_eq!(summary_json(&s), summary_json(&sg));
        prop_assert_eq!(format!("{:?}", r.series), format!("{:?}", rg.series));
        prop_assert_eq!((r.events, r.arrivals, r.ended), (rg.events, rg.arrivals, rg.ended));
    }
}
