//! Lambda Managed Instances: routing, the scaler and cost, checked by hand.

use super::run;

const FLEET: &str = r#"
[[capacity_provider]]
name = "fleet"
instance = { type = "c7g.xlarge", vcpus = 4, memory_gib = 8, price_per_hour = 0.145 }
"#;

#[test]
fn fixed_fleet_costs_instance_hours_times_price_plus_fee_plus_requests() {
    // Four 4-vCPU instances all run (min = max), 100 requests a second of 50 ms: 5 in flight
    // against 3 environments of room 8: nothing is throttled, and the cost is exactly
    // 4 instances × the counted hours × $0.145 × 1.15, plus $0.20 per million requests.
    for (warmup, counted_h) in [("0s", 2.0), ("30m", 1.5)] {
        let (_, s) = run(&format!(
            r#"
            duration = "2h"
            warmup = "{warmup}"
            [[capacity_provider]]
            name = "fleet"
            instance = {{ type = "c7g.xlarge", vcpus = 4, memory_gib = 8, price_per_hour = 0.145 }}
            min_instances = 4
            max_vcpus = 16
            scaling = {{ mode = "manual", target_cpu_utilization = 0.5 }}
            [[functions]]
            name = "api"
            runtime = "nodejs22.x"
            memory_mb = 4096
            execution = {{ dist = "constant", value = "50ms" }}
            arrivals = {{ process = "periodic", every = "10ms" }}
            managed = {{ capacity_provider = "fleet", cpu_share = 0.25 }}
            "#
        ));
        let requests = (counted_h * 3600.0 * 100.0) as u64;
        assert_eq!(s.stats.invocations, requests);
        assert_eq!(s.stats.throttled, 0);
        assert_eq!(s.stats.cold_starts, 0);
        let instances = 4.0 * counted_h * 0.145;
        let fee = instances * 0.15;
        let by_hand = instances + fee + requests as f64 * 0.20 / 1e6;
        let p = &s.capacity_providers[0];
        assert_eq!(
            (p.mean_instances, p.peak_instances, p.launches),
            (4.0, 4, 0)
        );
        assert!((p.instance_hours - 4.0 * counted_h).abs() < 1e-12);
        assert!((p.cost_usd.instances - instances).abs() < 1e-12);
        assert!((p.cost_usd.management_fee - fee).abs() < 1e-12);
        assert!(
            (s.stats.cost_usd.total - by_hand).abs() < 1e-12,
            "{} vs {by_hand}",
            s.stats.cost_usd.total
        );
        // No GB-second charge: the function's own cost is its requests.
        assert_eq!(s.functions[0].stats.cost_usd.duration, 0.0);
        let month = by_hand * 730.0 / counted_h;
        assert!((s.stats.cost_usd_per_month - month).abs() < 1e-9);
    }
}

#[test]
fn requests_go_to_the_least_loaded_environment_with_room_else_are_throttled() {
    // Two environments of room 4 (max_concurrency 4; 1 vCPU at CPU share 0.1 would take 10),
    // never scaled (min = max = 2); a request every 100 ms lasting 1 s. The first 8 of
    // every second run, the 9th and 10th find both full and are throttled: then each
    // completion frees a slot just as the next request arrives (completions go first at
    // equal times), so 2 of every 10 are throttled: 20 of 100 in 10 s.
    let (_, s) = run(&format!(
        r#"
        duration = "10s"
        {FLEET}
        min_instances = 1
        max_vcpus = 4
        [[functions]]
        name = "api"
        runtime = "nodejs22.x"
        memory_mb = 2048
        execution = {{ dist = "constant", value = "1s" }}
        arrivals = {{ process = "periodic", every = "100ms" }}
        managed = {{ capacity_provider = "fleet", max_concurrency = 4, cpu_share = 0.1, min_environments = 2, max_environments = 2 }}
        "#
    ));
    assert_eq!(s.stats.invocations, 100);
    assert_eq!(s.stats.throttled, 20);
    assert_eq!(s.stats.warm_starts, 80);
    assert_eq!(s.stats.cold_starts, 0);
    // Least loaded first: both environments serve from the second request on.
    assert!(
        s.stats.environments.mean_busy > 1.9,
        "{:?}",
        s.stats.environments
    );
    assert_eq!(s.stats.environments.peak, 2);
}

/// A function of 1 s requests on 2-vCPU environments of room 100 (CPU share 0.02), under
/// `arrivals`, with the default (auto) scaler.
fn doubling(arrivals: &str) -> coldsim::metrics::Summary {
    run(&format!(
        r#"
        duration = "4h"
        warmup = "30m"
        seed = 5
        {FLEET}
        [[functions]]
        name = "api"
        runtime = "nodejs22.x"
        memory_mb = 4096
        execution = {{ dist = "exponential", mean = "1s" }}
        arrivals = {arrivals}
        managed = {{ capacity_provider = "fleet", cpu_share = 0.02 }}
        "#
    ))
    .1
}

#[test]
fn traffic_doubling_within_a_minute_throttles_over_an_hour_does_not() {
    // At the auto target (half of every environment's room in use) a doubling fills the
    // environments exactly; until the scaler's next period (1 min), the new environments'
    // start and, beyond the 3 instances' 6 environments, an instance launch (2 min), the
    // fluctuations above the mean are throttled. A doubling spread over an hour is
    // followed period by period and nothing is throttled. Fixed seed; the fast case's
    // throttles are a few per mille, the slow one's exactly zero (at half load, 400 in
    // flight against 800 of room, a Poisson excess of 20 standard deviations never occurs).
    let fast = doubling(
        r#"{ process = "bursty", base_rate = 200.0, burst_rate = 400.0, mean_burst = "30m", mean_gap = "30m" }"#,
    );
    assert!(fast.stats.throttled > 0, "{:?}", fast.stats.throttled);
    assert!(fast.capacity_providers[0].launches > 0);
    let slow = doubling(
        r#"{ process = "diurnal", mean_rate = 300.0, peak_to_trough = 2.0, period = "2h" }"#,
    );
    assert_eq!(slow.stats.throttled, 0);
    assert!(
        slow.capacity_providers[0].launches > 0,
        "the fleet grew with the traffic"
    );
    assert!(slow.stats.invocations > 3_000_000);
}
