//! `[trace] unit = "app"`: an app's functions share its environments (Azure Functions' function
//! app), on small Azure 2021 traces written here (custom runtime, init 1 s).

use coldsim::metrics::Summary;
use coldsim::scenario;
use coldsim::simulation::{Results, SimInit};
use std::path::Path;

/// Runs an azure2021 `rows` trace (`app,func,end_timestamp,duration` lines) under `unit` and
/// `keep_alive`; `extra`: more `[platform]` lines.
fn replay(rows: &[String], unit: &str, keep_alive: &str, extra: &str) -> Summary {
    run(rows, unit, keep_alive, extra, "").1
}

/// As `replay`, with `trace_extra` after the `[trace.defaults]` lines (more defaults, then
/// `[[trace.overrides]]` tables), and the run's results too.
fn run(
    rows: &[String],
    unit: &str,
    keep_alive: &str,
    extra: &str,
    trace_extra: &str,
) -> (Results, Summary) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut csv = String::from("app,func,end_timestamp,duration\n");
    for r in rows {
        csv.push_str(r);
        csv.push('\n');
    }
    std::fs::write(dir.path().join("t.csv"), csv).expect("write the trace");
    let text = format!(
        r#"
duration = "6h"
[platform]
keep_alive = {keep_alive}
max_lifetime = "2d"
{extra}
[trace]
format = "azure2021"
path = "t.csv"
unit = "{unit}"
[trace.defaults]
runtime = "custom"
memory_mb = 1024
timeout = "15m"
init = {{ dist = "constant", value = "1s" }}
{trace_extra}
"#
    );
    let options = scenario::ParseOptions::default()
        .origin(Path::new("t.toml"))
        .name_default("t")
        .base_dir(dir.path());
    let loaded = match scenario::parse(&text, &options) {
        Ok(l) => l,
        Err(e) => panic!("invalid test scenario: {e}"),
    };
    let s = loaded.scenario;
    let r = SimInit::new(&s).run().expect("the trace is readable");
    let summary = r.summary(&s);
    (r, summary)
}

/// A row of a request of `app`/`func` arriving at `at` seconds and running `run` seconds.
fn row(app: &str, func: &str, at: f64, run: f64) -> String {
    format!("{app},{func},{:.6},{run:.6}", at + run)
}

/// `n` 1 s requests of app `a`, `every` seconds apart, alternating between `f` and `g` (`f`
/// first).
fn alternating(n: usize, every: f64) -> Vec<String> {
    (0..n)
        .map(|i| row("a", ["f", "g"][i % 2], every * i as f64, 1.0))
        .collect()
}

const FIXED: &str = r#"{ policy = "fixed", idle = "10m" }"#;
const HYBRID: &str = r#"{ policy = "hybrid_histogram" }"#;

/// Per-function counts add up to the totals.
fn adds_up(s: &Summary) {
    let sum = |get: &dyn Fn(&coldsim::metrics::Stats) -> u64| -> u64 {
        s.functions.iter().map(|f| get(&f.stats)).sum()
    };
    assert_eq!(sum(&|x| x.invocations), s.stats.invocations);
    assert_eq!(sum(&|x| x.cold_starts), s.stats.cold_starts);
    assert_eq!(sum(&|x| x.warm_starts), s.stats.warm_starts);
    assert_eq!(
        sum(&|x| x.environments.created),
        s.stats.environments.created
    );
}

#[test]
fn two_functions_of_an_app_alternating_share_one_environment() {
    // `a/f` at 0, 2, 4, ... min and `a/g` at 1, 3, 5, ... min, 1 s each: within the 10-minute
    // keep-alive of each other. Under `app` the first request's environment serves all 20;
    // under `function` each function has its own: two cold starts.
    let rows = alternating(20, 60.0);
    let app = replay(&rows, "app", FIXED, "");
    assert_eq!(app.stats.invocations, 20);
    assert_eq!(
        (app.stats.cold_starts, app.stats.environments.created),
        (1, 1)
    );
    adds_up(&app);
    // The cold start is `f`'s (the first request), the environment counted as `f`'s; `g`'s
    // requests are all warm, and counted as `g`'s.
    let by_name = |s: &Summary, n: &str| {
        let f = s
            .functions
            .iter()
            .find(|f| f.name.ends_with(n))
            .expect("function");
        (
            f.stats.invocations,
            f.stats.cold_starts,
            f.stats.warm_starts,
        )
    };
    assert_eq!(by_name(&app, "f"), (10, 1, 9));
    assert_eq!(by_name(&app, "g"), (10, 0, 10));
    let function = replay(&rows, "function", FIXED, "");
    assert_eq!(function.stats.invocations, 20);
    assert_eq!(function.stats.cold_starts, 2);
    assert_eq!(by_name(&function, "f"), (10, 1, 9));
    assert_eq!(by_name(&function, "g"), (10, 1, 9));
    adds_up(&function);
}

