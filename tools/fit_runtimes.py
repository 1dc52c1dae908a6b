#!/usr/bin/env python3
"""Fits lognormal runtime-init profiles from lambda-perf data and writes src/runtime/profiles.rs.

Data source: maxday/lambda-perf (https://github.com/maxday/lambda-perf), Apache-2.0;
daily JSON snapshots copied verbatim into data/lambda-perf/ (see SOURCE.md there).

Each JSON entry holds ~10 Init Durations (ms) of a hello-world function for one
runtime x architecture x package type x memory size. Memory size does not change
runtime init, so all memory sizes of one (runtime, arch, package) are pooled (~40 samples).

Fit, per pool: ln(init ms) ~ Normal(mu, sigma) with
    mu    = ln(sample median)
    sigma = sample standard deviation (n-1) of ln(samples)
and p90/p99 taken from the fitted distribution, exp(mu + z * sigma).

Profiles come from the newest file (2026-08-22.json) for every runtime it contains, plus,
from the older file (2023-09-15.json), every runtime the newest file does not contain.
The 2023 "java11 snapstart"/"java17 snapstart" rows are SnapStart restore times, not init
times: they are kept out of the main table and written to a separate SnapStart table.

Usage: python3 tools/fit_runtimes.py [--data-dir DIR] [--out FILE] [--check]
Python 3 standard library only. Output is deterministic.
"""

import argparse
import json
import math
import os
import re
import statistics
import sys

Z90 = 1.2815516
Z99 = 2.3263479

NEW_FILE = "2026-08-22.json"
OLD_FILE = "2023-09-15.json"
SNAPSTART_SUFFIX = " snapstart"

ARCH_RUST = {"x86_64": "Arch::X86_64", "arm64": "Arch::Arm64"}
PACKAGE_RUST = {"zip": "Package::Zip", "image": "Package::Image"}
# Sort order follows the Rust enums' declaration order.
ARCH_ORDER = {"x86_64": 0, "arm64": 1}
PACKAGE_ORDER = {"zip": 0, "image": 1}

# "<lang> (prov.al2023)", "<lang> (prov.al2)", "<lang> (provided)", and "bun layer(prov.al2)".
CUSTOM_RE = re.compile(r"^(?P<lang>.+?)\s*\((?P<os>prov\.al2023|prov\.al2|provided)\)$")
OS_SUFFIX = {"prov.al2023": "provided.al2023", "prov.al2": "provided.al2", "provided": "provided"}
# AWS managed-runtime identifiers, e.g. python3.12, nodejs20.x, java8.al2, dotnet8, go1.x.
AWS_ID_RE = re.compile(r"^[a-z]+[0-9][0-9a-z.]*$")


def lang_slug(lang):
    """'c++ 11' -> 'cpp11', 'apple swift 5.8' -> 'swift5.8', 'graalvm java21' -> 'graalvm-java21'."""
    lang = lang.strip().lower().replace("c++", "cpp")
    if lang.startswith("apple "):
        lang = lang[len("apple "):]
    out = ""
    for tok in lang.split():
        if not out:
            out = tok
        elif tok[0].isdigit():
            out += tok  # a version number sticks to the word before it
        else:
            out += "-" + tok
    if not re.fullmatch(r"[a-z0-9.+-]+", out):
        raise SystemExit(f"fit_runtimes: cannot make a slug from language {lang!r}")
    return out


def runtime_name(display):
    """Maps a lambda-perf display name to the name used by coldsim."""
    m = CUSTOM_RE.match(display.strip())
    if m:
        return f"{lang_slug(m.group('lang'))}-{OS_SUFFIX[m.group('os')]}"
    if AWS_ID_RE.fullmatch(display):
        return display
    raise SystemExit(f"fit_runtimes: unrecognised runtime display name {display!r}")


