//! A whole sweep: resume state, parallel runs, then the report — what `coldsim run` does with
//! a scenario that has a `[sweep]` table.

use super::Error;
use crate::report::{self, PartManifest, SweepOptions, SweepState, PART_FORMAT};
use crate::sweep::{
    self, arrival_seed, execute, points_of, service_salt, Control, Plan, Progress, RunRecord,
    Shard, SweepError, SweepSummary,
};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// How to run a sweep.
pub struct Settings<'a> {
    /// Output folder (replaced atomically when the sweep completes).
    pub out: &'a Path,
    /// Continue from the runs an interrupted sweep kept in `out`.
    pub resume: bool,
    /// Also write each point's full report (its first replication) under `points/`.
    pub keep_points: bool,
    /// Draw charts.
    pub charts: bool,
    /// Also write SVG charts.
    pub svg: bool,
    /// Set (by Ctrl-C or SIGTERM) to stop: running runs are dropped, finished ones kept.
    pub stop: &'a AtomicBool,
    /// Stop as if interrupted after this many runs (tests of `--resume`).
    pub stop_after: Option<usize>,
    /// Called after every run, from worker threads.
    pub progress: &'a (dyn Fn(Progress) + Sync),
    /// Run only this shard's points and write a part folder instead of the report.
    pub shard: Option<Shard>,
}

/// How a sweep ended.
#[derive(Debug)]
pub enum Outcome {
    /// Every run is done and the report is written.
    Finished {
        /// The sweep's statistics.
        summary: Box<SweepSummary>,
        /// Runs computed in this session.
        computed: usize,
        /// Runs taken from an interrupted session.
        resumed: usize,
        /// Wall-clock seconds of this session's runs.
        wall_s: f64,
    },
    /// A shard's runs are done and its part folder is written.
    Part {
        /// Which shard.
        shard: Shard,
        /// Its points.
        points: usize,
        /// Runs computed in this session.
        computed: usize,
        /// Runs taken from an interrupted session.
        resumed: usize,
        /// Wall-clock seconds of this session's runs.
        wall_s: f64,
    },
    /// Stopped early; finished runs are kept in `state_dir` for `--resume`.
    Interrupted {
        /// Runs finished so far (over all sessions).
        done: usize,
        /// Points × replications (of the shard, with `--shard`).
        total: usize,
        /// Where they are kept.
        state_dir: PathBuf,
    },
}