#[test]
fn the_keep_alive_figure_is_over_apps_when_apps_are_the_unit() {
    // App `a`: `f` and `g` alternating every minute (one cold start in 20 requests under
    // `app`); app `b`: one function, two requests an hour apart (two cold starts, 100%).
    // Over apps: a 5%, b 100%. Over functions: f 10% (1 of 10), g 0%, b/h 100%.
    let mut rows = alternating(20, 60.0);
    rows.push(row("b", "h", 30.0, 1.0));
    rows.push(row("b", "h", 3630.0, 1.0));
    rows.sort_by(|x, y| {
        let end = |r: &String| r.split(',').nth(2).and_then(|t| t.parse::<f64>().ok());
        end(x).partial_cmp(&end(y)).expect("numbers")
    });
    let app = replay(&rows, "app", FIXED, "");
    let k = &app.keep_alive;
    assert_eq!(k.apps_with_requests, Some(2));
    let over_apps = k.app_cold_start_pct.expect("apps are the unit");
    assert_eq!((over_apps.p50, over_apps.max), (52.5, 100.0));
    // Linear interpolation between the two apps' 5% and 100%: 5 + 0.75 × 95.
    assert!((over_apps.p75 - 76.25).abs() < 1e-9, "{}", over_apps.p75);
    assert_eq!(k.functions_with_requests, 3);
    assert_eq!(
        (k.function_cold_start_pct.p50, k.function_cold_start_pct.max),
        (10.0, 100.0)
    );
    // With functions as the unit there are no apps to count over.
    let function = replay(&rows, "function", FIXED, "");
    assert_eq!(function.keep_alive.apps_with_requests, None);
    assert_eq!(function.keep_alive.app_cold_start_pct, None);
    let json = String::from_utf8(coldsim::report::summary_json(&function)).expect("utf-8");
    assert!(!json.contains("app_cold_start_pct"), "{json}");
    let json = String::from_utf8(coldsim::report::summary_json(&app)).expect("utf-8");
    assert!(json.contains("\"app_cold_start_pct\""), "{json}");
}

/// Requests of three functions of app `a`, all 20 s long, at irregular times over 6 h (a
/// fixed recipe: gaps of 1 s to ~25 min, so requests overlap and environments expire).
fn irregular(one_function: bool) -> Vec<String> {
    let mut t = 0.0f64;
    let mut rows = Vec::new();
    for i in 0u64..600 {
        // A multiplicative congruential walk: deterministic, uneven gaps.
        let x = (i * 7919 + 13) % 1543;
        t += match x % 7 {
            0..=2 => (x % 15) as f64 + 1.0,
            3..=5 => (x % 180) as f64 + 30.0,
            _ => (x % 1500) as f64 + 300.0,
        };
        if t > 6.0 * 3600.0 - 30.0 {
            break;
        }
        let func = if one_function {
            "only"
        } else {
            ["f", "g", "h"][(x % 3) as usize]
        };
        rows.push(row("a", func, t, 20.0));
    }
    rows
}

