//! Fuzzes `--set` overrides: lines before a `%%` line are `path=value` arguments, the rest is
//! the scenario text they apply to; loaded as `coldsim check --set ...` does.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    if common::leaves_folder(input) {
        return;
    }
    let (sets, text) = input.split_once("\n%%\n").unwrap_or((input, ""));
    let overrides: Vec<String> = sets.lines().map(str::to_owned).collect();
    common::load_scenario(text, &overrides);
});
