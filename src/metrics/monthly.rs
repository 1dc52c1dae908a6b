//! The projected month: the counted period's usage scaled to 730 hours and priced as AWS
//! prices one account's month in one region, with tiered duration prices and, when asked,
//! the free tier.
//!
//! AWS prices on-demand duration (GB-seconds, INIT included) in tiers of an account's
//! monthly use in a region, per architecture: x86_64 10% off above 6 billion GB-s a month and
//! 20% off above 15 billion; arm64 the same above 7.5 and 18.75 billion (AWS Compute Blog,
//! "Introducing tiered pricing for AWS Lambda", 2022-08-18; aws.amazon.com/lambda/pricing).
//! The free tier gives 1 million requests and 400,000 GB-s a month, x86_64 and arm64 in
//! aggregate, not for provisioned concurrency (same pricing page). Both are monthly and
//! account-wide, so coldsim applies them to the projected month of all functions together
//! (`cost_usd_per_month` of the whole scenario): the counted period's GB-s and requests are
//! scaled to 730 hours, priced in tiers and less the free tier, and every other charge is
//! scaled linearly. The period's own cost (`cost_usd`) and each function's figures stay at
//! list prices: a tier or free allowance belongs to the account, not to one function.

use super::summary::{per_month, HOURS_PER_MONTH};
use super::{FunctionStats, Pricing};
use crate::runtime::Arch;

/// Tier boundaries (GB-s a month) and the discount above each, x86_64.
const TIERS_X86: [(f64, f64); 2] = [(6e9, 0.10), (15e9, 0.20)];
/// Tier boundaries (GB-s a month) and the discount above each, arm64.
const TIERS_ARM: [(f64, f64); 2] = [(7.5e9, 0.10), (18.75e9, 0.20)];

/// The free tier's monthly requests.
pub const FREE_REQUESTS: f64 = 1e6;
/// The free tier's monthly on-demand GB-seconds.
pub const FREE_GB_S: f64 = 400_000.0;

/// On-demand usage of a counted period, summed over functions (one account, one region).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Usage {
    /// Billed requests (warm, cold and pings that ran).
    pub requests: f64,
    /// Billed on-demand duration and INIT, GB-s, x86_64.
    pub gb_s_x86: f64,
    /// Billed on-demand duration and INIT, GB-s, arm64.
    pub gb_s_arm: f64,
}

impl Usage {
    /// Adds one function's usage, as [`Pricing::cost`] bills it.
    pub fn add(&mut self, s: &FunctionStats, memory_mb: u32, arch: Arch) {
        let gb_s = (s.billed_ms + s.billed_init_ms) as f64 / 1000.0 * memory_mb as f64 / 1024.0;
        self.requests += (s.warm + s.cold + s.pings_ran()) as f64;
        match arch {
            Arch::X86_64 => self.gb_s_x86 += gb_s,
            Arch::Arm64 => self.gb_s_arm += gb_s,
        }
    }
}

/// The cost of `gb_s` GB-seconds in one month at `price` per GB-s below the first tier.
pub fn tiered(gb_s: f64, price: f64, tiers: &[(f64, f64)]) -> f64 {
    let mut cost = 0.0;
    let (mut from, mut discount) = (0.0, 0.0);
    for &(to, next) in tiers {
        cost += (gb_s.min(to) - from).max(0.0) * price * (1.0 - discount);
        (from, discount) = (to, next);
    }
    cost + (gb_s - from).max(0.0) * price * (1.0 - discount)
}

