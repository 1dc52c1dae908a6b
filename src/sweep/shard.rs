//! Shards of a sweep for clusters: `--shard I/N` runs only the points assigned to shard `I`
//! of `N` (numbered from 0), and `coldsim merge` joins the parts.
//!
//! The assignment is a fixed function of the plan and `N`, so every array task and the merge
//! compute the same one: points are taken in decreasing order of estimated cost (ties in grid
//! order) and each goes to the shard with the least estimated work so far (ties to the lowest
//! shard) — the longest-processing-time rule. A point's estimated cost is its expected
//! requests per run (`guard::estimate`: mean arrival rate × duration, a trace's capped at
//! the requests it holds) plus a fixed overhead of [`RUN_OVERHEAD`] requests; points of
//! equal cost are thus dealt round-robin in grid order.

use super::plan::Plan;
use super::SweepError;

/// The fixed cost of a run, in requests, added to every point's estimate.
pub const RUN_OVERHEAD: u64 = 1_000;

/// Shard `index` of `count` (0 ≤ index < count).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, from 0.
    pub index: usize,
    /// How many shards the sweep is split into.
    pub count: usize,
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

fn shard_error(message: String) -> SweepError {
    SweepError::Shard { message }
}

impl Shard {
    /// Parses `I/N` as given to `--shard`.
    pub fn parse(text: &str) -> Result<Shard, SweepError> {
        let bad = || {
            shard_error(format!(
                "--shard {text}: expected I/N such as 0/8 (shard I of N, numbered from 0), or \
                 --shard with no value inside a Slurm array job (put it after the scenario file)"
            ))
        };
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        Shard::new(index, count, &format!("--shard {text}"))
    }

    fn new(index: usize, count: usize, what: &str) -> Result<Shard, SweepError> {
        if count == 0 {
            return Err(shard_error(format!(
                "{what}: the number of shards must be at least 1"
            )));
        }
        if index >= count {
            return Err(shard_error(format!(
                "{what}: shard {index} does not exist; shards are numbered 0 to {} (N - 1)",
                count - 1
            )));
        }
        Ok(Shard { index, count })
    }

