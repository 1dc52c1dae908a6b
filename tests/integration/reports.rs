//! What users read in a run's report: long runs without a `[report]` section, latencies of
//! intervals with nothing to measure, cost per month, retries and dropped events.

use assert_cmd::Command;
use std::path::Path;

fn coldsim() -> Command {
    Command::cargo_bin("coldsim").expect("the binary is built")
}

/// Runs scenario `text` through the CLI into `dir/out` and returns that folder.
fn run_cli(dir: &Path, text: &str, charts: bool) -> std::path::PathBuf {
    let file = dir.join("s.toml");
    std::fs::write(&file, text).expect("temp dir is writable");
    let out = dir.join("out");
    let mut cmd = coldsim();
    cmd.args(["run", "--quiet", "--out"]).arg(&out).arg(&file);
    if !charts {
        cmd.arg("--no-charts");
    }
    cmd.assert().success();
    out
}

fn csv_rows(path: &Path) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(path).expect("CSV written");
    let header = r.headers().expect("a header").clone();
    let rows = r.records().map(|x| x.expect("a CSV row")).collect();
    (header, rows)
}

fn column(header: &csv::StringRecord, name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

fn long_run(duration: &str) -> String {
    format!(
        r#"
name = "long"
duration = "{duration}"
[[functions]]
name = "api"
runtime = "python3.12"
execution = {{ dist = "lognormal", median = "40ms", p99 = "300ms" }}
arrivals = {{ process = "poisson", rate = 0.01 }}
"#
    )
}

/// Regression (issue 15): "3000h" was refused with the default interval of 1 min (179 940
/// rows over the limit of 100 000). Without `[report]` the interval now adapts: 15 min for
/// 14 days (1344 rows), 3 h for 3000 h (1000 rows); both draw their time charts.
#[test]
fn long_runs_without_a_report_section_run() {
    for (duration, interval_s, rows) in [("14d", 900.0, 1344), ("3000h", 10_800.0, 1000)] {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = run_cli(dir.path(), &long_run(duration), true);
        let (header, records) = csv_rows(&out.join("timeseries.csv"));
        assert_eq!(records.len(), rows, "{duration}");
        let start = column(&header, "start_s");
        let starts: Vec<f64> = records
            .iter()
            .map(|r| r[start].parse().expect("a number"))
            .collect();
        assert!(
            starts.windows(2).all(|w| w[1] - w[0] == interval_s),
            "{duration}: rows {interval_s} s apart"
        );
        for chart in ["traffic.png", "environments.png"] {
            assert!(out.join(chart).exists(), "{duration}: {chart}");
        }
    }
    // An explicit interval is honoured, or refused as before.
    let dir = tempfile::tempdir().expect("temp dir");
    let text = long_run("14d") + "[report]\ninterval = \"1h\"\n";
    let (_, records) = csv_rows(&run_cli(dir.path(), &text, false).join("timeseries.csv"));
    assert_eq!(records.len(), 14 * 24);
    let file = dir.path().join("refused.toml");
    std::fs::write(&file, long_run("3000h") + "[report]\ninterval = \"1m\"\n").expect("write");
    coldsim()
        .arg("check")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("180000 time-series rows"));
}

/// report.html follows the chart registry: one figure per registered chart, in its order, each
/// with its caption and a PNG drawn beside it.
#[test]
fn report_html_follows_the_chart_registry() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_cli(dir.path(), &long_run("1d"), true);
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    let shown: Vec<&str> = html
        .split("<img src=\"")
        .skip(1)
        .filter_map(|rest| rest.split_once(".png\"").map(|(stem, _)| stem))
        .collect();
    // Charts of a feature this run does not use (Managed Instances, a cluster) do not apply.
    let conditional = |stem: &str| stem.starts_with("managed_") || stem.starts_with("host_");
    let registered: Vec<&str> = coldsim::report::CHARTS
        .iter()
        .map(|c| c.figure.stem)
        .filter(|stem| !conditional(stem))
        .collect();
    assert_eq!(shown, registered);
    for chart in coldsim::report::CHARTS
        .iter()
        .filter(|c| !conditional(c.figure.stem))
    {
        let stem = chart.figure.stem;
        assert!(out.join(format!("{stem}.png")).exists(), "{stem}.png");
        assert!(
            html.contains(&format!(
                "<figcaption>{}</figcaption>",
                chart.figure.caption
            )),
            "{stem}: caption"
        );
    }
}

