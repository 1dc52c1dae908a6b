//! Unit tests of the runtime profiles: recomputation from the lambda-perf source JSON, coverage, lookup, serde.

use super::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const DATA_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/lambda-perf/");
const Z90: f64 = 1.2815516;
const Z99: f64 = 2.3263479;

type Key = (String, Arch, Package);

fn arch_of(s: &str) -> Arch {
    match s {
        "x86_64" => Arch::X86_64,
        "arm64" => Arch::Arm64,
        other => panic!("unknown arch {other:?} in data"),
    }
}

fn package_of(s: &str) -> Package {
    match s {
        "zip" => Package::Zip,
        "image" => Package::Image,
        other => panic!("unknown package {other:?} in data"),
    }
}

/// Independent re-implementation of the display-name → profile-name rule of `tools/fit_runtimes.py`.
fn slug(display: &str) -> String {
    let display = display.trim();
    let Some(open) = display.rfind('(') else {
        return display.to_string();
    };
    let os = match &display[open..] {
        "(prov.al2023)" => "provided.al2023",
        "(prov.al2)" => "provided.al2",
        "(provided)" => "provided",
        other => panic!("unexpected suffix {other:?}"),
    };
    let lang = display[..open].trim().to_lowercase().replace("c++", "cpp");
    let lang = lang.strip_prefix("apple ").unwrap_or(&lang);
    let mut out = String::new();
    for tok in lang.split_whitespace() {
        if !out.is_empty() && !tok.starts_with(|c: char| c.is_ascii_digit()) {
            out.push('-');
        }
        out.push_str(tok);
    }
    format!("{out}-{os}")
}

struct Source {
    date: String,
    /// (profile name, arch, package) → pooled init durations in ms; SnapStart rows excluded.
    pools: BTreeMap<Key, Vec<f64>>,
    /// SnapStart rows, keyed by the plain runtime name (`java11`).
    snapstart: BTreeMap<Key, Vec<f64>>,
}

fn load(file: &str) -> Source {
    let path = format!("{DATA_DIR}{file}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let doc: Value = serde_json::from_str(&text).expect("valid JSON");
    let date = doc["metadata"]["generatedAt"]
        .as_str()
        .expect("generatedAt")[..10]
        .to_string();
    let mut src = Source {
        date,
        pools: BTreeMap::new(),
        snapstart: BTreeMap::new(),
    };
    for e in doc["runtimeData"].as_array().expect("runtimeData") {
        let (display, inits, arch, package) = if e.get("r").is_some() {
            (
                e["d"].as_str().unwrap(),
                &e["i"],
                e["a"].as_str().unwrap(),
                e["p"].as_str().unwrap(),
            )
        } else {
            let fname = e["runtime"].as_str().unwrap();
            let package = if fname.contains("image") {
                "image"
            } else {
                "zip"
            };
            (
                e["displayName"].as_str().unwrap(),
                &e["initDurations"],
                e["architecture"].as_str().unwrap(),
                package,
            )
        };
        let samples = inits
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap());
        let (map, name) = match display.strip_suffix(" snapstart") {
            Some(base) => (&mut src.snapstart, slug(base)),
            None => (&mut src.pools, slug(display)),
        };
        map.entry((name, arch_of(arch), package_of(package)))
            .or_default()
            .extend(samples);
    }
    src
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-300)
}

fn key(p: &RuntimeProfile) -> Key {
    (p.name.to_string(), p.arch, p.package)
}