#[test]
fn an_app_with_one_execution_time_is_one_function() {
    // Under `app`, requests of an app's functions draw from one pool like one function's: with
    // one execution time for all, exactly the cold starts (and environments) of the same
    // requests replayed as a single function, under fixed and hybrid keep-alive.
    let (app_rows, one_rows) = (irregular(false), irregular(true));
    assert!(app_rows.len() > 100, "{} requests", app_rows.len());
    for keep_alive in [FIXED, HYBRID] {
        let app = replay(&app_rows, "app", keep_alive, "");
        let one = replay(&one_rows, "app", keep_alive, "");
        assert_eq!(app.stats.invocations, one.stats.invocations);
        assert!(
            app.stats.cold_starts > 1,
            "{keep_alive}: some environments expire"
        );
        assert_eq!(app.stats.cold_starts, one.stats.cold_starts, "{keep_alive}");
        let (e, o) = (&app.stats.environments, &one.stats.environments);
        assert_eq!(
            (e.created, e.prewarmed),
            (o.created, o.prewarmed),
            "{keep_alive}"
        );
        adds_up(&app);
        // Per function the functions need more environments of their own.
        let function = replay(&app_rows, "function", keep_alive, "");
        assert!(
            function.stats.cold_starts > app.stats.cold_starts,
            "{keep_alive}"
        );
    }
}

#[test]
fn apps_with_one_function_are_unchanged() {
    // Two apps of one function each, overlapping: `app` and `function` give the same summary.
    let rows: Vec<String> = (0..200)
        .map(|i| {
            let at = 37.0 * i as f64 + if i % 5 == 0 { 400.0 } else { 0.0 };
            row(
                if i % 3 == 0 { "a" } else { "b" },
                "f",
                at,
                1.0 + (i % 4) as f64 * 20.0,
            )
        })
        .collect();
    for keep_alive in [FIXED, HYBRID] {
        let mut app = replay(&rows, "app", keep_alive, "");
        let function = replay(&rows, "function", keep_alive, "");
        assert!(app.stats.cold_starts > 2);
        // Under `app` the summary also counts over apps: here each app is one function, so
        // the figures over apps are those over functions; without them, every byte agrees.
        let k = &mut app.keep_alive;
        assert_eq!(k.apps_with_requests.take(), Some(k.functions_with_requests));
        assert_eq!(k.app_cold_start_pct.take(), Some(k.function_cold_start_pct));
        assert_eq!(
            serde_json::to_string(&app).expect("json"),
            serde_json::to_string(&function).expect("json"),
            "{keep_alive}"
        );
    }
}

#[test]
fn an_app_shares_its_scaling_bucket_and_memory_bound() {
    // On a platform with room for one 1 GB environment, `a/f` and `a/g` alternating 1 min
    // apart share it under `app`; under `function` each evicts the other's: a cold start per
    // request.
    let rows = alternating(20, 60.0);
    let full = "capacity = { memory_gb = 1 }";
    let app = replay(&rows, "app", FIXED, full);
    assert_eq!(app.stats.cold_starts, 1);
    assert_eq!(app.stats.environments.retired_evicted, 0);
    let function = replay(&rows, "function", FIXED, full);
    assert_eq!(function.stats.cold_starts, 20);
    assert_eq!(function.stats.environments.retired_evicted, 19);
}

/// Function `name`'s statistics in `s` (trace functions are named by their `func` column).
fn stats<'a>(s: &'a Summary, name: &str) -> &'a coldsim::metrics::Stats {
    &s.functions
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no function `{name}`"))
        .stats
}

