//! Cold-start strategies: provisioned concurrency schedules and autoscaling, warm-up pings,
//! SnapStart and their cost, each checked against figures worked out by hand.

use crate::{run, scenario};
use coldsim::scenario as loader;
use coldsim::simulation::{Results, SimInit};
use std::path::Path;

/// Allocated provisioned environments in each one-minute row of function 0.
fn allocated(r: &Results) -> Vec<f64> {
    let series = r.series.function(0).expect("function 0 has a series");
    let w = r.series.interval_ns as f64;
    series.iter().map(|i| i.provisioned[0] as f64 / w).collect()
}

/// The problems `text` has, as the error message prints them.
fn problems(text: &str, overrides: &[String]) -> String {
    match loader::parse(
        text,
        &loader::ParseOptions::default()
            .origin(Path::new("test.toml"))
            .name_default("test")
            .overrides(overrides),
    ) {
        Ok(_) => String::new(),
        Err(e) => format!("{e:#}"),
    }
}

const MINUTE: usize = 1;
const HOUR: usize = 60 * MINUTE;

#[test]
fn a_schedule_changes_the_allocation_at_the_stated_times() {
    let text = r#"
duration = "1d"
[platform]
max_lifetime = "1000h"
[[functions]]
name = "f"
runtime = "custom"
init = { dist = "constant", value = "500ms" }
execution = { dist = "constant", value = "100ms" }
arrivals = { process = "periodic", every = "1h", start = "30m" }
provisioned_concurrency = { schedule = [{ at = "19:00", count = 1 }, { at = "08:00", count = 5 }] }
"#;
    let (r, s) = run(text);
    let a = allocated(&r);
    // Midnight takes the last entry of the day before: 1.
    assert_eq!(a[0], 1.0);
    assert_eq!(a[8 * HOUR - 1], 1.0);
    assert_eq!(a[8 * HOUR], 5.0);
    assert_eq!(a[19 * HOUR - 1], 5.0);
    assert_eq!(a[19 * HOUR], 1.0);
    let p = &s.stats.provisioned;
    assert!((p.mean_allocated - (8.0 + 5.0 * 11.0 + 5.0) / 24.0).abs() < 1e-9);
    // 1 GB-less: 128 MB × allocated seconds.
    let gb_s = (8.0 + 55.0 + 5.0) * 3600.0 * 128.0 / 1024.0;
    assert!((p.allocated_gb_seconds - gb_s).abs() < 1e-6);
    // 4 environments started at 08:00 (each 500 ms of init, off the request path), retired at 19:00.
    let env = &s.stats.environments;
    assert_eq!((env.created, env.retired_scale_in), (5, 4));
    assert!((env.mean_initializing - 4.0 * 0.5 / 86_400.0).abs() < 1e-12);
    // Every request found an idle provisioned environment.
    assert_eq!((s.stats.cold_starts, p.spillover), (0, 0));
}

#[test]
fn recycling_at_max_lifetime_never_dips_capacity() {
    // Two provisioned environments recycled every hour; two requests at a time every 10 s
    // always find both ready.
    let text = r#"
duration = "5h"
[platform]
max_lifetime = "1h"
[[functions]]
name = "f"
runtime = "custom"
init = { dist = "constant", value = "2s" }
execution = { dist = "constant", value = "100ms" }
provisioned_concurrency = 2
arrivals = [
  { process = "periodic", every = "10s", start = "0s" },
  { process = "periodic", every = "10s", start = "0s" },
]
"#;
    let (_, s) = run(text);
    assert_eq!(s.stats.cold_starts, 0);
    assert_eq!(s.stats.provisioned.spillover, 0);
    // Recycled at 1h, 2h, 3h and 4h: 2 + 4 × 2 environments created, 8 retired at their lifetime.
    let env = &s.stats.environments;
    assert_eq!((env.created, env.retired_lifetime), (10, 8));
    assert!((s.stats.provisioned.mean_allocated - 2.0).abs() < 1e-12);
}

/// A CSV trace: one request every `gap_ms` over each `(from_s, to_s, gap_ms)` phase.
fn step_trace(phases: &[(u64, u64, u64)]) -> tempfile::NamedTempFile {
    use std::io::Write;
    let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
    let mut text = String::from("timestamp\n");
    for &(from, to, gap) in phases {
        let mut t = from * 1000;
        while t < to * 1000 {
            text.push_str(&format!("{t}\n"));
            t += gap;
        }
    }
    file.write_all(text.as_bytes()).expect("writing the trace");
    file
}