    /// The shard of a Slurm array task, read through `var` (e.g. `std::env::var`):
    /// `I = (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP` (minimum 0
    /// and step 1 when unset) and `N = SLURM_ARRAY_TASK_COUNT`, so `--array=0-7`,
    /// `--array=1-8` and `--array=0-14:2` all give shards 0 to 7 of 8.
    pub fn from_slurm(var: impl Fn(&str) -> Option<String>) -> Result<Shard, SweepError> {
        let number = |name: &str| -> Result<Option<usize>, SweepError> {
            match var(name) {
                None => Ok(None),
                Some(v) => v.trim().parse().map(Some).map_err(|_| {
                    shard_error(format!(
                        "--shard: {name}={v} is not a whole number; pass --shard I/N instead"
                    ))
                }),
            }
        };
        let (Some(id), Some(count)) = (
            number("SLURM_ARRAY_TASK_ID")?,
            number("SLURM_ARRAY_TASK_COUNT")?,
        ) else {
            return Err(shard_error(
                "--shard without I/N takes the shard from SLURM_ARRAY_TASK_ID and \
                 SLURM_ARRAY_TASK_COUNT, which are not set: run it in a Slurm array job \
                 (sbatch --array=0-(N-1)) or pass --shard I/N"
                    .into(),
            ));
        };
        let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let step = number("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1).max(1);
        let what = format!(
            "--shard from Slurm (SLURM_ARRAY_TASK_ID={id}, SLURM_ARRAY_TASK_MIN={min}, \
             SLURM_ARRAY_TASK_STEP={step}, SLURM_ARRAY_TASK_COUNT={count})"
        );
        let offset = id.checked_sub(min).filter(|o| o % step == 0);
        match offset {
            Some(o) if o / step < count => Shard::new(o / step, count, &what),
            _ => Err(shard_error(format!(
                "{what}: the array's task ids are not a range; submit it with \
                 --array=0-{} or pass --shard I/N",
                count.saturating_sub(1)
            ))),
        }
    }
}

/// A point's estimated cost: the requests one run is expected to simulate (the resource
/// guard's estimate) plus [`RUN_OVERHEAD`].
fn cost(plan: &Plan, point: usize) -> u64 {
    let requests = crate::guard::estimate(&plan.points[point].loaded.scenario).requests;
    // `as` saturates, and maps NaN to 0, which leaves the overhead.
    (requests.round() as u64).saturating_add(RUN_OVERHEAD)
}

/// The shard of every point (indexed like `plan.points`) when the sweep is split in `count`.
pub fn assignment(plan: &Plan, count: usize) -> Vec<usize> {
    let count = count.max(1);
    let costs: Vec<u64> = (0..plan.points.len()).map(|p| cost(plan, p)).collect();
    let mut order: Vec<usize> = (0..plan.points.len()).collect();
    // Stable: equal costs stay in grid order.
    order.sort_by(|&a, &b| costs[b].cmp(&costs[a]));
    let mut load = vec![0u64; count];
    let mut shard_of = vec![0; plan.points.len()];
    for p in order {
        let (least, _) = load
            .iter()
            .enumerate()
            .min_by_key(|&(i, &l)| (l, i))
            .expect("at least one shard");
        shard_of[p] = least;
        load[least] = load[least].saturating_add(costs[p]);
    }
    shard_of
}

/// The points (in grid order) of `shard`.
pub fn points_of(plan: &Plan, shard: Shard) -> Vec<usize> {
    assignment(plan, shard.count)
        .into_iter()
        .enumerate()
        .filter(|&(_, s)| s == shard.index)
        .map(|(p, _)| p)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn parses_i_of_n_and_refuses_the_rest() {
        assert_eq!(
            Shard::parse("3/8").expect("valid"),
            Shard { index: 3, count: 8 }
        );
        for bad in ["8/8", "1/0", "3", "a/2", "-1/2", "", "sweep.toml"] {
            let e = Shard::parse(bad).expect_err(bad).to_string();
            assert!(e.contains("--shard"), "{bad}: {e}");
        }
        assert!(Shard::parse("8/8")
            .expect_err("out of range")
            .to_string()
            .contains("numbered 0 to 7"));
    }

    #[test]
    fn slurm_task_ids_map_to_shards_from_zero() {
        let s = |pairs: &[(&str, &str)]| Shard::from_slurm(env(pairs));
        let zero_based = [
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
        ];
        assert_eq!(s(&zero_based).expect("ok"), Shard { index: 2, count: 4 });
        let one_based = [
            ("SLURM_ARRAY_TASK_ID", "4"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
        ];
        assert_eq!(s(&one_based).expect("ok"), Shard { index: 3, count: 4 });
        let stepped = [
            ("SLURM_ARRAY_TASK_ID", "14"),
            ("SLURM_ARRAY_TASK_COUNT", "8"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_STEP", "2"),
        ];
        assert_eq!(s(&stepped).expect("ok"), Shard { index: 7, count: 8 });
        // Without MIN, the ids are taken to start at 0.
        let no_min = [
            ("SLURM_ARRAY_TASK_ID", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "2"),
        ];
        assert_eq!(s(&no_min).expect("ok"), Shard { index: 1, count: 2 });
        // A list of ids that is not a range.
        let list = [
            ("SLURM_ARRAY_TASK_ID", "9"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
        ];
        assert!(s(&list)
            .expect_err("not a range")
            .to_string()
            .contains("--array=0-2"));
        let outside = s(&[]).expect_err("no Slurm").to_string();
        assert!(outside.contains("SLURM_ARRAY_TASK_ID"), "{outside}");
        let garbage = [
            ("SLURM_ARRAY_TASK_ID", "x"),
            ("SLURM_ARRAY_TASK_COUNT", "2"),
        ];
        assert!(s(&garbage).is_err());
    }
}
