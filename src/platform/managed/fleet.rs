//! A capacity provider's instances and the environments placed on them (first fit).

use crate::engine::SimTime;

/// Where an instance is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum InstanceState {
    /// Launched, not ready for environments yet (billed).
    Launching,
    /// Running environments and ready for more.
    Ready,
    /// Being replaced: its environments drain, none is placed on it (billed).
    Draining,
    /// Terminated.
    Gone,
}

/// One EC2 instance.
#[derive(Clone, Debug)]
pub(crate) struct Instance {
    pub state: InstanceState,
    /// vCPUs not reserved by an environment.
    pub vcpus_free: u32,
    /// Memory not reserved by an environment, MB.
    pub memory_free_mb: u64,
    /// Environments placed on it.
    pub envs: u32,
    /// When it was launched.
    pub launched: SimTime,
}

/// The instances of one capacity provider, by index (never reused, so an event naming an
/// instance can never reach another).
#[derive(Clone, Debug)]
pub(crate) struct Fleet {
    pub instances: Vec<Instance>,
    /// vCPUs and memory (MB) of one instance.
    pub vcpus: u32,
    pub memory_mb: u64,
}

impl Fleet {
    /// An empty fleet of instances of `vcpus` and `memory_mb`.
    pub fn new(vcpus: u32, memory_mb: u64) -> Self {
        Fleet {
            instances: Vec::new(),
            vcpus,
            memory_mb,
        }
    }

    /// Launches an instance at `now` in `state` (`Ready` when published before the run).
    pub fn launch(&mut self, now: SimTime, state: InstanceState) -> u32 {
        self.instances.push(Instance {
            state,
            vcpus_free: self.vcpus,
            memory_free_mb: self.memory_mb,
            envs: 0,
            launched: now,
        });
        (self.instances.len() - 1) as u32
    }

    /// Instances in `state`.
    pub fn count(&self, state: InstanceState) -> u32 {
        self.instances.iter().filter(|i| i.state == state).count() as u32
    }

    /// Instances billed now: launching, ready or draining.
    pub fn billed(&self) -> u32 {
        self.instances
            .iter()
            .filter(|i| i.state != InstanceState::Gone)
            .count() as u32
    }

    /// Reserves `vcpus` and `memory_mb` for an environment on the first ready instance with
    /// room (lowest index first); its index.
    pub fn place(&mut self, vcpus: u32, memory_mb: u64) -> Option<u32> {
        let i = self.instances.iter().position(|i| {
            i.state == InstanceState::Ready
                && i.vcpus_free >= vcpus
                && i.memory_free_mb >= memory_mb
        })?;
        let inst = &mut self.instances[i];
        inst.vcpus_free -= vcpus;
        inst.memory_free_mb -= memory_mb;
        inst.envs += 1;
        Some(i as u32)
    }

    /// Gives back what an environment reserved on instance `i`.
    pub fn release(&mut self, i: u32, vcpus: u32, memory_mb: u64) {
        let inst = &mut self.instances[i as usize];
        inst.vcpus_free += vcpus;
        inst.memory_free_mb += memory_mb;
        inst.envs -= 1;
    }

    /// New instances needed, beyond those launching, to place environments of the given
    /// (vCPUs, MB) sizes, first fit in order: launching instances are filled first.
    pub fn instances_needed(&self, pending: &[(u32, u64)]) -> u32 {
        let mut bins: Vec<(u32, u64)> = self
            .instances
            .iter()
            .filter(|i| i.state == InstanceState::Launching)
            .map(|i| (i.vcpus_free, i.memory_free_mb))
            .collect();
        let launching = bins.len();
        for &(v, m) in pending {
            match bins.iter_mut().find(|b| b.0 >= v && b.1 >= m) {
                Some(b) => {
                    b.0 -= v;
                    b.1 -= m;
                }
                None => bins.push((self.vcpus - v, self.memory_mb - m)),
            }
        }
        (bins.len() - launching) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_fit_by_hand() {
        // Two 4-vCPU, 8 GB instances; environments of 2 vCPUs and 4 GB: two per instance.
        let mut f = Fleet::new(4, 8192);
        let a = f.launch(SimTime::ZERO, InstanceState::Ready);
        let b = f.launch(SimTime::ZERO, InstanceState::Ready);
        assert_eq!(f.place(2, 4096), Some(a));
        assert_eq!(f.place(2, 4096), Some(a));
        assert_eq!(f.place(2, 4096), Some(b));
        assert_eq!(f.place(2, 4096), Some(b));
        assert_eq!(f.place(2, 4096), None);
        f.release(a, 2, 4096);
        assert_eq!(f.place(1, 1024), Some(a));
        // Memory binds too: 5 GB does not fit the 4 GB left on `a`... nor anywhere.
        assert_eq!(f.place(1, 5120), None);
        // Five more such environments: one launching instance holds two, then two new ones.
        f.launch(SimTime::ZERO, InstanceState::Launching);
        assert_eq!(f.instances_needed(&[(2, 4096); 5]), 2);
        assert_eq!(f.instances_needed(&[]), 0);
        assert_eq!(f.billed(), 3);
    }
}
