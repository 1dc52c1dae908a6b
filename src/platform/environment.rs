//! Execution environments, stored in a slab with a free list so ids are reused and the live
//! set stays as small as the number of live environments.

use crate::engine::SimTime;
use crate::metrics::Class;

/// Index of an environment in the slab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EnvId(pub u32);

/// Lifecycle state: `Initializing → Busy ⇄ Idle → Retired`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvState {
    /// Running init for the request that created it (and, with `env_concurrency > 1`, for
    /// the `queued` requests that joined it meanwhile).
    Initializing,
    /// Serving `active` requests.
    Busy,
    /// Waiting for a request.
    Idle,
    /// Gone; the slot is free.
    Retired,
}

/// One execution environment.
#[derive(Clone, Debug)]
pub struct Environment {
    /// Function id it belongs to.
    pub function: u32,
    /// Lifecycle state.
    pub state: EnvState,
    /// Kept initialized by provisioned concurrency.
    pub provisioned: bool,
    /// Requests being served.
    pub active: u32,
    /// Requests served so far.
    pub served: u32,
    /// Bumped when the slot is reused, so timers of a retired environment can be told apart.
    pub generation: u32,
    /// A `LifetimeEnded` event is scheduled.
    pub lifetime_timer: bool,
    /// Provisioned and past its maximum lifetime: retired once its replacement is ready.
    pub recycled: bool,
    /// When it was created.
    pub created: SimTime,
    /// When it last became idle.
    pub idle_since: SimTime,
    /// When it first became idle (`SimTime::NEVER` before that).
    pub first_idle: SimTime,
    /// Its keep-alive deadline while idle, for per-environment timers.
    pub deadline: SimTime,
    /// Greedy-Dual eviction priority, set at its last use.
    pub priority: f64,
    /// With `env_concurrency > 1`: requests that joined it while it initializes (the one it
    /// was started for included); they start when its init completes.
    pub queued: u32,
    /// With `env_concurrency > 1`: a request failed on it, so it takes no new request, and an
    /// on-demand one is retired when its last request ends.
    pub failed: bool,
    /// With `env_concurrency > 1`: a request ran out of memory on it, which kills it: every
    /// request still in flight on it fails as out of memory.
    pub killed: bool,
    /// Idle and kept while anything of its app runs, under an app-level keep-alive policy
    /// (no timer until the app stops).
    pub held: bool,
    /// The function of the request it serves (or last served): its `function` unless it is
    /// shared by an app's functions (`unit = "app"`). With `env_concurrency > 1` the latest
    /// started; the simulation sets it again to each request's own when that one ends.
    pub serving: u32,
}

impl Environment {
    /// The class it counts in for time-weighted means.
    #[inline]
    pub fn class(&self) -> Class {
        match self.state {
            EnvState::Initializing => Class::Initializing,
            EnvState::Busy => Class::Busy,
            EnvState::Idle if self.provisioned => Class::ProvisionedIdle,
            EnvState::Idle | EnvState::Retired => Class::Idle,
        }
    }
}

/// All environments, live and free slots.
#[derive(Debug, Default)]
pub struct Environments {
    slots: Vec<Environment>,
    free: Vec<u32>,
}

impl Environments {
    /// Allocates an environment for `function`, created at `now` in `state`.
    pub fn create(
        &mut self,
        function: u32,
        provisioned: bool,
        state: EnvState,
        now: SimTime,
    ) -> EnvId {
        let env = Environment {
            function,
            state,
            provisioned,
            active: 0,
            served: 0,
            generation: 0,
            lifetime_timer: false,
            recycled: false,
            created: now,
            idle_since: now,
            first_idle: SimTime::NEVER,
            deadline: SimTime::NEVER,
            priority: 0.0,
            queued: 0,
            failed: false,
            killed: false,
            held: false,
            serving: function,
        };
        match self.free.pop() {
            Some(i) => {
                let slot = &mut self.slots[i as usize];
                let generation = slot.generation.wrapping_add(1);
                *slot = Environment { generation, ..env };
                EnvId(i)
            }
            None => {
                self.slots.push(env);
                EnvId((self.slots.len() - 1) as u32)
            }
        }
    }

    /// Frees the slot of a retired environment.
    pub fn release(&mut self, id: EnvId) {
        debug_assert_eq!(self.slots[id.0 as usize].state, EnvState::Retired);
        self.free.push(id.0);
    }

    /// Number of slots ever allocated (live + free).
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Live environments, for final accounting.
    pub fn live(&self) -> impl Iterator<Item = (EnvId, &Environment)> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, e)| e.state != EnvState::Retired)
            .map(|(i, e)| (EnvId(i as u32), e))
    }
}

impl std::ops::Index<EnvId> for Environments {
    type Output = Environment;
    #[inline]
    fn index(&self, id: EnvId) -> &Environment {
        &self.slots[id.0 as usize]
    }
}

impl std::ops::IndexMut<EnvId> for Environments {
    #[inline]
    fn index_mut(&mut self, id: EnvId) -> &mut Environment {
        &mut self.slots[id.0 as usize]
    }
}
