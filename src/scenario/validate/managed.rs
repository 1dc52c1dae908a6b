//! `[[capacity_provider]]` and functions' `managed` tables: Lambda Managed Instances.
//!
//! Ranges are the API's: `MaxVCpuCount` 2–15,000 (`CapacityProviderScalingConfig`),
//! `ExecutionEnvironmentMemoryGiBPerVCpu` 2–8 and `PerExecutionEnvironmentMaxConcurrency`
//! 1–1,600 (`LambdaManagedInstancesCapacityProviderConfig`), `Min`/`MaxExecutionEnvironments`
//! 0–15,000 (`FunctionScalingConfig`) (AWS Lambda API reference).

use super::*;
use crate::scenario::model::{CapacityProvider, Managed};
use crate::scenario::raw::{RawCapacityProvider, RawManagedScaling};

/// Target average CPU utilization of `mode = "auto"`. AWS does not publish the target its
/// automatic mode tracks; it says "If your traffic more than doubles within 5 minutes, you may
/// see throttles" (Lambda developer guide, "Scaling Lambda Managed Instances"). Half the
/// capacity in use leaves room for exactly one doubling while the scaler catches up, which is
/// what that sentence describes.
pub(super) const AUTO_TARGET: f64 = 0.5;

/// Instances launched when a version is published and kept for Availability Zone resiliency:
/// "It launches three by default for AZ resiliency" (same page).
const DEFAULT_MIN_INSTANCES: u32 = 3;

/// Environments started when a version is published: "starts three execution environments
/// before marking your function version ACTIVE" (same page).
const DEFAULT_MIN_ENVIRONMENTS: u32 = 3;

/// `MaxVCpuCount`'s range (API reference, `CapacityProviderScalingConfig`).
const MAX_VCPUS: u32 = 15_000;

/// `MaxExecutionEnvironments`' upper bound (API reference, `FunctionScalingConfig`).
const MAX_ENVIRONMENTS: u32 = 15_000;

/// The scaler's default measurement period. AWS says only that it "scales asynchronously
/// using resource consumption signals"; CloudWatch's finest standard metric period is one
/// minute, which Application Auto Scaling's target tracking evaluates.
const DEFAULT_PERIOD: SimDuration = SimDuration::from_secs(60);

/// Default time below target before scaling in: AWS does not say. Scale-in is made slower
/// than scale-out (as Application Auto Scaling's target tracking does), five periods.
const DEFAULT_SCALE_IN_AFTER: SimDuration = SimDuration::from_secs(300);

/// Default instance launch time: AWS does not say. An EC2 instance takes tens of seconds to
/// reach `running` and boot; the Lambda agent then registers it and pulls the function's
/// code. Two minutes keeps launch + one scaler period within AWS's five-minute statement.
const DEFAULT_INSTANCE_LAUNCH: SimDuration = SimDuration::from_secs(120);

/// Instances are replaced after 14 days (the summary of AWS's documentation; see
/// README "Lambda Managed Instances").
const DEFAULT_INSTANCE_LIFETIME: SimDuration = SimDuration::from_secs(14 * 86_400);

