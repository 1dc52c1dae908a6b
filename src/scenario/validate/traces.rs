//! `[trace]` sections and trace arrivals: the options of the trace's format (checked by the
//! format's descriptor in `trace::FORMATS`), the replay window, which of a trace's functions are
//! simulated (`select`, `sample`), and their overrides.

use super::*;

/// Traces met while validating, in order: `Process::Trace { source }` indexes `specs`.
pub(super) struct Traces<'a> {
    /// Relative trace paths are resolved against this folder (the scenario file's).
    pub(super) base_dir: &'a Path,
    /// Seeds `sample` selection.
    pub(super) seed: u64,
    pub(super) specs: Vec<TraceSpec>,
}

/// Random stream purpose of `sample` selection.
pub(super) const SAMPLE_STREAM: u64 = 5;

/// Default `sort_window`, rows.
pub(super) const SORT_WINDOW: u32 = 10_000;

/// Validation is where a format's check reports problems.
impl trace::Check for Checker {
    fn problem(&mut self, field: String, message: String) {
        self.fail(field, message);
    }

    fn time_unit_ns(&mut self, unit: &str, field: &str) -> Option<f64> {
        unit_scale(self, Some(unit), Kind::Time, field)
    }
}

/// Reports options that do not apply to the trace's format, or to where it is used
/// (`in_section`: the `[trace]` section; else one function's arrivals).
pub(super) fn check_trace_options(c: &mut Checker, raw: &RawTrace, at: &str, in_section: bool) {
    for (name, set) in raw.format_options_set() {
        if set && !raw.format.options().contains(&name) {
            let names: Vec<&str> = trace::FORMATS
                .iter()
                .filter(|f| f.options().contains(&name))
                .map(|f| f.name())
                .collect();
            c.fail(
                format!("{at}.{name}"),
                format!(
                    "does not apply to format \"{}\"; it is an option of {}",
                    raw.format.name(),
                    names.join(", ")
                ),
            );
        }
    }
    if in_section {
        if raw.function.is_some() {
            c.fail(format!("{at}.function"), "picks one trace function for a [[functions]] entry's arrivals; in [trace], choose functions with `top` or `sample` (and `trigger` for azure2019)");
        }
        return;
    }
    let section_only = [
        ("top", raw.top.is_some()),
        ("sample", raw.sample.is_some()),
        ("trigger", raw.trigger.is_some()),
        ("defaults", raw.defaults.is_some()),
        ("overrides", raw.overrides.is_some()),
        ("unit", raw.unit.is_some()),
    ];
    for (name, set) in section_only {
        if set {
            c.fail(format!("{at}.{name}"), "only applies in a [trace] section, which defines one function per trace function; a function's own trace replays the one trace function named by `function`");
        }
    }
}

/// The field a trace's files are named by, to attach file errors to.
pub(super) fn trace_file_field(raw: &RawTrace, at: &str) -> String {
    let key = match (raw.format.in_folder(), raw.paths.is_some()) {
        (true, _) => "dir",
        (_, true) => "paths",
        _ => "path",
    };
    format!("{at}.{key}")
}

/// The trace's files and layout, as its format checks them.
pub(super) fn format_spec(
    c: &mut Checker,
    raw: &RawTrace,
    at: &str,
    base_dir: &Path,
) -> Option<FormatSpec> {
    raw.format.layout(&raw.format_options(at, base_dir), c)
}

pub(super) fn replay(c: &mut Checker, raw: &RawTrace, at: &str) -> Replay {
    let per_request = raw.format.per_request();
    let rate_scale = raw.rate_scale.unwrap_or(1.0);
    if !(rate_scale.is_finite() && rate_scale > 0.0) {
        c.fail(
            format!("{at}.rate_scale"),
            format!("must be a finite number above 0, got {rate_scale}"),
        );
    } else if per_request && rate_scale > 1.0 {
        c.fail(format!("{at}.rate_scale"), format!("must be at most 1 for a per-request trace (each request is kept with this probability; copies would arrive at the same instant), got {rate_scale}; to replay faster, use time_scale < 1"));
    }
    let time_scale = raw.time_scale.unwrap_or(1.0);
    if !(time_scale.is_finite() && time_scale > 0.0) {
        c.fail(
            format!("{at}.time_scale"),
            format!(
                "must be a finite number above 0 (2.0 replays at half speed), got {time_scale}"
            ),
        );
    }
    Replay {
        start: raw.start.map_or(SimDuration::ZERO, |d| d.0),
        time_scale,
        rate_scale,
        lenient: raw.lenient.unwrap_or(false),
        sort_window: raw.sort_window.unwrap_or(SORT_WINDOW) as usize,
    }
}