#[test]
fn autoscaling_follows_a_step_up_and_back_down_with_the_configured_delays() {
    // 1 s requests: one every 2 s (0.5 busy) for an hour, one every 100 ms (10 busy) for
    // half an hour, then one every 2 s again. Target 0.6; scale out after 2 periods above,
    // in after 10 periods below 0.54.
    let trace = step_trace(&[(0, 3600, 2000), (3600, 5400, 100), (5400, 9000, 2000)]);
    let text = format!(
        r#"
duration = "2h30m"
[platform]
max_lifetime = "1000h"
[[functions]]
name = "f"
runtime = "custom"
memory_mb = 1024
init = {{ dist = "constant", value = "500ms" }}
execution = {{ dist = "constant", value = "1s" }}
arrivals = {{ process = "trace", format = "csv", path = "{}", time_unit = "ms" }}
provisioned_concurrency = {{ autoscale = {{ min = 2, max = 40, target_utilization = 0.6, scale_out_after = "2m", scale_in_after = "10m" }} }}
"#,
        trace.path().display()
    );
    let s = scenario(&text);
    let r = SimInit::new(&s).run().expect("the trace is readable");
    let a = allocated(&r);
    // Quiet hour: utilization 0.25 wants ceil(2 × 0.25 / 0.6) = 1, held at min 2.
    assert!(a[..60].iter().all(|&x| x == 2.0), "{:?}", &a[..60]);
    // Step up at 1h: periods ending 1h01 and 1h02 are above target → 2 × 1.0 / 0.6 → 4 at 1h02.
    assert_eq!((a[61], a[62]), (2.0, 4.0));
    // Then 4 → 7 → 12 → 17 every two minutes (10 busy / 12 = 0.83 → ceil(16.7) = 17),
    // where 10/17 = 0.59 sits between 0.54 and 0.6: no more scaling.
    assert_eq!((a[64], a[66], a[68]), (7.0, 12.0, 17.0));
    assert!(a[68..90].iter().all(|&x| x == 17.0), "{:?}", &a[68..90]);
    // Step down at 1h30: ten periods below 0.54 → back to min at 1h40.
    assert_eq!((a[99], a[100]), (17.0, 2.0));
    assert!(a[100..].iter().all(|&x| x == 2.0));
    let s = coldsim::metrics::Summary::new(&s, &r.stats, r.peak_total, &s.pricing);
    assert!(
        s.stats.provisioned.spillover > 0,
        "the step spills over until scaled out"
    );
    assert!(s.stats.provisioned.utilization > 0.2 && s.stats.provisioned.utilization < 0.7);
    assert_eq!(s.stats.environments.retired_scale_in, 15);
}

const HOURLY: &str = r#"
duration = "1d"
warmup = "1h"
[platform]
max_lifetime = "1000h"   # recycling would open a 5 min gap between pings every few hours
[[functions]]
name = "f"
runtime = "custom"
memory_mb = 1024
init = { dist = "constant", value = "300ms" }
execution = { dist = "constant", value = "100ms" }
arrivals = { process = "periodic", every = "1h", start = "7m" }
"#;

#[test]
fn pings_keep_a_function_with_one_request_per_hour_warm() {
    let (_, cold) = run(HOURLY);
    assert_eq!((cold.stats.invocations, cold.stats.cold_starts), (23, 23));
    let (_, warm) = run(&format!(
        "{HOURLY}warmers = {{ every = \"5m\", concurrency = 1, execution = \"20ms\" }}\n"
    ));
    // The requests are all warm; the pings are not requests.
    assert_eq!((warm.stats.invocations, warm.stats.cold_starts), (23, 0));
    assert_eq!(warm.stats.latency_ms.max, 100.0);
    let w = &warm.stats.warmers;
    // 12 rounds an hour over the 23 counted hours; the one environment started in the warm-up.
    assert_eq!(w.pings, 23 * 12);
    assert_eq!((w.cold_starts, w.throttled), (0, 0));
    // Pings cost money: 276 requests and 276 × 20 ms at 1 GB, part of the total.
    let cost = 276.0 * 0.2e-6 + 276.0 * 0.02 * 0.000_016_666_7;
    assert!((w.cost_usd - cost).abs() < 1e-12, "{}", w.cost_usd);
    let c = &warm.stats.cost_usd;
    assert!((c.requests - (23.0 + 276.0) * 0.2e-6).abs() < 1e-15);
}