/// Validates the capacity providers.
pub(super) fn capacity_providers(
    c: &mut Checker,
    raw: &[RawCapacityProvider],
    base_dir: &Path,
) -> Vec<CapacityProvider> {
    let mut names = HashSet::new();
    let mut out = Vec::new();
    for (i, p) in raw.iter().enumerate() {
        let fresh = !p.name.is_empty() && !names.contains(p.name.as_str());
        let at = if fresh {
            format!("capacity_provider.{}", p.name)
        } else {
            format!("capacity_provider.{i}")
        };
        if p.name.is_empty() || !names.insert(p.name.as_str()) {
            c.fail(
                format!("{at}.name"),
                if p.name.is_empty() {
                    "a capacity provider needs a non-empty name".to_owned()
                } else {
                    format!(
                        "`{}` is used by an earlier capacity provider; names must be unique",
                        p.name
                    )
                },
            );
        }
        let inst = &p.instance;
        if inst.vcpus == 0 {
            c.fail(format!("{at}.instance.vcpus"), "must be at least 1");
        }
        if !(inst.memory_gib.is_finite() && inst.memory_gib > 0.0 && inst.memory_gib <= 1e5) {
            c.fail(
                format!("{at}.instance.memory_gib"),
                format!(
                    "must be a positive number of GiB up to 100000, got {}",
                    inst.memory_gib
                ),
            );
        }
        if !(inst.price_per_hour.is_finite() && (0.0..=MAX_PRICE).contains(&inst.price_per_hour)) {
            c.fail(
                format!("{at}.instance.price_per_hour"),
                format!(
                    "must be a price in US dollars per hour from 0 to {MAX_PRICE}, got {}",
                    inst.price_per_hour
                ),
            );
        }
        let min_instances = p.min_instances.unwrap_or(DEFAULT_MIN_INSTANCES);
        let max_vcpus = p.max_vcpus.unwrap_or(MAX_VCPUS);
        if !(2..=MAX_VCPUS).contains(&max_vcpus) {
            c.fail(
                format!("{at}.max_vcpus"),
                format!(
                    "must be between 2 and {MAX_VCPUS} (MaxVCpuCount's range), got {max_vcpus}"
                ),
            );
        }
        let max_instances = max_vcpus / inst.vcpus.max(1);
        if inst.vcpus > 0 && max_instances < min_instances.max(1) {
            c.fail(
                format!("{at}.max_vcpus"),
                format!(
                    "{max_vcpus} vCPUs hold {max_instances} instances of {} vCPUs, fewer than min_instances ({}); raise max_vcpus to at least {}",
                    inst.vcpus,
                    min_instances.max(1),
                    min_instances.max(1) * inst.vcpus
                ),
            );
        }
        let (target, period, scale_in_after) = match &p.scaling {
            None => (AUTO_TARGET, None, None),
            Some(RawManagedScaling::Auto {
                period,
                scale_in_after,
            }) => (AUTO_TARGET, *period, *scale_in_after),
            Some(RawManagedScaling::Manual {
                target_cpu_utilization: t,
                period,
                scale_in_after,
            }) => {
                if !(t.is_finite() && *t > 0.0 && *t < 1.0) {
                    c.fail(
                        format!("{at}.scaling.target_cpu_utilization"),
                        format!("must be a share of CPU above 0 and below 1 (e.g. 0.6 for 60%), got {t}"),
                    );
                }
                (*t, *period, *scale_in_after)
            }
        };
        let period = c.positive(
            &format!("{at}.scaling.period"),
            period.map_or(DEFAULT_PERIOD, |d| d.0),
        );
        let scale_in_after = scale_in_after.map_or(DEFAULT_SCALE_IN_AFTER, |d| d.0);
        let scale_in_periods = if period.0 == 0 {
            1
        } else {
            scale_in_after
                .0
                .div_ceil(period.0)
                .clamp(1, u64::from(u32::MAX)) as u32
        };
        let instance_launch = p.instance_launch.map_or(DEFAULT_INSTANCE_LAUNCH, |d| d.0);
        let instance_lifetime = c.positive(
            &format!("{at}.instance_lifetime"),
            p.instance_lifetime
                .map_or(DEFAULT_INSTANCE_LIFETIME, |d| d.0),
        );
        let environment_start = p.environment_start.as_ref().and_then(|d| {
            dist(
                c,
                d,
                Kind::Time,
                &format!("{at}.environment_start"),
                base_dir,
            )
        });
        out.push(CapacityProvider {
            name: p.name.clone(),
            instance_type: inst.name.clone(),
            instance_vcpus: inst.vcpus,
            instance_memory_mb: (inst.memory_gib * 1024.0).floor() as u64,
            price_per_hour: inst.price_per_hour,
            min_instances,
            max_instances,
            target,
            period,
            scale_in_periods,
            instance_launch,
            environment_start,
            instance_lifetime,
        });
    }
    out
}

/// Whether a function's `managed` table is switched on.
pub(super) fn is_managed(f: &RawFunction) -> bool {
    f.managed.as_ref().is_some_and(|m| m.enabled != Some(false))
}

