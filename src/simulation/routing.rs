//! Routing: one `route` for requests and warm-up pings (provisioned, then an idle on-demand
//! environment, then a new one, else a refusal), cold starts and their init, executions and
//! their completion, throttles and retries.

use super::*;

/// A request (or warm-up ping) being routed.
#[derive(Clone, Copy, Debug)]
pub(super) struct Request {
    pub(super) function: u32,
    /// When it first arrived (a ping: when it was sent).
    pub(super) arrived: SimTime,
    /// Throttled tries so far.
    pub(super) attempt: u16,
    /// Retries after function errors so far.
    pub(super) errors: u8,
    /// The execution time a trace recorded (a ping's: its configured one), if any.
    pub(super) execution: Given,
    /// A warm-up ping, not a request.
    pub(super) ping: bool,
}

impl Request {
    /// A request of `function` arriving now for the first time.
    #[inline]
    pub(super) fn new(function: usize, arrived: SimTime, execution: Given) -> Self {
        Request {
            function: function as u32,
            arrived,
            attempt: 0,
            errors: 0,
            execution,
            ping: false,
        }
    }
}

/// Whose init `sample_init` draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum InitOf {
    /// A cold start's, for a request (or pre-warm) at this time.
    OnDemand(SimTime),
    /// A provisioned environment's.
    Provisioned,
}

/// Why `route` could not place a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    /// The account's requests-per-second limit.
    Rate,
    /// No concurrency or no scaling token.
    Throttle,
    /// No memory for a new environment.
    Full,
}