/// Mean requests per second of `requests` over the scan's span, after scaling.
pub(super) fn trace_rate(requests: f64, span_s: f64, replay: &Replay) -> f64 {
    if span_s > 0.0 {
        requests * replay.rate_scale / (span_s * replay.time_scale)
    } else {
        0.0
    }
}

/// The last part of a trace key: the name column's value.
pub(super) fn last_part(key: &str) -> &str {
    key.rsplit(trace::KEY_SEP).next().unwrap_or(key)
}

/// `arrivals = { process = "trace", ... }`: function `index` replays one trace function.
pub(super) fn trace_process(
    c: &mut Checker,
    raw: &RawTrace,
    at: &str,
    traces: &mut Traces,
    index: u32,
) -> Process {
    let failed = Process::Trace {
        source: u32::MAX,
        mean_rate_per_s: 0.0,
        requests: 0.0,
    };
    check_trace_options(c, raw, at, false);
    let before = c.problems.len();
    let format = format_spec(c, raw, at, traces.base_dir);
    let replay = replay(c, raw, at);
    let select = match (&format, &raw.function) {
        (Some(spec), Some(_)) if !spec.names_functions() => {
            c.fail(
                format!("{at}.function"),
                "needs `function_column`: the header of the column that names each row's function",
            );
            return failed;
        }
        (Some(spec), None) if spec.replays_all_rows() => Select::All { function: index },
        (Some(_), Some(v)) => Select::Value {
            value: v.clone(),
            function: index,
        },
        (Some(_), None) => {
            c.fail(format!("{at}.function"), "name the trace function to replay (its HashFunction, func or column name); to replay every function of the trace, use a [trace] section instead");
            return failed;
        }
        (None, _) => return failed,
    };
    let Some(format) = format else { return failed };
    if c.problems.len() > before {
        return failed;
    }
    let scan = match trace::scan(&format, &replay) {
        Ok(s) => s,
        Err(e) => {
            c.fail(trace_file_field(raw, at), e.to_string());
            return failed;
        }
    };
    let requests = match &select {
        Select::Value { value, .. } => {
            let matching: Vec<&Found> = scan
                .functions
                .iter()
                .filter(|f| last_part(&f.key) == value)
                .collect();
            if matching.is_empty() {
                let (column, file) = format.names_at();
                let file = file.display();
                let some: Vec<&str> = scan
                    .functions
                    .iter()
                    .take(5)
                    .map(|f| last_part(&f.key))
                    .collect();
                c.fail(format!("{at}.function"), format!("{file}: no function `{value}` in {column}; check the name (it is case-sensitive); the trace has e.g. {}", some.join(", ")));
                return failed;
            }
            matching.iter().map(|f| f.requests).sum()
        }
        _ => scan.functions.iter().map(|f| f.requests).sum(),
    };
    let source = traces.specs.len() as u32;
    traces.specs.push(TraceSpec {
        format,
        replay,
        select,
        rows_skipped: scan.rows_skipped,
    });
    Process::Trace {
        source,
        mean_rate_per_s: trace_rate(requests, scan.span_s, &replay),
        requests: requests * replay.rate_scale,
    }
}

/// `defaults` or one of `overrides`, its distributions validated once for all functions.
pub(super) struct Layer<'a> {
    raw: &'a RawTraceFunction,
    at: String,
    init: Option<Distribution>,
    execution: Option<Distribution>,
    first_execution: Option<Distribution>,
    memory_used: Option<Distribution>,
}

