//! Fuzzes the Azure Functions 2021 trace reader (`app,func,end_timestamp,duration`): the first
//! byte chooses the replay options and selection, the rest is the file.

#![no_main]

mod common;

use coldsim::workload::trace::{Azure2021Spec, FormatSpec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((b, file)) = common::options(data) else {
        return;
    };
    let path = common::write("invocations.csv", file);
    let format = FormatSpec::new(Azure2021Spec { paths: vec![path] });
    common::replay_trace(format, common::replay(b, true), b, true);
});