fn sources() -> BTreeMap<String, Source> {
    profiles()
        .iter()
        .chain(snapstart_profiles())
        .map(|p| {
            p.source
                .strip_prefix("lambda-perf ")
                .expect("source names a lambda-perf file")
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|f| (f.to_string(), load(f)))
        .collect()
}

fn check_against_samples(p: &RuntimeProfile, samples: &[f64], src: &Source) {
    let what = format!("{} {} {} ({})", p.name, p.arch, p.package, p.source);
    let m = median(samples);
    assert!(
        close(p.median_ms, m, 0.05),
        "{what}: median {} vs recomputed {m}",
        p.median_ms
    );
    assert!(
        close(p.median_ms, m, 1e-12),
        "{what}: median {} not exact ({m})",
        p.median_ms
    );
    assert_eq!(p.samples as usize, samples.len(), "{what}: sample count");
    let min = samples.iter().copied().fold(f64::INFINITY, f64::min);
    let max = samples.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert_eq!((p.min_ms, p.max_ms), (min, max), "{what}: min/max");
    let logs: Vec<f64> = samples.iter().map(|x| x.ln()).collect();
    let mean = logs.iter().sum::<f64>() / logs.len() as f64;
    let var = logs.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / (logs.len() - 1) as f64;
    assert!(
        close(p.sigma, var.sqrt(), 1e-9),
        "{what}: sigma {} vs {}",
        p.sigma,
        var.sqrt()
    );
    assert!(close(p.mu, m.ln(), 1e-12), "{what}: mu");
    assert!(
        close(p.p90_ms, (p.mu + Z90 * p.sigma).exp(), 1e-9),
        "{what}: p90"
    );
    assert!(
        close(p.p99_ms, (p.mu + Z99 * p.sigma).exp(), 1e-9),
        "{what}: p99"
    );
    assert_eq!(p.date, src.date, "{what}: date");
}

#[test]
fn profiles_match_source_data() {
    let sources = sources();
    for p in profiles() {
        let src = &sources[p.source.strip_prefix("lambda-perf ").unwrap()];
        let samples = src.pools.get(&key(p)).unwrap_or_else(|| {
            panic!(
                "{} {} {}: no such pool in {}",
                p.name, p.arch, p.package, p.source
            )
        });
        check_against_samples(p, samples, src);
    }
    for p in snapstart_profiles() {
        let src = &sources[p.source.strip_prefix("lambda-perf ").unwrap()];
        let samples = src.snapstart.get(&key(p)).expect("SnapStart pool exists");
        check_against_samples(p, samples, src);
    }
}

/// Every pool of the newest file has a profile from it, and every pool of the older file
/// whose runtime the newest file lacks has a profile from the older file; nothing else.
#[test]
fn profiles_select_newest_file_per_runtime() {
    let new = load("2026-08-22.json");
    let old = load("2023-09-15.json");
    let new_names: BTreeSet<&str> = new.pools.keys().map(|k| k.0.as_str()).collect();
    let mut expected: BTreeMap<Key, &str> = new
        .pools
        .keys()
        .map(|k| (k.clone(), "lambda-perf 2026-08-22.json"))
        .collect();
    for k in old
        .pools
        .keys()
        .filter(|k| !new_names.contains(k.0.as_str()))
    {
        expected.insert(k.clone(), "lambda-perf 2023-09-15.json");
    }
    let actual: BTreeMap<Key, &str> = profiles().iter().map(|p| (key(p), p.source)).collect();
    assert_eq!(
        actual.len(),
        profiles().len(),
        "duplicate (name, arch, package)"
    );
    assert_eq!(actual, expected);
    let snap: BTreeSet<Key> = snapstart_profiles().iter().map(key).collect();
    assert_eq!(snap, old.snapstart.keys().cloned().collect());
    assert!(snapstart_profiles()
        .iter()
        .all(|p| p.name == "java11" || p.name == "java17"));
}

#[test]
fn profiles_sorted_and_sane() {
    let keys: Vec<Key> = profiles().iter().map(key).collect();
    assert!(
        keys.windows(2).all(|w| w[0] < w[1]),
        "sorted by name, arch, package; unique"
    );
    for p in profiles().iter().chain(snapstart_profiles()) {
        assert!(
            p.samples >= 30,
            "{} {} {}: {} samples",
            p.name,
            p.arch,
            p.package,
            p.samples
        );
        assert!(p.sigma.is_finite() && p.sigma > 0.0);
        assert!(close(p.median_ms, p.mu.exp(), 1e-12));
        assert!(p.min_ms <= p.median_ms && p.median_ms <= p.max_ms);
        assert!(p.median_ms < p.p90_ms && p.p90_ms < p.p99_ms);
        assert_eq!(p.date.len(), 10);
        assert!(p.source.ends_with(&format!("{}.json", p.date)));
    }
}

#[test]
fn classic_runtimes_covered_for_x86_64_zip() {
    let required: &[&[&str]] = &[
        &["python3.8"],
        &["python3.9"],
        &["python3.10"],
        &["python3.11"],
        &["python3.12"],
        &["python3.13"],
        &["python3.14"],
        &["nodejs14.x"],
        &["nodejs16.x"],
        &["nodejs18.x"],
        &["nodejs20.x"],
        &["nodejs22.x"],
        &["nodejs24.x"],
        &["java8", "java8.al2"],
        &["java11"],
        &["java17"],
        &["java21"],
        &["java25"],
        &["dotnet6"],
        &["dotnet8"],
        &["dotnet10"],
        &["go1.x"],
        &["go-provided.al2023"],
        &["ruby2.7"],
        &["ruby3.2"],
        &["ruby3.3"],
        &["ruby3.4"],
        &["rust-provided.al2023", "rust-provided.al2"],
    ];
    for alternatives in required {
        assert!(
            alternatives
                .iter()
                .any(|n| find(n, Arch::X86_64, Package::Zip).is_ok()),
            "none of {alternatives:?} found for x86_64 zip"
        );
    }
}

#[test]
fn find_exact_and_normalised() {
    let p = find("python3.12", Arch::Arm64, Package::Image).unwrap();
    assert_eq!(
        (p.name, p.arch, p.package),
        ("python3.12", Arch::Arm64, Package::Image)
    );
    let q = find("  Python3.12 ", Arch::Arm64, Package::Image).unwrap();
    assert_eq!(p, q);
}

#[test]
fn find_resolves_aliases() {
    for (alias, target) in [
        ("provided.al2023", "shell-provided.al2023"),
        ("provided.al2", "shell-provided.al2"),
    ] {
        for arch in [Arch::X86_64, Arch::Arm64] {
            for package in [Package::Zip, Package::Image] {
                let p = find(alias, arch, package).unwrap();
                assert_eq!(p, find(target, arch, package).unwrap());
                assert_eq!((p.name, p.arch, p.package), (target, arch, package));
            }
        }
    }
}

#[test]
fn find_suggests_close_names() {
    let err = find("pyhton3.12", Arch::X86_64, Package::Zip).unwrap_err();
    let LookupError::UnknownName { name, suggestions } = &err else {
        panic!("expected UnknownName, got {err:?}");
    };
    assert_eq!(name, "pyhton3.12");
    assert_eq!(suggestions.first().map(String::as_str), Some("python3.12"));
    assert!(suggestions.len() <= 3);
    let msg = err.to_string();
    assert!(msg.contains("\"python3.12\""), "{msg}");
    assert!(
        msg.contains(r#"run "coldsim runtimes" for the list, or use runtime = "custom""#),
        "{msg}"
    );
    assert!(msg.ends_with('.'), "{msg}");

    // Substring matches are suggested even when far in edit distance.
    let LookupError::UnknownName { suggestions, .. } =
        find("rust", Arch::X86_64, Package::Zip).unwrap_err()
    else {
        panic!("expected UnknownName");
    };
    assert_eq!(suggestions, ["rust-provided.al2", "rust-provided.al2023"]);

    let err = find("cobol", Arch::X86_64, Package::Zip).unwrap_err();
    assert_eq!(
        err,
        LookupError::UnknownName {
            name: "cobol".into(),
            suggestions: vec![]
        }
    );
    assert!(err.to_string().contains("coldsim runtimes"));
}

#[test]
fn find_reports_unavailable_combinations() {
    assert!(find("python3.8", Arch::Arm64, Package::Zip).is_ok());
    let err = find("python3.8", Arch::Arm64, Package::Image).unwrap_err();
    match &err {
        LookupError::Unavailable {
            name,
            arch,
            package,
            available,
        } => {
            assert_eq!(name, "python3.8");
            assert_eq!((*arch, *package), (Arch::Arm64, Package::Image));
            assert_eq!(
                available,
                &[(Arch::X86_64, Package::Zip), (Arch::Arm64, Package::Zip)]
            );
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("arm64 image") && msg.contains("x86_64 zip and arm64 zip"),
        "{msg}"
    );
    assert!(msg.contains("runtime = \"custom\""), "{msg}");

    let err = find("quarkus-provided.al2", Arch::Arm64, Package::Zip).unwrap_err();
    assert!(matches!(err, LookupError::Unavailable { .. }), "{err:?}");
}

#[test]
fn serde_names_round_trip() {
    for (arch, text) in [(Arch::X86_64, "x86_64"), (Arch::Arm64, "arm64")] {
        assert_eq!(serde_json::to_string(&arch).unwrap(), format!("\"{text}\""));
        assert_eq!(
            serde_json::from_str::<Arch>(&format!("\"{text}\"")).unwrap(),
            arch
        );
        assert_eq!(arch.to_string(), text);
    }
    for (package, text) in [(Package::Zip, "zip"), (Package::Image, "image")] {
        assert_eq!(
            serde_json::to_string(&package).unwrap(),
            format!("\"{text}\"")
        );
        assert_eq!(
            serde_json::from_str::<Package>(&format!("\"{text}\"")).unwrap(),
            package
        );
        assert_eq!(package.to_string(), text);
    }
    for bad in ["\"x86\"", "\"X86_64\"", "\"aarch64\"", "\"\"", "1"] {
        assert!(
            serde_json::from_str::<Arch>(bad).is_err(),
            "Arch accepted {bad}"
        );
    }
    for bad in ["\"Zip\"", "\"container\"", "\"\"", "null"] {
        assert!(
            serde_json::from_str::<Package>(bad).is_err(),
            "Package accepted {bad}"
        );
    }
    assert_eq!(Arch::default(), Arch::X86_64);
    assert_eq!(Package::default(), Package::Zip);
    assert_eq!(format!("[{:<7}]", Arch::Arm64), "[arm64  ]");
}

#[test]
fn table_has_header_and_aligned_rows() {
    let t = table();
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines.len(), profiles().len() + 1);
    assert!(lines[0].starts_with("runtime"));
    for col in [
        "arch", "package", "samples", "p50_ms", "p90_ms", "p99_ms", "source", "date",
    ] {
        assert!(lines[0].contains(col), "header lacks {col}");
    }
    // Every line has its date column at the same offset.
    let date_at = lines[0].find("date").unwrap();
    for line in &lines[1..] {
        assert_eq!(line.len(), date_at + 10, "{line}");
        assert!(line[date_at..].starts_with("20"), "{line}");
    }
    let row = lines.iter().find(|l| l.starts_with("python3.12 ")).unwrap();
    assert!(
        row.contains("x86_64") && row.contains("lambda-perf 2026-08-22.json"),
        "{row}"
    );
    assert_eq!(fmt_ms(85.26), "85.3");
    assert_eq!(fmt_ms(240.6), "241");
}

#[test]
fn edit_distance_basics() {
    assert_eq!(edit_distance("", "abc"), 3);
    assert_eq!(edit_distance("abc", "abc"), 0);
    assert_eq!(edit_distance("pyhton", "python"), 1);
    assert_eq!(edit_distance("kitten", "sitting"), 3);
}
