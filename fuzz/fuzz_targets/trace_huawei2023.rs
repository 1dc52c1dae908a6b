//! Fuzzes the Huawei 2023 trace reader (`day,time,<one column per function>`): the first byte
//! chooses counts per minute or second, the spread and the replay options; the rest is one or
//! two day files separated by a line `%%`.

#![no_main]

mod common;

use coldsim::workload::trace::{FormatSpec, HuaweiCounts, HuaweiSpec, Spread};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((b, rest)) = common::options(data) else {
        return;
    };
    let paths = common::split(rest, b"\n%%\n", 2)
        .iter()
        .enumerate()
        .map(|(i, part)| common::write(&format!("day{i}.csv"), part))
        .collect();
    let format = FormatSpec::new(HuaweiSpec {
        paths,
        counts: if b & 0x80 != 0 {
            HuaweiCounts::RequestsSecond
        } else {
            HuaweiCounts::RequestsMinute
        },
        spread: [Spread::Uniform, Spread::Poisson, Spread::Equidistant][usize::from(b % 3)],
    });
    common::replay_trace(
        format,
        common::replay(b.rotate_left(2), false),
        b,
        b % 3 != 1,
    );
});
