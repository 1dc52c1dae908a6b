//! Orchestration: load → simulate → report, and the other subcommands.

use crate::cli::{CheckArgs, Cli, Command, EstimateArgs, LifetimeArg, MergeArgs, RunArgs};
use anyhow::Context;
use coldsim::guard;
use coldsim::orchestrate;
use coldsim::report;
use coldsim::scenario::{self, Loaded};
use coldsim::simulation::{SimInit, SimulationError};
use coldsim::sweep;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Writes a line to stdout; a closed stdout (`coldsim schema | head`) ends the command
/// quietly with [`Failure::StdoutClosed`].
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*).map_err(stdout_failed)?
    }};
}

/// [`outln!`] without the newline.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*).map_err(stdout_failed)?
    }};
}

/// A failed write to stdout: the reader went away (a broken pipe), or a real error.
fn stdout_failed(e: std::io::Error) -> Failure {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Failure::StdoutClosed
    } else {
        Failure::Internal(anyhow::Error::new(e).context("writing to stdout"))
    }
}

/// Set by the first SIGINT (Ctrl-C) or SIGTERM; a second one quits at once (exit 130).
static STOP: AtomicBool = AtomicBool::new(false);

/// When the first signal arrived.
static FIRST_SIGNAL: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// Signals this close to the first count as the same one: GNU `timeout` (and a terminal's
/// Ctrl-C) signals the process and its group, so one interruption often arrives twice.
const SAME_SIGNAL: std::time::Duration = std::time::Duration::from_secs(1);

/// True while the scenario (or sweep) is read and validated: nothing is written yet and
/// validation has no progress callback, so a signal then ends the command at once.
static READING: AtomicBool = AtomicBool::new(true);

/// The scenario is loaded: from here on a signal sets [`STOP`] for the run to honour.
fn done_reading() {
    READING.store(false, Ordering::SeqCst);
}

/// Routes SIGINT and SIGTERM to [`STOP`], for the commands that simulate. Runs check it
/// every 65 536 events and stop without writing; sweeps keep their finished runs. While the
/// scenario is still being read and validated ([`READING`]) a signal exits at once. A second
/// signal a second or more after the first quits at once (a report being written is then
/// left in its temporary sibling, which the next run into that folder removes).
fn catch_interruptions() {
    let _ = ctrlc::set_handler(|| {
        if READING.load(Ordering::SeqCst) {
            eprintln!("interrupted while reading and validating the scenario: nothing written");
            std::process::exit(130);
        }
        let first = *FIRST_SIGNAL.get_or_init(Instant::now);
        if STOP.swap(true, Ordering::SeqCst) && first.elapsed() >= SAME_SIGNAL {
            eprintln!("interrupted again: quitting now");
            std::process::exit(130);
        }
    });
}

/// Checks and locks the output folder before anything is simulated (exit 2 if refused).
fn prepare_out(out: &Path, protect: &[&Path]) -> Result<report::OutLock, Failure> {
    report::prepare(out, protect).map_err(|e| Failure::BadInput(e.into()))
}

/// `output/<name>`: a scenario's name is one plain folder name (validation allows letters,
/// digits, `-`, `_` and `.`, not first), so the default output never leaves `output/`.
fn default_out(name: &str) -> Result<PathBuf, Failure> {
    let mut parts = Path::new(name).components();
    match (parts.next(), parts.next()) {
        (Some(std::path::Component::Normal(_)), None) if !name.starts_with('.') => {
            Ok(PathBuf::from("output").join(name))
        }
        _ => Err(Failure::BadInput(anyhow::anyhow!(
            "the scenario name `{name}` is not a plain folder name; rename it or pass --out"
        ))),
    }
}

/// A simulation's progress callback result: stop once interrupted.
fn keep_going() -> ControlFlow<()> {
    if STOP.load(Ordering::Relaxed) {
        ControlFlow::Break(())
    } else {
        ControlFlow::Continue(())
    }
}

/// What an interrupted run tells the user: nothing was written, `out` is as it was.
fn interrupted_run(
    at: coldsim::engine::SimTime,
    duration: coldsim::engine::SimDuration,
    out: &Path,
) -> Failure {
    let state = if out.exists() {
        format!("the previous report in {} is untouched", out.display())
    } else {
        format!("{} was not created", out.display())
    };
    Failure::Interrupted(format!(
        "interrupted at {} of {} simulated: nothing written, {state}",
        coldsim::engine::SimDuration::from_secs(at.0 / 1_000_000_000),
        duration
    ))
}

