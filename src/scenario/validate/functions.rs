//! `[functions.NAME]`: runtime, memory, init and execution, provisioned concurrency (fixed,
//! scheduled, autoscaled), SnapStart and warm-up pings.

use super::*;

/// The app part of a trace function's key (Azure formats only).
pub(super) fn app_of(format: TraceFormat, key: &str) -> Option<String> {
    let parts = format.app_parts()?;
    let mut ends = key.match_indices(trace::KEY_SEP).map(|(i, _)| i);
    ends.nth(parts - 1).map(|end| key[..end].to_owned())
}

pub(super) fn function(
    c: &mut Checker,
    f: &RawFunction,
    at: &str,
    traces: &mut Traces,
    index: u32,
) -> Option<Function> {
    let base_dir = traces.base_dir;
    let before = c.problems.len();
    let arch = f.arch.unwrap_or(Arch::X86_64);
    let package = f.package.unwrap_or(Package::Zip);
    let profile = if f.runtime == "custom" {
        None
    } else {
        match runtime::find(&f.runtime, arch, package) {
            Ok(p) => Some(p),
            Err(e) => {
                c.fail(format!("{at}.runtime"), e.to_string());
                None
            }
        }
    };
    let memory_mb = f.memory_mb.unwrap_or(128);
    if is_managed(f) {
        // Lambda Managed Instances: 2 GB to 32 GB ("Scaling Lambda Managed Instances").
        if !(2048..=32_768).contains(&memory_mb) {
            c.fail(
                format!("{at}.memory_mb"),
                format!("must be between 2048 and 32768 MB on Lambda Managed Instances, got {memory_mb}"),
            );
        }
    } else if !(128..=10_240).contains(&memory_mb) {
        c.fail(
            format!("{at}.memory_mb"),
            format!("must be between 128 and 10240 MB (Lambda's range), got {memory_mb}"),
        );
    }
    let timeout = f.timeout.map_or(SimDuration::from_secs(3), |d| d.0);
    c.positive(&format!("{at}.timeout"), timeout);
    if timeout > SimDuration::from_secs(900) {
        c.fail(
            format!("{at}.timeout"),
            format!("must be at most 15m (Lambda's maximum), got {timeout}"),
        );
    }
    let provisioned = provisioned(c, f.provisioned_concurrency.as_ref(), at);
    let most = provisioned.as_ref().map_or(0, most_provisioned);
    if let (Some(r), Some(p)) = (f.reserved_concurrency, Some(most)) {
        if p > r {
            c.fail(format!("{at}.provisioned_concurrency"), format!("{p} exceeds the function's reserved_concurrency ({r}); provisioned environments count against it"));
        }
    }
    let init = match &f.init {
        Some(d) => dist(c, d, Kind::Time, &format!("{at}.init"), base_dir),
        None => Some(Distribution::Constant(0.0)),
    };
    let execution = dist(
        c,
        &f.execution,
        Kind::Time,
        &format!("{at}.execution"),
        base_dir,
    );
    let first_execution = f
        .first_execution
        .as_ref()
        .map(|d| dist(c, d, Kind::Time, &format!("{at}.first_execution"), base_dir));
    let memory_used = f
        .memory_used
        .as_ref()
        .map(|d| dist(c, d, Kind::Memory, &format!("{at}.memory_used"), base_dir));
    let arrivals = arrivals(c, &f.arrivals, &format!("{at}.arrivals"), traces, index);
    let warmers = f.warmers.as_ref().and_then(|w| {
        let field = format!("{at}.warmers");
        let every = c.positive(&format!("{field}.every"), w.every.0);
        // Zero pings per round: no warmers (a sweep can switch them off this way).
        let concurrency = w.concurrency.unwrap_or(1);
        (concurrency > 0).then_some(Warmers {
            every,
            concurrency,
            execution: w.execution.map_or(SimDuration::from_millis(10), |d| d.0),
            start: w.start.map_or(SimDuration::ZERO, |d| d.0),
        })
    });
    let snapstart = f.snapstart.as_ref().filter(|s| s.enabled != Some(false)).and_then(|s| {
        let field = format!("{at}.snapstart");
        if let Some(kind) = snapstart_runtime(&f.runtime) {
            if most > 0 {
                c.fail(&field, "SnapStart cannot be combined with provisioned_concurrency (AWS refuses both on one version): remove one of them");
            }
            if package == Package::Image {
                c.fail(&field, "SnapStart supports zip packages only, not container images");
            }
            match &s.restore {
                Some(d) => dist(c, d, Kind::Time, &format!("{field}.restore"), base_dir),
                None => Some(default_restore(kind)),
            }
        } else {
            c.fail(&field, format!("runtime `{}` does not support SnapStart; it needs Java 11+, Python 3.12+ or .NET 8+ (java11, java17, java21, python3.12, python3.13, dotnet8, ...)", f.runtime));
            None
        }
    });
    check_cpu(c, f.cpu.as_ref(), at);
    if c.problems.len() > before {
        return None;
    }
    Some(Function {
        name: f.name.clone(),
        runtime: f.runtime.clone(),
        runtime_init: profile.map(|p| Distribution::LogNormal {
            mu: p.mu + 1e6f64.ln(),
            sigma: p.sigma,
        }),
        profile,
        arch,
        package,
        memory_mb,
        timeout,
        reserved_concurrency: f.reserved_concurrency,
        provisioned_concurrency: most,
        provisioned: provisioned?,
        warmers,
        snapstart,
        snapstart_billed: snapstart_billed(c, f, at),
        init: init?,
        execution: execution?,
        first_execution: first_execution.map(|d| d.expect("problems would have returned above")),
        memory_used: memory_used.map(|d| d.expect("problems would have returned above")),
        arrivals,
        invocation: f.invocation.unwrap_or(Invocation::Sync),
        app: None,
        shares_app: false,
        managed: None,
        cpu: f.cpu.as_ref().map(|r| cpu_work(r, memory_mb)),
    })
}

