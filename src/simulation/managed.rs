//! Lambda Managed Instances: functions on a capacity provider's EC2 instances.
//!
//! No cold start is on the request path. A request of a managed function goes to the
//! least-loaded ready environment with room (`Managed::room`: its maximum concurrency, or what
//! its vCPUs can run); if none has room it is throttled (sync 429; async retried as any
//! throttle). "Lambda Managed Instances does not scale when invocations arrive" (Lambda
//! developer guide, "Scaling Lambda Managed Instances"): every `period` the scaler
//! (`ManagedScaler`, consulted through its trait) measures each function's requests in flight
//! and sets its environments; environments wait for a ready instance with room, and
//! instances are launched for them (`instance_launch`), up to the provider's maximum.
//! Publishing (time 0) runs `min_instances` instances and each function's
//! `min_environments` environments, ready. Environments and instances above what is needed
//! are removed after `scale_in_after` below target: an environment drains (no new
//! requests, retired when its last request ends), an instance without environments is
//! terminated (never below `min_instances`). An instance past `instance_lifetime` drains:
//! replacement environments start elsewhere (on a new instance if needed) and it is
//! terminated when its last environment is gone.
//!
//! A timeout fails that request only: "When an invocation times out, Lambda marks that
//! specific invocation as failed, but does not interrupt other running invocations or
//! terminate the execution environment" (Lambda developer guide, "Understanding the Lambda
//! Managed Instances execution environment"). Requests are billed per request; instances
//! are billed from launch to termination (`metrics::managed`); nothing is billed per GB-s.

use super::*;
use crate::metrics::managed::{CapacityRow, ProviderStats};
use crate::platform::managed::{Fleet, FunctionLoad, InstanceState, ManagedScaler};
use crate::scenario::model::CapacityProvider;
use std::collections::BTreeSet;

/// A level (count) integrated over time: over the counted period, and since the last
/// `take_period`.
#[derive(Clone, Copy, Debug, Default)]
struct Level {
    n: u64,
    since: SimTime,
    counted: u128,
    period: u128,
}

impl Level {
    /// Closes the span up to `now` (clipped to `[from, to)` for `counted`).
    fn advance(&mut self, now: SimTime, from: SimTime, to: SimTime) {
        let span = now.0.saturating_sub(self.since.0) as u128;
        self.period += self.n as u128 * span;
        let (a, b) = (self.since.max(from), now.min(to));
        if b > a {
            self.counted += self.n as u128 * (b.0 - a.0) as u128;
        }
        self.since = now;
    }

    /// Changes the level to `n` at `now`.
    fn set(&mut self, now: SimTime, n: u64, from: SimTime, to: SimTime) {
        self.advance(now, from, to);
        self.n = n;
    }

    /// The integral since the last call, closed at `now`.
    fn take_period(&mut self, now: SimTime, from: SimTime, to: SimTime) -> u128 {
        self.advance(now, from, to);
        std::mem::take(&mut self.period)
    }
}

/// A managed function's environments and load.
struct FnState {
    provider: usize,
    /// Ready environments that take requests, by (requests in flight, slot): the first is
    /// the least loaded (ties: lowest slot).
    routable: BTreeSet<(u32, u32)>,
    room: u32,
    vcpus: u32,
    memory_mb: u64,
    cpu_share: f64,
    min: u32,
    max: u32,
    /// Environments starting on an instance, and waiting for one.
    starting: u32,
    pending: u32,
    /// Requests in flight over time.
    in_flight: Level,
    /// Most in flight during the current period.
    peak: u32,
    /// Consecutive periods the scaler wanted fewer environments.
    below: u32,
}

impl FnState {
    fn environments(&self) -> u32 {
        self.routable.len() as u32 + self.starting + self.pending
    }
}

/// Per environment slot: where a managed environment runs.
#[derive(Clone, Copy, Debug, Default)]
struct Placed {
    instance: u32,
    /// Takes no new requests; retired once its last request ends.
    draining: bool,
}