/// The resource limits of a command, or `None` with `--force`.
fn limits(max_requests: Option<u64>, force: bool) -> Option<guard::Limits> {
    (!force).then(|| guard::Limits {
        max_requests: max_requests.unwrap_or(guard::DEFAULT_MAX_REQUESTS),
        ..guard::Limits::default()
    })
}

/// Refuses a run of `scenario` (from `origin`) above `limits`, naming the file.
fn check_resources(
    scenario: &scenario::Scenario,
    origin: &Path,
    limits: Option<&guard::Limits>,
) -> Result<(), Failure> {
    let Some(limits) = limits else {
        return Ok(());
    };
    guard::check("the run", &guard::estimate(scenario), limits)
        .map_err(|e| Failure::BadInput(anyhow::Error::new(e).context(origin.display().to_string())))
}

/// A progress bar over simulated seconds, hidden until the run has taken a second (so short
/// runs print nothing) and never shown with `--quiet` or when stderr is not a terminal.
fn progress_bar(total_s: f64, quiet: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total_s as u64), ProgressDrawTarget::hidden());
    if !quiet {
        let style = ProgressStyle::with_template("{spinner} simulating [{bar:40}] {percent}% of simulated time · {elapsed} elapsed, ~{eta} left")
            .map(|s| s.progress_chars("=> "));
        if let Ok(style) = style {
            bar.set_style(style);
        }
    }
    bar
}

/// Why a command failed, which decides the exit code.
pub enum Failure {
    /// The user's input is wrong (exit 2).
    BadInput(anyhow::Error),
    /// Something went wrong inside (exit 1).
    Internal(anyhow::Error),
    /// A run or sweep was interrupted (SIGINT, SIGTERM): the message says what was kept (exit 130).
    Interrupted(String),
    /// Stdout was closed by its reader (`coldsim schema | head`): exit quietly with 141,
    /// the status of a program killed by SIGPIPE, as `head`'s writers usually end.
    StdoutClosed,
}

impl From<sweep::SweepError> for Failure {
    fn from(e: sweep::SweepError) -> Self {
        Failure::BadInput(e.into())
    }
}

impl From<orchestrate::Error> for Failure {
    fn from(e: orchestrate::Error) -> Self {
        if e.is_bad_input() {
            Failure::BadInput(e.into())
        } else {
            Failure::Internal(e.into())
        }
    }
}

impl From<scenario::ScenarioError> for Failure {
    fn from(e: scenario::ScenarioError) -> Self {
        Failure::BadInput(e.into())
    }
}

/// Runs the command line.
pub fn run(cli: Cli) -> Result<(), Failure> {
    if matches!(
        cli.command,
        None | Some(Command::Run(_) | Command::Estimate(_))
    ) {
        catch_interruptions();
    }
    match cli.command {
        None => run_scenario(RunArgs::default()),
        Some(Command::Run(args)) => run_scenario(args),
        Some(Command::Check(args)) => check(args),
        Some(Command::Runtimes) => {
            out!("{}", coldsim::runtime::table());
            Ok(())
        }
        Some(Command::Schema) => {
            outln!("{}", scenario::schema());
            Ok(())
        }
        Some(Command::Estimate(args)) => estimate(args),
        Some(Command::Merge(args)) => merge(args),
    }
}

fn load(path: Option<&Path>, overrides: &[String]) -> Result<Loaded, Failure> {
    Ok(match path {
        Some(p) => scenario::load(p, overrides)?,
        None => scenario::parse(
            scenario::QUICKSTART,
            &scenario::ParseOptions::default()
                .origin(Path::new("<built-in quickstart>"))
                .name_default("quickstart")
                .base_dir(Path::new("scenarios"))
                .overrides(overrides),
        )?,
    })
}

fn check(args: CheckArgs) -> Result<(), Failure> {
    if let Some(plan) = sweep::load(&args.scenario, &args.overrides, None)? {
        outln!(
            "{}: valid — a sweep of {} point{} × {} replication{} ({} runs) of scenario `{}`",
            args.scenario.display(),
            plan.points.len(),
            if plan.points.len() == 1 { "" } else { "s" },
            plan.replications,
            if plan.replications == 1 { "" } else { "s" },
            plan.runs(),
            plan.name
        );
        return Ok(());
    }
    let loaded = load(Some(&args.scenario), &args.overrides)?;
    let s = &loaded.scenario;
    outln!(
        "{}: valid — scenario `{}`, {} function{}, {} simulated, about {:.0} requests",
        args.scenario.display(),
        s.name,
        s.functions.len(),
        if s.functions.len() == 1 { "" } else { "s" },
        s.duration,
        s.functions
            .iter()
            .map(|f| f.arrivals.mean_rate_per_s())
            .sum::<f64>()
            * s.duration.as_secs_f64()
    );
    Ok(())
}

