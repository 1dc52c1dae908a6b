//! `[platform]`: limits, keep-alive, eviction and capacity, and the checks of the functions
//! against the account's limits.

use super::*;

pub(super) fn platform(c: &mut Checker, raw: &RawScenario, base_dir: &Path) -> Platform {
    let p = &raw.platform;
    let keep_alive = keep_alive(c, p.keep_alive.as_ref(), base_dir);
    let account_concurrency = p.account_concurrency.unwrap_or(1000);
    if account_concurrency == 0 {
        c.fail("platform.account_concurrency", "must be at least 1");
    }
    // "Lambda enforces a requests per second limit of 10 times your account concurrency"
    // (Lambda developer guide, "Understanding Lambda function scaling", concurrency and
    // requests per second). AWS states it per second and documents no finer window, so it
    // is counted over each whole second of simulated time.
    let requests_per_second = p
        .requests_per_second
        .unwrap_or(10 * u64::from(account_concurrency));
    if requests_per_second == 0 {
        c.fail(
            "platform.requests_per_second",
            "must be at least 1 (every request would be throttled); omit it for 10 × account_concurrency",
        );
    }
    // "Retry attempts – ... between 0 and 2" [2] (Lambda developer guide, "Configuring error
    // handling settings for Lambda asynchronous invocations").
    let retry_attempts = p.retry_attempts.unwrap_or(2);
    if retry_attempts > 2 {
        c.fail(
            "platform.retry_attempts",
            format!("must be 0, 1 or 2 (AWS's MaximumRetryAttempts), got {retry_attempts}"),
        );
    }
    let unreserved_minimum = p.unreserved_minimum.unwrap_or(100.min(account_concurrency));
    if unreserved_minimum > account_concurrency {
        c.fail("platform.unreserved_minimum", format!("cannot exceed account_concurrency ({account_concurrency}), got {unreserved_minimum}"));
    }
    let scaling = match &p.scaling {
        None => Scaling {
            capacity: 1000,
            per: SimDuration::from_secs(10),
        },
        Some(s) => {
            if s.envs == 0 {
                c.fail(
                    "platform.scaling.envs",
                    "must be at least 1 (the bucket could never start an environment)",
                );
            }
            Scaling {
                capacity: s.envs,
                per: c.positive("platform.scaling.per", s.per.0),
            }
        }
    };
    let env_concurrency = p.env_concurrency.unwrap_or(1);
    if env_concurrency == 0 {
        c.fail("platform.env_concurrency", "must be at least 1");
    }
    let retry = {
        let r = p.retry.as_ref();
        let initial = r
            .and_then(|r| r.initial)
            .map_or(SimDuration::from_secs(1), |d| d.0);
        let max = r
            .and_then(|r| r.max)
            .map_or(SimDuration::from_secs(300), |d| d.0);
        let multiplier = r.and_then(|r| r.multiplier).unwrap_or(2.0);
        c.positive("platform.retry.initial", initial);
        if max < initial {
            c.fail(
                "platform.retry.max",
                format!("must be at least retry.initial ({initial}), got {max}"),
            );
        }
        if !(multiplier.is_finite() && multiplier >= 1.0) {
            c.fail(
                "platform.retry.multiplier",
                format!("must be a finite number ≥ 1, got {multiplier}"),
            );
        }
        Retry {
            initial,
            max,
            multiplier,
        }
    };
    let capacity_mb = p.capacity.as_ref().map(|cap| {
        let mb = cap.memory_gb * 1024.0;
        if !(mb.is_finite() && mb >= 128.0) {
            c.fail(
                "platform.capacity.memory_gb",
                format!("must be a finite number of GB, at least 0.125 (one 128 MB environment), got {}", cap.memory_gb),
            );
        }
        if mb.is_finite() { mb.max(0.0).round() as u64 } else { 0 }
    });
    for (key, set) in [
        ("eviction", p.eviction.is_some()),
        ("when_full", p.when_full.is_some()),
    ] {
        if set && capacity_mb.is_none() && raw.cluster.is_none() {
            c.fail(
                format!("platform.{key}"),
                "applies only to a memory-bounded platform: add platform.capacity = { memory_gb = 64 } (or a [cluster])",
            );
        }
    }
    Platform {
        capacity_mb,
        eviction: p.eviction.unwrap_or(Eviction::Lru),
        when_full: p.when_full.unwrap_or(WhenFull::Wait),
        keep_alive,
        max_lifetime: c.positive(
            "platform.max_lifetime",
            p.max_lifetime.map_or(SimDuration::from_secs(7200), |d| d.0),
        ),
        account_concurrency,
        requests_per_second,
        retry_attempts,
        unreserved_minimum,
        scaling,
        reuse: p.reuse.unwrap_or(Reuse::Mru),
        init_limit: c.positive(
            "platform.init_limit",
            p.init_limit.map_or(SimDuration::from_secs(10), |d| d.0),
        ),
        env_concurrency,
        max_event_age: p
            .max_event_age
            .map_or(SimDuration::from_secs(6 * 3600), |d| d.0),
        retry,
    }
}

