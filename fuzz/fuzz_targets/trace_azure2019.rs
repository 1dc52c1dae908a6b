//! Fuzzes the Azure Functions 2019 trace reader: the first byte chooses the days (1, or 1 and
//! 2 with the same files), the spread and the replay options; the rest is the invocations file,
//! then optionally the durations and the memory files, separated by lines `%%`.

#![no_main]

mod common;

use coldsim::workload::trace::{Azure2019Spec, FormatSpec, Spread};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((b, rest)) = common::options(data) else {
        return;
    };
    let dir = common::scratch().join("azure2019");
    let _ = std::fs::create_dir_all(&dir);
    let parts = common::split(rest, b"\n%%\n", 3);
    let days = if b & 0x80 != 0 { vec![1, 2] } else { vec![1] };
    let spec = Azure2019Spec {
        dir: dir.clone(),
        days: days.clone(),
        spread: [Spread::Uniform, Spread::Poisson, Spread::Equidistant][usize::from(b % 3)],
    };
    for &day in &days {
        let files = [spec.invocations(day), spec.durations(day), spec.memory(day)];
        for (i, file) in files.iter().enumerate() {
            match parts.get(i) {
                Some(part) => std::fs::write(file, part).expect("write a fuzz input file"),
                None => {
                    let _ = std::fs::remove_file(file);
                }
            }
        }
    }
    common::replay_trace(
        FormatSpec::new(spec),
        common::replay(b.rotate_left(2), false),
        b,
        b % 3 != 1,
    );
});