/// Runs `plan` and writes its report into `settings.out`.
pub fn run(plan: &Plan, settings: &Settings) -> Result<Outcome, Error> {
    let reps = plan.replications as usize;
    let selected: Vec<usize> = match settings.shard {
        Some(shard) => points_of(plan, shard),
        None => (0..plan.points.len()).collect(),
    };
    let mut in_shard = vec![false; plan.points.len()];
    for &p in &selected {
        in_shard[p] = true;
    }
    let total = selected.len() * reps;
    // A shard's state is its own: another shard's (or the whole sweep's) is not resumed.
    let fingerprint = match settings.shard {
        Some(shard) => format!("{} shard {shard}", plan.fingerprint()),
        None => plan.fingerprint(),
    };
    let inputs = sweep::inputs::of_plan(plan)?;
    let state = SweepState::at(settings.out);
    let mut done: Vec<Option<RunRecord>> = vec![None; plan.runs()];
    let mut resumed = 0;
    match (settings.resume, state.fingerprint()) {
        (true, Some((f, kept_inputs))) if f == fingerprint => {
            if let Some(path) = sweep::inputs::changed(&kept_inputs, &inputs) {
                return Err(SweepError::Resume {
                    dir: state.dir().to_owned(),
                    message: format!(
                        "{} changed since the interrupted sweep read it (its content is not \
                         what the kept runs were made from): restore it, or run again without \
                         --resume to start over",
                        path.display()
                    ),
                }
                .into());
            }
            let records = state.records().map_err(|(path, why)| SweepError::Resume {
                dir: state.dir().to_owned(),
                message: format!(
                    "{}: {why}; delete it to run that run again, or run without --resume to \
                     start over",
                    path.display()
                ),
            })?;
            for record in records {
                let Some(point) = plan.points.get(record.point) else {
                    continue;
                };
                let j = record.point * reps + record.replication as usize;
                let seed = point.loaded.scenario.seed;
                let usable = in_shard[point.index]
                    && (record.replication as usize) < reps
                    && done[j].is_none()
                    // Seeds as this version derives them (the fingerprint covers the rest).
                    && record.seed == arrival_seed(seed, record.replication)
                    && record.service_salt == service_salt(seed, point.index, record.replication)
                    // A kept point report is made with replication 0: without it, rerun it.
                    && !(settings.keep_points
                        && record.replication == 0
                        && !state.has_point(&point.slug));
                if usable {
                    done[j] = Some(record);
                    resumed += 1;
                }
            }
        }
        (true, Some(_)) => {
            return Err(SweepError::Resume {
                dir: state.dir().to_owned(),
                message: "it was written by a different sweep (the scenario, its [sweep] table, --set or --seed changed); run again without --resume to start over".into(),
            }
            .into())
        }
        // Nothing to resume (or a fresh start): begin with empty state.
        _ => state.reset(&fingerprint, &inputs)?,
    }

    let started = Instant::now();
    let control = Control {
        stop: settings.stop,
        stop_after: settings.stop_after,
        progress: settings.progress,
    };
    let point_options = report::Options {
        charts: settings.charts,
        svg: settings.svg,
        wall_s: None,
    };
    let complete = execute::<Error>(
        plan,
        &selected,
        &mut done,
        &control,
        &|point, record, results, summary| {
            if settings.keep_points && record.replication == 0 {
                let mut loaded = point.loaded.clone();
                loaded.scenario.seed = record.seed;
                report::write(
                    &state.point_dir(&point.slug),
                    &loaded,
                    results,
                    summary,
                    &point_options,
                )?;
            }
            state.save(record)?;
            Ok(())
        },
    )?;
    let wall_s = started.elapsed().as_secs_f64();
    if !complete {
        return Ok(Outcome::Interrupted {
            done: done.iter().filter(|r| r.is_some()).count(),
            total,
            state_dir: state.dir().to_owned(),
        });
    }
    let records: Vec<RunRecord> = done.into_iter().flatten().collect();
    if let Some(shard) = settings.shard {
        let manifest = PartManifest {
            format: PART_FORMAT,
            coldsim_version: env!("CARGO_PKG_VERSION").to_owned(),
            scenario: plan.origin.clone(),
            scenario_hash: plan.text_hash(),
            overrides: plan.cli_overrides.clone(),
            seed: plan.cli_seed,
            fingerprint: plan.fingerprint(),
            shard: shard.index,
            shards: shard.count,
            points_total: plan.points.len(),
            replications: plan.replications,
            points: selected.clone(),
            runs: total,
            wall_s,
            keep_points: settings.keep_points,
            inputs: inputs.clone(),
        };
        let points = state.points_dir();
        let points_from = settings.keep_points.then_some(points.as_path());
        report::write_part(settings.out, &manifest, &plan.text, &records, points_from)?;
        return Ok(Outcome::Part {
            shard,
            points: selected.len(),
            computed: total - resumed,
            resumed,
            wall_s,
        });
    }
    let summary = SweepSummary::new(plan, &records);
    let options = SweepOptions {
        charts: settings.charts,
        svg: settings.svg,
        wall_s,
        computed: total - resumed,
        points_from: settings.keep_points.then(|| state.points_dir()),
    };
    report::write_sweep(settings.out, &summary, &options)?;
    Ok(Outcome::Finished {
        summary: Box::new(summary),
        computed: total - resumed,
        resumed,
        wall_s,
    })
}
