//! `report.html`: one self-contained page a person opens first. Charts are linked relatively,
//! so the page works from the output folder with no server.

use crate::metrics::{Stats, Summary};
use std::fmt::Write;

/// A chart drawn into the output folder, as `report.html` shows it (the charts and their
/// order come from `figures::CHARTS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Figure {
    /// File stem (`latency_cdf` → `latency_cdf.png`).
    pub stem: &'static str,
    /// Caption under the chart, also its alt text.
    pub caption: &'static str,
}

/// What the page shows besides the summary.
pub struct Page<'a> {
    /// The scenario text as run (overrides applied).
    pub scenario_text: &'a str,
    /// Where the scenario came from.
    pub origin: &'a str,
    /// Scenario description.
    pub description: &'a str,
    /// Wall-clock seconds of the simulation (`None`: not timed apart, a sweep point).
    pub wall_s: Option<f64>,
    /// Requests simulated, warm-up included.
    pub requests: u64,
    /// Charts drawn as PNG files, in report order.
    pub charts: &'a [Figure],
    /// Each function's capacity provider, in the summary's order: `None` for a function on
    /// demand, the provider's name for one on Lambda Managed Instances (whose environments
    /// are the provider's, so keep-alive, idle memory and on-demand limits do not apply).
    pub providers: &'a [Option<&'a str>],
}

/// Which of a run's functions are on Lambda Managed Instances, and their figures that the
/// page tells apart from the on-demand ones.
struct Placement {
    /// Functions on Managed Instances.
    managed: usize,
    /// All functions.
    functions: usize,
    /// Throttles of the managed functions: all for want of an environment with room (the
    /// account's requests-per-second limit applies to on-demand invokes only).
    managed_throttled: u64,
    /// Idle GB-seconds of the on-demand functions' environments.
    on_demand_idle_gb_seconds: f64,
}

impl Placement {
    fn new(summary: &Summary, providers: &[Option<&str>]) -> Self {
        let is_managed = |i: usize| providers.get(i).is_some_and(|p| p.is_some());
        let mut p = Placement {
            managed: 0,
            functions: summary.functions.len(),
            managed_throttled: 0,
            on_demand_idle_gb_seconds: 0.0,
        };
        for (i, f) in summary.functions.iter().enumerate() {
            if is_managed(i) {
                p.managed += 1;
                p.managed_throttled += f.stats.throttled;
            } else {
                p.on_demand_idle_gb_seconds += f.stats.environments.idle_gb_seconds;
            }
        }
        p
    }

    /// Every function is on Managed Instances: no on-demand figure applies.
    fn all_managed(&self) -> bool {
        self.managed > 0 && self.managed == self.functions
    }

