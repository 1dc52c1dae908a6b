//! CPU work: an on-demand environment's vCPUs follow its memory, and the CPU part of an
//! execution runs faster or slower at another memory size than the one it was measured at.
//!
//! AWS, "Configure Lambda function memory"
//! (<https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html>): "Lambda
//! allocates CPU power in proportion to the amount of memory configured … At 1,769 MB, a
//! function has the equivalent of one vCPU (one vCPU-second of credits per second)", memory
//! from 128 to 10,240 MB; AWS's launch of 10 GB functions ("New for AWS Lambda – Functions
//! with Up to 10 GB of Memory and 6 vCPUs", AWS News Blog, 1 Dec 2020) gives up to six vCPUs
//! at 10,240 MB. [`lambda_vcpus`] is proportional up to 1,769 MB and linear from one vCPU at
//! 1,769 MB to six at 10,240 MB, so it passes through both documented points (a strict
//! proportion would give 5.79 at 10,240 MB).
//!
//! Only the handler's execution scales. Init does not: lambda-perf's daily measurements of
//! runtime init are flat across 128–1,024 MB, as Lambda runs init with boosted CPU.

use crate::engine::SimDuration;
pub use crate::scenario::model::CpuWork;

/// Memory that gives one vCPU, MB (AWS, "Configure Lambda function memory").
pub const MB_PER_VCPU: u32 = 1_769;

/// Largest memory size, MB, and its vCPUs (six, AWS News Blog, 1 Dec 2020).
pub const MAX_MEMORY_MB: u32 = 10_240;

/// vCPUs at [`MAX_MEMORY_MB`].
pub const MAX_VCPUS: f64 = 6.0;

/// The vCPUs of an on-demand Lambda environment of `memory_mb`: `memory_mb / 1769` up to one
/// vCPU, then linear to six at 10,240 MB; memory above 10,240 MB (not configurable) gives six.
pub fn lambda_vcpus(memory_mb: u32) -> f64 {
    let m = f64::from(memory_mb);
    let one = f64::from(MB_PER_VCPU);
    if memory_mb <= MB_PER_VCPU {
        m / one
    } else {
        let top = f64::from(MAX_MEMORY_MB);
        (1.0 + (MAX_VCPUS - 1.0) * (m - one) / (top - one)).min(MAX_VCPUS)
    }
}

/// An execution split into its CPU work and its waiting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Split {
    /// CPU work, as long as it takes at the speed it runs at.
    pub cpu: SimDuration,
    /// Waiting (I/O): the same at every memory size.
    pub wait: SimDuration,
}

impl Split {
    /// The whole execution.
    pub fn total(self) -> SimDuration {
        self.cpu + self.wait
    }
}

impl CpuWork {
    /// vCPUs the CPU work uses at `memory_mb`: min(vCPUs of the memory, threads). It runs at
    /// this speed, relative to one vCPU.
    pub fn speed(&self, memory_mb: u32) -> f64 {
        lambda_vcpus(memory_mb).min(f64::from(self.threads))
    }

    /// How much longer the CPU part takes at `memory_mb` than where it was measured:
    /// speed at `measured_at_mb` ÷ speed at `memory_mb` (1 at the measured size).
    pub fn factor(&self, memory_mb: u32) -> f64 {
        if memory_mb == self.measured_at_mb {
            1.0
        } else {
            self.speed(self.measured_at_mb) / self.speed(memory_mb)
        }
    }

    /// `exec`, an execution as measured, split into CPU work (`share` of it, rounded to the
    /// nanosecond) and waiting (the rest, so the two add up to `exec` exactly).
    pub fn split(&self, exec: SimDuration) -> Split {
        let cpu = SimDuration::from_nanos_f64(exec.0 as f64 * self.share).min(exec);
        Split {
            cpu,
            wait: exec - cpu,
        }
    }