/// Checks `cpu = { share, threads, measured_at_mb }` of the function at `at`.
pub(super) fn check_cpu(c: &mut Checker, raw: Option<&RawCpu>, at: &str) {
    let Some(r) = raw else { return };
    if !(r.share.is_finite() && (0.0..=1.0).contains(&r.share)) {
        c.fail(
            format!("{at}.cpu.share"),
            format!(
                "must be the part of the execution that is CPU work, from 0 to 1, got {}",
                r.share
            ),
        );
    }
    if r.threads == Some(0) {
        c.fail(
            format!("{at}.cpu.threads"),
            "must be at least 1 (the threads the CPU work runs on)",
        );
    }
    if let Some(m) = r.measured_at_mb {
        if !(128..=10_240).contains(&m) {
            c.fail(
                format!("{at}.cpu.measured_at_mb"),
                format!("must be a memory size between 128 and 10240 MB (Lambda's range), got {m}"),
            );
        }
    }
}

/// The validated CPU work of a function of `memory_mb` (checked by `check_cpu`): one thread
/// by default, and execution times measured at the function's own memory unless
/// `measured_at_mb` says otherwise.
pub(super) fn cpu_work(r: &RawCpu, memory_mb: u32) -> CpuWork {
    CpuWork {
        share: r.share,
        threads: r.threads.unwrap_or(1),
        measured_at_mb: r.measured_at_mb.unwrap_or(memory_mb),
    }
}

/// The most environments a provisioned-concurrency plan allocates.
pub(super) fn most_provisioned(p: &Provisioned) -> u32 {
    match p {
        Provisioned::Fixed(n) => *n,
        Provisioned::Schedule(steps) => steps.iter().map(|s| s.1).max().unwrap_or(0),
        Provisioned::Autoscale(a) => a.max,
    }
}

pub(super) fn provisioned(
    c: &mut Checker,
    raw: Option<&RawProvisioned>,
    at: &str,
) -> Option<Provisioned> {
    let field = format!("{at}.provisioned_concurrency");
    let table = match raw {
        None => return Some(Provisioned::Fixed(0)),
        Some(RawProvisioned::Count(n)) => return Some(Provisioned::Fixed(*n)),
        Some(RawProvisioned::Table(t)) => t,
    };
    let given = [
        table.count.is_some(),
        table.schedule.is_some(),
        table.autoscale.is_some(),
    ];
    if given.iter().filter(|&&g| g).count() != 1 {
        c.fail(
            &field,
            "give exactly one of `count`, `schedule` or `autoscale`",
        );
        return None;
    }
    if let Some(n) = table.count {
        return Some(Provisioned::Fixed(n));
    }
    if let Some(schedule) = &table.schedule {
        if schedule.is_empty() {
            c.fail(
                format!("{field}.schedule"),
                "needs at least one { at = \"HH:MM\", count = N } entry",
            );
            return None;
        }
        let mut steps = Vec::new();
        for (i, step) in schedule.iter().enumerate() {
            match parse_time_of_day(&step.at) {
                Ok(t) => steps.push((t, step.count)),
                Err(e) => c.fail(format!("{field}.schedule.{i}.at"), e),
            }
        }
        steps.sort_by_key(|s| s.0);
        if steps.windows(2).any(|w| w[0].0 == w[1].0) {
            c.fail(
                format!("{field}.schedule"),
                "two entries have the same time of day",
            );
        }
        return (steps.len() == schedule.len()).then_some(Provisioned::Schedule(steps));
    }
    let a = table.autoscale.as_ref().expect("one key is given");
    let field = format!("{field}.autoscale");
    if a.min == 0 || a.min > a.max {
        c.fail(&field, format!("needs 1 <= min <= max (utilization is measured on allocated environments), got min {} and max {}", a.min, a.max));
    }
    let target = a.target_utilization.unwrap_or(0.7);
    if !(target > 0.0 && target <= 1.0) {
        c.fail(
            format!("{field}.target_utilization"),
            format!("must be in (0, 1], got {target}"),
        );
    }
    let period = c.positive(
        &format!("{field}.period"),
        a.period.map_or(SimDuration::from_secs(60), |d| d.0),
    );
    let mut periods = |key: &str,
                       d: Option<crate::scenario::quantity::DurationText>,
                       default_s: u64,
                       at_least: u64| {
        let d = d.map_or(SimDuration::from_secs(default_s), |d| d.0);
        let n = d.0 / period.0.max(1);
        if period.0 > 0 && (d.0 % period.0 != 0 || n < at_least) {
            c.fail(
                format!("{field}.{key}"),
                format!(
                    "must be a multiple of the period ({period}){}, got {d}",
                    if at_least > 0 { ", at least one" } else { "" }
                ),
            );
        }
        n as u32
    };
    let out_after = periods("scale_out_after", a.scale_out_after, 180, 1);
    let in_after = periods("scale_in_after", a.scale_in_after, 900, 1);
    let cooldown = periods("cooldown", a.cooldown, 0, 0);
    Some(Provisioned::Autoscale(Autoscale {
        min: a.min,
        max: a.max,
        target,
        period,
        out_after,
        in_after,
        in_ratio: 0.9,
        cooldown,
    }))
}

