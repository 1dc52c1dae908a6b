//! `coldsim merge OUT PART...`: joins the part folders of a sharded sweep into the report a
//! single-machine run writes (the same `sweep.csv`, byte for byte), after checking that the
//! parts are exactly the shards of one sweep: same coldsim version, scenario, seed and shard
//! count, each shard once, none missing, every run present with the seeds it should have.

use super::Error;
use crate::report::{self, Part, SweepOptions};
use crate::sweep::{
    self, arrival_seed, plan_text_of, points_of, service_salt, text_hash, Plan, RunRecord, Shard,
    SweepError, SweepSummary,
};
use std::path::{Path, PathBuf};

/// What a merge produced.
#[derive(Debug)]
pub struct Merged {
    /// The whole sweep's statistics.
    pub summary: Box<SweepSummary>,
    /// Parts merged (= shards).
    pub parts: usize,
    /// Runs merged.
    pub runs: usize,
    /// Wall-clock seconds of the shards, summed.
    pub wall_s: f64,
}

fn refuse(message: String) -> Error {
    SweepError::Merge { message }.into()
}

/// An absolute, symlink-free form of `path`, also when it does not exist yet.
fn resolved(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => resolved(parent).join(name),
        _ => absolute,
    }
}

/// Merges `parts` into the report folder `out` (replaced atomically; left as it was on any
/// error, and the parts are never changed).
pub fn merge(out: &Path, parts: &[PathBuf], charts: bool, svg: bool) -> Result<Merged, Error> {
    if parts.is_empty() {
        return Err(refuse(
            "no part folders given: pass every shard's folder after OUT".into(),
        ));
    }
    let out_abs = resolved(out);
    for dir in parts {
        let dir_abs = resolved(dir);
        if dir_abs.starts_with(&out_abs) || out_abs.starts_with(&dir_abs) {
            return Err(refuse(format!(
                "part {} and the output folder {} overlap (the merge replaces the output \
                 folder and leaves parts as they are): choose an OUT outside every part",
                dir.display(),
                out.display()
            )));
        }
    }
    let parts: Vec<Part> = parts
        .iter()
        .map(|d| report::read_part(d))
        .collect::<Result<_, _>>()?;
    for p in &parts {
        if text_hash(&p.text) != p.manifest.scenario_hash {
            return Err(refuse(format!(
                "part {}: its scenario.toml does not match the hash in part.json (edited \
                 after the run?); run its shard again",
                p.dir.display()
            )));
        }
    }
    let first = &parts[0];
    let m0 = &first.manifest;
    for p in &parts[1..] {
        let m = &p.manifest;
        let (a, b) = (first.dir.display(), p.dir.display());
        if m.coldsim_version != m0.coldsim_version {
            return Err(refuse(format!(
                "part {b} was written by coldsim {} but part {a} by coldsim {}: run every \
                 shard with the same coldsim version",
                m.coldsim_version, m0.coldsim_version
            )));
        }
        let mut differences = Vec::new();
        if m.scenario_hash != m0.scenario_hash {
            differences.push(format!(
                "scenario text {} (hash {}) vs {} (hash {})",
                m.scenario.display(),
                m.scenario_hash,
                m0.scenario.display(),
                m0.scenario_hash
            ));
        }
        if m.overrides != m0.overrides {
            let set = |o: &[String]| match o {
                [] => "no --set".to_owned(),
                _ => format!("--set {}", o.join(" --set ")),
            };
            differences.push(format!("{} vs {}", set(&m.overrides), set(&m0.overrides)));
        }
        if m.seed != m0.seed {
            let seed = |s: Option<u64>| s.map_or("no --seed".to_owned(), |s| format!("--seed {s}"));
            differences.push(format!("{} vs {}", seed(m.seed), seed(m0.seed)));
        }
        if differences.is_empty() && m.fingerprint != m0.fingerprint {
            differences.push("the points' scenarios".into());
        }
        if !differences.is_empty() {
            return Err(refuse(format!(
                "part {b} is from a different sweep than part {a} ({}): pass only the parts \
                 of one sweep",
                differences.join("; ")
            )));
        }
        if let Some(path) = sweep::inputs::changed(&m0.inputs, &m.inputs) {
            return Err(refuse(format!(
                "part {b} read {} with other content than part {a} did (the shards ran on \
                 different data): run every shard on the same files",
                path.display()
            )));
        }
        if m.shards != m0.shards {
            return Err(refuse(format!(
                "part {b} is shard {}/{} but part {a} is shard {}/{}: the parts must come \
                 from one split of the sweep (the same N); remove the stale ones",
                m.shard, m.shards, m0.shard, m0.shards
            )));
        }
    }
    if m0.coldsim_version != env!("CARGO_PKG_VERSION") {
        return Err(refuse(format!(
            "the parts (e.g. {}) were written by coldsim {}, and this is coldsim {}: merge \
             with the coldsim that ran the shards",
            first.dir.display(),
            m0.coldsim_version,
            env!("CARGO_PKG_VERSION")
        )));
    }
    let count = m0.shards;
    let mut by_shard: Vec<Option<&Part>> = vec![None; count];
    for p in &parts {
        let i = p.manifest.shard;
        let Some(slot) = by_shard.get_mut(i) else {
            return Err(refuse(format!(
                "part {}: shard {i}/{count} does not exist; run its shard again",
                p.dir.display()
            )));
        };
        if let Some(other) = slot {
            return Err(refuse(format!(
                "parts {} and {} are both shard {i}/{count}: pass each shard once",
                other.dir.display(),
                p.dir.display()
            )));
        }
        *slot = Some(p);
    }
    let missing: Vec<String> = (0..count)
        .filter(|&i| by_shard[i].is_none())
        .map(|i| i.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(refuse(format!(
            "shard{} {} of {count} {} missing (got {} part{}): pass every shard's folder, \
             running the missing ones first with `coldsim run {} --shard I/{count}`",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            if missing.len() == 1 { "is" } else { "are" },
            parts.len(),
            if parts.len() == 1 { "" } else { "s" },
            m0.scenario.display()
        )));
    }

    let plan = plan_text_of(&first.text, &m0.scenario, &m0.overrides, m0.seed)
        .map_err(|e| {
            refuse(format!(
                "the sweep of part {} cannot be planned again here: {e}",
                first.dir.display()
            ))
        })?
        .ok_or_else(|| {
            refuse(format!(
                "part {}: its scenario.toml has no [sweep] table; run its shard again",
                first.dir.display()
            ))
        })?;
    if plan.fingerprint() != m0.fingerprint || plan.points.len() != m0.points_total {
        return Err(refuse(format!(
            "the sweep of part {} plans differently here than where its shards ran (a file \
             it reads changed, or another coldsim version): run the shards again",
            first.dir.display()
        )));
    }
    let now = sweep::inputs::of_plan(&plan)?;
    if let Some(path) = sweep::inputs::changed(&m0.inputs, &now) {
        return Err(refuse(format!(
            "{} is not what the shards read (its content changed since, e.g. part {} ran): \
             restore it, or run the shards again",
            path.display(),
            first.dir.display()
        )));
    }
    let reps = plan.replications as usize;
    let mut done: Vec<Option<RunRecord>> = vec![None; plan.runs()];
    for p in &parts {
        let shard = Shard {
            index: p.manifest.shard,
            count,
        };
        let dir = p.dir.display();
        if points_of(&plan, shard) != p.manifest.points {
            return Err(refuse(format!(
                "part {dir} holds other points than shard {shard} has here; run its shard again"
            )));
        }
        for r in &p.records {
            let point = plan.points.get(r.point);
            let seed = point.map_or(0, |pt| pt.loaded.scenario.seed);
            let j = r.point * reps + r.replication as usize;
            let ok = point.is_some()
                && p.manifest.points.contains(&r.point)
                && (r.replication as usize) < reps
                && r.seed == arrival_seed(seed, r.replication)
                && r.service_salt == service_salt(seed, r.point, r.replication);
            if !ok || done[j].is_some() {
                return Err(refuse(format!(
                    "part {dir}: runs/{}-{}.json does not belong to shard {shard} of this \
                     sweep; run the shard again",
                    r.point, r.replication
                )));
            }
            done[j] = Some(r.clone());
        }
        for &pt in &p.manifest.points {
            if let Some(r) = (0..reps).find(|&r| done[pt * reps + r].is_none()) {
                return Err(refuse(format!(
                    "part {dir} lacks the run of point {pt}, replication {r} \
                     (runs/{pt}-{r}.json); run its shard again"
                )));
            }
        }
    }
    // Every shard is present and complete, and the shards' points cover the grid.
    let records: Vec<RunRecord> = done.into_iter().flatten().collect();
    if records.len() != plan.runs() {
        return Err(refuse(format!(
            "the parts hold {} of the sweep's {} runs; run the shards again",
            records.len(),
            plan.runs()
        )));
    }
    let summary = SweepSummary::new(&plan, &records);
    let wall_s = parts.iter().map(|p| p.manifest.wall_s).sum();
    let points_from = gather_points(out, &parts, &plan)?;
    let options = SweepOptions {
        charts,
        svg,
        wall_s,
        computed: records.len(),
        points_from: points_from.clone(),
    };
    let written = report::write_sweep(out, &summary, &options);
    if let Some(staged) = points_from.filter(|p| p.exists()) {
        let _ = std::fs::remove_dir_all(staged);
    }
    written?;
    Ok(Merged {
        summary: Box::new(summary),
        parts: parts.len(),
        runs: records.len(),
        wall_s,
    })
}

