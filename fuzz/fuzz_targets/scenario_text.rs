//! Fuzzes the scenario loader on text, as `coldsim check` runs it: the sweep planner, then
//! parse and validation. Files the text names are looked up in an empty folder.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if common::leaves_folder(text) {
        return;
    }
    common::load_scenario(text, &[]);
});