/// Whether Lambda Managed Instances support `runtime`: Java 21+, Python 3.13+, Node.js 22+,
/// .NET 8+ and the OS-only `provided.al2023` (Lambda developer guide, "Lambda Managed
/// Instances runtimes"); `custom` is the user's own.
fn managed_runtime(runtime: &str) -> bool {
    let version = |prefix: &str, suffix: &str| -> Option<Vec<u32>> {
        let rest = runtime.strip_prefix(prefix)?.strip_suffix(suffix)?;
        rest.split('.').map(|p| p.parse().ok()).collect()
    };
    matches!(runtime, "custom" | "provided.al2023")
        || version("java", "").is_some_and(|v| v.len() == 1 && v[0] >= 21)
        || version("python", "").is_some_and(|v| v.len() == 2 && v[0] == 3 && v[1] >= 13)
        || version("nodejs", ".x").is_some_and(|v| v.len() == 1 && v[0] >= 22)
        || version("dotnet", "").is_some_and(|v| v.len() == 1 && v[0] >= 8)
}

/// Default `PerExecutionEnvironmentMaxConcurrency` per vCPU: "For Python runtimes, the
/// default is 16 concurrent requests per vCPU", Node.js 64, Java 32, .NET 32 (Lambda
/// developer guide, the Python, Node.js, Java and .NET runtime pages for Lambda Managed
/// Instances). Other runtimes (Rust on `provided.al2023`, `custom`): 32, the Java and .NET value.
fn default_concurrency_per_vcpu(runtime: &str) -> u32 {
    if runtime.starts_with("python") {
        16
    } else if runtime.starts_with("nodejs") {
        64
    } else {
        32
    }
}