/// With parts run with `--keep-points`, copies every point's report from its part into a
/// staging folder beside `out` (moved into the report by `write_sweep`); `None` without.
fn gather_points(out: &Path, parts: &[Part], plan: &Plan) -> Result<Option<PathBuf>, Error> {
    let first = &parts[0];
    if let Some(p) = parts
        .iter()
        .find(|p| p.manifest.keep_points != first.manifest.keep_points)
    {
        let (with, without) = if p.manifest.keep_points {
            (p, first)
        } else {
            (first, p)
        };
        return Err(refuse(format!(
            "part {} was run with --keep-points and part {} without: run every shard with \
             or every shard without it",
            with.dir.display(),
            without.dir.display()
        )));
    }
    if !first.manifest.keep_points {
        return Ok(None);
    }
    for p in parts {
        for &pt in &p.manifest.points {
            let slug = &plan.points[pt].slug;
            if !p
                .dir
                .join("points")
                .join(slug)
                .join("report.html")
                .is_file()
            {
                return Err(refuse(format!(
                    "part {} lacks the report of point {pt} (points/{slug}/); run its shard \
                     again with --keep-points",
                    p.dir.display()
                )));
            }
        }
    }
    let (parent, name) = report::split_out(out);
    let staged = parent.join(format!(".{name}.points-{}", std::process::id()));
    if staged.exists() {
        std::fs::remove_dir_all(&staged).map_err(|source| {
            Error::Report(report::ReportError::Io {
                path: staged.clone(),
                source,
            })
        })?;
    }
    let copied = parts.iter().try_for_each(|p| {
        p.manifest.points.iter().try_for_each(|&pt| {
            let slug = &plan.points[pt].slug;
            report::copy_folder(&p.dir.join("points").join(slug), &staged.join(slug))
        })
    });
    if let Err(e) = copied {
        let _ = std::fs::remove_dir_all(&staged);
        return Err(e.into());
    }
    Ok(Some(staged))
}