fn run_scenario(args: RunArgs) -> Result<(), Failure> {
    // `run --shard FILE` gives the file to --shard: say so before anything else.
    if let Some(text) = args.shard.as_deref().filter(|&t| t != "slurm") {
        sweep::Shard::parse(text)?;
    }
    let plan = match &args.scenario {
        Some(path) => sweep::load(path, &args.overrides, args.seed)?,
        // The built-in quickstart has no [sweep], but `--set sweep.…` can make one.
        None => sweep::plan(
            scenario::QUICKSTART,
            Path::new("<built-in quickstart>"),
            "quickstart",
            Path::new("scenarios"),
            &args.overrides,
            args.seed,
        )?,
    };
    if let Some(plan) = plan {
        done_reading();
        return run_sweep(&plan, &args);
    }
    if args.resume || args.keep_points || args.shard.is_some() {
        return Err(Failure::BadInput(anyhow::anyhow!(
            "--resume, --keep-points and --shard apply to sweeps only: add a [sweep] table to the scenario"
        )));
    }
    let mut loaded = load(args.scenario.as_deref(), &args.overrides)?;
    done_reading();
    if let Some(seed) = args.seed {
        loaded.scenario.seed = seed;
    }
    let scenario = &loaded.scenario;
    check_resources(
        scenario,
        &loaded.origin,
        limits(args.max_requests, args.force).as_ref(),
    )?;
    let out = match &args.out {
        Some(out) => out.clone(),
        None => default_out(&scenario.name)?,
    };
    let _lock = prepare_out(&out, &[&loaded.origin])?;
    let started = Instant::now();
    let bar = progress_bar(scenario.duration.as_secs_f64(), args.quiet);
    let results = SimInit::new(scenario)
        .progress(|now| {
            if started.elapsed().as_secs_f64() > 1.0
                && bar.is_hidden()
                && !args.quiet
                && std::io::stderr().is_terminal()
            {
                bar.set_draw_target(ProgressDrawTarget::stderr());
            }
            bar.set_position(now.as_secs_f64() as u64);
            keep_going()
        })
        .run();
    bar.finish_and_clear();
    let results = match results {
        Ok(_) if STOP.load(Ordering::SeqCst) => {
            return Err(interrupted_run(
                coldsim::engine::SimTime(scenario.duration.0),
                scenario.duration,
                &out,
            ));
        }
        Ok(r) => r,
        Err(SimulationError::Interrupted { at }) => {
            return Err(interrupted_run(at, scenario.duration, &out))
        }
        // A trace that fails mid-run is bad input, like one that fails validation.
        Err(e) => return Err(Failure::BadInput(e.into())),
    };
    let wall = started.elapsed();
    let summary = results.summary(scenario);
    let options = report::Options {
        charts: !args.no_charts,
        svg: args.svg,
        wall_s: Some(wall.as_secs_f64()),
    };
    // A signal from here on lets the (atomic) write finish: the report is complete.
    report::write(&out, &loaded, &results, &summary, &options)
        .with_context(|| format!("writing the report to {}", out.display()))
        .map_err(Failure::Internal)?;
    if STOP.load(Ordering::SeqCst) {
        return Err(Failure::Interrupted(format!(
            "interrupted while writing the report; it was finished first: {} is complete",
            out.display()
        )));
    }
    if !args.quiet {
        out!("{}", report::table(&summary));
        outln!(
            "{} requests, {} events in {:.2} s ({:.1} M requests/s) → {}/report.html",
            results.arrivals,
            results.events,
            wall.as_secs_f64(),
            results.arrivals as f64 / wall.as_secs_f64().max(1e-9) / 1e6,
            out.display()
        );
    }
    Ok(())
}

