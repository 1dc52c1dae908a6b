//! `cpu = { share, threads, measured_at_mb }`: parsing and its defaults.

use super::scenario;
use coldsim::platform::CpuWork;

const BASE: &str = r#"
duration = "1h"

[[functions]]
name = "api"
runtime = "python3.12"
memory_mb = 512
execution = { dist = "constant", value = "100ms" }
arrivals = { process = "poisson", rate = 1.0 }
"#;

#[test]
fn cpu_parses_with_one_thread_measured_at_the_functions_memory_by_default() {
    assert_eq!(scenario(BASE).functions[0].cpu, None);
    let s = scenario(&format!("{BASE}cpu = {{ share = 0.7 }}\n"));
    assert_eq!(
        s.functions[0].cpu,
        Some(CpuWork {
            share: 0.7,
            threads: 1,
            measured_at_mb: 512
        })
    );
    let s = scenario(&format!(
        "{BASE}cpu = {{ share = 1.0, threads = 4, measured_at_mb = 1769 }}\n"
    ));
    assert_eq!(
        s.functions[0].cpu,
        Some(CpuWork {
            share: 1.0,
            threads: 4,
            measured_at_mb: 1769
        })
    );
}