#[test]
fn cost_components_match_hand_calculations_to_the_cent() {
    // [pricing] scaled up 1000× so every component is dollars, not fractions of a cent.
    let text = r#"
duration = "10h"
[platform]
max_lifetime = "1000h"
[pricing]
requests_per_million = 200.0
gb_second_x86_64 = 0.0166667
provisioned_gb_second_x86_64 = 0.0041667
provisioned_execution_gb_second_x86_64 = 0.0097222
[[functions]]
name = "f"
runtime = "custom"
memory_mb = 2048
init = { dist = "constant", value = "250ms" }
execution = { dist = "constant", value = "100ms" }
provisioned_concurrency = 1
arrivals = [
  { process = "periodic", every = "10s", start = "0s" },
  { process = "periodic", every = "10s", start = "0s" },
]
"#;
    let (_, s) = run(text);
    let c = &s.stats.cost_usd;
    // 3600 pairs of requests: 7200 × $0.0002 = $1.44.
    assert!((c.requests - 1.44).abs() < 0.005, "{}", c.requests);
    // One of each pair on the provisioned environment: 3600 × 0.1 s × 2 GB × 0.0097222 = $7.00.
    // Allocation: 36 000 s × 2 GB × 0.0041667 = $300.00.
    assert!((c.provisioned - 307.0).abs() < 0.005, "{}", c.provisioned);
    // The other spills over to one on-demand environment, kept warm (10 s gaps < 10 min):
    // 3600 × 0.1 s × 2 GB × 0.0166667 = $12.00, and one init of 250 ms: $0.0083.
    assert!((c.duration - 12.0).abs() < 0.005, "{}", c.duration);
    assert!((c.init - 0.25 * 2.0 * 0.0166667).abs() < 1e-9, "{}", c.init);
    assert_eq!(s.stats.provisioned.spillover, 3600);
    assert!((c.total - (1.44 + 307.0 + 12.0 + 0.0083)).abs() < 0.005);
}

#[test]
fn snapstart_charges_cache_and_restores_on_python_but_not_java() {
    let text = |runtime: &str| {
        format!(
            r#"
duration = "1h"
[[functions]]
name = "f"
runtime = "{runtime}"
memory_mb = 2048
snapstart = {{ restore = {{ dist = "constant", value = "200ms" }} }}
execution = {{ dist = "constant", value = "100ms" }}
arrivals = {{ process = "periodic", every = "20m", start = "0s" }}
"#
        )
    };
    let (_, s) = run(&text("python3.12"));
    // Three requests 20 min apart, keep-alive 10 min: three restores of 200 ms, no init.
    assert_eq!(s.stats.cold_starts, 3);
    assert_eq!(s.stats.init_ms.max, 200.0);
    assert_eq!(s.stats.cold_latency_ms.max, 300.0);
    // Cache: 3600 s × 2 GB × $0.0000015046; restores: 3 × 2 GB × $0.0001397998.
    let expected = 3600.0 * 2.0 * 0.000_001_504_6 + 3.0 * 2.0 * 0.000_139_799_8;
    assert!((s.stats.cost_usd.snapstart - expected).abs() < 1e-12);
    let (_, java) = run(&text("java21"));
    assert_eq!(java.stats.cold_latency_ms.max, 300.0);
    assert_eq!(java.stats.cost_usd.snapstart, 0.0);
}

