//! The Managed Instances scaler policy: how many environments a function wants after one
//! measurement period.

/// What the scaler measured of one function over a period.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FunctionLoad {
    /// Requests in flight, averaged over the period.
    pub mean_in_flight: f64,
    /// Most requests in flight at once during the period.
    pub peak_in_flight: u32,
    /// Requests one environment admits at once.
    pub room: u32,
    /// Environments it has (ready and starting).
    pub environments: u32,
    /// The capacity provider's target utilization, (0, 1).
    pub target: f64,
}

/// Chooses a function's environments from what a period measured. A user's own type can
/// replace the built-in `TargetTracking` (the simulation consults only this trait).
pub trait ManagedScaler {
    /// Environments wanted (before the function's minimum and maximum are applied).
    fn environments(&mut self, load: &FunctionLoad) -> u32;
}

/// Target tracking on saturation: enough environments that the requests in flight fill
/// `target` of their room on average. An environment's room is its CPU limit (vCPUs ÷ CPU
/// share) or its maximum concurrency, whichever binds, so the average fill is its CPU
/// utilization where CPU binds and its concurrency saturation where concurrency does: the
/// two signals AWS names ("CPU resource utilization and multi-concurrency saturation",
/// "Scaling Lambda Managed Instances").
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TargetTracking;

impl ManagedScaler for TargetTracking {
    fn environments(&mut self, load: &FunctionLoad) -> u32 {
        let per_env = load.target * f64::from(load.room.max(1));
        let wanted = (load.mean_in_flight / per_env - 1e-9).ceil();
        if wanted.is_finite() && wanted > 0.0 {
            wanted.min(f64::from(u32::MAX)) as u32
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_tracking_by_hand() {
        let load = |mean: f64| FunctionLoad {
            mean_in_flight: mean,
            peak_in_flight: 0,
            room: 8,
            environments: 3,
            target: 0.5,
        };
        let mut s = TargetTracking;
        // 4 in flight per environment at target: 12 in flight → 3; 12.5 → 4; 0 → 0.
        assert_eq!(s.environments(&load(12.0)), 3);
        assert_eq!(s.environments(&load(12.5)), 4);
        assert_eq!(s.environments(&load(0.0)), 0);
        assert_eq!(s.environments(&load(0.1)), 1);
    }
}
