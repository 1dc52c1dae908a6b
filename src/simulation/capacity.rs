//! Capacity: a memory-bounded platform's memory (`Capacity`: capacity, use, peak, requests
//! waiting for room) and eviction of idle environments to make room. Without
//! `platform.capacity` every call is a no-op that says "it fits". On a cluster
//! (`[cluster]`) each host has its own memory: `make_room` asks the placement policy for a
//! host (`hosts.rs`) and evicts there.

use super::*;

/// The platform's memory. Unbounded without `platform.capacity`.
pub(super) struct Capacity {
    /// Capacity, MB; `None`: unbounded (nothing below is used).
    capacity_mb: Option<u64>,
    /// Memory held by live environments, MB.
    used_mb: u64,
    /// Most memory held at once, MB.
    pub(super) peak_mb: u64,
    /// Requests waiting for memory (first come, first served).
    pub(super) parked: VecDeque<Request>,
    /// A `MemoryFreed` event is pending.
    freed_pending: bool,
    /// Functions whose provisioned environments did not fit.
    provisioning_blocked: Vec<u32>,
    /// Set while waiting requests are tried again: a request that still does not fit goes
    /// back to the front and stops the round.
    pub(super) retrying_parked: bool,
    parked_again: bool,
    /// On a cluster: memory is per host (`Hosts`), and this part keeps only the requests
    /// waiting and the eviction bookkeeping.
    clustered: bool,
}

impl Capacity {
    /// The memory of a platform of `capacity_mb` (`None`: unbounded), or of a cluster's
    /// hosts (`clustered`).
    pub(super) fn new(capacity_mb: Option<u64>, clustered: bool) -> Self {
        Capacity {
            capacity_mb,
            used_mb: 0,
            peak_mb: 0,
            parked: VecDeque::new(),
            freed_pending: false,
            provisioning_blocked: Vec::new(),
            retrying_parked: false,
            parked_again: false,
            clustered,
        }
    }

    /// True on a memory-bounded platform (a cluster's hosts included).
    #[inline]
    pub(super) fn bounded(&self) -> bool {
        self.capacity_mb.is_some() || self.clustered
    }

    /// A new environment of `memory_mb` holds memory (after `make_room`).
    #[inline]
    pub(super) fn take(&mut self, memory_mb: u32) {
        if let Some(cap) = self.capacity_mb {
            self.used_mb += u64::from(memory_mb);
            self.peak_mb = self.peak_mb.max(self.used_mb);
            debug_assert!(
                self.used_mb <= cap,
                "make_room runs before every new environment"
            );
        }
    }

    /// A retired environment of `memory_mb` gives its memory back; true if bounded (memory
    /// was freed).
    #[inline]
    pub(super) fn give_back(&mut self, memory_mb: u32) -> bool {
        if self.capacity_mb.is_some() {
            self.used_mb -= u64::from(memory_mb);
        }
        self.capacity_mb.is_some()
    }

    /// True if `need_mb` more fits now.
    #[inline]
    fn fits(&self, need_mb: u32) -> bool {
        match self.capacity_mb {
            Some(cap) => self.used_mb + u64::from(need_mb) <= cap,
            None => true,
        }
    }
}