/// One capacity provider's state.
struct ProviderState {
    fleet: Fleet,
    functions: Vec<usize>,
    /// Instances billed, and instances ready (for the vCPUs CPU work is measured against).
    billed: Level,
    ready: Level,
    /// CPU work (vCPU-ns) of the current period.
    stats: ProviderStats,
}

/// Everything Managed Instances add to a run; `None` in `Simulation` without managed functions.
pub(super) struct ManagedState<'a> {
    functions: Vec<Option<FnState>>,
    providers: Vec<ProviderState>,
    placed: Vec<Placed>,
    scaler: Box<dyn ManagedScaler + 'a>,
}

impl<'a> ManagedState<'a> {
    /// The state of `scenario`'s managed functions, or `None` if it has none.
    pub(super) fn new(
        scenario: &Scenario,
        scaler: Box<dyn ManagedScaler + 'a>,
    ) -> Option<Box<ManagedState<'a>>> {
        if scenario.functions.iter().all(|f| f.managed.is_none()) {
            return None;
        }
        let mut providers: Vec<ProviderState> = scenario
            .capacity_providers
            .iter()
            .map(|p| ProviderState {
                fleet: Fleet::new(p.instance_vcpus, p.instance_memory_mb),
                functions: Vec::new(),
                billed: Level::default(),
                ready: Level::default(),
                stats: ProviderStats::default(),
            })
            .collect();
        let functions = (scenario.functions.iter().enumerate())
            .map(|(i, f)| {
                let m = f.managed.as_ref()?;
                providers[m.provider as usize].functions.push(i);
                Some(FnState {
                    provider: m.provider as usize,
                    routable: BTreeSet::new(),
                    room: m.room(),
                    vcpus: m.vcpus,
                    memory_mb: u64::from(f.memory_mb),
                    cpu_share: m.cpu_share,
                    min: m.min_environments,
                    max: m.max_environments,
                    starting: 0,
                    pending: 0,
                    in_flight: Level::default(),
                    peak: 0,
                    below: 0,
                })
            })
            .collect();
        Some(Box::new(ManagedState {
            functions,
            providers,
            placed: Vec::new(),
            scaler,
        }))
    }

    /// True if function `f` runs on Managed Instances.
    #[inline]
    pub(super) fn serves(&self, f: usize) -> bool {
        self.functions[f].is_some()
    }
}

