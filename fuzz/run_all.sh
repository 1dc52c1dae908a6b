#!/bin/sh
# Runs every fuzz target one after another, SECONDS each (default 600), at the lowest CPU
# priority; crashes, hangs (over 10 s) and runaway memory (over 2 GB) are saved under
# fuzz/artifacts/<target>/ and the run goes on. Usage: fuzz/run_all.sh [SECONDS] [TARGET...]
set -eu
cd "$(dirname "$0")"
secs=${1:-600}
[ $# -gt 0 ] && shift
targets=${*:-"scenario_text scenario_set trace_csv trace_azure2019 trace_azure2021 trace_huawei2023 empirical_csv"}
for t in $targets; do
    echo "== $t: ${secs}s from $(date -u +%H:%M:%S)"
    nice -n 19 env RUSTC_BOOTSTRAP=1 cargo fuzz run -s none "$t" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 || true
    echo "== $t: done at $(date -u +%H:%M:%S)"
done