/// Regression (issue 15): intervals where no request completed wrote latency_p50_ms and
/// latency_p99_ms as 0.0, and a function that never started warm had warm latencies of 0.
/// One request every 20 min with a 10-min keep-alive: every request is cold, 2 minutes in
/// 20 have latencies, no request is ever warm.
#[test]
fn no_latency_of_an_empty_interval_is_written_as_zero() {
    let text = r#"
name = "sparse"
duration = "2h"
[platform]
keep_alive = { policy = "fixed", idle = "10m" }
[[functions]]
name = "a"
runtime = "python3.12"
execution = { dist = "constant", value = "100ms" }
arrivals = { process = "periodic", every = "20m", start = "30s" }
[[functions]]
name = "b"
runtime = "nodejs20.x"
execution = { dist = "constant", value = "50ms" }
arrivals = { process = "periodic", every = "20m", start = "90s" }
"#;
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_cli(dir.path(), text, true);

    let (header, records) = csv_rows(&out.join("timeseries.csv"));
    assert_eq!(records.len(), 3 * 120, "a, b and all, 120 minutes each");
    let arrivals = column(&header, "arrivals");
    let mut measured = 0;
    for name in ["latency_p50_ms", "latency_p99_ms"] {
        let c = column(&header, name);
        for r in &records {
            let cell = &r[c];
            if &r[arrivals] == "0" {
                assert_eq!(cell, "", "{name} of an empty interval: {r:?}");
            } else {
                let v: f64 = cell.parse().expect("a latency");
                assert!(v > 0.0, "{name}: {r:?}");
                measured += 1;
            }
        }
    }
    // 6 requests each for a and b, 12 for all; two columns.
    assert_eq!(measured, 2 * 24);

    let (header, records) = csv_rows(&out.join("functions.csv"));
    for r in &records {
        for name in ["warm_latency_p50_ms", "warm_latency_p99_ms"] {
            assert_eq!(&r[column(&header, name)], "", "{name}: {r:?}");
        }
        assert!(
            r[column(&header, "cold_latency_p50_ms")]
                .parse::<f64>()
                .expect("cold")
                > 0.0
        );
    }

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).expect("summary written"))
            .expect("valid JSON");
    assert_eq!(json["warm_starts"], 0);
    for scope in std::iter::once(&json).chain(json["functions"].as_array().expect("functions")) {
        let warm = scope["warm_latency_ms"].as_object().expect("an object");
        assert_eq!(warm.len(), 7);
        assert!(warm.values().all(serde_json::Value::is_null), "{warm:?}");
        assert!(scope["cold_latency_ms"]["p99"].as_f64().expect("measured") > 0.0);
    }
}

/// Cost per month at the simulated traffic (the counted period's cost scaled to 730 h) in
/// summary.json, the terminal summary and report.html; report.html shows retries and
/// dropped events and says that async latency includes retry waits.
#[test]
fn cost_per_month_retries_and_dropped_events_are_shown() {
    let text = r#"
name = "budget"
duration = "2h"
warmup = "1h"
[[functions]]
name = "api"
runtime = "python3.12"
execution = { dist = "constant", value = "100ms" }
arrivals = { process = "poisson", rate = 5.0 }
"#;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("s.toml");
    std::fs::write(&file, text).expect("write");
    let out = dir.path().join("out");
    let assert = coldsim()
        .args(["run", "--no-charts", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).expect("summary written"))
            .expect("valid JSON");
    let cost = json["cost_usd"]["total"].as_f64().expect("cost");
    let month = json["cost_usd_per_month"].as_f64().expect("per month");
    assert!(cost > 0.0);
    // One counted hour: a month is 730 of them.
    assert!(
        (month - cost * 730.0).abs() <= 1e-9 * month,
        "{month} vs {cost}"
    );
    assert_eq!(
        json["functions"][0]["cost_usd_per_month"].as_f64(),
        Some(month)
    );
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(
        stdout.contains(&format!("${month:.2} per month (730 h)")),
        "{stdout}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).expect("report written");
    assert!(
        html.contains(&format!("${month:.2}")),
        "cost per month in the page"
    );
    assert!(html.contains("cost per month (730 h at this traffic)"));
    assert!(html.contains("async retries (0 events dropped)"));
    assert!(html.contains("<th>retries</th><th>dropped</th>"));
    assert!(html.contains("includes the waits between retries"));
    assert!(html.contains("<div class=\"scroll\"><table>"));
}

/// A run with `[cluster]` has hosts.csv (one row per host), the Hosts section and the host
/// heatmap, last in the registry's order; one without has none of them.
#[test]
fn a_cluster_run_reports_its_hosts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = format!(
        "{}\n[cluster]\nplacement = \"round_robin\"\ncpu = \"shared\"\n[[cluster.hosts]]\nname = \"web\"\ncount = 3\nvcpus = 2\nmemory_gb = 4\n",
        long_run("1d")
    );
    let out = run_cli(dir.path(), &text, true);
    let (header, rows) = csv_rows(&out.join("hosts.csv"));
    assert_eq!(rows.len(), 3);
    assert_eq!(
        header.iter().take(3).collect::<Vec<_>>(),
        ["host", "group", "vcpus"]
    );
    assert_eq!(rows[2].get(1), Some("web"));
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(html.contains("<h2>Hosts</h2>") && html.contains("href=\"hosts.csv\""));
    let last = html.rfind("<img src=\"").map(|i| &html[i..]);
    assert!(last.is_some_and(|l| l.starts_with("<img src=\"host_utilization.png\"")));
    assert!(out.join("host_utilization.png").exists());
    let plain = tempfile::tempdir().expect("temp dir");
    let out = run_cli(plain.path(), &long_run("1d"), false);
    assert!(!out.join("hosts.csv").exists());
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(!html.contains("hosts.csv"));
}