#[test]
fn provisioned_concurrency_provisions_the_apps_pool() {
    // `a/f` and `a/g` alternate 20 minutes apart, 1 s each: every request finds the last
    // one's environment expired (keep-alive 10 min), so without provisioned concurrency all
    // 18 are cold.
    let rows = alternating(18, 1200.0);
    let (_, bare) = run(&rows, "app", FIXED, "", "");
    assert_eq!(bare.stats.cold_starts, 18);
    // One provisioned environment for the app serves both functions: no cold start, one
    // environment, allocated (and billed) once, as the app's first function's.
    let one = "provisioned_concurrency = 1";
    let (_, app) = run(&rows, "app", FIXED, "", one);
    assert_eq!((app.stats.cold_starts, app.stats.warm_starts), (0, 18));
    assert_eq!(app.stats.environments.created, 1);
    assert_eq!(app.stats.provisioned.spillover, 0);
    assert!((app.stats.provisioned.mean_allocated - 1.0).abs() < 1e-9);
    let (f, g) = (stats(&app, "f"), stats(&app, "g"));
    assert_eq!((f.warm_starts, g.warm_starts), (9, 9));
    assert_eq!((f.environments.created, g.environments.created), (1, 0));
    // 1 GB allocated for the 6 hours.
    assert!((f.provisioned.allocated_gb_seconds - 6.0 * 3600.0).abs() < 1e-6);
    assert_eq!(g.provisioned.allocated_gb_seconds, 0.0);
    adds_up(&app);
    // Per function, each function gets one of its own: twice the allocation.
    let (_, function) = run(&rows, "function", FIXED, "", one);
    assert_eq!(function.stats.cold_starts, 0);
    assert_eq!(function.stats.environments.created, 2);
    let (a, b) = (
        app.stats.provisioned.allocated_gb_seconds,
        function.stats.provisioned.allocated_gb_seconds,
    );
    assert!((b - 2.0 * a).abs() < 1e-6, "{a} vs {b}");
    // Functions of an app given different counts: the app gets the largest.
    let most = "provisioned_concurrency = 1\n[[trace.overrides]]\npattern = \"g\"\nprovisioned_concurrency = 2";
    let (r, app) = run(&rows, "app", FIXED, "", most);
    assert!((app.stats.provisioned.mean_allocated - 2.0).abs() < 1e-9);
    assert_eq!(app.stats.environments.created, 2);
    assert_eq!(app.stats.cold_starts, 0);
    assert_eq!(r.peak_provisioned, vec![2, 0]);
}

#[test]
fn concurrent_environments_serve_any_function_of_the_app() {
    // env_concurrency = 2, init 1 s. `a/f` at 0 s runs 10 s (on its new environment from 1 s
    // to 11 s); `a/g` at 5 s finds that environment running one request and joins it, warm
    // (5 s to 6 s). At 1000 s (the environment expired at 611 s) `a/f` and `a/g` arrive
    // together, 1 s each: `g` joins `f`'s initializing environment, both cold.
    let rows = vec![
        row("a", "f", 0.0, 10.0),
        row("a", "g", 5.0, 1.0),
        row("a", "f", 1000.0, 1.0),
        row("a", "g", 1000.0, 1.0),
    ];
    let shared = "env_concurrency = 2";
    let (r, app) = run(&rows, "app", FIXED, shared, "");
    assert_eq!(r.ended, r.arrivals);
    assert_eq!(app.stats.environments.created, 2);
    assert_eq!((app.stats.cold_starts, app.stats.warm_starts), (3, 1));
    adds_up(&app);
    let (f, g) = (stats(&app, "f"), stats(&app, "g"));
    assert_eq!((f.invocations, f.cold_starts, f.warm_starts), (2, 2, 0));
    assert_eq!((g.invocations, g.cold_starts, g.warm_starts), (2, 1, 1));
    // Each request is counted as its own function's although `g`'s ended first on the
    // environment `f`'s started: `f` 11 s and 2 s, `g` 1 s and 2 s (1 s of init left, 1 s).
    assert_eq!((f.latency_ms.max, g.latency_ms.max), (11_000.0, 2_000.0));
    assert_eq!((f.latency_ms.samples, g.latency_ms.samples), (2, 2));
    assert_eq!(g.warm_latency_ms.max, 1_000.0);
    // Per function, `g` gets environments of its own: four cold starts.
    let (_, function) = run(&rows, "function", FIXED, shared, "");
    assert_eq!(function.stats.environments.created, 4);
    assert_eq!(function.stats.cold_starts, 4);
    adds_up(&function);
}

#[test]
fn reserved_concurrency_limits_the_apps_pool() {
    // Reserved concurrency 1: `a/g`'s request at 5 s, while `a/f`'s runs (0 s to 11 s), is
    // throttled under `app` (one limit for the app), not under `function`; with shared
    // environments too (the limit counts requests in flight).
    let rows = vec![row("a", "f", 0.0, 10.0), row("a", "g", 5.0, 1.0)];
    let reserved = "reserved_concurrency = 1";
    for extra in ["", "env_concurrency = 2"] {
        let (r, app) = run(&rows, "app", FIXED, extra, reserved);
        assert_eq!(app.stats.throttled, 1, "{extra}");
        assert_eq!(
            (stats(&app, "f").throttled, stats(&app, "g").throttled),
            (0, 1)
        );
        assert_eq!(r.peak_concurrency, vec![1, 0]);
        adds_up(&app);
        let (_, function) = run(&rows, "function", FIXED, extra, reserved);
        assert_eq!(function.stats.throttled, 0, "{extra}");
        assert_eq!(function.stats.cold_starts, 2);
    }
}