def load(path):
    """Returns (date, file name, {(display, arch, package): [init ms, ...]})."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    date = doc["metadata"]["generatedAt"][:10]
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        raise SystemExit(f"fit_runtimes: bad metadata.generatedAt in {path}")
    pools = {}
    for e in doc["runtimeData"]:
        if "r" in e:  # compact keys (2024+ files)
            fn, display, inits, arch, package = e["r"], e["d"], e["i"], e["a"], e["p"]
        else:  # long keys (2023 files): package is zip unless the function name says image
            fn, display, inits, arch = e["runtime"], e["displayName"], e["initDurations"], e["architecture"]
            package = "image" if "image" in fn else "zip"
        if arch not in ARCH_RUST or package not in PACKAGE_RUST:
            raise SystemExit(f"fit_runtimes: {fn}: unknown arch {arch!r} or package {package!r}")
        for x in inits:
            if not (isinstance(x, (int, float)) and math.isfinite(x) and x > 0):
                raise SystemExit(f"fit_runtimes: {fn}: bad init duration {x!r}")
        pools.setdefault((display, arch, package), []).extend(float(x) for x in inits)
    return date, os.path.basename(path), pools


def fit(name, arch, package, samples, source, date):
    if len(samples) < 2:
        raise SystemExit(f"fit_runtimes: {name} {arch} {package}: only {len(samples)} samples")
    median = statistics.median(samples)
    mu = math.log(median)
    sigma = statistics.stdev([math.log(x) for x in samples])
    return {
        "name": name,
        "arch": arch,
        "package": package,
        "samples": len(samples),
        "mu": mu,
        "sigma": sigma,
        "median_ms": median,
        "p90_ms": math.exp(mu + Z90 * sigma),
        "p99_ms": math.exp(mu + Z99 * sigma),
        "min_ms": min(samples),
        "max_ms": max(samples),
        "source": f"lambda-perf {source}",
        "date": date,
    }


def sort_key(p):
    return (p["name"], ARCH_ORDER[p["arch"]], PACKAGE_ORDER[p["package"]])


def build(data_dir):
    new_date, new_src, new_pools = load(os.path.join(data_dir, NEW_FILE))
    old_date, old_src, old_pools = load(os.path.join(data_dir, OLD_FILE))
    profiles, snapstart = [], []
    new_names = set()
    for (display, arch, package), samples in new_pools.items():
        name = runtime_name(display)
        new_names.add(name)
        profiles.append(fit(name, arch, package, samples, new_src, new_date))
    for (display, arch, package), samples in old_pools.items():
        if display.endswith(SNAPSTART_SUFFIX):
            name = runtime_name(display[: -len(SNAPSTART_SUFFIX)])
            snapstart.append(fit(name, arch, package, samples, old_src, old_date))
            continue
        name = runtime_name(display)
        if name not in new_names:
            profiles.append(fit(name, arch, package, samples, old_src, old_date))
    profiles.sort(key=sort_key)
    snapstart.sort(key=sort_key)
    keys = [sort_key(p) for p in profiles]
    if len(set(keys)) != len(keys):
        raise SystemExit("fit_runtimes: two display names map to the same (name, arch, package)")
    return profiles, snapstart, (new_src, old_src)


def rust_f64(x):
    s = repr(float(x))
    if not math.isfinite(x):
        raise SystemExit(f"fit_runtimes: non-finite value {x}")
    return s if ("." in s or "e" in s) else s + ".0"


def rust_entry(p):
    return (
        "    RuntimeProfile {\n"
        f"        name: {json.dumps(p['name'])},\n"
        f"        arch: {ARCH_RUST[p['arch']]},\n"
        f"        package: {PACKAGE_RUST[p['package']]},\n"
        f"        samples: {p['samples']},\n"
        f"        mu: {rust_f64(p['mu'])},\n"
        f"        sigma: {rust_f64(p['sigma'])},\n"
        f"        median_ms: {rust_f64(p['median_ms'])},\n"
        f"        p90_ms: {rust_f64(p['p90_ms'])},\n"
        f"        p99_ms: {rust_f64(p['p99_ms'])},\n"
        f"        min_ms: {rust_f64(p['min_ms'])},\n"
        f"        max_ms: {rust_f64(p['max_ms'])},\n"
        f"        source: {json.dumps(p['source'])},\n"
        f"        date: {json.dumps(p['date'])},\n"
        "    },\n"
    )


def render(profiles, snapstart, sources):
    new_src, old_src = sources
    out = [
        f"//! Generated by tools/fit_runtimes.py from lambda-perf {new_src} and {old_src}; do not edit by hand.\n",
        "//!\n",
        "//! Data source: maxday/lambda-perf (<https://github.com/maxday/lambda-perf>), Apache License 2.0;\n",
        "//! data only, copied verbatim into data/lambda-perf/ (see SOURCE.md there).\n",
        "//! Each profile pools all memory sizes of one (runtime, arch, package): ~40 Init Durations\n",
        "//! of a hello-world function. Fit: ln(init ms) ~ Normal(mu, sigma), mu = ln(sample median),\n",
        "//! sigma = sample standard deviation (n-1) of ln(samples); p90/p99 are of the fitted\n",
        "//! distribution; min/max are of the samples. All times in milliseconds.\n",
        "//! Regenerate with `python3 tools/fit_runtimes.py`.\n",
        "\n",
        "use super::{Arch, Package, RuntimeProfile};\n",
        "\n",
        "/// Init-time profiles of managed and custom runtimes, sorted by name, arch, package.\n",
        f"/// Runtimes in {new_src} come from it; older runtimes only in {old_src} come from that.\n",
        f"pub(super) static PROFILES: [RuntimeProfile; {len(profiles)}] = [\n",
    ]
    out += [rust_entry(p) for p in profiles]
    out += [
        "];\n",
        "\n",
        f"/// SnapStart restore times (ms, not init times) of java11/java17 from {old_src}.\n",
        f"pub(super) static SNAPSTART_PROFILES: [RuntimeProfile; {len(snapstart)}] = [\n",
    ]
    out += [rust_entry(p) for p in snapstart]
    out.append("];\n")
    return "".join(out)


def main():
    crate = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=os.path.join(crate, "data", "lambda-perf"))
    ap.add_argument("--out", default=os.path.join(crate, "src", "runtime", "profiles.rs"))
    ap.add_argument("--check", action="store_true", help="fail if --out is not up to date")
    args = ap.parse_args()
    profiles, snapstart, sources = build(args.data_dir)
    text = render(profiles, snapstart, sources)
    if args.check:
        with open(args.out, encoding="utf-8") as f:
            if f.read() != text:
                sys.exit(f"fit_runtimes: {args.out} is out of date; rerun tools/fit_runtimes.py")
        return
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(f"fit_runtimes: wrote {len(profiles)} profiles + {len(snapstart)} SnapStart profiles to {args.out}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