/// A run on Lambda Managed Instances shows its capacity provider in report.html: instances,
/// instance-hours and the cost the function table leaves out (the instances are the
/// provider's), the cost line's Managed Instances part, and a link to capacity_providers.csv.
#[test]
fn report_html_shows_a_capacity_providers_instances_and_cost() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_cli(
        dir.path(),
        r#"
        duration = "1h"
        [[capacity_provider]]
        name = "fleet"
        instance = { type = "c7g.xlarge", vcpus = 4, memory_gib = 8, price_per_hour = 0.145 }
        [[functions]]
        name = "api"
        runtime = "nodejs22.x"
        memory_mb = 4096
        execution = { dist = "constant", value = "50ms" }
        arrivals = { process = "periodic", every = "100ms" }
        managed = { capacity_provider = "fleet", cpu_share = 0.25 }
        "#,
        false,
    );
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html written");
    // Three instances (the default at publication) for the hour: 3 × $0.145 = $0.435, and the
    // 15% fee $0.06525 (printed 0.0652, as the float below one half-cent rounds down).
    assert!(html.contains("<h2>Lambda Managed Instances</h2>"), "{html}");
    assert!(
        html.contains(
            "<tr><th>fleet</th><td>c7g.xlarge · 4 vCPUs · $0.145/h</td><td>3.00</td><td>3</td>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<td>0.4350</td><td>0.0652</td><td>0.5002</td>"),
        "{html}"
    );
    assert!(html.contains("Managed Instances $0.5002"), "{html}");
    assert!(html.contains("href=\"capacity_providers.csv\""));
    assert!(out.join("capacity_providers.csv").exists());
}

const FLEET: &str = r#"
[[capacity_provider]]
name = "fleet"
instance = { type = "c7g.xlarge", vcpus = 4, memory_gib = 8, price_per_hour = 0.145 }
"#;

/// A managed function that throttles: 2 vCPUs an environment, all of each 50 ms request CPU
/// work, so the 3 environments of publication run 6 requests at once and 200 a second need
/// 10 until the scaler adds environments.
const SATURATED_API: &str = r#"
[[functions]]
name = "api"
runtime = "nodejs22.x"
memory_mb = 4096
execution = { dist = "constant", value = "50ms" }
arrivals = { process = "periodic", every = "5ms" }
managed = { capacity_provider = "fleet", cpu_share = 1.0 }
"#;

fn summary_json(out: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join("summary.json")).expect("summary written"))
        .expect("summary.json parses")
}

/// report.html of a run on Lambda Managed Instances says what is true of its functions: no
/// keep-alive or lifetime defaults, no idle memory, provisioned or warm-up figures, no
/// on-demand limits in the throttle line; its environments are the capacity provider's, the
/// Managed Instances defaults are shown with their sources instead. (The page had the
/// on-demand wording for every run.)
#[test]
fn report_html_of_a_managed_only_run_has_no_on_demand_wording() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = format!("duration = \"10m\"\n{FLEET}{SATURATED_API}");
    let out = run_cli(dir.path(), &text, false);
    let json = summary_json(&out);
    let throttled = json["throttled"].as_u64().expect("throttled");
    assert!(throttled > 0, "the scenario saturates its environments");
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html written");
    for on_demand in [
        "keep-alive 10 min after the last request",
        "maximum lifetime 2 h",
        "Idle memory",
        "Warm-up pings",
        "Provisioned:",
        "requests-per-second limit,",
        "by concurrency, scaling or memory",
        "duration $",
        "monthly tiers",
    ] {
        assert!(!html.contains(on_demand), "{on_demand:?} in {html}");
    }
    for managed in [
        "cold starts (0; none on Managed Instances)",
        "environments on the capacity provider's instances (mean; peak",
        "<td>nodejs22.x · x86_64 · 4096 MB · Managed Instances (fleet)</td>",
        "the environments are the capacity provider's, on its EC2 instances",
        "Managed Instances $",
        "(the capacity provider's instances and management fee; no duration charge)",
        "Cost per month scales the counted period's cost to 730 hours at the simulated traffic: the requests (less the free tier's with <code>pricing.free_tier</code>), the instances and the management fee.",
        &format!("<p>Throttled: {throttled} requests found no environment with room"),
    ] {
        assert!(html.contains(managed), "{managed:?} not in {html}");
    }
}

