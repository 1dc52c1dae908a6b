//! `hybrid_histogram`: Shahrad et al.'s policy (USENIX ATC'20): a histogram of each
//! application's idle times gives a pre-warm and a keep-alive window.
//!
//! The policy is applied to the app as one loaded unit, as in the paper ("the keep-alive
//! window ... how long to keep the application loaded after its last execution"): while
//! anything of the app runs, every environment of the app is kept
//! ([`KeepAliveDecision::WhileRunning`]); its windows start when the app's running count
//! reaches zero, and then apply to all of its idle environments at once: all are retired at
//! the keep window, or all are unloaded and as many pre-warmed at the head.

use super::{Idle, KeepAliveDecision, KeepAlivePolicy};
use crate::engine::rng::Rng;
use crate::engine::SimTime;
use crate::platform::idle_histogram::IdleHistogram;
use crate::scenario::model::HybridHistogram as Settings;

/// The hybrid histogram policy with one histogram per group of functions (an app).
#[derive(Clone, Debug)]
pub struct HybridHistogram {
    settings: Settings,
    /// The histogram of each group of functions.
    histograms: Vec<IdleHistogram>,
    /// The group (histogram index) of each function.
    group: Vec<u32>,
}

impl HybridHistogram {
    /// The policy with `settings` for functions pooled by `group` (function id → group id,
    /// dense from 0).
    pub fn new(settings: Settings, group: Vec<u32>) -> Self {
        let groups = group.iter().map(|&g| g as usize + 1).max().unwrap_or(0);
        HybridHistogram {
            histograms: vec![IdleHistogram::new(settings.bins); groups],
            settings,
            group,
        }
    }
}

impl KeepAlivePolicy for HybridHistogram {
    fn on_idle(&mut self, idle: &Idle, _rng: &mut Rng) -> KeepAliveDecision {
        let h = &self.settings;
        let g = self.group[idle.function as usize] as usize;
        if self.histograms[g].running() {
            return KeepAliveDecision::WhileRunning;
        }
        match self.histograms[g].windows(h) {
            None => KeepAliveDecision::RetireAt(idle.now + h.fallback_idle),
            Some(w) if w.prewarm.0 == 0 => KeepAliveDecision::RetireAt(idle.now + w.keep),
            Some(w) => KeepAliveDecision::Unload {
                prewarm_at: idle.now + w.prewarm,
                retire_at: idle.now + w.keep,
            },
        }
    }

    fn on_request_started(&mut self, function: u32, now: SimTime) {
        let g = self.group[function as usize] as usize;
        self.histograms[g].started(now, &self.settings);
    }

    fn on_request_ended(&mut self, function: u32, now: SimTime) {
        let g = self.group[function as usize] as usize;
        self.histograms[g].ended(now);
    }

    fn tracks_requests(&self) -> bool {
        true
    }

    fn app_level(&self) -> bool {
        true
    }
}
