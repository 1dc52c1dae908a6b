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

criterion_group!(benches, queue, samplers, histogram, end_to_end);
criterion_main!(benches);