/// The projected month's cost of a scenario whose counted period of `period_s` seconds
/// cost `period_total` at list prices and used `usage` on demand.
pub fn month_cost(pricing: &Pricing, usage: &Usage, period_total: f64, period_s: f64) -> f64 {
    if period_s <= 0.0 {
        return 0.0;
    }
    let scale = HOURS_PER_MONTH * 3600.0 / period_s;
    let (x86, arm) = (usage.gb_s_x86 * scale, usage.gb_s_arm * scale);
    let requests = usage.requests * scale;
    let list = x86 * pricing.gb_s_x86 + arm * pricing.gb_s_arm + requests * pricing.per_request;
    // The free allowance is the month's first requests and GB-s. AWS does not say which
    // architecture's GB-s it covers first; taking the dearer x86_64 GB-s first gives the
    // larger saving a bill could show.
    let (free_requests, free_x86, free_arm) = if pricing.free_tier {
        let free_x86 = x86.min(FREE_GB_S);
        (
            requests.min(FREE_REQUESTS),
            free_x86,
            arm.min(FREE_GB_S - free_x86),
        )
    } else {
        (0.0, 0.0, 0.0)
    };
    // Tiers count from the month's first GB-s, the free ones included.
    let priced = tiered(x86, pricing.gb_s_x86, &TIERS_X86)
        - tiered(free_x86, pricing.gb_s_x86, &TIERS_X86)
        + tiered(arm, pricing.gb_s_arm, &TIERS_ARM)
        - tiered(free_arm, pricing.gb_s_arm, &TIERS_ARM)
        + (requests - free_requests) * pricing.per_request;
    // Everything else (provisioned concurrency, SnapStart charges) scales linearly; without a
    // tier or an allowance in reach the difference is exactly zero and the figure is the
    // linear one, bit for bit.
    (per_month(period_total, period_s) + (priced - list)).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pricing(free_tier: bool) -> Pricing {
        Pricing {
            free_tier,
            ..Pricing::default()
        }
    }

    #[test]
    fn tiers_by_hand() {
        let p = 0.000_016_666_7;
        // 5 billion GB-s: all in the first tier, $83,333.50.
        assert!((tiered(5e9, p, &TIERS_X86) - 83_333.50).abs() < 0.005);
        // 20 billion GB-s: 6e9 × p = $100,000.20; 9e9 × 0.9p = $135,000.27;
        // 5e9 × 0.8p = $66,666.80; together $301,667.27.
        assert!((tiered(20e9, p, &TIERS_X86) - 301_667.27).abs() < 0.005);
        // arm64, 10 billion at $0.0000133334: 7.5e9 × p = $100,000.50; 2.5e9 × 0.9p = $30,000.15.
        let a = 0.000_013_333_4;
        assert!((tiered(10e9, a, &TIERS_ARM) - 130_000.65).abs() < 0.005);
    }

    #[test]
    fn a_month_crossing_a_tier() {
        // One hour counted with 10 million GB-s x86 and nothing else: 7.3 billion GB-s a
        // month. List: 7.3e9 × $0.0000166667 = $121,666.91. Tiered: 6e9 at list $100,000.20
        // + 1.3e9 at 90% $19,500.04 = $119,500.24 to the cent.
        let u = Usage {
            gb_s_x86: 1e7,
            ..Usage::default()
        };
        let period_total = 1e7 * 0.000_016_666_7;
        let m = month_cost(&pricing(false), &u, period_total, 3600.0);
        assert!((m - 119_500.24).abs() < 0.005, "{m}");
    }

    #[test]
    fn the_free_tier_by_hand() {
        // One day counted, 100,000 requests and 20,000 GB-s x86: a month is 3,041,666.67
        // requests and 608,333.33 GB-s. Free: 1M requests, 400,000 GB-s. Left: 2,041,666.67
        // requests × $0.0000002 = $0.41 and 208,333.33 GB-s × $0.0000166667 = $3.47;
        // $3.88 a month (list price: $0.61 + $10.14 = $10.75).
        let u = Usage {
            requests: 1e5,
            gb_s_x86: 20_000.0,
            gb_s_arm: 0.0,
        };
        let period_total = 1e5 * 0.2e-6 + 20_000.0 * 0.000_016_666_7;
        let day = 86_400.0;
        let with = month_cost(&pricing(true), &u, period_total, day);
        assert!((with - 3.88).abs() < 0.005, "{with}");
        let without = month_cost(&pricing(false), &u, period_total, day);
        assert!((without - 10.75).abs() < 0.005, "{without}");
        // Usage within the allowance costs nothing.
        let small = Usage {
            requests: 10.0,
            gb_s_x86: 5.0,
            gb_s_arm: 5.0,
        };
        let total = 10.0 * 0.2e-6 + 5.0 * (0.000_016_666_7 + 0.000_013_333_4);
        assert_eq!(month_cost(&pricing(true), &small, total, day), 0.0);
    }
}
