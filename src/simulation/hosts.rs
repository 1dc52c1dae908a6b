//! Hosts (`[cluster]`): where each environment lives, its host's memory, placement through
//! the `PlacementPolicy`, and executions on the host's vCPUs under the CPU policy.
//!
//! Every execution on a cluster runs on its host's processor-sharing component
//! (`platform::CpuShare`), CPU part first, then the part spent waiting (I/O), which no host
//! slows. Under `shared` the share's capacity is the host's vCPUs, so executions slow in
//! proportion when they demand more; under `ignored` and `isolated` it is unbounded (nothing
//! slows) and only measures the demand; `isolated` starts an execution only when its
//! environment's vCPUs are free on the host (a request waits, first come first served,
//! otherwise). A host's next CPU completion (or timeout) is one `CpuDue` event, stale when
//! its generation is not the host's latest.
//!
//! A function without `cpu` demands CPU for its whole execution at one thread (DSLab FaaS's
//! model: every invocation is CPU work): the execution given is the uncontended one, at the
//! vCPUs its memory gives.

use super::*;
use crate::metrics::hosts::{HostRecorder, HostSpec};
use crate::platform::{CpuShare, HostView, NewEnvironment, PlacementPolicy, Placer, Vcpus};
use crate::scenario::model::{Cluster, CpuPolicy};
use std::collections::BTreeSet;

/// Random stream of placement decisions (kept apart from the platform's, so a policy that
/// draws does not move other draws).
const PLACEMENT: u64 = 7;

/// The vCPUs of an environment of `memory_mb` (`platform::cpu::lambda_vcpus`, AWS's
/// proportion).
fn env_vcpus(memory_mb: u32) -> Vcpus {
    Vcpus::from_f64(crate::platform::cpu::lambda_vcpus(memory_mb))
}

/// What an execution of `f` asks of its host's CPU: the part of its time that is CPU work
/// (0–1) and the vCPUs it uses meanwhile. With `cpu`, its share after scaling to the
/// function's memory, at min(vCPUs, threads); without, all of it at one thread (capped by
/// the environment's vCPUs): DSLab FaaS's model, where every invocation is CPU work, so that
/// `shared` slows functions that say nothing of their CPU rather than ignoring them.
fn cpu_demand(f: &crate::scenario::model::Function) -> (f64, Vcpus) {
    match &f.cpu {
        None => (1.0, env_vcpus(f.memory_mb).min(Vcpus::whole(1))),
        Some(w) => {
            let cpu = w.share * w.factor(f.memory_mb);
            let part = if cpu > 0.0 {
                cpu / (cpu + (1.0 - w.share))
            } else {
                0.0
            };
            (part, Vcpus::from_f64(w.speed(f.memory_mb)))
        }
    }
}

/// One host.
struct Host {
    group: u32,
    vcpus: Vcpus,
    memory_mb: u64,
    used_mb: u64,
    environments: u32,
    /// The executions' CPU parts.
    share: CpuShare<u32>,
    /// Jobs in their CPU part by (timeout, job).
    deadlines: BTreeSet<(SimTime, u32)>,
    /// `isolated`: vCPUs held by running executions, and executions waiting for them.
    held: u64,
    waiting: VecDeque<u32>,
    /// Bumped when the next wake-up moves; `CpuDue` events of older generations are stale.
    generation: u32,
    /// When the pending `CpuDue` of this generation fires (`NEVER`: none pending).
    wake: SimTime,
}

/// An execution on a host, from reaching its environment to the end of its CPU part.
#[derive(Clone, Copy, Debug)]
struct Job {
    env: EnvId,
    /// The request's function (the environment's, unless an app's functions share it).
    function: u32,
    host: u32,
    arrived: SimTime,
    outcome: Outcome,
    provisioned: bool,
    /// When it reached its environment, and when it started (later under `isolated` if it
    /// waited for vCPUs).
    reached: SimTime,
    started: SimTime,
    /// Its time alone (the uncontended run), and the part of it spent waiting (after the CPU
    /// part).
    alone: SimDuration,
    wait_part: SimDuration,
    rate: Vcpus,
    /// Its function's timeout.
    timeout: SimDuration,
}

