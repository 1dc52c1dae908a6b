//! A function's idle environments, ordered by when they became idle.

use super::environment::EnvId;
use crate::engine::SimTime;
use std::collections::VecDeque;

/// Idle environments of one function with their keep-alive deadlines, oldest first.
///
/// With a monotone keep-alive policy the front always holds the earliest deadline, so expiry is
/// a check at the front rather than a timer per idle period.
#[derive(Debug, Default)]
pub struct Pool {
    idle: VecDeque<(EnvId, SimTime)>,
}

impl Pool {
    /// Adds an environment that became idle, with its deadline.
    #[inline]
    pub fn push(&mut self, env: EnvId, deadline: SimTime) {
        self.idle.push_back((env, deadline));
    }

    /// The most recently idled environment.
    #[inline]
    pub fn take_newest(&mut self) -> Option<EnvId> {
        self.idle.pop_back().map(|(e, _)| e)
    }

    /// The least recently idled environment.
    #[inline]
    pub fn take_oldest(&mut self) -> Option<EnvId> {
        self.idle.pop_front().map(|(e, _)| e)
    }

    /// The environment at position `i` (0 = oldest).
    pub fn take_at(&mut self, i: usize) -> Option<EnvId> {
        self.idle.remove(i).map(|(e, _)| e)
    }

    /// Removes `env` wherever it is; true if it was there.
    pub fn remove(&mut self, env: EnvId) -> bool {
        match self.idle.iter().position(|&(e, _)| e == env) {
            Some(i) => {
                self.idle.remove(i);
                true
            }
            None => false,
        }
    }

    /// Pops the oldest environment if its deadline is at or before `now`.
    #[inline]
    pub fn pop_expired(&mut self, now: SimTime) -> Option<(EnvId, SimTime)> {
        match self.idle.front() {
            Some(&(_, deadline)) if deadline <= now => self.idle.pop_front(),
            _ => None,
        }
    }

    /// The earliest deadline (the oldest environment's, for monotone policies).
    #[inline]
    pub fn front_deadline(&self) -> Option<SimTime> {
        self.idle.front().map(|&(_, d)| d)
    }

    /// The idle environments with their deadlines, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = (EnvId, SimTime)> + '_ {
        self.idle.iter().copied()
    }

    /// Number of idle environments.
    #[inline]
    pub fn len(&self) -> usize {
        self.idle.len()
    }

    /// True when none is idle.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.idle.is_empty()
    }
}
