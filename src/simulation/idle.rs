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
        let fs = &mut self.fns[f];
        fs.pool.push(env, deadline);
        if !fs.check_pending {
            fs.check_pending = true;
            let at = fs.pool.front_deadline().expect("just pushed");
            self.queue
                .push(at, Event::KeepAliveExpired { function: f as u32 });
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
            KeepAliveDecision::Unload {
                prewarm_at,
                retire_at,
            } => {
                self.retire(env, now, Retirement::Idle);
                let fs = &mut self.fns[f];
                fs.prewarm_seq = fs.prewarm_seq.wrapping_add(1);
                fs.prewarm_until = retire_at;
                let seq = fs.prewarm_seq;
                self.queue.push(
                    prewarm_at,
                    Event::PrewarmDue {
                        function: f as u32,
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
        self.fns[f].pool.push(env, deadline);
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
        let f = e.function as usize;
        if self.fns[f].pool.remove(env) {
            self.retire(env, self.now, Retirement::Idle);
        }
    }

    /// Loads an environment of `f` off the request path, unless a later decision replaced
    /// this one or it does not fit.
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
        let init = self.sample_init(f, InitOf::OnDemand(self.now));
        let limit = self.scenario.platform.init_limit;
        let ok = init <= limit;
        self.queue.push(
            self.now + if ok { init } else { limit },
            Event::PrewarmReady { env, ok },
        );
    }

    pub(super) fn on_prewarm_ready(&mut self, env: EnvId, ok: bool) {
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
        let deadline = self.fns[f].prewarm_until;
        let lifetime_end = created + self.scenario.platform.max_lifetime;
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

    /// Retires `f`'s idle environments whose deadline has passed, each at its deadline.
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
        let f = e.function as usize;
        if self.fns[f].pool.remove(env) {
            self.retire(env, self.now, Retirement::Lifetime);
        }
    }
}
