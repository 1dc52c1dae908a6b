//! Fuzzes the empirical distribution's CSV column reader through the scenario loader: the
//! first byte chooses the column (the first, or `ms` by name), the rest is the CSV file that a
//! fixed scenario's `execution` distribution reads.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Some((b, file)) = common::options(data) else {
        return;
    };
    common::write("values.csv", file);
    let column = if b & 1 != 0 { ", column = \"ms\"" } else { "" };
    let text = format!(
        "duration = \"1m\"\n[[functions]]\nname = \"api\"\nruntime = \"python3.12\"\n\
         arrivals = {{ process = \"poisson\", rate = 1.0 }}\n\
         execution = {{ dist = \"empirical\", path = \"values.csv\"{column}, unit = \"ms\" }}\n"
    );
    let loaded = coldsim::scenario::parse(
        &text,
        &coldsim::scenario::ParseOptions::default()
            .origin(Path::new("fuzz.toml"))
            .name_default("fuzz")
            .base_dir(common::scratch()),
    );
    // The fixed text is valid: only the file can be at fault, and only that field blamed.
    if let Err(e) = loaded {
        let shown = e.to_string();
        assert!(shown.contains("execution"), "{shown}");
    }
});