/// Runs a sweep with a progress bar (runs and points done, ETA) and Ctrl-C handling.
fn run_sweep(plan: &sweep::Plan, args: &RunArgs) -> Result<(), Failure> {
    let shard = match args.shard.as_deref() {
        None => None,
        Some("slurm") => Some(sweep::Shard::from_slurm(|k| std::env::var(k).ok())?),
        Some(text) => Some(sweep::Shard::parse(text)?),
    };
    check_sweep_resources(plan, shard, limits(args.max_requests, args.force).as_ref())?;
    let out = match (&args.out, shard) {
        (Some(out), _) => out.clone(),
        (None, Some(s)) => default_out(&format!("{}-parts", plan.name))?
            .join(format!("{}-of-{}", s.index, s.count)),
        (None, None) => default_out(&plan.name)?,
    };
    let _lock = prepare_out(&out, &[&plan.origin])?;
    let bar = ProgressBar::with_draw_target(Some(plan.runs() as u64), ProgressDrawTarget::hidden());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} sweep [{bar:40}] {pos}/{len} runs · {msg} · {elapsed} elapsed, ~{eta} left",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(format!("0/{} points done", plan.points.len()));
    if !args.quiet && std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::stderr());
    }
    let progress = |p: sweep::Progress| {
        // A shard runs fewer than the plan's runs.
        bar.set_length(p.runs_total as u64);
        bar.set_position(p.runs_done as u64);
        bar.set_message(if STOP.load(Ordering::Relaxed) {
            "stopping; finished runs are kept (Ctrl-C again quits now)".to_owned()
        } else {
            format!("{}/{} points done", p.points_done, p.points_total)
        });
    };
    let settings = orchestrate::Settings {
        out: &out,
        resume: args.resume,
        keep_points: args.keep_points,
        charts: !args.no_charts,
        svg: args.svg,
        stop: &STOP,
        stop_after: args.stop_after,
        progress: &progress,
        shard,
    };
    let outcome = orchestrate::run(plan, &settings);
    bar.finish_and_clear();
    match outcome? {
        orchestrate::Outcome::Finished {
            summary,
            computed,
            resumed,
            wall_s,
        } => {
            if !args.quiet {
                out!("{}", report::sweep_table(&summary));
                outln!(
                    "{computed} runs in {wall_s:.2} s{} → {}/report.html",
                    resumed_note(resumed),
                    out.display()
                );
            }
            Ok(())
        }
        orchestrate::Outcome::Part {
            shard,
            points,
            computed,
            resumed,
            wall_s,
        } => {
            if !args.quiet {
                outln!(
                    "shard {shard}: {points} of {} points, {computed} runs in {wall_s:.2} s{} → {} (join the parts with `coldsim merge OUT PART...`)",
                    plan.points.len(),
                    resumed_note(resumed),
                    out.display()
                );
            }
            Ok(())
        }
        orchestrate::Outcome::Interrupted {
            done,
            total,
            state_dir,
        } => Err(Failure::Interrupted(format!(
            "sweep interrupted after {done} of {total} runs; they are kept in {}. Continue with the same command and --resume",
            state_dir.display()
        ))),
    }
}

fn merge(args: MergeArgs) -> Result<(), Failure> {
    let parts: Vec<&Path> = args.parts.iter().map(PathBuf::as_path).collect();
    let _lock = prepare_out(&args.out, &parts)?;
    let merged = orchestrate::merge(&args.out, &args.parts, !args.no_charts, args.svg)?;
    if !args.quiet {
        out!("{}", report::sweep_table(&merged.summary));
        outln!(
            "{} parts, {} runs ({:.2} s of shard wall time) → {}/report.html",
            merged.parts,
            merged.runs,
            merged.wall_s,
            args.out.display()
        );
    }
    Ok(())
}

/// " (N resumed)" after a sweep's run count, when runs were taken from an earlier session.
fn resumed_note(resumed: usize) -> String {
    if resumed > 0 {
        format!(" ({resumed} resumed)")
    } else {
        String::new()
    }
}

/// Refuses a sweep (or the shard of it this process runs) with a run, or all its runs
/// together, above `limits`.
fn check_sweep_resources(
    plan: &sweep::Plan,
    shard: Option<sweep::Shard>,
    limits: Option<&guard::Limits>,
) -> Result<(), Failure> {
    let Some(limits) = limits else {
        return Ok(());
    };
    let bad = |e: guard::GuardError| {
        Failure::BadInput(anyhow::Error::new(e).context(plan.origin.display().to_string()))
    };
    let points = match shard {
        Some(s) => sweep::points_of(plan, s),
        None => (0..plan.points.len()).collect(),
    };
    let mut total = 0.0;
    for p in points.iter().map(|&i| &plan.points[i]) {
        let e = guard::estimate(&p.loaded.scenario);
        let what = format!("each run of point {} ({})", p.index + 1, p.label);
        guard::check(&what, &e, limits).map_err(bad)?;
        total += (e.requests + e.recycles) * f64::from(plan.replications);
    }
    let all = guard::Estimate {
        requests: total,
        recycles: 0.0,
        environments: 0.0,
        memory_bytes: 0.0,
        busiest: None,
        widest: None,
    };
    let whose = match shard {
        Some(s) => format!("shard {}/{}'s", s.index, s.count),
        None => "the sweep's".to_owned(),
    };
    let what = format!(
        "{whose} {} runs ([sweep]: {} points × {} replications)",
        points.len() * plan.replications as usize,
        points.len(),
        plan.replications
    );
    guard::check(&what, &all, limits).map_err(bad)
}