#[test]
fn snapstart_restore_is_billed_only_in_its_billed_share() {
    // AWS bills the runtime load and the after-restore hooks, not restoring the snapshot
    // ("Monitoring for Lambda SnapStart"). Three restores of 200 ms at 2 GB (x86_64).
    let text = |billed: &str| {
        format!(
            r#"
duration = "1h"
[[functions]]
name = "f"
runtime = "java21"
memory_mb = 2048
snapstart = {{ restore = {{ dist = "constant", value = "200ms" }}{billed} }}
execution = {{ dist = "constant", value = "100ms" }}
arrivals = {{ process = "periodic", every = "20m", start = "0s" }}
"#
        )
    };
    // Default share 0.21: 3 × 42 ms = 0.126 s × 2 GB = 0.252 GB-s × $0.0000166667.
    let (_, s) = run(&text(""));
    assert_eq!(s.stats.cold_starts, 3);
    assert!((s.stats.cost_usd.init - 0.252 * 0.000_016_666_7).abs() < 1e-12);
    // The caller still waits the whole restore.
    assert_eq!(s.stats.cold_latency_ms.max, 300.0);
    // 0.3: 3 × 60 ms = 0.36 GB-s; 1: 3 × 200 ms = 1.2 GB-s (every restore billed in full).
    let (_, s) = run(&text(", billed = 0.3"));
    assert!((s.stats.cost_usd.init - 0.36 * 0.000_016_666_7).abs() < 1e-12);
    let (_, s) = run(&text(", billed = 1.0"));
    assert!((s.stats.cost_usd.init - 1.2 * 0.000_016_666_7).abs() < 1e-12);
    let e = problems(&text(", billed = 1.5"), &[]);
    assert!(
        e.contains("functions.f.snapstart.billed") && e.contains("from 0 to 1"),
        "{e}"
    );
}

const API: &str = r#"
duration = "1h"
[[functions]]
name = "api"
execution = { dist = "constant", value = "100ms" }
arrivals = { process = "poisson", rate = 1.0 }
"#;

#[test]
fn snapstart_is_refused_on_other_runtimes_and_with_provisioned_concurrency() {
    let with = |runtime: &str, extra: &str| {
        problems(
            &format!("{API}runtime = \"{runtime}\"\nsnapstart = {{}}\n{extra}"),
            &[],
        )
    };
    for ok in [
        "java11",
        "java17",
        "java21",
        "python3.12",
        "python3.13",
        "dotnet8",
    ] {
        assert_eq!(with(ok, ""), "", "{ok}");
    }
    for bad in ["nodejs22.x", "python3.11", "ruby3.4", "java8.al2"] {
        let e = with(bad, "");
        assert!(e.contains("functions.api.snapstart"), "{bad}: {e}");
        assert!(e.contains("does not support SnapStart"), "{bad}: {e}");
    }
    let e = with("java21", "provisioned_concurrency = 2\n");
    assert!(e.contains("functions.api.snapstart"), "{e}");
    assert!(e.contains("provisioned_concurrency"), "{e}");
    let e = with(
        "python3.12",
        "provisioned_concurrency = { autoscale = { min = 1, max = 3 } }\n",
    );
    assert!(e.contains("cannot be combined"), "{e}");
}

#[test]
fn provisioned_tables_reject_typos_and_set_still_takes_a_number() {
    let f = |pc: &str| {
        problems(
            &format!("{API}runtime = \"custom\"\nprovisioned_concurrency = {pc}\n"),
            &[],
        )
    };
    assert_eq!(f("3"), "");
    assert_eq!(f("{ count = 3 }"), "");
    assert!(f("{ shedule = [] }").contains("unknown field `shedule`"));
    assert!(
        f("{ autoscale = { min = 1, max = 5, target = 0.7 } }").contains("unknown field `target`")
    );
    assert!(f("{ count = 1, autoscale = { min = 1, max = 5 } }").contains("exactly one"));
    assert!(f("{ schedule = [{ at = \"25:00\", count = 1 }] }").contains("schedule.0.at"));
    assert!(f("-1").contains("negative"));
    let set = ["functions.api.provisioned_concurrency=10".to_string()];
    let s = loader::parse(
        &format!("{API}runtime = \"custom\"\n"),
        &loader::ParseOptions::default()
            .origin(Path::new("test.toml"))
            .name_default("test")
            .overrides(&set),
    )
    .expect("valid with --set");
    assert_eq!(s.scenario.functions[0].provisioned_concurrency, 10);
    let w = problems(
        &format!("{API}runtime = \"custom\"\nwarmers = {{ evry = \"5m\" }}\n"),
        &[],
    );
    assert!(w.contains("unknown field `evry`"), "{w}");
    let p = problems(
        &format!("{API}runtime = \"custom\"\n[pricing]\ngb_second = 1.0\n"),
        &[],
    );
    assert!(p.contains("unknown field `gb_second`"), "{p}");
}
