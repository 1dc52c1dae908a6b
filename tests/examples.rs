//! The library examples run, and the custom keep-alive example gives the figures its traffic
//! implies.

#[allow(dead_code)]
#[path = "../examples/custom_keep_alive.rs"]
mod custom_keep_alive;

use coldsim::scenario::Scenario;

#[test]
fn a_user_keep_alive_policy_runs_and_is_compared_with_fixed_ten_minutes() {
    let scenario = Scenario::from_toml_str(custom_keep_alive::SCENARIO).expect("valid");
    let (custom, fixed) = custom_keep_alive::compare(&scenario).expect("no trace to fail");
    // Poisson at 0.02/s: the mean gap is 50 s, so the policy keeps about 100 s and a request
    // is cold when its gap exceeds that, with probability e^-2 ≈ 13.5% (at any rate); under
    // fixed 10 minutes, e^-12 ≈ 0.0006%. ~1 730 requests a day give a standard error of 0.8
    // points: ±3 points (over 3.5 standard errors) for the custom policy. Under fixed 10
    // minutes nearly all cold starts come from the 2-hour maximum lifetime: 12 a day, 0.7%;
    // under 1.5%.
    assert!(
        (custom - (-2f64).exp()).abs() < 0.03,
        "twice the mean gap: {custom}"
    );
    assert!(fixed < 0.015, "fixed 10 minutes: {fixed}");
}

#[test]
fn the_examples_print_their_figures() {
    for (example, expected) in [
        ("custom_keep_alive", "twice the mean inter-arrival time:"),
        ("library", "evicting the largest first:"),
    ] {
        // `cargo test` builds the examples beside the test binaries (target/<profile>/examples).
        let exe = std::env::current_exe().expect("the test binary's path");
        let dir = exe
            .parent()
            .and_then(|d| d.parent())
            .expect("target/<profile>/deps");
        let out = std::process::Command::new(dir.join("examples").join(example))
            .output()
            .expect("the example was built by cargo test");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{example}: {out:?}");
        assert!(stdout.contains(expected), "{example} printed {stdout}");
    }
}
