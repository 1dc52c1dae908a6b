//! Fuzzes the generic per-request CSV trace reader: the first byte chooses the options (time
//! unit, function and duration columns, replay options), the rest is the file (`ts`, `fn`,
//! `dur_ms` columns, as in `tests/fixtures/traces/csv/requests.csv`).

#![no_main]

mod common;

use coldsim::workload::trace::{CsvSpec, FormatSpec, TimeUnit};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((b, file)) = common::options(data) else {
        return;
    };
    let path = common::write("trace.csv", file);
    let time_unit = [
        TimeUnit::Seconds,
        TimeUnit::Datetime,
        TimeUnit::Millis,
        TimeUnit::Micros,
        TimeUnit::Nanos,
        TimeUnit::Seconds,
        TimeUnit::Datetime,
        TimeUnit::Seconds,
    ][usize::from(b & 7)];
    let format = FormatSpec::new(CsvSpec {
        paths: vec![path],
        timestamp: "ts".into(),
        time_unit,
        function_column: (b & 0x20 != 0).then(|| "fn".into()),
        duration_column: (b & 0x40 != 0).then(|| "dur_ms".into()),
        duration_ns_per_unit: 1e6,
    });
    common::replay_trace(format, common::replay(b.rotate_left(3), true), b, true);
});