/// With functions on demand and on Managed Instances, report.html keeps the on-demand
/// defaults for the on-demand functions, adds the Managed Instances ones, counts idle memory
/// of the on-demand environments only and the managed throttles apart; a run on demand only
/// reads as before.
#[test]
fn report_html_of_a_mixed_run_tells_on_demand_and_managed_apart() {
    let jobs = r#"
[[functions]]
name = "jobs"
runtime = "python3.12"
execution = { dist = "lognormal", median = "40ms", p99 = "300ms" }
arrivals = { process = "poisson", rate = 0.2 }
"#;
    let dir = tempfile::tempdir().expect("temp dir");
    let text = format!("duration = \"10m\"\n{FLEET}{SATURATED_API}{jobs}");
    let out = run_cli(dir.path(), &text, false);
    let json = summary_json(&out);
    let stats = |name: &str| {
        (json["functions"].as_array().expect("functions").iter())
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no function {name}"))
            .clone()
    };
    let managed_throttled = stats("api")["throttled"].as_u64().expect("throttled");
    assert!(managed_throttled > 0);
    let idle = stats("jobs")["environments"]["idle_gb_seconds"]
        .as_f64()
        .expect("idle");
    assert!(idle > 0.0);
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html written");
    for expected in [
        "<p class=\"meta\">On-demand functions. Observed defaults, not AWS figures".to_owned(),
        "keep-alive 10 min after the last request".to_owned(),
        "<p class=\"meta\">Lambda Managed Instances: the environments are the capacity provider's"
            .to_owned(),
        format!("Idle memory of the on-demand environments: {idle:.0} GB-s."),
        format!(", {managed_throttled} on Managed Instances with no environment with room."),
        "<td>python3.12 · x86_64 · 128 MB</td>".to_owned(),
        "Managed Instances (fleet)</td>".to_owned(),
    ] {
        assert!(html.contains(&expected), "{expected:?} not in {html}");
    }
    assert!(!html.contains("environments on the capacity provider's instances"));

    let plain = tempfile::tempdir().expect("temp dir");
    let out = run_cli(plain.path(), &format!("duration = \"10m\"\n{jobs}"), false);
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html written");
    assert!(html.contains("<p class=\"meta\">Observed defaults, not AWS figures"));
    assert!(html.contains(" by concurrency, scaling or memory. Asynchronous"));
    assert!(html.contains("Idle memory: "));
    assert!(!html.contains("Managed Instances"));
}

/// A sweep over placement policies shows each point's host utilization and slowdown in
/// report.html, the same figures sweep.csv has (its `_mean` columns).
#[test]
fn sweep_report_html_shows_host_utilization_and_slowdown_on_a_cluster() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_cli(
        dir.path(),
        r#"
        duration = "10m"
        [cluster]
        placement = "best_fit"
        cpu = "shared"
        [[cluster.hosts]]
        count = 2
        vcpus = 1
        memory_gb = 4
        [[functions]]
        name = "f"
        runtime = "python3.12"
        memory_mb = 1769
        execution = { dist = "exponential", mean = "200ms" }
        cpu = { share = 1.0 }
        arrivals = { process = "poisson", rate = 4.0 }
        [sweep]
        replications = 1
        "cluster.placement" = ["best_fit", "worst_fit"]
        "#,
        false,
    );
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html written");
    assert!(html.contains("<th>host memory used</th><th>host CPU used</th><th>slowdown p50</th><th>slowdown p99</th>"), "{html}");
    let (header, rows) = csv_rows(&out.join("sweep.csv"));
    assert_eq!(rows.len(), 2);
    // Each point's row: #, the placement, the eight usual figures and the four host figures.
    for placement in ["best_fit", "worst_fit"] {
        let row = html
            .lines()
            .find(|l| l.contains(&format!("<td class=\"p\">{placement}</td>")))
            .expect("a row per point");
        assert_eq!(row.matches("<td").count(), 2 + 8 + 4, "{row}");
        assert!(row.contains("%</td><td>1."), "{row}");
    }
    for row in &rows {
        let cpu: f64 = row[column(&header, "host_cpu_utilization_mean")]
            .parse()
            .expect("a number");
        let p99: f64 = row[column(&header, "slowdown_p99_mean")]
            .parse()
            .expect("a number");
        // Two 1-vCPU hosts at 0.8 vCPU of demand: CPU is used, and sharing slows some requests.
        assert!(cpu > 0.0 && p99 >= 1.0, "cpu {cpu}, p99 {p99}");
    }
}
