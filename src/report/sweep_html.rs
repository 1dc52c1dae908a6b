//! `report.html` of a sweep: the points table (means and 95% confidence intervals), the
//! sweep charts (those drawn, in the order of the registry `SWEEP_CHARTS` of
//! `sweep_figures.rs`), and the scenario with its `[sweep]` table.

use crate::sweep::{Estimate, Metric, Mode, SweepSummary};
use std::fmt::Write;

/// A chart drawn for the sweep report: file stem and caption.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepChart {
    /// File stem (`sweep_cost_vs_p99` → `sweep_cost_vs_p99.png`).
    pub stem: String,
    /// Caption under the chart in `report.html`.
    pub caption: String,
}

/// The metrics whose chart is drawn: those charted and not zero at every point.
pub fn charted_metrics(summary: &SweepSummary) -> Vec<Metric> {
    Metric::ALL
        .into_iter()
        .filter(|&m| m.charted() && summary.points.iter().any(|p| p.get(m).mean != 0.0))
        .collect()
}

/// What the page shows besides the summary.
pub struct SweepPage<'a> {
    /// Charts drawn (in order).
    pub charts: &'a [SweepChart],
    /// Wall-clock seconds of this session's runs.
    pub wall_s: f64,
    /// Runs computed in this session (the rest were resumed).
    pub computed: usize,
    /// Point reports were kept under `points/`, named by these folder names (in point order).
    pub point_dirs: &'a [String],
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A figure with 3 significant digits (more for large numbers).
pub(crate) fn fig(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        let digits = ((-a.log10().floor()) as usize + 2).min(10);
        format!("{v:.digits$}")
    }
}

fn cell(e: &Estimate, scale: f64, prefix: &str, suffix: &str) -> String {
    let mean = format!("{prefix}{}{suffix}", fig(e.mean * scale));
    match e.ci {
        Some((lo, hi)) => format!(
            "<td title=\"95% CI {prefix}{}{suffix} – {prefix}{}{suffix}\">{mean}<span class=\"ci\"> ± {}</span></td>",
            fig(lo * scale),
            fig(hi * scale),
            fig((hi - lo) / 2.0 * scale)
        ),
        None => format!("<td>{mean}</td>"),
    }
}

