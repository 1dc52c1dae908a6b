//! Chart rendering: one file per figure, each drawing precomputed data (charts never compute statistics).
//!
//! Every figure is a `pub fn (path, format, meta, data) -> Result<(), ChartError>` that renders a
//! 1600×900 PNG or SVG with a title, a subtitle built from [`ChartMeta`], axis titles with units and
//! a legend row under the subtitle when there is more than one series. Non-finite values are
//! skipped, and empty inputs produce an empty chart with a "no data" note instead of an error.
//!
//! Text is drawn with the DejaVu Sans font embedded from `assets/fonts/` (no system fonts needed).

pub mod environments;
pub mod function_comparison;
pub mod host_utilization;
pub mod init_by_runtime;
pub mod keep_alive_tradeoff;
pub mod latency_cdf;
pub mod managed_capacity;
pub mod managed_cpu;
pub mod memory_sizing;
pub mod sweep_metric;
pub mod sweep_runtimes;
pub mod sweep_tradeoff;
pub mod traffic;

pub use environments::{environments, Environments};
pub use function_comparison::{function_comparison, FunctionBar};
pub use host_utilization::{host_utilization, HostHeat};
pub use init_by_runtime::{init_by_runtime, InitBox};
pub use keep_alive_tradeoff::keep_alive_tradeoff;
pub use latency_cdf::{latency_cdf, CdfSeries};
pub use managed_capacity::{managed_capacity, ManagedCapacity};
pub use managed_cpu::{managed_cpu, ManagedCpu};
pub use memory_sizing::{memory_sizing, MemorySizing, SizingLine, SizingPoint};
pub use sweep_metric::{sweep_metric, MetricChart, MetricPoint, MetricSeries, SweepAxis};
pub use sweep_runtimes::{sweep_runtimes, BoxQuantiles, RuntimeRow};
pub use sweep_tradeoff::{sweep_tradeoff, TradeoffPoint};
pub use traffic::{traffic, Traffic};

mod kit;

pub use kit::*;