/// Default share of a SnapStart restore that AWS bills. AWS bills only "the time it takes for
/// Lambda to load the runtime (JVM) and run any afterRestore hooks", not restoring the
/// snapshot ("Monitoring for Lambda SnapStart"), and publishes no typical ratio. 0.21 is the
/// median `Billed Restore Duration` ÷ `Restore Duration` of five Java REPORT lines published
/// in public repositories (2023-06-02 182/398.97 ms, 2023-07-05 303/511.25 ms, 2024-09-05
/// 26/325.93 ms, 2025-05-21 163/789.64 ms, 2025-05-22 76/422.92 ms: 0.46, 0.59, 0.08, 0.21,
/// 0.18): a dated observation, not an AWS figure; set `snapstart.billed` from your own logs.
pub(super) const DEFAULT_SNAPSTART_BILLED: f64 = 0.21;

/// `snapstart.billed` of `f`, the share of a restore billed: 0 to 1 [0.21].
fn snapstart_billed(c: &mut Checker, f: &RawFunction, at: &str) -> f64 {
    match f.snapstart.as_ref().and_then(|s| s.billed) {
        Some(v) if (0.0..=1.0).contains(&v) => v,
        Some(v) => {
            c.fail(
                format!("{at}.snapstart.billed"),
                format!("must be the share of a restore that is billed, from 0 to 1 (Billed Restore Duration ÷ Restore Duration of your REPORT lines), got {v}"),
            );
            DEFAULT_SNAPSTART_BILLED
        }
        None => DEFAULT_SNAPSTART_BILLED,
    }
}

/// The SnapStart family of a runtime name, or `None` where AWS does not offer SnapStart.
pub(super) fn snapstart_runtime(runtime: &str) -> Option<SnapFamily> {
    let version = |prefix: &str| -> Option<Vec<u32>> {
        let rest = runtime.strip_prefix(prefix)?;
        rest.split('.').map(|p| p.parse().ok()).collect()
    };
    if let Some(v) = version("java") {
        return (v.len() == 1 && v[0] >= 11).then_some(if v[0] == 11 {
            SnapFamily::Java11
        } else {
            SnapFamily::Java17
        });
    }
    if let Some(v) = version("python") {
        return (v.len() == 2 && v[0] == 3 && v[1] >= 12).then_some(SnapFamily::Python);
    }
    if let Some(v) = version("dotnet") {
        return (v.len() == 1 && v[0] >= 8).then_some(SnapFamily::DotNet);
    }
    None
}

/// Runtime families with their own default restore latency.
#[derive(Clone, Copy)]
pub(super) enum SnapFamily {
    Java11,
    Java17,
    Python,
    DotNet,
}

/// The default restore latency (ns) of a SnapStart family.
///
/// Java: lognormal fits of lambda-perf's SnapStart restore measurements of 2023-09-15
/// (`runtime::snapstart_profiles`): java11, and java17 (also used for java21 and later, which
/// lambda-perf did not measure with SnapStart). Python 3.12+ and .NET 8+: no public
/// measurement set comparable to lambda-perf exists; AWS's launch post (aws.amazon.com/blogs,
/// "AWS Lambda SnapStart for Python and .NET functions is now generally available",
/// 2024-11-18) gives no figures. Restore time is dominated by loading the Firecracker
/// snapshot, not by the language, so both default to the java17 fit; give
/// `snapstart = { restore = ... }` from your own `Restore Duration` logs.
pub(super) fn default_restore(kind: SnapFamily) -> Distribution {
    let name = match kind {
        SnapFamily::Java11 => "java11",
        SnapFamily::Java17 | SnapFamily::Python | SnapFamily::DotNet => "java17",
    };
    let p = runtime::snapstart_profiles()
        .iter()
        .find(|p| p.name == name)
        .expect("the java11 and java17 SnapStart profiles are built in");
    Distribution::LogNormal {
        mu: p.mu + 1e6f64.ln(),
        sigma: p.sigma,
    }
}