pub(super) fn layer<'a>(
    c: &mut Checker,
    raw: &'a RawTraceFunction,
    at: String,
    base_dir: &Path,
) -> Layer<'a> {
    if let Some(m) = raw.memory_mb {
        if !(128..=10_240).contains(&m) {
            c.fail(
                format!("{at}.memory_mb"),
                format!("must be between 128 and 10240 MB (Lambda's range), got {m}"),
            );
        }
    }
    if let Some(t) = raw.timeout {
        c.positive(&format!("{at}.timeout"), t.0);
        if t.0 > SimDuration::from_secs(900) {
            c.fail(
                format!("{at}.timeout"),
                format!("must be at most 15m (Lambda's maximum), got {}", t.0),
            );
        }
    }
    super::functions::check_cpu(c, raw.cpu.as_ref(), &at);
    let d = |c: &mut Checker, raw: &Option<RawDist>, kind: Kind, name: &str| {
        raw.as_ref()
            .and_then(|r| dist(c, r, kind, &format!("{at}.{name}"), base_dir))
    };
    Layer {
        init: d(c, &raw.init, Kind::Time, "init"),
        execution: d(c, &raw.execution, Kind::Time, "execution"),
        first_execution: d(c, &raw.first_execution, Kind::Time, "first_execution"),
        memory_used: d(c, &raw.memory_used, Kind::Memory, "memory_used"),
        raw,
        at,
    }
}

/// Whether `name` matches a glob `pattern` (`*` any text, `?` one character).
pub(super) fn glob(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&ch| ch == '*')
}

/// Picks functions per `top`/`sample`/`trigger`; indices into `found`, in trace order.
pub(super) fn choose(c: &mut Checker, raw: &RawTrace, found: &[Found], seed: u64) -> Vec<usize> {
    let mut chosen: Vec<usize> = match &raw.trigger {
        None => (0..found.len()).collect(),
        Some(t) => (0..found.len())
            .filter(|&i| found[i].trigger.as_deref() == Some(t.as_str()))
            .collect(),
    };
    if chosen.is_empty() {
        match &raw.trigger {
            Some(t) => {
                let mut triggers: Vec<&str> =
                    found.iter().filter_map(|f| f.trigger.as_deref()).collect();
                triggers.sort_unstable();
                triggers.dedup();
                c.fail(
                    "trace.trigger",
                    format!(
                        "no function has Trigger = `{t}`; this trace's triggers are: {}",
                        triggers.join(", ")
                    ),
                );
            }
            None => c.fail(trace_file_field(raw, "trace"), "the trace has no functions"),
        }
        return chosen;
    }
    if let Some(n) = raw.top {
        // Stable: ties keep trace order.
        chosen.sort_by(|&a, &b| found[b].requests.total_cmp(&found[a].requests));
        chosen.truncate(n as usize);
        chosen.sort_unstable();
    } else if let Some(n) = raw.sample {
        use rand::Rng as _;
        let mut rng = crate::engine::rng::stream(seed, SAMPLE_STREAM, 0);
        let k = (n as usize).min(chosen.len());
        for i in 0..k {
            let j = rng.random_range(i..chosen.len());
            chosen.swap(i, j);
        }
        chosen.truncate(k);
        chosen.sort_unstable();
    }
    chosen
}