/// `platform.keep_alive` [fixed, 10m].
pub(super) fn keep_alive(
    c: &mut Checker,
    raw: Option<&RawKeepAlive>,
    base_dir: &Path,
) -> KeepAlive {
    const AT: &str = "platform.keep_alive";
    match raw {
        None => KeepAlive::Fixed {
            idle: KeepAlive::DEFAULT_IDLE,
        },
        Some(RawKeepAlive::Fixed { idle }) => KeepAlive::Fixed { idle: idle.0 },
        Some(RawKeepAlive::FixedOnce { idle }) => KeepAlive::FixedOnce { idle: idle.0 },
        Some(RawKeepAlive::Forever {}) => KeepAlive::Forever,
        Some(RawKeepAlive::Random { idle }) => {
            match dist(c, idle, Kind::Time, &format!("{AT}.idle"), base_dir) {
                Some(idle) => KeepAlive::Random { idle },
                None => KeepAlive::Forever,
            }
        }
        Some(RawKeepAlive::HybridHistogram {
            bin,
            range,
            head_percentile,
            tail_percentile,
            margin,
            cv_threshold,
            min_samples,
            fallback_idle,
        }) => {
            let bin = c.positive(
                &format!("{AT}.bin"),
                bin.map_or(SimDuration::from_secs(60), |d| d.0),
            );
            let range = c.positive(
                &format!("{AT}.range"),
                range.map_or(SimDuration::from_secs(4 * 3600), |d| d.0),
            );
            let bins = if bin > SimDuration::ZERO {
                range.0 / bin.0
            } else {
                1
            };
            if bin > SimDuration::ZERO && range > SimDuration::ZERO {
                if range.0 % bin.0 != 0 || bins == 0 {
                    c.fail(
                        format!("{AT}.range"),
                        format!("must be a whole number of bins ({bin} each), got {range}"),
                    );
                } else if bins > 100_000 {
                    c.fail(
                        format!("{AT}.bin"),
                        format!(
                            "gives {bins} bins over {range}; the limit is 100000: use wider bins"
                        ),
                    );
                }
            }
            let head = head_percentile.unwrap_or(5.0);
            let tail = tail_percentile.unwrap_or(99.0);
            if !(0.0..=100.0).contains(&head) {
                c.fail(
                    format!("{AT}.head_percentile"),
                    format!("must be between 0 and 100, got {head}"),
                );
            }
            if !(0.0..=100.0).contains(&tail) || tail < head {
                c.fail(
                    format!("{AT}.tail_percentile"),
                    format!("must be between head_percentile ({head}) and 100, got {tail}"),
                );
            }
            let margin = margin.unwrap_or(0.1);
            if !(0.0..1.0).contains(&margin) {
                c.fail(
                    format!("{AT}.margin"),
                    format!("must be a fraction in [0, 1), got {margin}"),
                );
            }
            let cv_threshold = cv_threshold.unwrap_or(2.0);
            if !(cv_threshold.is_finite() && cv_threshold >= 0.0) {
                c.fail(
                    format!("{AT}.cv_threshold"),
                    format!("must be a finite number ≥ 0, got {cv_threshold}"),
                );
            }
            KeepAlive::HybridHistogram(HybridHistogram {
                bin,
                bins: bins.clamp(1, 100_000) as u32,
                head_percentile: head,
                tail_percentile: tail,
                margin,
                cv_threshold,
                min_samples: min_samples.unwrap_or(10).max(1),
                fallback_idle: fallback_idle.map_or(range, |d| d.0),
            })
        }
    }
}

/// Reserved concurrency must leave the unreserved minimum; provisioned concurrency of
/// functions without a reservation must fit the unreserved pool.
pub(super) fn limits(c: &mut Checker, p: &Platform, functions: &[Function]) {
    if let Some(cap) = p.capacity_mb {
        if let Some(f) = functions.iter().find(|f| f.memory_mb as u64 > cap) {
            c.fail("platform.capacity.memory_gb", format!(
                "function `{}` needs {} MB, more than the whole capacity ({cap} MB): raise memory_gb",
                f.name, f.memory_mb));
        }
        let provisioned: u64 = functions
            .iter()
            .map(|f| f.provisioned_concurrency as u64 * f.memory_mb as u64)
            .sum();
        if provisioned > cap {
            c.fail("platform.capacity.memory_gb", format!(
                "provisioned environments need {provisioned} MB, more than the capacity ({cap} MB)"));
        }
    }
    let reserved: u64 = functions
        .iter()
        .filter_map(|f| f.reserved_concurrency)
        .map(u64::from)
        .sum();
    let share = p.account_concurrency.saturating_sub(p.unreserved_minimum) as u64;
    if reserved > share {
        c.fail("functions", format!(
            "reserved concurrency adds up to {reserved}, above the {share} the account can reserve (account_concurrency {} minus the {} that always stay unreserved); lower reserved_concurrency or raise platform.account_concurrency",
            p.account_concurrency, p.unreserved_minimum));
    }
    let pool = (p.account_concurrency as u64).saturating_sub(reserved);
    let unreserved_provisioned: u64 = functions
        .iter()
        .filter(|f| f.reserved_concurrency.is_none())
        .map(|f| f.provisioned_concurrency as u64)
        .sum();
    if unreserved_provisioned > pool && reserved <= share {
        c.fail("functions", format!("provisioned concurrency of functions without reserved concurrency adds up to {unreserved_provisioned}, above the unreserved pool of {pool}"));
    }
}
