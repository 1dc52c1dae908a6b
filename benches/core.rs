//! Criterion benchmarks of the hot parts: event queue, samplers, histogram, and a whole run.
//! `cargo bench --bench core`.

use coldsim::engine::rng::stream;
use coldsim::engine::{EventQueue, SimTime};
use coldsim::metrics::Histogram;
use coldsim::scenario::{self, dist::Distribution};
use coldsim::simulation::SimInit;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::hint::black_box;
use std::path::Path;

fn queue(c: &mut Criterion) {
    let mut g = c.benchmark_group("event_queue");
    g.throughput(Throughput::Elements(1));
    for pending in [16usize, 256, 4096] {
        g.bench_function(format!("pop+push, {pending} pending"), |b| {
            let mut q = EventQueue::new();
            let mut rng = stream(1, 0, 0);
            for i in 0..pending {
                q.push(
                    SimTime(rand::Rng::random_range(&mut rng, 0..1_000_000u64)),
                    i as u32,
                );
            }
            b.iter(|| {
                let (t, e) = q.pop().expect("never empty");
                q.push(
                    SimTime(t.0 + rand::Rng::random_range(&mut rng, 0..1_000_000u64)),
                    e,
                );
                black_box(e)
            })
        });
    }
    g.finish();
}

fn samplers(c: &mut Criterion) {
    let mut g = c.benchmark_group("sampler");
    g.throughput(Throughput::Elements(1));
    let cases = [
        ("exponential", Distribution::Exponential { mean: 2e9 }),
        (
            "lognormal",
            Distribution::LogNormal {
                mu: 17.6,
                sigma: 0.9,
            },
        ),
        ("constant", Distribution::Constant(1e8)),
    ];
    for (name, d) in cases {
        let mut rng = stream(1, 0, 0);
        g.bench_function(name, |b| b.iter(|| black_box(d.sample(&mut rng))));
    }
    g.finish();
}

fn histogram(c: &mut Criterion) {
    let mut g = c.benchmark_group("histogram");
    g.throughput(Throughput::Elements(1));
    let mut h = Histogram::new();
    let mut x = 1u64;
    g.bench_function("record", |b| {
        b.iter(|| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            h.record(black_box(1_000_000 + (x >> 40)));
        })
    });
    g.finish();
}

fn end_to_end(c: &mut Criterion) {
    let text = r#"
duration = "10000s"
[[functions]]
name = "f"
runtime = "custom"
timeout = "15m"
execution = { dist = "exponential", mean = "2s" }
arrivals = { process = "poisson", rate = 10.0 }
"#;
    let s = scenario::parse(
        text,
        &scenario::ParseOptions::default()
            .origin(Path::new("bench.toml"))
            .name_default("bench"),
    )
    .expect("valid")
    .scenario;
    let mut g = c.benchmark_group("simulate");
    g.sample_size(20);
    g.throughput(Throughput::Elements(100_000));
    g.bench_function("poisson 10/s × 10 000 s (100k requests)", |b| {
        b.iter_batched(
            || s.clone(),
            |s| black_box(SimInit::new(&s).run().expect("no trace").arrivals),
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

/// 1,000 functions (memory 128–2,048 MB, Poisson 0.01–0.19/s each: about 100 requests per
/// second in all) for 2 h, on no cluster, and on 100 hosts with placement and each CPU
/// policy: what placement and contention cost against the same traffic without `[cluster]`.
fn cluster_text(cluster: Option<(&str, &str)>) -> String {
    let mut text = String::from("duration = \"2h\"\nseed = 4\n");
    if let Some((placement, cpu)) = cluster {
        text += &format!(
            "[cluster]\nplacement = \"{placement}\"\ncpu = \"{cpu}\"\n[[cluster.hosts]]\ncount = 100\nvcpus = 16\nmemory_gb = 64\n"
        );
    }
    for i in 0..1000 {
        let memory = [128, 256, 512, 1024, 2048][i % 5];
        let rate = 0.01 + 0.02 * (i % 10) as f64;
        text += &format!(
            "[[functions]]\nname = \"f{i}\"\nruntime = \"python3.12\"\nmemory_mb = {memory}\nexecution = {{ dist = \"lognormal\", median = \"80ms\", p99 = \"1s\" }}\narrivals = {{ process = \"poisson\", rate = {rate} }}\n"
        );
    }
    text
}

fn cluster(c: &mut Criterion) {
    let mut g = c.benchmark_group("cluster");
    g.sample_size(10);
    for (name, cluster) in [
        ("no [cluster]", None),
        (
            "100 hosts, best_fit, cpu ignored",
            Some(("best_fit", "ignored")),
        ),
        (
            "100 hosts, best_fit, cpu shared",
            Some(("best_fit", "shared")),
        ),
        (
            "100 hosts, least_loaded, cpu shared",
            Some(("least_loaded", "shared")),
        ),
        ("100 hosts, home, cpu isolated", Some(("home", "isolated"))),
    ] {
        let text = cluster_text(cluster);
        let s = scenario::parse(
            &text,
            &scenario::ParseOptions::default()
                .origin(Path::new("bench.toml"))
                .name_default("bench"),
        )
        .expect("valid")
        .scenario;
        g.bench_function(
            format!("1000 functions × 2 h (~720k requests), {name}"),
            |b| b.iter(|| black_box(SimInit::new(&s).run().expect("no trace").arrivals)),
        );
    }
    g.finish();
}

criterion_group!(benches, queue, samplers, histogram, end_to_end, cluster);
criterion_main!(benches);