/// `[trace]`: one function per (selected) trace function, appended to `functions`.
pub(super) fn trace_section(
    c: &mut Checker,
    raw: &RawTrace,
    traces: &mut Traces,
    names: &HashSet<String>,
    functions: &mut Vec<Function>,
) {
    let at = "trace";
    check_trace_options(c, raw, at, true);
    let before = c.problems.len();
    let base_dir = traces.base_dir;
    let format = format_spec(c, raw, at, base_dir);
    let replay = replay(c, raw, at);
    let no_defaults = RawTraceFunction::default();
    let defaults_raw = raw.defaults.as_ref().unwrap_or(&no_defaults);
    if defaults_raw.pattern.is_some() {
        c.fail(
            "trace.defaults.pattern",
            "only overrides take a pattern; defaults apply to every trace function",
        );
    }
    let defaults = layer(c, defaults_raw, "trace.defaults".into(), base_dir);
    let overrides: Vec<Layer> = raw
        .overrides
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, o)| {
            if o.pattern.is_none() {
                c.fail(format!("trace.overrides.{i}.pattern"), "an override needs a pattern, e.g. pattern = \"a1b2*\" (`*` matches any text, `?` one character)");
            }
            layer(c, o, format!("trace.overrides.{i}"), base_dir)
        })
        .collect();
    match (raw.top, raw.sample) {
        (Some(_), Some(_)) => c.fail("trace.sample", "choose `top` or `sample`, not both"),
        (Some(0), _) => c.fail("trace.top", "must be at least 1"),
        (_, Some(0)) => c.fail("trace.sample", "must be at least 1"),
        _ => {}
    }
    let shares_app = raw.unit == Some(TraceUnit::App);
    if shares_app && raw.format.app_parts().is_none() {
        let with_apps: Vec<&str> = (trace::FORMATS.iter())
            .filter(|f| f.app_parts().is_some())
            .map(|f| f.name())
            .collect();
        c.fail("trace.unit", format!("\"app\" needs a trace that names apps ({}); format \"{}\" has none: use unit = \"function\"", with_apps.join(", "), raw.format.name()));
    }
    let Some(format) = format else { return };
    if c.problems.len() > before {
        return;
    }
    let scan = match trace::scan(&format, &replay) {
        Ok(s) => s,
        Err(e) => {
            c.fail(trace_file_field(raw, at), e.to_string());
            return;
        }
    };
    let chosen = choose(c, raw, &scan.functions, traces.seed);
    let keyless = !format.names_functions();
    let has_durations = format.records_execution();
    let first = functions.len() as u32;
    let source = traces.specs.len() as u32;
    let mut keys = Vec::with_capacity(chosen.len());
    let mut trace_execution = Vec::with_capacity(chosen.len());
    let mut reported: HashSet<(String, String)> = HashSet::new();
    let mut report = |c: &mut Checker, field: String, message: String| {
        if reported.insert((field.clone(), message.clone())) {
            c.fail(field, message);
        }
    };
    let mut profiles: HashMap<(String, Arch, Package), Option<&'static RuntimeProfile>> =
        HashMap::new();
    let mut without_execution: Vec<&str> = Vec::new();
    // Per trace function: the field its reserved concurrency came from (`unit = "app"`).
    let mut reserved_at: Vec<String> = Vec::with_capacity(chosen.len());
    let mut seen = HashSet::new();
    for &i in &chosen {
        let found = &scan.functions[i];
        let name = &found.name;
        if names.contains(name) || !seen.insert(name.clone()) {
            report(c, "trace".into(), format!("trace function `{name}` has the same name as a [[functions]] entry; rename that entry"));
            continue;
        }
        let matching: Vec<&Layer> = overrides
            .iter()
            .filter(|o| o.raw.pattern.as_deref().is_some_and(|p| glob(p, name)))
            .collect();
        // The last matching override that sets a value wins, then defaults.
        let from = |get: &dyn Fn(&Layer) -> bool| -> &Layer {
            matching
                .iter()
                .rev()
                .copied()
                .find(|l| get(l))
                .unwrap_or(&defaults)
        };
        let runtime_layer = from(&|l| l.raw.runtime.is_some());
        let Some(runtime_name) = runtime_layer.raw.runtime.clone() else {
            report(c, "trace.defaults.runtime".into(), "set the runtime of trace functions, e.g. runtime = \"python3.12\" (or \"custom\" for no built-in runtime init)".into());
            continue;
        };
        let arch = from(&|l| l.raw.arch.is_some())
            .raw
            .arch
            .unwrap_or(Arch::X86_64);
        let package = from(&|l| l.raw.package.is_some())
            .raw
            .package
            .unwrap_or(Package::Zip);
        let profile = if runtime_name == "custom" {
            None
        } else {
            match profiles.entry((runtime_name.clone(), arch, package)) {
                std::collections::hash_map::Entry::Occupied(e) => *e.get(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    match runtime::find(&runtime_name, arch, package) {
                        Ok(p) => *e.insert(Some(p)),
                        Err(err) => {
                            report(c, format!("{}.runtime", runtime_layer.at), err.to_string());
                            e.insert(None);
                            continue;
                        }
                    }
                }
            }
        };
        let override_memory = matching.iter().rev().find_map(|l| l.raw.memory_mb);
        let trace_memory = found
            .app_memory_mb
            .map(|p| (p[6].ceil() as u32).clamp(128, 10_240));
        let memory_mb = override_memory
            .or(trace_memory)
            .or(defaults.raw.memory_mb)
            .unwrap_or(128);
        let override_execution = matching.iter().rev().find_map(|l| l.execution.clone());
        let uses_trace = has_durations && override_execution.is_none();
        let execution = override_execution.or_else(|| defaults.execution.clone());
        if execution.is_none() && (!uses_trace || found.days_without_durations > 0) {
            without_execution.push(name);
        }
        let reserved_layer = from(&|l| l.raw.reserved_concurrency.is_some());
        let reserved = reserved_layer.raw.reserved_concurrency;
        let provisioned = from(&|l| l.raw.provisioned_concurrency.is_some())
            .raw
            .provisioned_concurrency
            .unwrap_or(0);
        if let Some(r) = reserved {
            if provisioned > r {
                report(c, "trace.overrides".into(), format!("function `{name}`: provisioned_concurrency {provisioned} exceeds its reserved_concurrency ({r}); provisioned environments count against it"));
            }
        }
        let pick = |get: &dyn Fn(&Layer) -> Option<Distribution>| {
            matching
                .iter()
                .rev()
                .find_map(|l| get(l))
                .or_else(|| get(&defaults))
        };
        functions.push(Function {
            name: name.clone(),
            runtime: runtime_name,
            runtime_init: profile.map(|p| Distribution::LogNormal {
                mu: p.mu + 1e6f64.ln(),
                sigma: p.sigma,
            }),
            profile,
            arch,
            package,
            memory_mb,
            timeout: from(&|l| l.raw.timeout.is_some())
                .raw
                .timeout
                .map_or(SimDuration::from_secs(3), |d| d.0),
            reserved_concurrency: reserved,
            provisioned_concurrency: provisioned,
            provisioned: Provisioned::Fixed(provisioned),
            warmers: None,
            snapstart: None,
            snapstart_billed: super::functions::DEFAULT_SNAPSTART_BILLED,
            init: pick(&|l| l.init.clone()).unwrap_or(Distribution::Constant(0.0)),
            // Without a distribution the trace gives every request's execution time.
            execution: execution.unwrap_or(Distribution::Constant(0.0)),
            first_execution: pick(&|l| l.first_execution.clone()),
            memory_used: pick(&|l| l.memory_used.clone()),
            arrivals: Arrivals(vec![Process::Trace {
                source,
                mean_rate_per_s: trace_rate(found.requests, scan.span_s, &replay),
                requests: found.requests * replay.rate_scale,
            }]),
            invocation: from(&|l| l.raw.invocation.is_some())
                .raw
                .invocation
                .unwrap_or(Invocation::Sync),
            app: app_of(raw.format, &found.key),
            shares_app,
            managed: None,
            // The trace's execution times count as measured at the function's own memory
            // unless `measured_at_mb` says otherwise.
            cpu: from(&|l| l.raw.cpu.is_some())
                .raw
                .cpu
                .as_ref()
                .map(|r| super::functions::cpu_work(r, memory_mb)),
        });
        reserved_at.push(format!("{}.reserved_concurrency", reserved_layer.at));
        keys.push(if keyless {
            String::new()
        } else {
            found.key.clone()
        });
        trace_execution.push(uses_trace);
    }
    if let Some(example) = without_execution.first() {
        let n = without_execution.len();
        let why = if has_durations {
            "have no execution times in the trace (on some day)"
        } else {
            "need an execution time distribution: this trace records none"
        };
        c.fail("trace.defaults.execution", format!("{n} trace function{} (e.g. `{example}`) {why}; set trace.defaults.execution, e.g. {{ dist = \"lognormal\", median = \"100ms\", p99 = \"1s\" }}", if n == 1 { "" } else { "s" }));
    }
    if c.problems.len() > before {
        return;
    }
    if shares_app {
        // An app's environments hold the app's memory: the trace's (azure2019 gives it per
        // app), or the largest its functions are given.
        let mut app_memory: HashMap<String, u32> = HashMap::new();
        for f in &functions[first as usize..] {
            if let Some(app) = &f.app {
                let m = app_memory.entry(app.clone()).or_insert(0);
                *m = (*m).max(f.memory_mb);
            }
        }
        for f in &mut functions[first as usize..] {
            if let Some(m) = f.app.as_ref().and_then(|a| app_memory.get(a)) {
                f.memory_mb = *m;
            }
        }
        app_limits(c, &mut functions[first as usize..], &reserved_at);
    }
    traces.specs.push(TraceSpec {
        format,
        replay,
        select: Select::Keys {
            keys: keys.into(),
            first,
            trace_execution: trace_execution.into(),
        },
        rows_skipped: scan.rows_skipped,
    });
}

