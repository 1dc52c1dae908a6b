#!/usr/bin/env bash
# Do two builds of coldsim give the same outputs? Runs every bundled scenario (scenarios/*.toml)
# with this checkout's release binary and with the one built from BASE (a git revision, default
# HEAD: the last commit, against the working tree), and compares summary.json, timeseries.csv,
# functions.csv and sweep.csv byte for byte. Prints one line per scenario; exits 1 on any
# difference. Usage: tools/same-outputs.sh [BASE] [extra `coldsim run` arguments…]
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:-HEAD}"
shift || true
work="$(mktemp -d)"
trap 'git worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --detach -q "$work/base" "$base"
# A target folder of its own beside this checkout's, so neither build undoes the other.
(cd "$work/base" && CARGO_TARGET_DIR="$OLDPWD/target/same-outputs-base" cargo build --release -q --bin coldsim)
cargo build --release -q --bin coldsim
old="target/same-outputs-base/release/coldsim"
new="target/release/coldsim"
status=0
for scenario in scenarios/*.toml; do
    name="$(basename "$scenario" .toml)"
    if ! git cat-file -e "$base:$scenario" 2>/dev/null; then
        echo "new      $name (not in $base)"
        continue
    fi
    if ! "$old" run "$scenario" --out "$work/old/$name" --no-charts -q "$@" 2>/dev/null; then
        echo "changed  $name: the base refuses this scenario as it is now"
        status=1
        continue
    fi
    "$new" run "$scenario" --out "$work/new/$name" --no-charts -q "$@"
    differ=()
    for file in summary.json timeseries.csv functions.csv sweep.csv; do
        if [ -e "$work/old/$name/$file" ] || [ -e "$work/new/$name/$file" ]; then
            cmp -s "$work/old/$name/$file" "$work/new/$name/$file" || differ+=("$file")
        fi
    done
    if [ ${#differ[@]} -eq 0 ]; then
        echo "same     $name"
    else
        echo "DIFFERS  $name: ${differ[*]}"
        status=1
    fi
done
exit $status