#[test]
fn an_app_with_one_execution_time_is_one_function_under_pool_limits() {
    // As `an_app_with_one_execution_time_is_one_function`, with provisioned concurrency,
    // a reservation that throttles and shared environments: the app's three functions
    // replay exactly as one function, and every request ends once.
    let (app_rows, one_rows) = (irregular(false), irregular(true));
    // A reservation one above what the provisioned environment takes at once.
    let cases = [
        (
            "",
            "provisioned_concurrency = 1\nreserved_concurrency = 2",
            2,
        ),
        (
            "env_concurrency = 2",
            "provisioned_concurrency = 1\nreserved_concurrency = 3",
            3,
        ),
        // On a cluster whose hosts' CPU the executions share (their ends come from the
        // hosts, `AppExecutionCompleted` too).
        (
            "env_concurrency = 2\n[cluster]\nplacement = \"best_fit\"\ncpu = \"shared\"\n[[cluster.hosts]]\nname = \"h\"\ncount = 2\nvcpus = 1\nmemory_gb = 2",
            "provisioned_concurrency = 1\nreserved_concurrency = 3",
            3,
        ),
    ];
    for (extra, limits, cap) in cases {
        for keep_alive in [FIXED, HYBRID] {
            let (r, app) = run(&app_rows, "app", keep_alive, extra, limits);
            let (_, one) = run(&one_rows, "app", keep_alive, extra, limits);
            let at = format!("{keep_alive} {extra}");
            assert_eq!(r.ended, r.arrivals, "{at}");
            let s = &app.stats;
            assert_eq!(s.warm_starts + s.cold_starts + s.throttled, s.invocations);
            assert!(s.cold_starts > 0 && s.throttled > 0, "{at}: {s:?}");
            assert!(s.provisioned.spillover > 0, "{at}");
            let o = &one.stats;
            assert_eq!(
                (s.cold_starts, s.warm_starts, s.throttled),
                (o.cold_starts, o.warm_starts, o.throttled),
                "{at}"
            );
            assert_eq!(s.provisioned.spillover, o.provisioned.spillover, "{at}");
            assert_eq!(s.environments.created, o.environments.created, "{at}");
            assert_eq!(r.peak_concurrency[0], cap, "{at}");
            adds_up(&app);
        }
    }
}

#[test]
fn a_request_of_another_function_claims_the_apps_prewarm_within_the_apps_limit() {
    // The hand-worked case of `keep_alive::a_request_during_a_prewarm_init_waits_for_it_…`
    // (requests at 0, 60, 120 and 180 s, init 9 s, execution 1 s: the app is unloaded at
    // 181 s and pre-warmed from 234.1 s to 243.1 s), with the request at 240 s `a/g`'s and
    // reserved concurrency 1: `g` claims the app's pre-warm (a cold start of 4.1 s) under the
    // app's one unit of concurrency, which it gives back, so `f`'s request at 300 s runs.
    let hybrid = r#"{ policy = "hybrid_histogram", bin = "1s", range = "2m", min_samples = 3, head_percentile = 50 }"#;
    let mut rows: Vec<String> = (0..4)
        .map(|i| row("a", "f", 60.0 * i as f64, 1.0))
        .collect();
    rows.push(row("a", "g", 240.0, 1.0));
    rows.push(row("a", "f", 300.0, 1.0));
    let nine = "reserved_concurrency = 1\n[[trace.overrides]]\npattern = \"*\"\ninit = { dist = \"constant\", value = \"9s\" }";
    let (r, app) = run(&rows, "app", hybrid, "", nine);
    assert_eq!((r.ended, r.arrivals), (6, 6));
    assert_eq!(app.stats.throttled, 0);
    let g = stats(&app, "g");
    assert_eq!((g.cold_starts, g.cold_latency_ms.max), (1, 4_100.0));
    assert!(app.stats.environments.prewarmed >= 1);
    assert_eq!(r.peak_concurrency, vec![1, 0]);
    adds_up(&app);
}
