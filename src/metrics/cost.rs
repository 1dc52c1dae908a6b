//! Prices (AWS Lambda list prices, us-east-1) and the cost of a function's usage.

use super::FunctionStats;
use crate::runtime::Arch;

/// Prices in US dollars.
#[derive(Clone, Debug, PartialEq)]
pub struct Pricing {
    /// Per request.
    pub per_request: f64,
    /// Per GB-second of on-demand duration (and INIT), x86_64.
    pub gb_s_x86: f64,
    /// Per GB-second of on-demand duration (and INIT), arm64.
    pub gb_s_arm: f64,
    /// Per GB-second of provisioned concurrency allocated, x86_64.
    pub provisioned_gb_s_x86: f64,
    /// Per GB-second of provisioned concurrency allocated, arm64.
    pub provisioned_gb_s_arm: f64,
    /// Per GB-second executed on provisioned environments, x86_64.
    pub provisioned_exec_gb_s_x86: f64,
    /// Per GB-second executed on provisioned environments, arm64.
    pub provisioned_exec_gb_s_arm: f64,
    /// SnapStart cache (Python, .NET), per GB-second of configured memory while enabled.
    pub snapstart_cache_gb_s: f64,
    /// SnapStart restore (Python, .NET), per GB of configured memory restored.
    pub snapstart_restore_gb: f64,
    /// Subtract the free tier (1 M requests, 400,000 GB-s a month) from the projected month
    /// (`metrics::monthly`); off by default, as most accounts spend it elsewhere.
    pub free_tier: bool,
    /// Lambda Managed Instances' management fee, a share of the EC2 instance price.
    pub managed_fee: f64,
}

impl Default for Pricing {
    /// us-east-1 list prices (aws.amazon.com/lambda/pricing): $0.20 per million requests;
    /// $0.0000166667 per GB-s x86_64 and $0.0000133334 arm64; provisioned $0.0000041667 per
    /// GB-s allocated (arm64 $0.0000033334) and $0.0000097222 per GB-s executed (arm64 20% less).
    /// SnapStart for Python and .NET (same page, "Lambda SnapStart pricing", since 2024-11-18;
    /// Java has no SnapStart charge): cache $0.0000015046 per GB-s, restore $0.0001397998 per
    /// GB restored, GB being the function's configured memory.
    fn default() -> Self {
        Pricing {
            per_request: 0.20 / 1e6,
            gb_s_x86: 0.000_016_666_7,
            gb_s_arm: 0.000_013_333_4,
            provisioned_gb_s_x86: 0.000_004_166_7,
            provisioned_gb_s_arm: 0.000_003_333_4,
            provisioned_exec_gb_s_x86: 0.000_009_722_2,
            provisioned_exec_gb_s_arm: 0.000_007_777_8,
            snapstart_cache_gb_s: 0.000_001_504_6,
            snapstart_restore_gb: 0.000_139_799_8,
            free_tier: false,
            // "Compute management fee: 15% premium on the EC2 on-demand instance price"
            // (aws.amazon.com/lambda/pricing, Lambda Managed Instances).
            managed_fee: 0.15,
        }
    }
}

/// Dollar amounts by component.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct CostBreakdown {
    /// Request charges.
    pub requests: f64,
    /// On-demand execution duration.
    pub duration: f64,
    /// INIT duration of on-demand environments.
    pub init: f64,
    /// Provisioned concurrency: allocation plus execution on it.
    pub provisioned: f64,
    /// SnapStart cache and restores (Python and .NET only).
    pub snapstart: f64,
    /// Lambda Managed Instances: the capacity providers' instances and management fee (the
    /// whole run only; absent without capacity providers).
    #[serde(skip_serializing_if = "is_zero")]
    pub managed_instances: f64,
    /// Sum of the above.
    pub total: f64,
}

/// Serde's test for a component that is left out when zero.
fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

impl Pricing {
    /// Cost of one function's usage.
    pub fn cost(&self, s: &FunctionStats, memory_mb: u32, arch: Arch) -> CostBreakdown {
        let gb = memory_mb as f64 / 1024.0;
        let (gb_s, prov, prov_exec) = match arch {
            Arch::X86_64 => (
                self.gb_s_x86,
                self.provisioned_gb_s_x86,
                self.provisioned_exec_gb_s_x86,
            ),
            Arch::Arm64 => (
                self.gb_s_arm,
                self.provisioned_gb_s_arm,
                self.provisioned_exec_gb_s_arm,
            ),
        };
        // Requests that ran are billed, warm-up pings included; throttled ones are not.
        let requests = (s.warm + s.cold + s.pings_ran()) as f64 * self.per_request;
        let duration = s.billed_ms as f64 / 1000.0 * gb * gb_s;
        let init = s.billed_init_ms as f64 / 1000.0 * gb * gb_s;
        // Allocated time plus AWS's rounding of each enablement up to 5 minutes.
        let prov_ns = s.provisioned_ns + s.provisioned_rounding_ns;
        let provisioned = prov_ns as f64 / 1e9 * gb * prov
            + s.billed_provisioned_ms as f64 / 1000.0 * gb * prov_exec;
        let snapstart = s.snapstart_cache_ns as f64 / 1e9 * gb * self.snapstart_cache_gb_s
            + s.restores as f64 * gb * self.snapstart_restore_gb;
        CostBreakdown {
            requests,
            duration,
            init,
            provisioned,
            snapstart,
            managed_instances: 0.0,
            total: requests + duration + init + provisioned + snapstart,
        }
    }

    /// What the warm-up pings of `s` cost (requests, duration and init of their environments),
    /// already part of [`Pricing::cost`].
    pub fn pings_cost(&self, s: &FunctionStats, memory_mb: u32, arch: Arch) -> f64 {
        let gb_s = match arch {
            Arch::X86_64 => self.gb_s_x86,
            Arch::Arm64 => self.gb_s_arm,
        };
        let gb = memory_mb as f64 / 1024.0;
        s.pings_ran() as f64 * self.per_request
            + (s.ping_billed_ms + s.ping_billed_init_ms) as f64 / 1000.0 * gb * gb_s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_cost() {
        // 1 million requests of 100 ms at 1024 MB on x86_64: 100 000 GB-s → $1.66667,
        // plus $0.20 of requests. One init of 250 ms: 0.25 GB-s → $0.0000041667.
        // One provisioned environment for an hour at 1 GB: 3600 GB-s → $0.0150001.
        let s = FunctionStats {
            warm: 999_999,
            cold: 1,
            billed_ms: 100_000_000,
            billed_init_ms: 250,
            provisioned_ns: 3600 * 1_000_000_000,
            ..Default::default()
        };
        let c = Pricing::default().cost(&s, 1024, Arch::X86_64);
        assert!((c.requests - 0.20).abs() < 1e-9);
        assert!((c.duration - 1.66667).abs() < 1e-9);
        assert!((c.init - 0.000_004_166_675).abs() < 1e-12);
        assert!((c.provisioned - 0.015_000_12).abs() < 1e-9);
        assert!((c.total - (c.requests + c.duration + c.init + c.provisioned)).abs() < 1e-12);
    }
}