/// Slices of the counted period for the simulation's standard errors (batch means).
const BATCHES: usize = 20;

fn estimate(args: EstimateArgs) -> Result<(), Failure> {
    use coldsim::engine::SimDuration;
    use coldsim::estimate::{self, format_figure, Inputs, LifetimeRule};
    // No report is written: a coarse interval keeps long runs within the time-series limit
    // (the comparison slices the counted period itself). The user's overrides come after.
    let overrides: Vec<String> = std::iter::once("report.interval=\"100000d\"".to_string())
        .chain(args.overrides.iter().cloned())
        .collect();
    let mut loaded = load(Some(&args.scenario), &overrides)?;
    done_reading();
    if let Some(seed) = args.seed {
        loaded.scenario.seed = seed;
    }
    let scenario = &loaded.scenario;
    let bad = |e: estimate::EstimateError| {
        Failure::BadInput(anyhow::Error::new(e).context(format!(
            "{}: `coldsim estimate` cannot describe this scenario",
            args.scenario.display()
        )))
    };
    let fit = Inputs::from_scenario(scenario).map_err(bad)?;
    let rule = match args.lifetime {
        LifetimeArg::Renewal => LifetimeRule::Renewal,
        LifetimeArg::Paper => LifetimeRule::Paper,
    };
    let model = estimate::estimate(&fit.inputs, rule).map_err(bad)?;
    let i = &fit.inputs;
    outln!(
        "{} · function {} · steady-state model (Mahmoudi & Khazaei 2020, {} lifetimes)",
        scenario.name,
        fit.function,
        match rule {
            LifetimeRule::Renewal => "renewal",
            LifetimeRule::Paper => "published",
        }
    );
    outln!(
        "λ = {}/s, T_w = {} ms, T_c = {} ms (init {} ms), T = {}, ρ = λT_w = {}, max concurrency {}",
        format_figure(i.arrival_rate_per_s),
        format_figure(i.execution_s * 1e3),
        format_figure(i.cold_s() * 1e3),
        format_figure(i.init_s * 1e3),
        SimDuration::from_secs_f64(i.keep_alive_s),
        format_figure(i.arrival_rate_per_s * i.execution_s),
        i.max_concurrency
    );
    outln!();
    let simulated = if args.compare {
        check_resources(
            scenario,
            &args.scenario,
            limits(args.max_requests, args.force).as_ref(),
        )?;
        let started = Instant::now();
        let s = estimate::simulate_figures_with_progress(scenario, BATCHES, &mut |_| keep_going())
            .map_err(|e| match e {
                SimulationError::Interrupted { at } => Failure::Interrupted(format!(
                    "interrupted at {} of {} simulated: nothing printed",
                    coldsim::engine::SimDuration::from_secs(at.0 / 1_000_000_000),
                    scenario.duration
                )),
                e => Failure::BadInput(e.into()),
            })?;
        Some((s, started.elapsed()))
    } else {
        None
    };
    out!(
        "{}",
        estimate::table(&model.figures, simulated.as_ref().map(|(s, _)| s))
    );
    if model.throttle_probability > 0.0 {
        outln!(
            "throttle probability (model): {}",
            format_figure(model.throttle_probability)
        );
    }
    if let Some((s, wall)) = &simulated {
        outln!();
        outln!(
            "simulation: {} simulated after a {} warm-up, seed {}, {} requests, {} cold starts, {:.1} s; \
             s.e. by batch means over {} slices",
            SimDuration(scenario.duration.0 - scenario.warmup.0),
            scenario.warmup,
            scenario.seed,
            s.requests,
            s.cold_starts,
            wall.as_secs_f64(),
            s.batches
        );
    }
    if !fit.caveats.is_empty() {
        outln!();
        for c in &fit.caveats {
            outln!("note: {c}");
        }
    }
    Ok(())
}
