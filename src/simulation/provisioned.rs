//! Provisioned concurrency: environments initialized off the request path, kept at a target
//! (fixed, scheduled or autoscaled), recycled at their maximum lifetime.

use super::*;

impl Simulation<'_> {
    /// Schedules the recycling of provisioned `env` at its maximum lifetime.
    pub(super) fn provisioned_lifetime(&mut self, env: EnvId) {
        let e = &mut self.envs[env];
        // An init longer than the maximum lifetime: recycled as soon as it is ready.
        let at = (e.created + self.scenario.platform.max_lifetime).max(self.now);
        if at < self.end {
            e.lifetime_timer = true;
            let generation = e.generation;
            self.queue
                .push(at, Event::LifetimeEnded { env, generation });
        }
    }

    /// Starts a provisioned environment's init, off the request path. On a memory-bounded
    /// platform it evicts idle on-demand environments to fit; false (and `f` is retried when
    /// memory is freed) if it still does not fit, or (retried when concurrency is released)
    /// if the function's or the account's concurrency is all in use.
    pub(super) fn spawn_provisioned(&mut self, f: usize) -> bool {
        // A raised target cannot take units that on-demand requests hold: the environment
        // starts when one is released, so the limits hold.
        if !self.concurrency.allows(f) {
            if !self.provisioning_starved.contains(&(f as u32)) {
                self.provisioning_starved.push(f as u32);
            }
            return false;
        }
        if !self.make_room(f) {
            self.provisioning_blocked(f);
            return false;
        }
        self.memory_taken(f);
        let env = self.create(f, true, EnvState::Initializing, self.now, self.now);
        self.concurrency.acquire(f);
        let p = &mut self.prov[f];
        p.initializing += 1;
        p.peak_live = p.peak_live.max(p.live());
        let init = self.sample_init(f, InitOf::Provisioned);
        self.queue
            .push(self.now + init, Event::ProvisionedReady { env });
        true
    }

    pub(super) fn on_provisioned_ready(&mut self, env: EnvId) {
        let f = self.envs[env].function as usize;
        let p = &mut self.prov[f];
        p.initializing -= 1;
        p.ready += 1;
        self.provisioned_lifetime(env);
        self.become_idle(env);
        self.reconcile(f);
    }

    /// Brings `f`'s provisioned environments towards the target: starts missing ones (at
    /// most one replacement in flight per unit), and retires idle ones no longer needed
    /// (recycled ones once enough others are ready, so capacity never dips, or once more
    /// of them are recycled than units are allocated, oldest first; extra ones once the
    /// others cover the target). Busy ones are checked when they become idle (`become_idle`).
    pub(super) fn reconcile(&mut self, f: usize) {
        // An init longer than the maximum lifetime recycles each replacement as soon as it
        // is ready, so ready ones may never reach the target: a unit with a newer recycled
        // environment lets its older one go. (With replacements ready within their lifetime
        // there are never more recycled environments than units, and this does nothing.)
        while self.prov[f].recycled > self.prov[f].target {
            let envs = &self.envs;
            let oldest = self.fns[f]
                .provisioned_idle
                .iter()
                .enumerate()
                .filter(|&(_, &e)| envs[e].recycled)
                .min_by_key(|&(_, &e)| envs[e].created)
                .map(|(i, _)| i);
            let Some(i) = oldest else {
                break;
            };
            let env = self.fns[f].provisioned_idle.remove(i);
            self.retire_provisioned(env, Retirement::Lifetime);
        }
        for _ in 0..self.prov[f].to_start() {
            if !self.spawn_provisioned(f) {
                break;
            }
        }
        let mut i = 0;
        while i < self.fns[f].provisioned_idle.len() {
            let env = self.fns[f].provisioned_idle[i];
            let p = &self.prov[f];
            let recycled = self.envs[env].recycled;
            let reason = if recycled && p.ready >= p.target {
                Retirement::Lifetime
            } else if !recycled && p.ready > p.target {
                self.prov[f].ready -= 1;
                Retirement::ScaledIn
            } else {
                i += 1;
                continue;
            };
            self.fns[f].provisioned_idle.swap_remove(i);
            self.retire_provisioned(env, reason);
        }
    }

    pub(super) fn retire_provisioned(&mut self, env: EnvId, reason: Retirement) {
        let f = self.envs[env].function as usize;
        if self.envs[env].recycled {
            self.prov[f].recycled -= 1;
        } else {
            self.release_concurrency(f);
        }
        self.retire(env, self.now, reason);
    }

    /// One more (+1) or one less (-1) busy provisioned environment of `f`.
    pub(super) fn provisioned_busy(&mut self, f: usize, by: i32) {
        let now = self.now;
        let p = &mut self.prov[f];
        self.recorder
            .provisioned_level(f, true, p.busy, p.busy_since, now);
        p.busy_ns += p.busy as u128 * now.since(p.busy_since).0 as u128;
        p.busy = p.busy.wrapping_add_signed(by);
        p.busy_since = now;
    }

    /// Allocates `target` provisioned environments of `f` from now on.
    pub(super) fn set_provisioned(&mut self, f: usize, target: u32) {
        let now = self.now;
        let p = &mut self.prov[f];
        self.recorder
            .provisioned_level(f, false, p.target, p.target_since, now);
        p.target_ns += p.target as u128 * now.since(p.target_since).0 as u128;
        p.target = target;
        p.target_since = now;
        self.reconcile(f);
    }

    /// When `f`'s provisioned concurrency is next due for a change, if before the end.
    pub(super) fn next_provisioning(&self, f: usize) -> Option<SimTime> {
        const DAY: u64 = 86_400_000_000_000;
        let at = match &self.scenario.functions[f].provisioned {
            model::Provisioned::Fixed(_) => return None,
            model::Provisioned::Schedule(steps) => {
                let (day, tod) = (self.now.0 / DAY, self.now.0 % DAY);
                match steps.iter().find(|s| s.0 .0 > tod) {
                    Some(s) => SimTime(day * DAY + s.0 .0),
                    None => SimTime((day + 1) * DAY + steps[0].0 .0),
                }
            }
            model::Provisioned::Autoscale(a) => self.now + a.period,
        };
        (at < self.end).then_some(at)
    }

    pub(super) fn on_provisioning_due(&mut self, f: usize) {
        let scenario = self.scenario;
        match &scenario.functions[f].provisioned {
            model::Provisioned::Fixed(_) => {}
            model::Provisioned::Schedule(steps) => {
                let tod = SimDuration(self.now.0 % 86_400_000_000_000);
                self.set_provisioned(f, model::Provisioned::scheduled(steps, tod).1);
            }
            model::Provisioned::Autoscale(a) => {
                let now = self.now;
                let p = &mut self.prov[f];
                let (busy, alloc) = p.integrals(now);
                let (d_busy, d_alloc) = (busy - p.last.0, alloc - p.last.1);
                p.last = (busy, alloc);
                let utilization = if d_alloc == 0 {
                    0.0
                } else {
                    d_busy as f64 / d_alloc as f64
                };
                let target = p.target;
                if let ScalingDecision::Scale(n) = p.tracker.observe(a, target, utilization) {
                    self.set_provisioned(f, n);
                }
            }
        }
        if let Some(at) = self.next_provisioning(f) {
            self.queue
                .push(at, Event::ProvisioningDue { function: f as u32 });
        }
    }
}