/// The cluster's state.
pub(super) struct Hosts<'a> {
    hosts: Vec<Host>,
    cpu: CpuPolicy,
    /// The host of each environment slot.
    env_host: Vec<u32>,
    /// The host the latest `make_room` chose.
    chosen: u32,
    placer: Placer<'a>,
    rng: Rng,
    views: Vec<HostView>,
    /// Per function: the stable hash of its name, its environments' vCPUs.
    function_hash: Vec<u64>,
    function_vcpus: Vec<Vcpus>,
    /// Per function: its CPU part (0–1) and the vCPUs it uses then (`cpu_demand`).
    function_cpu: Vec<(f64, Vcpus)>,
    jobs: Slab<Job>,
    /// Memory held on every host together, and its peak, MB.
    used_mb: u64,
    pub(super) peak_mb: u64,
    pub(super) recorder: HostRecorder,
}

/// A stable 64-bit hash of a name (the first 8 bytes of its SHA-256), the same in every run.
fn name_hash(name: &str) -> u64 {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(name.as_bytes());
    u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

impl<'a> Hosts<'a> {
    pub(super) fn new(
        scenario: &Scenario,
        cluster: &Cluster,
        placer: Placer<'a>,
        seed: u64,
    ) -> Self {
        let mut hosts = Vec::new();
        let mut specs = Vec::new();
        for (g, group) in cluster.groups.iter().enumerate() {
            for _ in 0..group.count {
                let vcpus = Vcpus::whole(u64::from(group.vcpus));
                let capacity = match cluster.cpu {
                    CpuPolicy::Shared => vcpus,
                    // Unbounded: nothing slows; the share only measures the demand.
                    CpuPolicy::Ignored | CpuPolicy::Isolated => Vcpus(u64::MAX / 4),
                };
                hosts.push(Host {
                    group: g as u32,
                    vcpus,
                    memory_mb: group.memory_mb,
                    used_mb: 0,
                    environments: 0,
                    share: CpuShare::new(capacity),
                    deadlines: BTreeSet::new(),
                    held: 0,
                    waiting: VecDeque::new(),
                    generation: 0,
                    wake: SimTime::NEVER,
                });
                specs.push(HostSpec {
                    group: g as u32,
                    vcpus: group.vcpus,
                    memory_mb: group.memory_mb,
                });
            }
        }
        Hosts {
            hosts,
            cpu: cluster.cpu,
            env_host: Vec::new(),
            chosen: 0,
            placer,
            rng: stream(seed, PLACEMENT, 0),
            views: Vec::new(),
            function_hash: scenario
                .functions
                .iter()
                .map(|f| name_hash(&f.name))
                .collect(),
            function_cpu: scenario.functions.iter().map(cpu_demand).collect(),
            function_vcpus: scenario
                .functions
                .iter()
                .map(|f| env_vcpus(f.memory_mb))
                .collect(),
            jobs: Slab::default(),
            used_mb: 0,
            peak_mb: 0,
            recorder: HostRecorder::new(
                specs,
                scenario.functions.len(),
                SimTime::ZERO + scenario.warmup,
                SimTime::ZERO + scenario.duration,
                scenario.report_interval,
            ),
        }
    }

    fn view(&self, h: usize) -> HostView {
        let host = &self.hosts[h];
        HostView {
            index: h as u32,
            group: host.group,
            vcpus: host.vcpus,
            memory_mb: host.memory_mb,
            free_mb: host.memory_mb - host.used_mb,
            cpu_demand: host.share.demand(),
            environments: host.environments,
        }
    }

    /// Free memory of host `h`, MB.
    #[inline]
    pub(super) fn free_mb(&self, h: u32) -> u64 {
        let host = &self.hosts[h as usize];
        host.memory_mb - host.used_mb
    }

    /// The host of `env`.
    #[inline]
    pub(super) fn host_of(&self, env: EnvId) -> u32 {
        self.env_host[env.0 as usize]
    }

    /// A new environment of `memory_mb` holds memory on the chosen host.
    pub(super) fn take(&mut self, memory_mb: u32, now: SimTime) {
        let h = self.chosen as usize;
        let host = &mut self.hosts[h];
        host.used_mb += u64::from(memory_mb);
        debug_assert!(host.used_mb <= host.memory_mb, "placement checks the room");
        let used = host.used_mb;
        self.used_mb += u64::from(memory_mb);
        self.peak_mb = self.peak_mb.max(self.used_mb);
        self.recorder.memory(h, now, used);
    }

    /// Environment `env` was created now on the chosen host.
    pub(super) fn placed(&mut self, env: EnvId, now: SimTime) {
        let slot = env.0 as usize;
        if slot >= self.env_host.len() {
            self.env_host.resize(slot + 1, 0);
        }
        self.env_host[slot] = self.chosen;
        self.hosts[self.chosen as usize].environments += 1;
        self.recorder.placed(self.chosen as usize, now);
    }

    /// Retired `env` of `memory_mb` gives its memory back to its host.
    pub(super) fn give_back(&mut self, env: EnvId, memory_mb: u32, now: SimTime) {
        let h = self.env_host[env.0 as usize] as usize;
        let host = &mut self.hosts[h];
        host.used_mb -= u64::from(memory_mb);
        host.environments -= 1;
        let used = host.used_mb;
        self.used_mb -= u64::from(memory_mb);
        self.recorder.memory(h, now, used);
    }
}

impl Simulation<'_> {
    /// `make_room` on a cluster: the placement policy picks a host among those where a new
    /// environment of `f` fits in free memory; if there is none, among those where evicting
    /// idle environments makes room, and evicts there. False if no host can take it.
    pub(super) fn place(&mut self, f: usize) -> bool {
        let need = u64::from(self.scenario.functions[f].memory_mb);
        let Some(hosts) = self.hosts.as_mut() else {
            return true;
        };
        let mut views = std::mem::take(&mut hosts.views);
        views.clear();
        views.extend(
            (0..hosts.hosts.len())
                .filter(|&h| hosts.free_mb(h as u32) >= need)
                .map(|h| hosts.view(h)),
        );
        if views.is_empty() {
            // Idle memory per host: what eviction could free there.
            let mut idle = vec![0u64; hosts.hosts.len()];
            for fs in &self.fns {
                for (env, _) in fs.pool.iter() {
                    let e = &self.envs[env];
                    idle[hosts.host_of(env) as usize] +=
                        u64::from(self.scenario.functions[e.function as usize].memory_mb);
                }
            }
            views.extend(
                (0..hosts.hosts.len())
                    .filter(|&h| hosts.free_mb(h as u32) + idle[h] >= need)
                    .map(|h| hosts.view(h)),
            );
        }
        let new = NewEnvironment {
            function: f as u32,
            function_hash: hosts.function_hash[f],
            memory_mb: need as u32,
            vcpus: hosts.function_vcpus[f],
            hosts_total: hosts.hosts.len() as u32,
        };
        let pick = if views.is_empty() {
            None
        } else {
            hosts.placer.place(&new, &views, &mut hosts.rng)
        };
        let host = pick.and_then(|i| views.get(i)).map(|v| v.index);
        hosts.views = views;
        let Some(h) = host else {
            return false;
        };
        hosts.chosen = h;
        self.evict_for(f, Some(h))
    }

    /// Starts an execution of `run` (its uncontended time, timeout applied) on `env`'s host,
    /// for a request of `f` that arrived at `arrived`: at once, or under `isolated` when the
    /// environment's vCPUs are free there. Billing waits for its end.
    pub(super) fn execute_on_host(
        &mut self,
        env: EnvId,
        f: usize,
        arrived: SimTime,
        run: SimDuration,
        outcome: Outcome,
        provisioned: bool,
    ) {
        let now = self.now;
        // The environment's vCPUs are its function's memory's (an app's functions share one).
        let fe = self.envs[env].function as usize;
        let timeout = self.scenario.functions[f].timeout;
        let Some(hosts) = self.hosts.as_mut() else {
            return;
        };
        let h = hosts.host_of(env);
        // CPU part first, then the waiting; a re-run init counts in the same proportion.
        let (part, rate) = hosts.function_cpu[f];
        let cpu = SimDuration::from_nanos_f64(run.0 as f64 * part).min(run);
        let job = Job {
            env,
            function: f as u32,
            host: h,
            arrived,
            outcome,
            provisioned,
            reached: now,
            started: now,
            alone: run,
            wait_part: run - cpu,
            rate,
            timeout,
        };
        let id = hosts.jobs.insert(job);
        if hosts.cpu == CpuPolicy::Isolated {
            let host = &hosts.hosts[h as usize];
            let need = hosts.function_vcpus[fe].0;
            if !host.waiting.is_empty() || (host.held > 0 && host.held + need > host.vcpus.0) {
                hosts.hosts[h as usize].waiting.push_back(id);
                hosts.recorder.waited_for_cpu(h as usize, arrived);
                return;
            }
            hosts.hosts[h as usize].held += need;
        }
        self.start_job(id, now);
        self.reschedule_host(h);
    }

    /// Job `id` starts its CPU part now.
    fn start_job(&mut self, id: u32, now: SimTime) {
        let Some(hosts) = self.hosts.as_mut() else {
            return;
        };
        let j = &mut hosts.jobs[id];
        j.started = now;
        let (h, cpu_part, rate, deadline) = (
            j.host as usize,
            j.alone - j.wait_part,
            j.rate,
            now + j.timeout,
        );
        let host = &mut hosts.hosts[h];
        host.share.add_unslowed(now, id, cpu_part, rate);
        host.deadlines.insert((deadline, id));
    }

    /// Schedules host `h`'s next wake-up (a CPU completion or a timeout) if it moved, and
    /// records its CPU use from now.
    fn reschedule_host(&mut self, h: u32) {
        let now = self.now;
        let Some(hosts) = self.hosts.as_mut() else {
            return;
        };
        let host = &mut hosts.hosts[h as usize];
        let next = host.share.next_completion().unwrap_or(SimTime::NEVER);
        let deadline = host.deadlines.first().map_or(SimTime::NEVER, |d| d.0);
        let wake = next.min(deadline);
        let (busy, demand) = (host.share.demand().min(host.vcpus).0, host.share.demand().0);
        hosts.recorder.cpu(h as usize, now, busy, demand);
        if wake == host.wake {
            return;
        }
        host.generation = host.generation.wrapping_add(1);
        host.wake = wake;
        if wake != SimTime::NEVER {
            let generation = host.generation;
            self.queue.push(
                wake,
                Event::CpuDue {
                    host: h,
                    generation,
                },
            );
        }
    }

    /// Host `h`'s next CPU completion or timeout is due (ignored if stale).
    pub(super) fn on_cpu_due(&mut self, h: u32, generation: u32) {
        let now = self.now;
        let Some(hosts) = self.hosts.as_mut() else {
            return;
        };
        let host = &mut hosts.hosts[h as usize];
        if host.generation != generation {
            return;
        }
        host.wake = SimTime::NEVER;
        loop {
            let Some(hosts) = self.hosts.as_mut() else {
                return;
            };
            let host = &mut hosts.hosts[h as usize];
            if let Some(id) = host.share.pop_completed(now) {
                self.cpu_part_done(id, false);
                continue;
            }
            match host.deadlines.first() {
                Some(&(at, id)) if at <= now => {
                    host.share.remove(now, id);
                    self.cpu_part_done(id, true);
                }
                _ => break,
            }
        }
        self.reschedule_host(h);
    }

    /// Job `id` finished its CPU part now (`timed_out`: it reached the timeout in it): its
    /// request ends after the waiting part, or at the timeout if that comes first.
    fn cpu_part_done(&mut self, id: u32, timed_out: bool) {
        let now = self.now;
        let Some(hosts) = self.hosts.as_mut() else {
            return;
        };
        let j = hosts.jobs.take(id);
        let deadline = j.started + j.timeout;
        hosts.hosts[j.host as usize]
            .deadlines
            .remove(&(deadline, id));
        let mut outcome = j.outcome;
        let mut end = now + j.wait_part;
        if timed_out || end > deadline {
            end = deadline.max(now);
            if outcome.failure.is_none() {
                outcome.failure = Some(Failure::Timeout);
            }
        }
        let f = j.function as usize;
        hosts
            .recorder
            .slowdown(f, j.arrived, end.since(j.reached), j.alone);
        let took = end.since(j.started);
        self.recorder.billed(f, j.arrived, took, j.provisioned);
        if outcome.ping() {
            self.recorder
                .ping_billed(f, j.arrived, took, SimDuration::ZERO);
        }
        let completed = self.completion(j.env, f, j.arrived, outcome);
        self.queue.push(end, completed);
    }

    /// An execution on `env` ended: under `isolated` its vCPUs are freed and waiting
    /// executions start, first come first served.
    #[inline]
    pub(super) fn execution_ended(&mut self, env: EnvId) {
        if let Some(hosts) = &self.hosts {
            if hosts.cpu == CpuPolicy::Isolated {
                self.release_vcpus(env);
            }
        }
    }

    fn release_vcpus(&mut self, env: EnvId) {
        let now = self.now;
        let f = self.envs[env].function as usize;
        let Some(hosts) = self.hosts.as_mut() else {
            return;
        };
        let h = hosts.host_of(env);
        hosts.hosts[h as usize].held -= hosts.function_vcpus[f].0;
        let mut started = false;
        loop {
            let Some(hosts) = self.hosts.as_mut() else {
                return;
            };
            let Some(&id) = hosts.hosts[h as usize].waiting.front() else {
                break;
            };
            let env = hosts.jobs[id].env;
            let need = hosts.function_vcpus[self.envs[env].function as usize].0;
            let host = &mut hosts.hosts[h as usize];
            if host.held > 0 && host.held + need > host.vcpus.0 {
                break;
            }
            host.held += need;
            host.waiting.pop_front();
            self.start_job(id, now);
            started = true;
        }
        if started {
            self.reschedule_host(h);
        }
    }
}