    /// `exec`, measured at `measured_at_mb`, split and with its CPU part at the speed of
    /// `memory_mb`; the waiting is unchanged. At the measured size it is [`split`](Self::split).
    pub fn split_at(&self, exec: SimDuration, memory_mb: u32) -> Split {
        let s = self.split(exec);
        if memory_mb == self.measured_at_mb {
            return s;
        }
        Split {
            cpu: SimDuration::from_nanos_f64(s.cpu.0 as f64 * self.factor(memory_mb)),
            wait: s.wait,
        }
    }

    /// `exec`, measured at `measured_at_mb`, as it runs at `memory_mb`.
    pub fn at_memory(&self, exec: SimDuration, memory_mb: u32) -> SimDuration {
        self.split_at(exec, memory_mb).total()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work(share: f64, threads: u32, measured_at_mb: u32) -> CpuWork {
        CpuWork {
            share,
            threads,
            measured_at_mb,
        }
    }

    #[test]
    fn vcpus_pass_through_the_documented_points() {
        assert_eq!(lambda_vcpus(1_769), 1.0);
        assert_eq!(lambda_vcpus(10_240), 6.0);
        assert_eq!(lambda_vcpus(20_000), 6.0);
        assert!((lambda_vcpus(128) - 128.0 / 1769.0).abs() < 1e-15);
        // Proportional below one vCPU; increasing throughout.
        assert_eq!(lambda_vcpus(3_538 / 2), 1.0);
        let mut last = 0.0;
        for m in (128..=10_240).step_by(64) {
            let v = lambda_vcpus(m);
            assert!(v > last, "{m} MB: {v} after {last}");
            last = v;
        }
    }

    #[test]
    fn memory_scaling_is_exact_for_a_constant_execution() {
        let ms = SimDuration::from_millis;
        // Below one vCPU the speed is proportional: 1,024 → 128 MB is 8× the CPU time.
        assert_eq!(work(1.0, 1, 1_024).at_memory(ms(100), 128), ms(800));
        assert_eq!(work(1.0, 1, 1_024).at_memory(ms(100), 512), ms(200));
        // 70% CPU, measured at 1,024 MB, at 256 MB: 700 ms × 4 + 300 ms of waiting.
        let w = work(0.7, 1, 1_024);
        let s = w.split_at(ms(1000), 256);
        assert_eq!((s.cpu, s.wait), (ms(2800), ms(300)));
        assert_eq!(w.at_memory(ms(1000), 256), ms(3100));
        // One thread uses one vCPU at most: more memory than 1,769 MB does not help it.
        assert_eq!(work(1.0, 1, 1_769).at_memory(ms(1000), 10_240), ms(1000));
        assert_eq!(work(0.5, 1, 3_008).at_memory(ms(1000), 1_769), ms(1000));
        // Six threads: 10,240 MB has six vCPUs, 1,769 MB one.
        assert_eq!(work(1.0, 6, 10_240).at_memory(ms(1000), 1_769), ms(6000));
        assert_eq!(work(0.5, 6, 1_769).at_memory(ms(1200), 10_240), ms(700));
        // Two threads at 10,240 MB use two of its six vCPUs: twice as fast as at one vCPU.
        assert_eq!(work(1.0, 2, 1_769).at_memory(ms(3000), 10_240), ms(1500));
    }

    #[test]
    fn split_adds_up_and_the_measured_size_is_the_identity() {
        let w = work(0.37, 3, 512);
        for ns in [0u64, 1, 2, 3, 999, 1_000_000_007, 900_000_000_000] {
            let d = SimDuration(ns);
            assert_eq!(w.split(d).total(), d);
            assert_eq!(w.at_memory(d, 512), d);
        }
        assert_eq!(
            work(0.0, 1, 128).at_memory(SimDuration(5), 10_240),
            SimDuration(5)
        );
        assert_eq!(
            work(1.0, 1, 128).split(SimDuration(5)).wait,
            SimDuration::ZERO
        );
    }
}