impl<'a> Simulation<'a> {
    #[inline]
    fn m(&mut self) -> &mut ManagedState<'a> {
        self.managed
            .as_deref_mut()
            .expect("only managed functions reach the managed part")
    }

    fn fm(&mut self, f: usize) -> &mut FnState {
        self.m().functions[f]
            .as_mut()
            .expect("a managed function has its state")
    }

    fn provider(&self, p: usize) -> &CapacityProvider {
        &self.scenario.capacity_providers[p]
    }

    /// Publication at time 0: each used provider's minimum instances and each function's
    /// minimum environments, ready; the scaler's first period.
    pub(super) fn managed_publish(&mut self) {
        let Some(m) = self.managed.as_deref() else {
            return;
        };
        let used: Vec<usize> = (0..m.providers.len())
            .filter(|&p| !m.providers[p].functions.is_empty())
            .collect();
        for p in used {
            let (min, period) = (self.provider(p).min_instances, self.provider(p).period);
            for _ in 0..min {
                self.m().providers[p]
                    .fleet
                    .launch(SimTime::ZERO, InstanceState::Ready);
            }
            let fns = self.m().providers[p].functions.clone();
            for &f in &fns {
                let n = self.fm(f).min;
                self.fm(f).pending += n;
            }
            // Publishing places every initial environment, on more instances if it must.
            loop {
                self.place_pending(p, true);
                let need = self.pending_sizes(p);
                let ps = &mut self.m().providers[p];
                if need.is_empty() || ps.fleet.billed() >= self.provider(p).max_instances {
                    break;
                }
                self.m().providers[p]
                    .fleet
                    .launch(SimTime::ZERO, InstanceState::Ready);
            }
            self.instances_changed(p);
            let lifetime = self.provider(p).instance_lifetime;
            let n = self.m().providers[p].fleet.instances.len() as u32;
            for instance in 0..n {
                self.schedule_expiry(p, instance, SimTime::ZERO + lifetime);
            }
            if SimTime::ZERO + period < self.end {
                self.queue.push(
                    SimTime::ZERO + period,
                    Event::ManagedScalerDue { provider: p as u32 },
                );
            }
        }
    }

    fn schedule_expiry(&mut self, p: usize, instance: u32, at: SimTime) {
        if at < self.end {
            self.queue.push(
                at,
                Event::InstanceExpired {
                    provider: p as u32,
                    instance,
                },
            );
        }
    }

    /// The (vCPUs, MB) of every environment of provider `p` waiting for an instance.
    fn pending_sizes(&mut self, p: usize) -> Vec<(u32, u64)> {
        let fns = self.m().providers[p].functions.clone();
        let mut sizes = Vec::new();
        for f in fns {
            let s = self.fm(f);
            sizes.extend(std::iter::repeat((s.vcpus, s.memory_mb)).take(s.pending as usize));
        }
        sizes
    }

    /// Places environments waiting for an instance on ready instances with room, in function
    /// order; at publication (`ready`) they are ready at once, else they start.
    fn place_pending(&mut self, p: usize, ready: bool) {
        let fns = self.m().providers[p].functions.clone();
        for f in fns {
            while self.fm(f).pending > 0 {
                let (vcpus, mb) = (self.fm(f).vcpus, self.fm(f).memory_mb);
                let Some(instance) = self.m().providers[p].fleet.place(vcpus, mb) else {
                    break;
                };
                self.fm(f).pending -= 1;
                self.start_environment(f, instance, ready);
            }
        }
    }

    /// A new environment of `f` on `instance`: ready now (publication) or after its start.
    fn start_environment(&mut self, f: usize, instance: u32, ready: bool) {
        let state = if ready {
            EnvState::Idle
        } else {
            EnvState::Initializing
        };
        let env = self.create(f, false, state, self.now, self.now);
        let slot = env.0 as usize;
        let m = self.m();
        if slot >= m.placed.len() {
            m.placed.resize(slot + 1, Placed::default());
        }
        m.placed[slot] = Placed {
            instance,
            draining: false,
        };
        if ready {
            self.fm(f).routable.insert((0, env.0));
            return;
        }
        self.fm(f).starting += 1;
        let p = self.fm(f).provider;
        let start = match &self.scenario.capacity_providers[p].environment_start {
            Some(d) => d.sample_duration(&mut self.fns[f].rng_service),
            None => self.sample_init(f, InitOf::Provisioned),
        };
        self.queue
            .push(self.now + start, Event::ManagedEnvReady { env });
    }

    pub(super) fn on_managed_env_ready(&mut self, env: EnvId) {
        let f = self.envs[env].function as usize;
        self.fm(f).starting -= 1;
        if self.m().placed[env.0 as usize].draining {
            // Its instance is being replaced: a replacement is already on its way.
            return self.retire_managed(env, Retirement::Lifetime);
        }
        self.set_state(env, EnvState::Idle);
        self.fm(f).routable.insert((0, env.0));
    }

    /// Routes a request of a managed function: the least-loaded ready environment with
    /// room, else a throttle.
    pub(super) fn route_managed(&mut self, r: Request) {
        let f = r.function as usize;
        let now = self.now;
        let (from, to) = (self.recorder.from, self.recorder.to);
        let s = self.fm(f);
        let Some(&(active, slot)) = s.routable.first() else {
            return self.throttle(r, false);
        };
        if active >= s.room {
            return self.throttle(r, false);
        }
        s.routable.pop_first();
        s.routable.insert((active + 1, slot));
        let n = s.in_flight.n + 1;
        s.in_flight.set(now, n, from, to);
        s.peak = s.peak.max(n as u32);
        let env = EnvId(slot);
        if active == 0 {
            self.set_state(env, EnvState::Busy);
        }
        let e = &mut self.envs[env];
        e.active += 1;
        let first = e.served == 0;
        let func = &self.scenario.functions[f];
        let rng = &mut self.fns[f].rng_service;
        let dist = match (&func.first_execution, first) {
            (Some(d), true) => d,
            _ => &func.execution,
        };
        let mut exec = match r.execution.get() {
            Some(d) => d,
            None => dist.sample_duration(rng),
        };
        if let (Some(w), Some(m)) = (&func.cpu, &func.managed) {
            // The CPU part, measured at `measured_at_mb`'s vCPUs, runs here on as many of the
            // environment's vCPUs as it has threads (admission keeps them from being shared).
            let split = w.split(exec);
            let here = f64::from(w.threads.min(m.vcpus).max(1));
            let cpu = split.cpu.0 as f64 * w.speed(w.measured_at_mb) / here;
            exec = SimDuration::from_nanos_f64(cpu) + split.wait;
        }
        let (run, failure) = if exec > func.timeout {
            (func.timeout, Some(Failure::Timeout))
        } else {
            (exec, None)
        };
        self.queue.push(
            now + run,
            Event::ManagedCompleted {
                env,
                arrived: r.arrived,
                outcome: Outcome {
                    cold: false,
                    failure,
                    retries: r.errors,
                },
            },
        );
    }

    pub(super) fn on_managed_completed(&mut self, env: EnvId, arrived: SimTime, outcome: Outcome) {
        let f = self.envs[env].function as usize;
        // Managed Instances have no cold starts: requests wait for environments, not inits.
        debug_assert!(!outcome.cold);
        self.request_ended(env, f, arrived, outcome);
        let active = self.envs[env].active;
        let (now, from, to) = (self.now, self.recorder.from, self.recorder.to);
        let draining = self.m().placed[env.0 as usize].draining;
        let s = self.fm(f);
        let n = s.in_flight.n - 1;
        s.in_flight.set(now, n, from, to);
        if !draining {
            s.routable.remove(&(active + 1, env.0));
            s.routable.insert((active, env.0));
        }
        if active == 0 {
            if draining {
                self.retire_managed(env, Retirement::ScaledIn);
            } else {
                self.set_state(env, EnvState::Idle);
            }
        }
    }

    /// Retires a managed environment with no request in flight, freeing its instance's
    /// resources (and terminating a draining instance it was the last on).
    fn retire_managed(&mut self, env: EnvId, reason: Retirement) {
        let f = self.envs[env].function as usize;
        let Placed { instance, .. } = self.m().placed[env.0 as usize];
        let (p, vcpus, mb) = {
            let s = self.fm(f);
            (s.provider, s.vcpus, s.memory_mb)
        };
        self.retire(env, self.now, reason);
        let fleet = &mut self.m().providers[p].fleet;
        fleet.release(instance, vcpus, mb);
        let inst = &fleet.instances[instance as usize];
        if inst.state == InstanceState::Draining && inst.envs == 0 {
            fleet.instances[instance as usize].state = InstanceState::Gone;
            self.instances_changed(p);
        }
    }

    /// Stops routing to `env`; retires it now if idle, else when its last request ends.
    fn drain(&mut self, env: EnvId, reason: Retirement) {
        let f = self.envs[env].function as usize;
        let active = self.envs[env].active;
        self.m().placed[env.0 as usize].draining = true;
        self.fm(f).routable.remove(&(active, env.0));
        if active == 0 {
            self.retire_managed(env, reason);
        }
    }

    /// The instance counts changed: the billed and ready levels follow.
    fn instances_changed(&mut self, p: usize) {
        let (now, from, to) = (self.now, self.recorder.from, self.recorder.to);
        let ps = &mut self.m().providers[p];
        let billed = ps.fleet.billed();
        let ready = ps.fleet.count(InstanceState::Ready) + ps.fleet.count(InstanceState::Draining);
        let vcpus = u64::from(ps.fleet.vcpus);
        ps.billed.set(now, u64::from(billed), from, to);
        ps.ready.set(now, u64::from(ready) * vcpus, from, to);
        if now >= from && now < to {
            ps.stats.peak_instances = ps.stats.peak_instances.max(billed);
        }
    }

    pub(super) fn on_instance_ready(&mut self, p: usize, instance: u32) {
        let lifetime = self.provider(p).instance_lifetime;
        let fleet = &mut self.m().providers[p].fleet;
        let inst = &mut fleet.instances[instance as usize];
        if inst.state != InstanceState::Launching {
            return;
        }
        inst.state = InstanceState::Ready;
        let launched = inst.launched;
        self.instances_changed(p);
        self.schedule_expiry(p, instance, launched + lifetime);
        self.place_pending(p, false);
    }

    /// An instance reached its lifetime: its environments drain and are replaced.
    pub(super) fn on_instance_expired(&mut self, p: usize, instance: u32) {
        let fleet = &mut self.m().providers[p].fleet;
        if fleet.instances[instance as usize].state != InstanceState::Ready {
            return;
        }
        fleet.instances[instance as usize].state = InstanceState::Draining;
        let (now, from, to) = (self.now, self.recorder.from, self.recorder.to);
        if now >= from && now < to {
            self.m().providers[p].stats.replaced += 1;
        }
        let on_it: Vec<EnvId> = (self.envs.live())
            .filter(|(id, e)| {
                self.managed.as_deref().is_some_and(|m| {
                    m.serves(e.function as usize)
                        && m.functions[e.function as usize]
                            .as_ref()
                            .is_some_and(|s| s.provider == p)
                        && m.placed[id.0 as usize].instance == instance
                        && !m.placed[id.0 as usize].draining
                })
            })
            .map(|(id, _)| id)
            .collect();
        for env in on_it {
            let f = self.envs[env].function as usize;
            self.fm(f).pending += 1;
            if self.envs[env].state == EnvState::Initializing {
                self.m().placed[env.0 as usize].draining = true;
            } else {
                self.drain(env, Retirement::Lifetime);
            }
        }
        let inst = &self.m().providers[p].fleet.instances[instance as usize];
        if inst.envs == 0 {
            self.m().providers[p].fleet.instances[instance as usize].state = InstanceState::Gone;
        }
        self.instances_changed(p);
        self.place_pending(p, false);
        self.launch_for_pending(p);
    }

    /// Launches the instances the environments waiting for one need, within the maximum.
    fn launch_for_pending(&mut self, p: usize) {
        let sizes = self.pending_sizes(p);
        let (max, launch) = (
            self.provider(p).max_instances,
            self.provider(p).instance_launch,
        );
        let (now, from, to) = (self.now, self.recorder.from, self.recorder.to);
        let ps = &mut self.m().providers[p];
        // Draining instances are on their way out: they do not count against the maximum.
        let live = ps.fleet.count(InstanceState::Launching) + ps.fleet.count(InstanceState::Ready);
        let k = ps
            .fleet
            .instances_needed(&sizes)
            .min(max.saturating_sub(live));
        for _ in 0..k {
            let ps = &mut self.m().providers[p];
            let instance = ps.fleet.launch(now, InstanceState::Launching);
            if now >= from && now < to {
                ps.stats.launches += 1;
            }
            self.queue.push(
                now + launch,
                Event::InstanceReady {
                    provider: p as u32,
                    instance,
                },
            );
        }
        if k > 0 {
            self.instances_changed(p);
        }
    }

    /// The scaler's period ended: each function's environments follow its load, instances
    /// follow the environments, and the period's row is recorded.
    pub(super) fn on_managed_scaler_due(&mut self, p: usize) {
        let (now, from, to) = (self.now, self.recorder.from, self.recorder.to);
        let cp = self.provider(p);
        let (period, target, scale_in) = (cp.period, cp.target, cp.scale_in_periods);
        let fns = self.m().providers[p].functions.clone();
        let (mut cpu, mut in_flight) = (0.0, 0.0);
        for &f in &fns {
            let s = self.fm(f);
            let area = s.in_flight.take_period(now, from, to);
            let mean = area as f64 / period.0 as f64;
            cpu += area as f64 * s.cpu_share;
            in_flight += mean;
            let load = FunctionLoad {
                mean_in_flight: mean,
                peak_in_flight: std::mem::replace(&mut s.peak, s.in_flight.n as u32),
                room: s.room,
                environments: s.environments(),
                target,
            };
            let (min, max) = (s.min, s.max);
            let wanted = self.m().scaler.environments(&load).clamp(min, max);
            let s = self.fm(f);
            let have = s.environments();
            if wanted >= have {
                s.below = 0;
                s.pending += wanted - have;
                continue;
            }
            s.below += 1;
            if s.below < scale_in {
                continue;
            }
            s.below = 0;
            let mut extra = have - wanted;
            let cancel = extra.min(s.pending);
            s.pending -= cancel;
            extra -= cancel;
            // The least-loaded environments drain first.
            let victims: Vec<u32> = s
                .routable
                .iter()
                .take(extra as usize)
                .map(|&(_, e)| e)
                .collect();
            for slot in victims {
                self.drain(EnvId(slot), Retirement::ScaledIn);
            }
        }
        self.place_pending(p, false);
        self.launch_for_pending(p);
        self.scale_in_instances(p);
        // The period's row.
        let ps = &mut self.m().providers[p];
        let ready_vcpu_ns = ps.ready.take_period(now, from, to);
        ps.billed.advance(now, from, to);
        let in_counted = now > from && now <= to;
        if in_counted {
            ps.stats.peak_instances = ps.stats.peak_instances.max(ps.fleet.billed());
        }
        let row = CapacityRow {
            time_s: now.0 as f64 / 1e9,
            instances: ps.fleet.billed(),
            instances_ready: ps.fleet.count(InstanceState::Ready),
            environments: 0,
            environments_ready: 0,
            in_flight,
            cpu_utilization: if ready_vcpu_ns == 0 {
                0.0
            } else {
                cpu / ready_vcpu_ns as f64
            },
            target_cpu_utilization: target,
        };
        let (mut envs, mut ready) = (0, 0);
        for &f in &fns {
            let s = self.fm(f);
            envs += s.environments();
            ready += s.routable.len() as u32;
        }
        if in_counted {
            self.m().providers[p].stats.rows.push(CapacityRow {
                environments: envs,
                environments_ready: ready,
                ..row
            });
        }
        if now + period < self.end {
            self.queue
                .push(now + period, Event::ManagedScalerDue { provider: p as u32 });
        }
    }

    /// Terminates ready instances without environments beyond the minimum (newest first),
    /// when no environment waits for one.
    fn scale_in_instances(&mut self, p: usize) {
        if !self.pending_sizes(p).is_empty() {
            return;
        }
        let min = self.provider(p).min_instances;
        let fleet = &mut self.m().providers[p].fleet;
        let mut live = fleet.count(InstanceState::Ready) + fleet.count(InstanceState::Launching);
        let mut changed = false;
        for inst in fleet.instances.iter_mut().rev() {
            if live <= min {
                break;
            }
            if inst.state == InstanceState::Ready && inst.envs == 0 {
                inst.state = InstanceState::Gone;
                live -= 1;
                changed = true;
            }
        }
        if changed {
            self.instances_changed(p);
        }
    }

    /// The run ended: every provider's totals.
    pub(super) fn managed_finish(&mut self) -> Vec<(usize, ProviderStats)> {
        let (end, from, to) = (self.end, self.recorder.from, self.recorder.to);
        let Some(m) = self.managed.as_deref_mut() else {
            return Vec::new();
        };
        let mut cpu = vec![0.0; m.providers.len()];
        for s in m.functions.iter_mut().flatten() {
            s.in_flight.advance(end, from, to);
            cpu[s.provider] += s.in_flight.counted as f64 * s.cpu_share;
        }
        m.providers
            .iter_mut()
            .zip(cpu)
            .enumerate()
            .filter(|(_, (ps, _))| !ps.functions.is_empty())
            .map(|(i, (ps, cpu_ns))| {
                ps.billed.advance(end, from, to);
                ps.ready.advance(end, from, to);
                let mut stats = std::mem::take(&mut ps.stats);
                stats.instance_ns = ps.billed.counted;
                stats.ready_vcpu_ns = ps.ready.counted;
                stats.cpu_ns = cpu_ns;
                (i, stats)
            })
            .collect()
    }
}