/// `unit = "app"`: an app's pool has one provisioned count and one concurrency limit, as
/// an Azure function app has one always-ready instance count and one scale-out limit ("always
/// ready instances are specific to that app"; "you can configure a per-app maximum", Azure
/// Functions docs, "Azure Functions Premium plan"). Both are kept on the app's first function
/// (in scenario order: the one whose state holds the pool, `Simulation::pool_of`), its other
/// functions get 0 and none. The provisioned count is the largest its functions are given
/// (each function that asks for N environments finds N, and `[trace.defaults]
/// provisioned_concurrency = 1` gives an app one, not one per function); reserved concurrency
/// is a cap with no such combination, so the functions of an app must agree on it.
/// `reserved_at`: per function, the field its reserved concurrency came from.
fn app_limits(c: &mut Checker, functions: &mut [Function], reserved_at: &[String]) {
    let mut head: HashMap<String, usize> = HashMap::new();
    let mut reported: HashSet<String> = HashSet::new();
    for i in 0..functions.len() {
        let Some(app) = functions[i].app.clone() else {
            continue;
        };
        let h = *head.entry(app.clone()).or_insert(i);
        if h == i {
            continue;
        }
        let (a, b) = (
            functions[h].reserved_concurrency,
            functions[i].reserved_concurrency,
        );
        if a != b && reported.insert(app.clone()) {
            let show = |r: Option<u32>| r.map_or("none".to_owned(), |r| r.to_string());
            // The field of the value set by an override (they agree when both come from
            // `[trace.defaults]`).
            let field = if reserved_at[i].starts_with("trace.overrides") {
                &reserved_at[i]
            } else {
                &reserved_at[h]
            };
            c.fail(field.clone(), format!(
                "app `{}`: functions `{}` and `{}` have reserved_concurrency {} and {}; with unit = \"app\" it is the app's concurrency limit, one value for all its functions: set it in [trace.defaults], or give every function of the app the same one",
                app.replace(trace::KEY_SEP, "/"), functions[h].name, functions[i].name, show(a), show(b)));
        }
        let most = functions[h]
            .provisioned_concurrency
            .max(functions[i].provisioned_concurrency);
        functions[h].provisioned_concurrency = most;
        functions[h].provisioned = Provisioned::Fixed(most);
        let f = &mut functions[i];
        f.provisioned_concurrency = 0;
        f.provisioned = Provisioned::Fixed(0);
        f.reserved_concurrency = None;
    }
}

#[cfg(test)]
mod trace_tests {
    use super::glob;

    #[test]
    fn glob_matches_wildcards() {
        assert!(glob("a*", "abc"));
        assert!(glob("*c", "abc"));
        assert!(glob("a?c", "abc"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "aXbYbZc"));
        assert!(!glob("a?c", "ac"));
        assert!(!glob("abc", "abcd"));
        assert!(!glob("*x", "abc"));
    }
}