    /// Some functions are on demand and some on Managed Instances.
    fn mixed(&self) -> bool {
        self.managed > 0 && self.managed < self.functions
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn ms(v: f64) -> String {
    if v == 0.0 {
        "–".into()
    } else if v < 10.0 {
        format!("{v:.2}")
    } else if v < 1000.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

fn stats_row(out: &mut String, name: &str, runtime: &str, s: &Stats) {
    let e = &s.environments;
    let _ = writeln!(
        out,
        "<tr><th>{}</th><td>{}</td><td>{}</td><td>{:.3}%</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2}</td><td>{:.1}%</td><td>{}</td><td>{}</td><td>${:.4}</td><td>${:.2}</td></tr>",
        esc(name),
        esc(runtime),
        s.invocations,
        s.cold_start_ratio * 100.0,
        s.throttled,
        s.errors,
        ms(s.latency_ms.p50),
        ms(s.latency_ms.p99),
        ms(s.cold_latency_ms.p50),
        ms(s.init_ms.p50),
        e.peak,
        e.mean_total,
        e.utilization * 100.0,
        s.retries,
        s.dropped,
        s.cost_usd.total,
        s.cost_usd_per_month
    );
}

/// Defaults that are observations, not AWS figures, with their sources and dates (shown in
/// every report: sparse traffic's cold starts depend on the first two almost entirely).
const MODEL_DEFAULTS: &str = "Observed defaults, not AWS figures (override them for your account): keep-alive 10 min after the last request (M. Shilkov, \"AWS Lambda Cold Starts After 10 Minutes\", mikhail.io, 2019-08, measured from July 2019; before that 25\u{2013}60 min); maximum lifetime 2 h (a community observation AWS does not document; Y. Cui measured recycling about 4 h after the host was created, theburningmonk.com, 2017-06); runtime init profiles fitted to maxday/lambda-perf measurements of 2026-08-22 (16 older runtimes 2023-09-15). AWS figures: 10 s init limit, 1000 concurrency, 10 \u{00d7} concurrency requests per second, 1000 environments per 10 s per function, 2 retries of failed asynchronous events after 1 and 2 min.";

/// What a Managed Instances function's figures rest on instead (see README "Lambda Managed
/// Instances" for the sources): the environments are the capacity provider's.
const MANAGED_DEFAULTS: &str = "Lambda Managed Instances: the environments are the capacity provider's, on its EC2 instances; they are started and drained by its scaler, not per request, so keep-alive, maximum lifetime, init on the request path and the on-demand concurrency, scaling and requests-per-second limits do not apply. AWS figures (Lambda developer guide, \"Scaling Lambda Managed Instances\"; aws.amazon.com/lambda/pricing): 3 instances and 3 environments per function at publication, no scaling when invocations arrive (a request that finds no environment with room is throttled), a 15% management fee on the EC2 price, $0.20 per million requests, 2 retries of failed asynchronous events after 1 and 2 min (as on demand). coldsim's choices where AWS publishes none (set them in <code>[[capacity_provider]]</code>): the scaler measures every 1 min and in <code>auto</code> mode fills half of the environments' room (AWS: \"if your traffic more than doubles within 5 minutes, you may see throttles\"), scales in after 5 min below target, an instance is ready 2 min after its launch decision, and instances are replaced after 14 days (codingprotocols.com, 2025).";

/// The "Hosts" section of a cluster run: per group, then each function's slowdown.
/// The Managed Instances section: per capacity provider its instances, CPU utilization against
/// the scaler's target, and what it costs (the instances are the provider's, not a function's).
fn managed_section(
    out: &mut String,
    providers: &[crate::metrics::managed::CapacityProviderSummary],
) {
    *out += "<h2>Lambda Managed Instances</h2>\n<p>Instances are billed from the launch decision to their termination at the EC2 price plus the management fee; a function's own cost above is its requests.</p>\n<div class=\"scroll\"><table><thead><tr><th>capacity provider</th><th>instance</th><th>mean instances</th><th>peak</th><th>launched</th><th>replaced</th><th>instance-hours</th><th>CPU used</th><th>target</th><th>instances $</th><th>fee $</th><th>cost $</th><th>$ / month</th></tr></thead><tbody>\n";
    for p in providers {
        let _ = writeln!(
            out,
            "<tr><th>{}</th><td>{} · {} vCPUs · ${}/h</td><td>{:.2}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1}</td><td>{:.1}%</td><td>{:.0}%</td><td>{:.4}</td><td>{:.4}</td><td>{:.4}</td><td>{:.2}</td></tr>",
            esc(&p.name),
            esc(&p.instance_type),
            p.instance_vcpus,
            p.price_per_hour,
            p.mean_instances,
            p.peak_instances,
            p.launches,
            p.replaced,
            p.instance_hours,
            100.0 * p.cpu_utilization,
            100.0 * p.target_cpu_utilization,
            p.cost_usd.instances,
            p.cost_usd.management_fee,
            p.cost_usd.total,
            p.cost_usd_per_month
        );
    }
    *out += "</tbody></table></div>\n";
}

fn hosts_section(out: &mut String, c: &crate::metrics::hosts::ClusterSummary) {
    let pct = |u: f64| format!("{:.1}%", 100.0 * u);
    let _ = writeln!(
        out,
        "<h2>Hosts</h2>\n<p>{} hosts: memory {} and CPU {} used on average; {} environments placed; {} requests waited for memory (no host had room), {} for vCPUs. Slowdown (execution ÷ its uncontended time): p50 {:.3}, p99 {:.3}, max {:.3}.</p>",
        c.hosts_total,
        pct(c.mean_memory_utilization),
        pct(c.mean_cpu_utilization),
        c.environments_placed,
        c.requests_waited_for_memory,
        c.requests_waited_for_cpu,
        c.slowdown.p50,
        c.slowdown.p99,
        c.slowdown.max
    );
    *out += "<div class=\"scroll\"><table><thead><tr><th>group</th><th>hosts</th><th>memory used</th><th>CPU used</th><th>CPU demanded</th><th>environments placed</th><th>waited for vCPUs</th></tr></thead><tbody>\n";
    for g in &c.groups {
        let _ = writeln!(
            out,
            "<tr><th>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&g.group),
            g.hosts,
            pct(g.mean_memory_utilization),
            pct(g.mean_cpu_utilization),
            pct(g.mean_cpu_demand),
            g.environments_placed,
            g.requests_waited_for_cpu
        );
    }
    *out += "</tbody></table></div>\n<div class=\"scroll\"><table><thead><tr><th>function</th><th></th><th>requests</th><th>slowdown mean</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr></thead><tbody>\n";
    for f in &c.functions {
        let s = &f.slowdown;
        let _ = writeln!(
            out,
            "<tr><th>{}</th><td></td><td>{}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td></tr>",
            esc(&f.function),
            s.samples,
            s.mean,
            s.p50,
            s.p90,
            s.p99,
            s.max
        );
    }
    *out += "</tbody></table></div>\n<p class=\"meta\">Per host: <a href=\"hosts.csv\">hosts.csv</a>. CPU used is busy vCPUs ÷ vCPUs; CPU demanded is what the running executions asked for (above 100% they were slowed under <code>cpu = \"shared\"</code>).</p>\n";
}

/// Whose the instances are: "capacity provider's", or "capacity providers'" for several.
fn providers_of(summary: &Summary) -> &'static str {
    if summary.capacity_providers.len() == 1 {
        "capacity provider's"
    } else {
        "capacity providers'"
    }
}

/// The bytes of `report.html`.
pub fn report_html(summary: &Summary, page: &Page) -> Vec<u8> {
    let s = &summary.stats;
    let placed = Placement::new(summary, page.providers);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>coldsim · {name}</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #1e1e1e; }}
h1 {{ margin-bottom: .2rem; }} .meta {{ color: #555; margin-top: 0; }}
.cards {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: .8rem; margin: 1.5rem 0; }}
.card {{ border: 1px solid #ddd; border-radius: 8px; padding: .8rem 1rem; }}
.card .v {{ font-size: 1.6rem; font-weight: 600; }} .card .k {{ color: #555; font-size: .9rem; }}
.scroll {{ overflow-x: auto; margin: 1rem 0 2rem; }} .scroll table {{ margin: 0; }}
table {{ border-collapse: collapse; width: 100%; font-size: .92rem; margin: 1rem 0 2rem; }}
th, td {{ border-bottom: 1px solid #e5e5e5; padding: .35rem .5rem; text-align: right; }}
th:first-child, th:nth-child(2), td:nth-child(2) {{ text-align: left; }} thead th {{ background: #f6f6f6; }}
figure {{ margin: 2rem 0; }} figure img {{ width: 100%; border: 1px solid #eee; }}
figcaption {{ color: #555; }} pre {{ background: #f6f6f6; padding: 1rem; overflow-x: auto; font-size: .85rem; }}
</style></head><body>
<h1>{name}</h1>
<p class="meta">{description}</p>
<p class="meta">coldsim {version} · seed {seed} · {period:.0} s simulated after warm-up · {requests} requests simulated{wall} · scenario <code>{origin}</code></p>
<div class="cards">
<div class="card"><div class="v">{inv}</div><div class="k">requests</div></div>
<div class="card"><div class="v">{cold:.2}%</div><div class="k">cold starts ({cold_n}{cold_where})</div></div>
<div class="card"><div class="v">{p50} ms</div><div class="k">latency p50</div></div>
<div class="card"><div class="v">{p99} ms</div><div class="k">latency p99</div></div>
<div class="card"><div class="v">{thr}</div><div class="k">throttled</div></div>
<div class="card"><div class="v">{envs:.1}</div><div class="k">environments{envs_where} (mean; peak {peak})</div></div>
<div class="card"><div class="v">${cost:.2}</div><div class="k">cost ({period_h:.1} h)</div></div>
<div class="card"><div class="v">${month:.2}</div><div class="k">cost per month (730 h at this traffic)</div></div>
<div class="card"><div class="v">{retries}</div><div class="k">async retries ({dropped} events dropped)</div></div>
</div>
<h2>Per function</h2>
<div class="scroll"><table><thead><tr><th>function</th><th>runtime</th><th>requests</th><th>cold</th><th>throttled</th><th>errors</th><th>p50 ms</th><th>p99 ms</th><th>cold p50 ms</th><th>init p50 ms</th><th>peak envs</th><th>mean envs</th><th>utilization</th><th>retries</th><th>dropped</th><th>cost</th><th>cost / month</th></tr></thead><tbody>
"#,
        name = esc(&summary.scenario),
        description = esc(page.description),
        version = env!("CARGO_PKG_VERSION"),
        seed = summary.seed,
        period = summary.simulated_seconds,
        period_h = summary.simulated_seconds / 3600.0,
        requests = page.requests,
        wall = page
            .wall_s
            .map_or(String::new(), |w| format!(" in {w:.2} s of wall time")),
        origin = esc(page.origin),
        inv = s.invocations,
        cold = s.cold_start_ratio * 100.0,
        cold_n = s.cold_starts,
        p50 = ms(s.latency_ms.p50),
        p99 = ms(s.latency_ms.p99),
        thr = s.throttled,
        cold_where = if placed.managed > 0 {
            "; none on Managed Instances"
        } else {
            ""
        },
        envs = s.environments.mean_total,
        envs_where = if placed.all_managed() {
            format!(" on the {} instances", providers_of(summary))
        } else {
            String::new()
        },
        peak = s.environments.peak,
        cost = s.cost_usd.total,
        month = s.cost_usd_per_month,
        retries = s.retries,
        dropped = s.dropped,
    );
    for (i, f) in summary.functions.iter().enumerate() {
        let on = match page.providers.get(i).copied().flatten() {
            Some(provider) => format!(" · Managed Instances ({provider})"),
            None => String::new(),
        };
        stats_row(
            &mut out,
            &f.name,
            &format!("{} · {} · {} MB{on}", f.runtime, f.arch, f.memory_mb),
            &f.stats,
        );
    }
    if summary.functions.len() > 1 {
        stats_row(&mut out, "all", "", s);
    }
    out += "</tbody></table></div>\n";
    let month = if placed.all_managed() {
        // No duration is charged on Managed Instances, so no duration tier applies.
        "the requests (less the free tier's with <code>pricing.free_tier</code>), the instances and the management fee"
    } else {
        "with on-demand duration priced in AWS's monthly tiers (and less the free tier with <code>pricing.free_tier</code>)"
    };
    let _ = writeln!(
        out,
        "<p class=\"meta\">Latency runs from a request's arrival to its completion: for asynchronous functions it includes the waits between retries of throttled attempts (a retried event can take minutes), so their percentiles can far exceed init + execution. Retries are throttled attempts that were tried again; dropped events were still throttled at the maximum event age and count as throttled. Cost per month scales the counted period's cost to 730 hours at the simulated traffic{}{month}.</p>",
        if placed.all_managed() { ": " } else { ", " }
    );
    let c = &s.cost_usd;
    if placed.all_managed() {
        // No duration, init, provisioned or SnapStart charge, no pings, no idle memory of
        // their own: the instances are billed, and the environments on them are the
        // provider's.
        let _ = writeln!(
            out,
            "<p>Cost by component: requests ${:.4} · Managed Instances ${:.4} (the {} instances and management fee; no duration charge).</p>",
            c.requests, c.managed_instances, providers_of(summary)
        );
    } else {
        let _ = writeln!(
            out,
            "<p>Cost by component: requests ${:.4} · duration ${:.4} · init ${:.4} · provisioned ${:.4} · SnapStart ${:.4}{}. {}: {:.0} GB-s. Provisioned: {:.2} allocated on average, {:.1}% utilized, {} requests spilled over. Warm-up pings: {} ({} cold), ${:.4}.</p>",
            c.requests, c.duration, c.init, c.provisioned, c.snapstart,
            if c.managed_instances > 0.0 {
                format!(" · Managed Instances ${:.4}", c.managed_instances)
            } else {
                String::new()
            },
            if placed.mixed() {
                "Idle memory of the on-demand environments"
            } else {
                "Idle memory"
            },
            if placed.mixed() {
                placed.on_demand_idle_gb_seconds
            } else {
                s.environments.idle_gb_seconds
            },
            s.provisioned.mean_allocated, 100.0 * s.provisioned.utilization, s.provisioned.spillover,
            s.warmers.pings, s.warmers.cold_starts, s.warmers.cost_usd
        );
    }
    let by_room = placed.managed_throttled;
    let throttled = if placed.all_managed() {
        format!("{by_room} requests found no environment with room (the scaler adds environments each period, not per request)")
    } else {
        format!(
            "{} by the account's requests-per-second limit, {} by concurrency, scaling or memory{}",
            s.rate_throttled,
            (s.throttled - s.rate_throttled).saturating_sub(by_room),
            if placed.managed > 0 {
                format!(", {by_room} on Managed Instances with no environment with room")
            } else {
                String::new()
            }
        )
    };
    let _ = writeln!(
        out,
        "<p>Throttled: {throttled}. Asynchronous: {} retries after function errors (each an invocation), {} events dead-lettered (failed every attempt or expired).</p>",
        s.error_retries, s.dead_lettered
    );
    if placed.all_managed() {
        let _ = writeln!(out, "<p class=\"meta\">{MANAGED_DEFAULTS}</p>");
    } else if placed.mixed() {
        let _ = writeln!(
            out,
            "<p class=\"meta\">On-demand functions. {MODEL_DEFAULTS}</p>\n<p class=\"meta\">{MANAGED_DEFAULTS}</p>"
        );
    } else {
        let _ = writeln!(out, "<p class=\"meta\">{MODEL_DEFAULTS}</p>");
    }
    if let Some(c) = &summary.cluster {
        hosts_section(&mut out, c);
    }
    if !summary.capacity_providers.is_empty() {
        managed_section(&mut out, &summary.capacity_providers);
    }
    out += "<h2>Charts</h2>\n";
    for Figure { stem, caption } in page.charts {
        let _ = writeln!(out, "<figure><img src=\"{stem}.png\" alt=\"{caption}\"><figcaption>{caption}</figcaption></figure>");
    }
    let _ = write!(
        out,
        "<h2>Scenario</h2>\n<pre>{}</pre>\n<p class=\"meta\">Files: <a href=\"summary.json\">summary.json</a> · <a href=\"functions.csv\">functions.csv</a> · <a href=\"timeseries.csv\">timeseries.csv</a>{} · <a href=\"scenario.toml\">scenario.toml</a></p>\n</body></html>\n",
        esc(page.scenario_text),
        match (summary.cluster.is_some(), summary.capacity_providers.is_empty()) {
            (true, true) => " · <a href=\"hosts.csv\">hosts.csv</a>",
            (false, false) => " · <a href=\"capacity_providers.csv\">capacity_providers.csv</a>",
            (true, false) => " · <a href=\"hosts.csv\">hosts.csv</a> · <a href=\"capacity_providers.csv\">capacity_providers.csv</a>",
            (false, true) => "",
        }
    );
    out.into_bytes()
}
