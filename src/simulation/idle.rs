//! Idle environments and keep-alive: what the keep-alive policy decides when an environment
//! becomes idle, its deadlines, the hybrid histogram's pre-warms, and maximum lifetimes.

use super::*;

impl Simulation<'_> {
    pub(super) fn become_idle(&mut self, env: EnvId) {
        self.set_state(env, EnvState::Idle);
        let now = self.now;
        let e = &mut self.envs[env];
        e.idle_since = now;
        let (f, created, generation) = (e.function as usize, e.created, e.generation);
        if e.provisioned {
            let (recycled, p) = (e.recycled, &self.prov[f]);
            if recycled && p.ready >= p.target {
                self.retire_provisioned(env, Retirement::Lifetime);
            } else if recycled && p.recycled > p.target {
                // More recycled environments than units (their replacements were recycled
                // in turn): this one's unit is held by a newer one. A replacement may have
                // waited for it to go (`Provisioned::to_start`).
                self.retire_provisioned(env, Retirement::Lifetime);
                self.reconcile(f);
            } else if !recycled && p.ready > p.target {
                self.prov[f].ready -= 1;
                self.retire_provisioned(env, Retirement::ScaledIn);
            } else {
                self.fns[f].provisioned_idle.push(env);
            }
            return;
        }
        let lifetime_end = created + self.scenario.platform.max_lifetime;
        if now >= lifetime_end {
            self.retire(env, now, Retirement::Lifetime);
            return;
        }
        let e = &mut self.envs[env];
        if e.first_idle == SimTime::NEVER {
            e.first_idle = now;
        }
        let idle = Idle {
            now,
            function: f as u32,
            first_idle: e.first_idle,
        };
        match self.keep_alive.on_idle(&idle, &mut self.rng_platform) {
            KeepAliveDecision::RetireAt(deadline) if self.lazy_expiry => {
                self.park_idle_lazy(env, deadline, lifetime_end, generation)
            }
            decision => self.idle_decided(env, decision, lifetime_end),
        }
    }

    /// `become_idle` under a monotone policy: `env` joins the end of its function's idle
    /// queue, whose front is checked by one `KeepAliveExpired` timer per function.
    fn park_idle_lazy(
        &mut self,
        env: EnvId,
        deadline: SimTime,
        lifetime_end: SimTime,
        generation: u32,
    ) {
        self.set_priority(env);
        let e = &mut self.envs[env];
        let f = e.function as usize;
        // The lifetime ends before the keep-alive would: one timer per environment, whatever
        // its state when it fires (a busy one is retired when its request completes).
        if lifetime_end < deadline && !e.lifetime_timer {
            e.lifetime_timer = true;
            self.queue
                .push(lifetime_end, Event::LifetimeEnded { env, generation });
        }
        let p = self.pool(f);
        let fs = &mut self.fns[p];
        fs.pool.push(env, deadline);
        if !fs.check_pending {
            fs.check_pending = true;
            let at = fs.pool.front_deadline().expect("just pushed");
            self.queue
                .push(at, Event::KeepAliveExpired { function: p as u32 });
        }
        self.memory_freed();
    }

    /// `become_idle` under a non-monotone policy: the decision gets a timer of its own.
    fn idle_decided(&mut self, env: EnvId, decision: KeepAliveDecision, lifetime_end: SimTime) {
        let now = self.now;
        let f = self.envs[env].function as usize;
        let deadline = match decision {
            KeepAliveDecision::RetireAt(at) => at,
            KeepAliveDecision::Keep => SimTime::NEVER,
            KeepAliveDecision::WhileRunning => {
                self.envs[env].held = true;
                SimTime::NEVER
            }
            KeepAliveDecision::Unload {
                prewarm_at,
                retire_at,
            } => {
                self.retire(env, now, Retirement::Idle);
                let p = self.pool(f);
                let fs = &mut self.fns[p];
                // Per environment, a decision replaces the last one; an app-level policy
                // unloads all of an app's environments at once, each with its pre-warm, which
                // only the app's next run cancels (`app_started`).
                if !self.app_level {
                    fs.prewarm_seq = fs.prewarm_seq.wrapping_add(1);
                }
                fs.prewarm_until = retire_at;
                let seq = fs.prewarm_seq;
                self.queue.push(
                    prewarm_at,
                    Event::PrewarmDue {
                        function: p as u32,
                        seq,
                    },
                );
                return;
            }
        };
        self.park_idle(env, deadline, lifetime_end);
    }

    /// Puts idle `env` in its pool until `deadline` (at once if it has passed), with a timer.
    pub(super) fn park_idle(&mut self, env: EnvId, deadline: SimTime, lifetime_end: SimTime) {
        let now = self.now;
        if deadline <= now {
            self.retire(env, now, Retirement::Idle);
            return;
        }
        self.set_priority(env);
        let e = &mut self.envs[env];
        e.deadline = deadline;
        let (f, generation) = (e.function as usize, e.generation);
        if lifetime_end < deadline && !e.lifetime_timer {
            e.lifetime_timer = true;
            self.queue
                .push(lifetime_end, Event::LifetimeEnded { env, generation });
        }
        let p = self.pool(f);
        self.fns[p].pool.push(env, deadline);
        if deadline != SimTime::NEVER {
            self.queue
                .push(deadline, Event::IdleDeadline { env, generation });
        }
        self.memory_freed();
    }

    pub(super) fn on_idle_deadline(&mut self, env: EnvId, generation: u32) {
        let e = &self.envs[env];
        if e.generation != generation
            || e.state != EnvState::Idle
            || e.provisioned
            || e.deadline != self.now
        {
            return;
        }
        let p = self.pool(e.function as usize);
        if self.fns[p].pool.remove(env) {
            self.retire(env, self.now, Retirement::Idle);
        }
    }

    /// Loads an environment of pool `f` off the request path, unless a later decision
    /// replaced this one or it does not fit.
    pub(super) fn on_prewarm_due(&mut self, f: usize, seq: u32) {
        if self.fns[f].prewarm_seq != seq {
            return;
        }
        if !self.make_room(f) {
            return;
        }
        let env = self.create(f, false, EnvState::Initializing, self.now, self.now);
        self.recorder.prewarmed(f, self.now);
        self.memory_taken(f);
        self.fns[f].prewarming.push(env);
        let init = self.sample_init(f, InitOf::OnDemand(self.now));
        let limit = self.scenario.platform.init_limit;
        let ok = init <= limit;
        // A request that claims it meanwhile runs an init cut at the limit again inside its
        // invoke, as after an on-demand cold start (`cold_start`).
        self.init_for(env).reinit = if ok { SimDuration::ZERO } else { init };
        self.queue.push(
            self.now + if ok { init } else { limit },
            Event::PrewarmReady { env, ok },
        );
    }

    pub(super) fn on_prewarm_ready(&mut self, env: EnvId, ok: bool) {
        let f = self.envs[env].function as usize;
        let prewarming = &mut self.fns[f].prewarming;
        match prewarming.iter().position(|&e| e == env) {
            Some(i) => {
                prewarming.remove(i);
            }
            // Requests claimed it while it initialized: they start now.
            None => return self.start_claimed(env),
        }
        if !ok {
            self.retire(env, self.now, Retirement::Error);
            return;
        }
        self.set_state(env, EnvState::Idle);
        let now = self.now;
        let e = &mut self.envs[env];
        e.idle_since = now;
        e.first_idle = now;
        let (f, created) = (e.function as usize, e.created);
        let lifetime_end = created + self.scenario.platform.max_lifetime;
        // The app runs again (its pre-warm was under way): kept like its other environments.
        if self.app_level && self.group_running[self.group_of[f] as usize] > 0 {
            self.envs[env].held = true;
            self.park_idle(env, SimTime::NEVER, lifetime_end);
            return;
        }
        let deadline = self.fns[self.pool(f)].prewarm_until;
        self.park_idle(env, deadline, lifetime_end);
    }

    pub(super) fn on_keep_alive_expired(&mut self, f: usize) {
        self.fns[f].check_pending = false;
        self.expire(f);
        let fs = &mut self.fns[f];
        if let Some(at) = fs.pool.front_deadline() {
            fs.check_pending = true;
            self.queue
                .push(at, Event::KeepAliveExpired { function: f as u32 });
        }
    }

    /// Retires pool `f`'s idle environments whose deadline has passed, each at its deadline.
    #[inline]
    pub(super) fn expire(&mut self, f: usize) {
        while let Some((env, deadline)) = self.fns[f].pool.pop_expired(self.now) {
            self.retire(env, deadline, Retirement::Idle);
        }
    }

    pub(super) fn on_lifetime_ended(&mut self, env: EnvId, generation: u32) {
        let e = &self.envs[env];
        if e.generation != generation || e.state == EnvState::Retired {
            return;
        }
        if e.provisioned {
            // Recycled: it serves on until a replacement (started now) is ready.
            let f = e.function as usize;
            if !e.recycled {
                // Its concurrency passes to the replacement: recycling is the platform's
                // business and never takes concurrency from the function.
                self.envs[env].recycled = true;
                let p = &mut self.prov[f];
                p.ready -= 1;
                p.recycled += 1;
                self.release_concurrency(f);
                self.reconcile(f);
            }
            return;
        }
        if e.state != EnvState::Idle {
            return;
        }
        let p = self.pool(e.function as usize);
        if self.fns[p].pool.remove(env) {
            self.retire(env, self.now, Retirement::Lifetime);
        }
    }

    /// App-level policy: a request (or ping) of `f` started running. If nothing of its app
    /// was running, the app's idle environments are held again (their timers stop) and its
    /// pending pre-warms are cancelled: the app is loaded.
    pub(super) fn app_started(&mut self, f: usize) {
        let g = self.group_of[f] as usize;
        self.group_running[g] += 1;
        if self.group_running[g] > 1 {
            return;
        }
        self.cancel_prewarms(f);
        let max_lifetime = self.scenario.platform.max_lifetime;
        for &p in &self.group_pools[g] {
            let fs = &mut self.fns[p as usize];
            for (env, _) in fs.pool.iter() {
                let e = &mut self.envs[env];
                if e.held {
                    continue;
                }
                e.held = true;
                // Its `IdleDeadline` timer, if any, finds the deadline changed and is ignored.
                e.deadline = SimTime::NEVER;
                let lifetime_end = e.created + max_lifetime;
                if lifetime_end < SimTime::NEVER && !e.lifetime_timer {
                    e.lifetime_timer = true;
                    let generation = e.generation;
                    self.queue
                        .push(lifetime_end, Event::LifetimeEnded { env, generation });
                }
            }
        }
    }

    /// App-level policy: `f`'s app is loaded (a request starts running, or a cold start loads
    /// it): its pending pre-warms are cancelled.
    pub(super) fn cancel_prewarms(&mut self, f: usize) {
        let g = self.group_of[f] as usize;
        for &p in &self.group_pools[g] {
            let fs = &mut self.fns[p as usize];
            fs.prewarm_seq = fs.prewarm_seq.wrapping_add(1);
        }
    }

    /// App-level policy: a request (or ping) of `f` ended; true if nothing of its app runs now.
    pub(super) fn app_request_ended(&mut self, f: usize) -> bool {
        let g = self.group_of[f] as usize;
        debug_assert!(self.group_running[g] > 0, "a request ends after it started");
        self.group_running[g] = self.group_running[g].saturating_sub(1);
        self.group_running[g] == 0
    }

    /// App-level policy: the last running request of `f`'s app ended. The policy decides
    /// again for every environment the app held, in the order they became idle, so their
    /// windows start now, together.
    pub(super) fn app_stopped(&mut self, f: usize) {
        let g = self.group_of[f] as usize;
        let max_lifetime = self.scenario.platform.max_lifetime;
        for i in 0..self.group_pools[g].len() {
            let p = self.group_pools[g][i] as usize;
            let envs = &self.envs;
            let held: Vec<EnvId> = (self.fns[p].pool.iter())
                .map(|(env, _)| env)
                .filter(|&env| envs[env].held)
                .collect();
            for env in held {
                self.fns[p].pool.remove(env);
                let e = &mut self.envs[env];
                e.held = false;
                let idle = Idle {
                    now: self.now,
                    function: e.function,
                    first_idle: e.first_idle,
                };
                let lifetime_end = e.created + max_lifetime;
                let decision = self.keep_alive.on_idle(&idle, &mut self.rng_platform);
                self.idle_decided(env, decision, lifetime_end);
            }
        }
    }
}