/// The bytes of a sweep's `report.html`.
pub fn sweep_html(summary: &SweepSummary, page: &SweepPage) -> Vec<u8> {
    let runs = summary.points.len() * summary.replications as usize;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>coldsim sweep · {name}</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #1e1e1e; }}
h1 {{ margin-bottom: .2rem; }} .meta {{ color: #555; margin-top: 0; }}
.scroll {{ overflow-x: auto; margin: 1rem 0; }} .scroll table {{ margin: 0; }}
table {{ border-collapse: collapse; width: 100%; font-size: .92rem; margin: 1rem 0 1rem; }}
th, td {{ border-bottom: 1px solid #e5e5e5; padding: .35rem .5rem; text-align: right; white-space: nowrap; }}
thead th {{ background: #f6f6f6; }} td.p, th.p {{ text-align: left; }}
.ci {{ color: #777; font-size: .85em; }} tr.front td:first-child {{ font-weight: 600; }}
figure {{ margin: 2rem 0; }} figure img {{ width: 100%; border: 1px solid #eee; }}
figcaption {{ color: #555; }} pre {{ background: #f6f6f6; padding: 1rem; overflow-x: auto; font-size: .85rem; }}
</style></head><body>
<h1>{name} <span class="meta">(sweep)</span></h1>
<p class="meta">{description}</p>
<p class="meta">coldsim {version} · {points} point{ps} × {reps} replication{rs} = {runs} run{runs_s} ({mode}) · {simulated} counted per run · seed {seed} · {computed} runs in {wall:.1} s of wall time{resumed} · scenario <code>{origin}</code></p>
<p class="meta">Each cell is the mean over replications{ci_note}. Replication <i>r</i> of every point replays the same arrivals (common random numbers); service times and platform choices differ per point. Cost is the counted period's; per month scales it to 730 hours at the simulated traffic, with on-demand duration priced in AWS's monthly tiers. ◆ marks the Pareto front of p99 latency and cost.</p>
<div class="scroll"><table><thead><tr><th class="p">#</th>"#,
        name = esc(&summary.name),
        description = esc(&summary.description),
        version = env!("CARGO_PKG_VERSION"),
        points = summary.points.len(),
        ps = if summary.points.len() == 1 { "" } else { "s" },
        reps = summary.replications,
        rs = if summary.replications == 1 { "" } else { "s" },
        runs_s = if runs == 1 { "" } else { "s" },
        mode = match summary.mode {
            Mode::Grid => "grid",
            Mode::Zip => "zip",
        },
        simulated = esc(&summary.simulated),
        seed = summary.seed,
        computed = page.computed,
        wall = page.wall_s,
        resumed = if page.computed < runs {
            format!(", {} resumed", runs - page.computed)
        } else {
            String::new()
        },
        origin = esc(&summary.origin.display().to_string()),
        ci_note = if summary.replications > 1 {
            format!(
                " ± half the 95% confidence interval (Student t, {} degrees of freedom; hover for the bounds)",
                summary.replications - 1
            )
        } else {
            " (one replication: no confidence interval)".into()
        },
    );
    for p in &summary.params {
        let _ = write!(
            out,
            "<th class=\"p\" title=\"{}\">{}</th>",
            esc(&p.path),
            esc(&p.short)
        );
    }
    out += "<th>cold starts</th><th>p50 ms</th><th>p99 ms</th><th>environments</th><th>throttled</th><th>cost</th><th>per month</th><th>requests</th>";
    // On a cluster: the host figures of `ClusterRecord::COLUMNS`, as sweep.csv has them.
    let cluster = summary.points.iter().all(|p| p.cluster.is_some()) && !summary.points.is_empty();
    if cluster {
        out += "<th>host memory used</th><th>host CPU used</th><th>slowdown p50</th><th>slowdown p99</th>";
    }
    if !page.point_dirs.is_empty() {
        out += "<th class=\"p\">report</th>";
    }
    out += "</tr></thead><tbody>\n";
    for p in &summary.points {
        let _ = write!(
            out,
            "<tr{}><td class=\"p\">{}{}</td>",
            if p.pareto { " class=\"front\"" } else { "" },
            p.index,
            if p.pareto { " ◆" } else { "" }
        );
        for (param, &c) in summary.params.iter().zip(&p.choice) {
            let _ = write!(out, "<td class=\"p\">{}</td>", esc(&param.labels[c]));
        }
        out += &cell(&p.get(Metric::ColdStartRatio), 100.0, "", "%");
        out += &cell(&p.get(Metric::LatencyP50), 1.0, "", "");
        out += &cell(&p.get(Metric::LatencyP99), 1.0, "", "");
        out += &cell(&p.get(Metric::MeanEnvironments), 1.0, "", "");
        out += &cell(&p.get(Metric::Throttled), 1.0, "", "");
        out += &cell(&p.get(Metric::Cost), 1.0, "$", "");
        out += &cell(&p.get(Metric::CostPerMonth), 1.0, "$", "");
        let _ = write!(out, "<td>{:.0}</td>", p.invocations);
        if let (true, Some([memory, cpu, p50, p99])) = (cluster, &p.cluster) {
            out += &cell(memory, 100.0, "", "%");
            out += &cell(cpu, 100.0, "", "%");
            out += &cell(p50, 1.0, "", "");
            out += &cell(p99, 1.0, "", "");
        }
        if let Some(dir) = page.point_dirs.get(p.index) {
            let _ = write!(
                out,
                "<td class=\"p\"><a href=\"points/{0}/report.html\">{0}</a></td>",
                esc(dir)
            );
        }
        out += "</tr>\n";
    }
    out += "</tbody></table></div>\n";
    if let Some(ka) = &summary.keep_alive {
        let _ = write!(
            out,
            "<h2>Keep-alive trade-off</h2>\n<p class=\"meta\">Per point: the 75th percentile over {} cold starts (% of its requests), and the memory kept by idle environments (GB-seconds) relative to point {} ({}). ◆ marks the Pareto front of the two.</p>\n<div class=\"scroll\"><table><thead><tr><th class=\"p\">#</th><th class=\"p\">point</th><th>p75 {} cold starts</th><th>wasted memory (normalized)</th></tr></thead><tbody>\n",
            if ka.over_apps() { "apps (the unit, as in the paper) of each app's" } else { "functions of each function's" },
            summary.points.iter().find(|p| p.label == ka.baseline).map_or(0, |p| p.index),
            esc(&ka.baseline),
            if ka.over_apps() { "app" } else { "function" }
        );
        for (p, k) in summary.points.iter().zip(&ka.points) {
            let _ = write!(
                out,
                "<tr{}><td class=\"p\">{}{}</td><td class=\"p\">{}</td>",
                if k.pareto { " class=\"front\"" } else { "" },
                p.index,
                if k.pareto { " ◆" } else { "" },
                esc(&p.label)
            );
            out += &cell(k.cold_pct_p75(), 1.0, "", "%");
            out += &cell(&k.wasted_memory_normalized, 1.0, "", "");
            out += "</tr>\n";
        }
        out += "</tbody></table></div>\n";
    }
    out += &super::sweep_memory_sizing::html(summary);
    let skipped: Vec<&str> = Metric::ALL
        .into_iter()
        .filter(|m| m.charted() && !charted_metrics(summary).contains(m))
        .map(|m| m.column())
        .collect();
    if !skipped.is_empty() && !page.charts.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"meta\">Not charted, zero at every point: {}.</p>",
            skipped.join(", ")
        );
    }
    if !page.charts.is_empty() {
        out += "<h2>Charts</h2>\n";
    }
    for c in page.charts {
        let _ = writeln!(
            out,
            "<figure><img src=\"{0}.png\" alt=\"{1}\"><figcaption>{1}</figcaption></figure>",
            esc(&c.stem),
            esc(&c.caption)
        );
    }
    let _ = write!(
        out,
        "<h2>Scenario</h2>\n<pre>{}</pre>\n<p class=\"meta\">Files: <a href=\"sweep.csv\">sweep.csv</a> · <a href=\"scenario.toml\">scenario.toml</a></p>\n</body></html>\n",
        esc(&summary.text)
    );
    out.into_bytes()
}