impl Simulation<'_> {
    /// Routes a request or a warm-up ping: provisioned first, then an idle on-demand
    /// environment, then a new one; else it is refused ([`Simulation::refuse`]).
    pub(super) fn route(&mut self, r: Request) {
        let f = r.function as usize;
        if self.fns[f].plain && !r.ping {
            return self.route_plain(r);
        }
        if self.managed.as_ref().is_some_and(|m| m.serves(f)) {
            return self.route_managed(r);
        }
        // Every attempt counts against the requests-per-second limit, once (not again when a
        // request waiting for memory tries again); pings count like any invocation.
        if !self.capacity.retrying_parked && !self.within_rate() {
            return self.refuse(r, Refusal::Rate);
        }
        if let Some(env) = self.take_provisioned(f) {
            return self.start_execution(env, r, false, SimDuration::ZERO);
        }
        // The pool's provisioned environments and concurrency: the function's own, or its
        // app's when the app's functions share environments.
        let p = self.pool(f);
        // Once per request: not again for a retry, nor when a request waiting for memory
        // tries again.
        if r.attempt == 0
            && !r.ping
            && !self.capacity.retrying_parked
            && self.fns[p].provisioned
            && self.prov[p].target > 0
        {
            self.recorder.spillover(f, r.arrived);
        }
        if !self.concurrency.allows(p) {
            return self.refuse(r, Refusal::Throttle);
        }
        if let Some(env) = self.take_on_demand(f) {
            self.concurrency.acquire(p);
            if self.envs[env].state == EnvState::Initializing {
                // Only with `env_concurrency > 1`: it starts when the init completes.
                self.join(env, r);
            } else {
                self.start_execution(env, r, false, SimDuration::ZERO);
            }
        } else {
            self.start_new(r);
        }
    }

    /// True if `f`'s requests may take [`Simulation::route_plain`]: an on-demand function of
    /// its own pool, not served by Managed Instances, without provisioned concurrency, a
    /// first-execution distribution, CPU scaling or memory draws, on a platform with one
    /// request per environment, unbounded memory (a cluster bounds it), newest-first reuse, a
    /// monotone keep-alive that neither learns from requests nor decides per app.
    pub(super) fn takes_plain_path(&self, f: usize) -> bool {
        let func = &self.scenario.functions[f];
        !self.fns[f].provisioned
            && self.pool(f) == f
            && !self.managed.as_ref().is_some_and(|m| m.serves(f))
            && func.first_execution.is_none()
            && func.cpu.is_none()
            && func.memory_used.is_none()
            && self.env_concurrency == 1
            && !self.capacity.bounded()
            && self.scenario.platform.reuse == Reuse::Mru
            && self.lazy_expiry
            && !self.tracks_requests
            && !self.app_level
            && !self.tags_requests
    }

    /// `route` for a request of a function that [`Simulation::takes_plain_path`]: the same
    /// steps in the same order, without those that cannot apply (no provisioned environment,
    /// no spillover, no environment shared or still initializing, no pre-warm), and a warm
    /// start without them either ([`Simulation::start_plain`]). The hot path of most runs.
    #[inline(always)]
    fn route_plain(&mut self, r: Request) {
        let f = r.function as usize;
        if !self.capacity.retrying_parked && !self.within_rate() {
            return self.refuse(r, Refusal::Rate);
        }
        if !self.concurrency.allows(f) {
            return self.refuse(r, Refusal::Throttle);
        }
        self.expire(f);
        match self.fns[f].pool.take_newest() {
            Some(env) => {
                self.leave_idle(env);
                self.concurrency.acquire(f);
                self.start_plain(env, r);
            }
            None => self.start_new(r),
        }
    }

    /// `start_execution` of a warm start of request `r` (not a ping) on `env`, for a function
    /// that [`Simulation::takes_plain_path`]: the execution time given or drawn, cut at the
    /// timeout, billed, and its completion scheduled.
    #[inline(always)]
    fn start_plain(&mut self, env: EnvId, r: Request) {
        let f = r.function as usize;
        let e = &mut self.envs[env];
        e.serving = r.function;
        e.active += 1;
        let func = &self.scenario.functions[f];
        let exec = match r.execution.get() {
            Some(d) => d,
            None => func.execution.sample_duration(&mut self.fns[f].rng_service),
        };
        let (run, failure) = if exec > func.timeout {
            (func.timeout, Some(Failure::Timeout))
        } else {
            (exec, None)
        };
        self.recorder.billed(f, r.arrived, run, false);
        let outcome = Outcome {
            cold: false,
            failure,
            retries: r.errors,
        };
        let arrived = r.arrived;
        self.queue.push(
            self.now + run,
            Event::ExecutionCompleted {
                env,
                arrived,
                outcome,
            },
        );
    }

    /// A request (or ping) of `f` that found no idle environment: it waits for a pre-warm
    /// still loading the app, or starts a new environment if there is memory and a scaling
    /// token; else it is refused. Its pool's concurrency allows it.
    fn start_new(&mut self, r: Request) {
        let f = r.function as usize;
        let p = self.pool(f);
        if let Some(env) = self.claim_prewarm(f) {
            self.concurrency.acquire(p);
            self.join(env, r);
        } else if !self.make_room(f) {
            self.refuse(r, Refusal::Full);
        } else if self.take_token(f) {
            self.concurrency.acquire(p);
            self.cold_start(r);
        } else {
            self.refuse(r, Refusal::Throttle);
        }
    }

    /// A request or ping that `route` could not place. A ping is refused silently (counted
    /// as a throttled ping): pings never wait for memory nor are retried. A request is
    /// throttled, or waits for memory (or is dropped) on a full platform.
    fn refuse(&mut self, r: Request, why: Refusal) {
        if r.ping {
            self.recorder.ping_throttled(r.function as usize, r.arrived);
            return;
        }
        match why {
            Refusal::Rate => self.throttle(r, true),
            Refusal::Throttle => self.throttle(r, false),
            Refusal::Full => self.full(r),
        }
    }

    /// An idle provisioned environment of `f`'s pool; with `env_concurrency > 1`, else the
    /// least loaded provisioned one with room, if the pool may take one more unit of
    /// concurrency (an idle provisioned environment holds one unit, each further request on
    /// it one more).
    pub(super) fn take_provisioned(&mut self, f: usize) -> Option<EnvId> {
        let p = self.pool(f);
        if let Some(env) = self.fns[p].provisioned_idle.pop() {
            self.leave_idle(env);
            return Some(env);
        }
        if self.env_concurrency > 1 && self.concurrency.allows(p) {
            let env = self.least_loaded(p, true)?;
            self.concurrency.acquire(p);
            return Some(env);
        }
        None
    }

    /// An idle on-demand environment (by `reuse`); with `env_concurrency > 1`, else the least
    /// loaded one with room, which may still be initializing.
    pub(super) fn take_on_demand(&mut self, f: usize) -> Option<EnvId> {
        let p = self.pool(f);
        if self.lazy_expiry {
            self.expire(p);
        }
        let fs = &mut self.fns[p];
        let env = match self.scenario.platform.reuse {
            Reuse::Mru => fs.pool.take_newest(),
            Reuse::Lru => fs.pool.take_oldest(),
            Reuse::Random if fs.pool.is_empty() => None,
            Reuse::Random => {
                let i = self.rng_platform.random_range(0..fs.pool.len());
                fs.pool.take_at(i)
            }
        };
        match env {
            Some(env) => {
                self.leave_idle(env);
                Some(env)
            }
            None if self.env_concurrency > 1 => self.least_loaded(p, false),
            None => None,
        }
    }

    /// With `env_concurrency > 1`: pool `p`'s least loaded environment (on-demand or
    /// provisioned) that has requests and room for one more; ties go to the lowest slot. It
    /// stays in `partial` until `reload` sees its new load.
    fn least_loaded(&self, p: usize, provisioned: bool) -> Option<EnvId> {
        let &(_, slot) = self.fns[p].partial[provisioned as usize].first()?;
        Some(EnvId(slot))
    }

    /// With `env_concurrency > 1`: applies `change` to `env` and keeps `partial` true: an
    /// environment is there while it has requests (running or waiting for its init), room for
    /// more, and has not failed.
    fn reload(&mut self, env: EnvId, change: impl FnOnce(&mut Environment)) {
        let cap = self.env_concurrency;
        let e = &mut self.envs[env];
        let before = e.active + e.queued;
        change(e);
        let load = e.active + e.queued;
        let open = !e.failed && e.state != EnvState::Retired && load >= 1 && load < cap;
        let p = self.pool_of[e.function as usize] as usize;
        let partial = &mut self.fns[p].partial[e.provisioned as usize];
        partial.remove(&(before, env.0));
        if open {
            partial.insert((load, env.0));
        }
    }

    /// The oldest pre-warm of `f`'s pool still initializing that no request has claimed: the
    /// app is being loaded, so a request waits for it rather than loading it a second time.
    fn claim_prewarm(&mut self, f: usize) -> Option<EnvId> {
        let p = self.pool(f);
        let prewarming = &mut self.fns[p].prewarming;
        (!prewarming.is_empty()).then(|| prewarming.remove(0))
    }

    /// Request `r` joins `env`, which is initializing (with `env_concurrency > 1`, or a
    /// claimed pre-warm), and starts when the init completes (a cold start: its latency
    /// includes the rest of the init).
    fn join(&mut self, env: EnvId, r: Request) {
        if self.env_concurrency > 1 {
            self.reload(env, |e| e.queued += 1);
        } else {
            self.envs[env].queued += 1;
        }
        let slot = env.0 as usize;
        if slot >= self.joined.len() {
            self.joined.resize_with(slot + 1, Vec::new);
        }
        self.joined[slot].push(r);
    }

    /// A scaling token of `f`'s pool, if one is left now.
    fn take_token(&mut self, f: usize) -> bool {
        let p = self.pool(f);
        self.fns[p].bucket.take(self.now)
    }

    #[inline(always)]
    pub(super) fn leave_idle(&mut self, env: EnvId) {
        self.envs[env].held = false;
        self.set_state(env, EnvState::Busy);
    }

    /// Starts a new on-demand environment for a request (or ping) of `f` that arrived at
    /// `arrived`. An init longer than the init limit follows AWS: "If all three tasks do not
    /// complete within 10 seconds, Lambda retries the Init phase at the time of the first
    /// function invocation with the configured function timeout" (Lambda developer guide,
    /// "Understanding the Lambda execution environment lifecycle", Init phase). The first
    /// attempt is cut at the limit and billed as INIT; the init then runs again, as long
    /// again, inside the invoke: billed as invoke duration, and the request succeeds if the
    /// init and the execution together fit the timeout. "The 10-second timeout doesn't apply
    /// to functions that are using provisioned concurrency or SnapStart" (same page): their
    /// Init phase is off the request path here (provisioned inits are never cut; SnapStart's
    /// runs when a version is published, not simulated). A SnapStart restore past the limit
    /// is cut and rerun the same way, which keeps every latency bounded (`latency_bound`).
    pub(super) fn cold_start(&mut self, r: Request) {
        let (f, arrived, ping) = (r.function as usize, r.arrived, r.ping);
        if self.app_level {
            // It loads the app: a pre-warm due later would load it a second time.
            self.cancel_prewarms(f);
        }
        let env = self.create(f, false, EnvState::Initializing, self.now, arrived);
        if self.env_concurrency > 1 {
            // Requests arriving during the init may join it (`join`).
            self.reload(env, |e| e.queued = 1);
        }
        self.memory_taken(f);
        // An environment shared by an app's functions loads the app: its init is the pool's
        // (the app's first function's), whichever function's request started it.
        let init = self.sample_init(self.pool(f), InitOf::OnDemand(arrived));
        let func = &self.scenario.functions[f];
        let limit = self.scenario.platform.init_limit;
        let (first, reinit) = if init <= limit {
            (init, SimDuration::ZERO)
        } else {
            (limit, init)
        };
        let completes = reinit == SimDuration::ZERO || reinit <= func.timeout;
        self.recorder
            .init(f, arrived, init, func.billed_init(first), completes);
        if ping {
            self.recorder
                .ping_billed(f, arrived, SimDuration::ZERO, first);
        }
        *self.init_for(env) = InitFor {
            execution: r.execution,
            errors: r.errors,
            reinit,
        };
        self.queue.push(
            self.now + first,
            Event::InitCompleted { env, arrived, ping },
        );
    }

    /// Draws the init of a new environment of `f`: for an on-demand one, a SnapStart restore
    /// (counted as one) when enabled; else (and always for a provisioned one, whose Init runs
    /// in full off the request path) runtime plus function init.
    pub(super) fn sample_init(&mut self, f: usize, of: InitOf) -> SimDuration {
        let func = &self.scenario.functions[f];
        let rng = &mut self.fns[f].rng_service;
        match (&func.snapstart, of) {
            // A restore from the snapshot replaces runtime and function init.
            (Some(restore), InitOf::OnDemand(t)) => {
                self.recorder.restored(f, t);
                restore.sample_duration(rng)
            }
            _ => {
                let runtime = func
                    .runtime_init
                    .as_ref()
                    .map_or(SimDuration::ZERO, |d| d.sample_duration(rng));
                runtime + func.init.sample_duration(rng)
            }
        }
    }

    /// What `env`'s init is for (grown to its slot).
    pub(super) fn init_for(&mut self, env: EnvId) -> &mut InitFor {
        let slot = env.0 as usize;
        if slot >= self.init_for.len() {
            self.init_for.resize(slot + 1, InitFor::NONE);
        }
        &mut self.init_for[slot]
    }

    /// A pre-warm that requests claimed while it initialized is ready: they start on it, as
    /// cold starts (an init cut at the limit runs again inside each invoke).
    pub(super) fn start_claimed(&mut self, env: EnvId) {
        let reinit = self.init_for(env).reinit;
        self.set_state(env, EnvState::Busy);
        if self.env_concurrency > 1 {
            self.reload(env, |e| e.queued = 0);
        } else {
            self.envs[env].queued = 0;
        }
        let slot = env.0 as usize;
        let mut joined = std::mem::take(&mut self.joined[slot]);
        for j in joined.drain(..) {
            self.start_execution(env, j, true, reinit);
        }
        self.joined[slot] = joined;
    }

    pub(super) fn on_init_completed(&mut self, env: EnvId, arrived: SimTime, ping: bool) {
        let InitFor {
            execution,
            errors,
            reinit,
        } = self.init_for[env.0 as usize];
        self.set_state(env, EnvState::Busy);
        let r = Request {
            function: self.envs[env].function,
            arrived,
            attempt: 0,
            errors,
            execution,
            ping,
        };
        if self.env_concurrency > 1 {
            // Requests that joined during the init start now too, after the one it was for;
            // an init cut at the limit runs again before each of them.
            self.reload(env, |e| e.queued = 0);
            let slot = env.0 as usize;
            let mut joined = match self.joined.get_mut(slot) {
                Some(j) => std::mem::take(j),
                None => Vec::new(),
            };
            self.start_execution(env, r, true, reinit);
            for j in joined.drain(..) {
                self.start_execution(env, j, true, reinit);
            }
            if let Some(j) = self.joined.get_mut(slot) {
                *j = joined;
            }
            return;
        }
        self.start_execution(env, r, true, reinit);
    }

    /// Starts request `r` on `env`, which is already `Busy`. `r.execution`: the time the
    /// trace recorded, which replaces a draw from the function's distribution (timeouts and
    /// memory failures still apply); with `cpu`, either is scaled to the function's memory. `reinit`: an init that passed the init limit, run again
    /// inside this invoke, under the timeout (zero if none).
    pub(super) fn start_execution(
        &mut self,
        env: EnvId,
        r: Request,
        cold: bool,
        reinit: SimDuration,
    ) {
        let Request {
            arrived,
            errors,
            execution,
            ping,
            ..
        } = r;
        let f = r.function as usize;
        let e = &mut self.envs[env];
        // The environment's function: the request's, unless the app's functions share it.
        let fe = e.function as usize;
        e.serving = r.function;
        // Its first request: none ended and, with `env_concurrency > 1`, none running.
        let first = e.served == 0 && e.active == 0;
        if self.env_concurrency > 1 {
            self.reload(env, |e| e.active += 1);
        } else {
            e.active += 1;
        }
        if self.tracks_requests {
            self.keep_alive.on_request_started(f as u32, self.now);
        }
        let e = &self.envs[env];
        let (provisioned, active) = (e.provisioned, e.active);
        if self.app_level {
            self.app_started(f);
        }
        self.used(f);
        if provisioned && active == 1 {
            self.provisioned_busy(fe, 1);
        }
        let func = &self.scenario.functions[f];
        let rng = &mut self.fns[f].rng_service;
        let dist = match (&func.first_execution, first) {
            (Some(d), true) => d,
            _ => &func.execution,
        };
        let exec = match execution.get() {
            Some(d) => d,
            None => dist.sample_duration(rng),
        };
        // The CPU part runs at the vCPUs of the function's memory instead of those it was
        // measured at (a warm-up ping's fixed time is not scaled).
        let exec = match &func.cpu {
            Some(w) if !ping => w.at_memory(exec, func.memory_mb),
            _ => exec,
        };
        let oom = !ping
            && func
                .memory_used
                .as_ref()
                .is_some_and(|m| m.sample(rng) > func.memory_mb as f64);
        let (run, failure) = if reinit > func.timeout {
            // The init run again inside the invoke did not finish within the timeout.
            (func.timeout, Some(Failure::InitTimeout))
        } else if reinit + exec > func.timeout {
            (func.timeout, Some(Failure::Timeout))
        } else if oom {
            (reinit + exec, Some(Failure::OutOfMemory))
        } else {
            (reinit + exec, None)
        };
        let outcome = Outcome {
            cold,
            failure,
            retries: if ping { Outcome::PING } else { errors },
        };
        if self.hosts.is_some() {
            // On a cluster the host's CPU decides when it ends (and bills it then).
            return self.execute_on_host(env, f, arrived, run, outcome, provisioned);
        }
        self.recorder.billed(f, arrived, run, provisioned);
        if ping {
            self.recorder
                .ping_billed(f, arrived, run, SimDuration::ZERO);
        }
        let completed = self.completion(env, f, arrived, outcome);
        self.queue.push(self.now + run, completed);
    }

    /// The event that ends a request of `f` that arrived at `arrived`, on `env`:
    /// `ExecutionCompleted`, or with `tags_requests` an `AppExecutionCompleted` whose entry
    /// in `running` keeps the request's function.
    #[inline]
    pub(super) fn completion(
        &mut self,
        env: EnvId,
        f: usize,
        arrived: SimTime,
        outcome: Outcome,
    ) -> Event {
        if !self.tags_requests {
            return Event::ExecutionCompleted {
                env,
                arrived,
                outcome,
            };
        }
        let running = Running {
            env,
            function: f as u32,
            arrived,
        };
        let request = self.running.insert(running);
        Event::AppExecutionCompleted { request, outcome }
    }

    /// A request ended on an environment an app's functions share (`tags_requests`): as
    /// `ExecutionCompleted`, for the request's own function.
    pub(super) fn on_app_execution_completed(&mut self, request: u32, outcome: Outcome) {
        let Running {
            env,
            function,
            arrived,
        } = self.running.take(request);
        self.envs[env].serving = function;
        self.on_execution_completed(env, arrived, outcome);
    }

    pub(super) fn on_execution_completed(
        &mut self,
        env: EnvId,
        arrived: SimTime,
        mut outcome: Outcome,
    ) {
        let serving = self.envs[env].serving as usize;
        if self.fns[serving].plain && !outcome.ping() {
            return self.end_plain(env, arrived, outcome);
        }
        self.execution_ended(env);
        // The request's function, and the environment's (they differ only when an app's
        // functions share environments).
        let (f, fe) = (
            self.envs[env].serving as usize,
            self.envs[env].function as usize,
        );
        if self.env_concurrency > 1 && self.envs[env].killed {
            // A request ran out of memory on this environment, which killed it and every
            // request in flight on it.
            outcome.failure = Some(Failure::OutOfMemory);
        }
        if outcome.ping() {
            self.recorder.ping_completed(f, arrived, outcome.cold);
        } else {
            self.recorder
                .completed(f, arrived, self.now, outcome.cold, outcome.failure);
            self.ended += 1;
        }
        if !outcome.ping()
            && outcome.failure.is_some()
            && self.scenario.functions[f].invocation == Invocation::Async
        {
            self.after_function_error(f, arrived, outcome.retries);
        }
        if self.tracks_requests {
            self.keep_alive.on_request_ended(f as u32, self.now);
        }
        let app_stopped = self.app_level && self.app_request_ended(f);
        let shared = self.env_concurrency > 1;
        if shared {
            let failure = outcome.failure;
            self.reload(env, |e| {
                e.active -= 1;
                e.served += 1;
                // A failure on an on-demand environment retires it once its other requests
                // end (it takes no new one meanwhile); a provisioned one is replaced at once,
                // modelled as the same environment staying. Running out of memory kills
                // either, with every request in flight on it.
                let oom = failure == Some(Failure::OutOfMemory);
                e.failed |= oom || (failure.is_some() && !e.provisioned);
                e.killed |= oom;
            });
        } else {
            let e = &mut self.envs[env];
            e.active -= 1;
            e.served += 1;
        }
        let e = &self.envs[env];
        let (active, provisioned) = (e.active, e.provisioned);
        if !provisioned {
            self.release_concurrency(f);
        } else if active == 0 {
            self.provisioned_busy(fe, -1);
        } else {
            // A further request on a shared provisioned environment held a unit of its own.
            self.release_concurrency(f);
        }
        if app_stopped {
            // Before this environment is parked: the app's other idle environments keep the
            // order in which they became idle.
            self.app_stopped(f);
        }
        if active > 0 {
            return;
        }
        if shared && provisioned {
            // Replaced at once: the replacement (this environment) takes requests again.
            let e = &mut self.envs[env];
            e.failed = false;
            e.killed = false;
        }
        if (outcome.failure.is_some() || (shared && self.envs[env].failed)) && !provisioned {
            // A failed environment is discarded; provisioned capacity is replaced at once
            // (off the request path), which we model as the same environment staying.
            self.retire(env, self.now, Retirement::Error);
        } else {
            self.become_idle(env);
        }
    }

    /// `on_execution_completed` of a request (not a ping) of a function that
    /// [`Simulation::takes_plain_path`], on its own environment, which then has no other
    /// request: the same steps without those that cannot apply.
    #[inline(always)]
    fn end_plain(&mut self, env: EnvId, arrived: SimTime, outcome: Outcome) {
        let f = self.envs[env].function as usize;
        self.request_ended(env, f, arrived, outcome);
        debug_assert_eq!(self.envs[env].active, 0, "one request per environment");
        self.release_concurrency(f);
        if outcome.failure.is_some() {
            // A failed environment is discarded.
            self.retire(env, self.now, Retirement::Error);
        } else {
            self.become_idle(env);
        }
    }

    /// A request of `f` that arrived at `arrived` ended on `env`, which is its function's own
    /// (not an app's shared one) and runs one request at a time or is a Managed Instances
    /// one: counted, retried if an asynchronous one failed, and taken off `env`.
    #[inline(always)]
    pub(super) fn request_ended(
        &mut self,
        env: EnvId,
        f: usize,
        arrived: SimTime,
        outcome: Outcome,
    ) {
        self.recorder
            .completed(f, arrived, self.now, outcome.cold, outcome.failure);
        self.ended += 1;
        if outcome.failure.is_some() && self.scenario.functions[f].invocation == Invocation::Async {
            self.after_function_error(f, arrived, outcome.retries);
        }
        let e = &mut self.envs[env];
        e.active -= 1;
        e.served += 1;
    }

    /// An asynchronous request of `f` (its event first arrived at `arrived`) failed after
    /// `errors` retries: retried as AWS does, or discarded to the on-failure destination.
    /// AWS: "If the function returns an error, by default Lambda attempts to run it two more
    /// times, with a one-minute wait between the first two attempts, and two minutes between
    /// the second and third attempts" ... "When an event expires or fails all processing
    /// attempts, Lambda discards it" (Lambda developer guide, "How Lambda handles errors and
    /// retries with asynchronous invocation"). Each retry is an invocation of its own. It
    /// draws its execution time from the function's distribution (a trace's recorded time
    /// is not carried over).
    pub(super) fn after_function_error(&mut self, f: usize, arrived: SimTime, errors: u8) {
        let p = &self.scenario.platform;
        if u32::from(errors) < p.retry_attempts {
            let at = self.now + SimDuration::from_secs(60 * (u64::from(errors) + 1));
            if at <= arrived + p.max_event_age {
                let request = self.wait(Waiting {
                    function: f as u32,
                    execution: Given::NONE,
                    errors: errors + 1,
                });
                self.queue.push(
                    at,
                    Event::Retried {
                        request,
                        attempt: 0,
                        arrived,
                    },
                );
                self.arrivals += 1;
                self.recorder.error_retried(f, arrived);
                return;
            }
        }
        self.recorder.dead_lettered(f, arrived);
    }

    /// Stores a request waiting for a retry; its index in the table.
    pub(super) fn wait(&mut self, w: Waiting) -> u32 {
        match self.free_waiting.pop() {
            Some(i) => {
                self.waiting[i as usize] = w;
                i
            }
            None => {
                self.waiting.push(w);
                (self.waiting.len() - 1) as u32
            }
        }
    }

    /// Refuses a request: by the requests-per-second limit (`rate`) or for lack of
    /// concurrency or scaling tokens. Asynchronous ones are retried within the event age.
    pub(super) fn throttle(&mut self, r: Request, rate: bool) {
        let Request {
            arrived,
            attempt,
            errors,
            execution,
            ..
        } = r;
        let f = r.function as usize;
        let platform = &self.scenario.platform;
        let is_async = self.scenario.functions[f].invocation == Invocation::Async;
        if is_async {
            let next = attempt.saturating_add(1);
            let at = self.now + platform.retry.delay(next.into());
            if at <= arrived + platform.max_event_age {
                let request = self.wait(Waiting {
                    function: f as u32,
                    execution,
                    errors,
                });
                self.queue.push(
                    at,
                    Event::Retried {
                        request,
                        attempt: next,
                        arrived,
                    },
                );
                self.recorder.retried(f, arrived);
                return;
            }
        }
        self.recorder.throttled(f, arrived, is_async);
        if rate {
            self.recorder.rate_throttled(f, arrived);
        }
        if is_async {
            self.recorder.dead_lettered(f, arrived);
        }
        self.ended += 1;
    }

    /// Gives back one concurrency unit of `f`'s pool, waking provisioned environments waiting
    /// for one.
    #[inline]
    pub(super) fn release_concurrency(&mut self, f: usize) {
        self.concurrency.release(self.pool(f));
        if !self.provisioning_starved.is_empty() && !self.concurrency_freed_pending {
            self.concurrency_freed_pending = true;
            self.queue.push(self.now, Event::ConcurrencyFreed);
        }
    }

    /// Concurrency was released: provisioned environments waiting for it try again.
    pub(super) fn on_concurrency_freed(&mut self) {
        self.concurrency_freed_pending = false;
        for f in std::mem::take(&mut self.provisioning_starved) {
            self.reconcile(f as usize);
        }
    }
}