/// Validates the `managed` table of `raw` (the function `func` built from it, at field path
/// `at`) against the capacity providers.
pub(super) fn function_managed(
    c: &mut Checker,
    raw: &RawFunction,
    at: &str,
    providers: &[CapacityProvider],
    platform: &Platform,
    func: &mut Function,
) {
    if !is_managed(raw) {
        return;
    }
    let m = raw.managed.as_ref().expect("is_managed saw the table");
    let field = format!("{at}.managed");
    let Some(name) = &m.capacity_provider else {
        c.fail(
            format!("{field}.capacity_provider"),
            "name the [[capacity_provider]] this function runs on",
        );
        return;
    };
    let Some(provider) = providers.iter().position(|p| &p.name == name) else {
        let known: Vec<&str> = providers.iter().map(|p| p.name.as_str()).collect();
        c.fail(
            format!("{field}.capacity_provider"),
            if known.is_empty() {
                format!("no [[capacity_provider]] is defined; add one named `{name}`")
            } else {
                format!(
                    "`{name}` is not a capacity provider; defined: {}",
                    known.join(", ")
                )
            },
        );
        return;
    };
    let p = &providers[provider];
    if !managed_runtime(&func.runtime) {
        c.fail(format!("{at}.runtime"), format!("Lambda Managed Instances run Java 21+, Python 3.13+, Node.js 22+, .NET 8+ or provided.al2023, not `{}`", func.runtime));
    }
    for (given, what) in [
        (func.provisioned_concurrency > 0, "provisioned_concurrency"),
        (func.snapstart.is_some(), "snapstart"),
        (func.warmers.is_some(), "warmers"),
        (func.memory_used.is_some(), "memory_used"),
        (func.reserved_concurrency.is_some(), "reserved_concurrency"),
    ] {
        if given {
            c.fail(format!("{at}.{what}"), "does not apply to a function on Lambda Managed Instances (its environments are the capacity provider's): remove it or set managed.enabled = false");
        }
    }
    if platform.capacity_mb.is_some() {
        c.fail("platform.capacity", "a memory-bounded platform cannot be combined with Lambda Managed Instances (their memory is the capacity provider's instances')");
    }
    let ratio = m.memory_gib_per_vcpu.unwrap_or(2.0);
    if !(ratio.is_finite() && (2.0..=8.0).contains(&ratio)) {
        c.fail(format!("{field}.memory_gib_per_vcpu"), format!("must be between 2 and 8 GiB per vCPU (ExecutionEnvironmentMemoryGiBPerVCpu's range), got {ratio}"));
        return;
    }
    let vcpus_f = func.memory_mb as f64 / 1024.0 / ratio;
    let vcpus = vcpus_f.round();
    if vcpus < 1.0 || (vcpus_f - vcpus).abs() > 1e-9 {
        c.fail(
            format!("{at}.memory_mb"),
            format!(
                "{} MB at {ratio} GiB per vCPU is {vcpus_f:.3} vCPUs; an environment needs a whole number of at least 1 (Lambda Managed Instances' smallest function is 2 GB and 1 vCPU): use a multiple of {} MB",
                func.memory_mb,
                (ratio * 1024.0).round()
            ),
        );
        return;
    }
    let vcpus = vcpus as u32;
    if vcpus > p.instance_vcpus || u64::from(func.memory_mb) > p.instance_memory_mb {
        c.fail(
            format!("{at}.memory_mb"),
            format!(
                "an environment of {} MB and {vcpus} vCPUs does not fit one `{}` instance ({} vCPUs, {} MB): use a larger instance type or less memory",
                func.memory_mb, p.instance_type, p.instance_vcpus, p.instance_memory_mb
            ),
        );
    }
    let max_concurrency = m
        .max_concurrency
        .unwrap_or((default_concurrency_per_vcpu(&func.runtime) * vcpus).min(1600));
    if !(1..=1600).contains(&max_concurrency) {
        c.fail(format!("{field}.max_concurrency"), format!("must be between 1 and 1600 (PerExecutionEnvironmentMaxConcurrency's range), got {max_concurrency}"));
    }
    // Without `cpu_share`, the CPU part of the function's `cpu` (issue 19's CPU model).
    let from_cpu = func.cpu.map(|w| w.share);
    let cpu_share = m.cpu_share.or(from_cpu).unwrap_or(1.0);
    if m.cpu_share.is_none() && from_cpu.is_some() {
        // `cpu.share` may be 0 (all waiting): concurrency alone then bounds an environment.
    } else if !(cpu_share.is_finite() && cpu_share > 0.0 && cpu_share <= 1.0) {
        c.fail(
            format!("{field}.cpu_share"),
            format!("must be a share of the execution above 0 and at most 1, got {cpu_share}"),
        );
    }
    let min_environments = m.min_environments.unwrap_or(DEFAULT_MIN_ENVIRONMENTS);
    let max_environments = m.max_environments.unwrap_or(MAX_ENVIRONMENTS);
    if max_environments > MAX_ENVIRONMENTS || max_environments == 0 {
        c.fail(
            format!("{field}.max_environments"),
            format!("must be between 1 and {MAX_ENVIRONMENTS}, got {max_environments}"),
        );
    }
    if min_environments > max_environments {
        c.fail(
            format!("{field}.min_environments"),
            format!("cannot exceed max_environments ({max_environments}), got {min_environments}"),
        );
    }
    let fits = (p.instance_vcpus / vcpus.max(1))
        .min((p.instance_memory_mb / u64::from(func.memory_mb.max(1))) as u32);
    if fits > 0 && min_environments.div_ceil(fits) > p.max_instances {
        c.fail(format!("{field}.min_environments"), format!("{min_environments} environments need more than the provider's {} instances (max_vcpus); lower min_environments or raise max_vcpus", p.max_instances));
    }
    func.managed = Some(Managed {
        provider: provider as u32,
        vcpus,
        max_concurrency,
        cpu_share,
        min_environments,
        max_environments,
    });
}

#[cfg(test)]
mod tests {
    use super::managed_runtime;

    #[test]
    fn runtimes_managed_instances_support() {
        for ok in [
            "java21",
            "java25",
            "python3.13",
            "python3.14",
            "nodejs22.x",
            "nodejs24.x",
            "dotnet8",
            "dotnet10",
            "provided.al2023",
            "custom",
        ] {
            assert!(managed_runtime(ok), "{ok}");
        }
        for no in [
            "java17",
            "python3.12",
            "nodejs20.x",
            "dotnet6",
            "provided.al2",
            "ruby3.3",
            "python3",
        ] {
            assert!(!managed_runtime(no), "{no}");
        }
    }
}