impl Simulation<'_> {
    /// A request that needs a new environment on a full platform waits or is dropped.
    pub(super) fn full(&mut self, r: Request) {
        let (f, arrived) = (r.function as usize, r.arrived);
        let c = &mut self.capacity;
        if c.retrying_parked {
            c.parked.push_front(r);
            c.parked_again = true;
            return;
        }
        match self.scenario.platform.when_full {
            WhenFull::Wait => {
                self.recorder.capacity_waited(f, arrived);
                if let Some(h) = &mut self.hosts {
                    h.recorder.waited_for_memory(arrived);
                }
                c.parked.push_back(r);
            }
            WhenFull::Drop => {
                self.recorder.capacity_dropped(f, arrived);
                if self.scenario.functions[f].invocation == Invocation::Async {
                    self.recorder.dead_lettered(f, arrived);
                }
                self.ended += 1;
            }
        }
    }

    /// Provisioned environments of `f` did not fit: started when memory is freed.
    pub(super) fn provisioning_blocked(&mut self, f: usize) {
        let blocked = &mut self.capacity.provisioning_blocked;
        if !blocked.contains(&(f as u32)) {
            blocked.push(f as u32);
        }
    }

    /// Memory was freed (or an environment became evictable): provisioned environments that
    /// did not fit are started, then waiting requests try again in order until one still does
    /// not fit.
    pub(super) fn on_memory_freed(&mut self) {
        self.capacity.freed_pending = false;
        // Provisioned environments that did not fit come first: the platform maintains them.
        for f in std::mem::take(&mut self.capacity.provisioning_blocked) {
            self.reconcile(f as usize);
        }
        self.capacity.retrying_parked = true;
        self.capacity.parked_again = false;
        while !self.capacity.parked_again {
            let Some(r) = self.capacity.parked.pop_front() else {
                break;
            };
            self.route(r);
        }
        self.capacity.retrying_parked = false;
    }

    /// Memory may have been freed: wake the waiting requests.
    #[inline]
    pub(super) fn memory_freed(&mut self) {
        let c = &mut self.capacity;
        if (!c.parked.is_empty() || !c.provisioning_blocked.is_empty()) && !c.freed_pending {
            c.freed_pending = true;
            self.queue.push(self.now, Event::MemoryFreed);
        }
    }

    /// Evicts idle environments until a new one of `f` fits; false if it cannot. True at once
    /// on an unbounded platform. On a cluster, the placement policy chooses the host first
    /// (`place`), and eviction happens there.
    #[inline]
    pub(super) fn make_room(&mut self, f: usize) -> bool {
        if self.hosts.is_some() {
            return self.place(f);
        }
        !self.capacity.bounded() || self.evict_for(f, None)
    }

    /// `make_room` on a memory-bounded platform, or on `host` of a cluster.
    pub(super) fn evict_for(&mut self, f: usize, host: Option<u32>) -> bool {
        let need = self.scenario.functions[f].memory_mb;
        let fits = |s: &Self| match (host, &s.hosts) {
            (Some(h), Some(hosts)) => hosts.free_mb(h) >= u64::from(need),
            _ => s.capacity.fits(need),
        };
        while !fits(self) {
            let victim = {
                let (envs, fns, functions) = (&self.envs, &self.fns, &self.scenario.functions);
                let hosts = self.hosts.as_ref();
                let on = move |env: EnvId| match (host, hosts) {
                    (Some(h), Some(hosts)) => hosts.host_of(env) == h,
                    _ => true,
                };
                let mut candidates = fns.iter().flat_map(|fs| {
                    fs.pool
                        .iter()
                        .filter(move |&(env, _)| on(env))
                        .map(|(env, _)| {
                            let e = &envs[env];
                            Candidate {
                                env,
                                memory_mb: functions[e.function as usize].memory_mb,
                                idle_since: e.idle_since,
                                frequency: fns[e.function as usize].frequency,
                                priority: e.priority,
                            }
                        })
                });
                self.evictor.victim(&mut candidates)
            };
            let Some(v) = victim else {
                return false;
            };
            self.evictor.evicted(&v);
            let g = self.envs[v.env].function as usize;
            let removed = self.fns[g].pool.remove(v.env);
            debug_assert!(removed, "candidates are idle in their pool");
            self.retire(v.env, self.now, Retirement::Evicted);
        }
        true
    }

    /// A new environment of `f` holds memory (after `make_room`).
    #[inline]
    pub(super) fn memory_taken(&mut self, f: usize) {
        let memory_mb = self.scenario.functions[f].memory_mb;
        match &mut self.hosts {
            Some(h) => h.take(memory_mb, self.now),
            None => self.capacity.take(memory_mb),
        }
    }

    /// A request of `f` started: counted for eviction on a memory-bounded platform.
    #[inline]
    pub(super) fn used(&mut self, f: usize) {
        if self.capacity.bounded() {
            self.fns[f].frequency += 1;
        }
    }

    /// Sets the eviction priority of `env`, used now, on a memory-bounded platform.
    #[inline]
    pub(super) fn set_priority(&mut self, env: EnvId) {
        if self.capacity.bounded() {
            self.set_priority_bounded(env);
        }
    }

    /// `set_priority` on a memory-bounded platform.
    fn set_priority_bounded(&mut self, env: EnvId) {
        let f = self.envs[env].function as usize;
        let func = &self.scenario.functions[f];
        self.envs[env].priority = self.evictor.priority(&Used {
            frequency: self.fns[f].frequency,
            cost_ms: func.mean_init_ns() / 1e6,
            memory_mb: func.memory_mb,
        });
    }
}
