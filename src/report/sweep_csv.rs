//! `sweep.csv`: one row per point in grid order — its index, its parameter values, the
//! replications, then for each headline metric the mean and the 95% confidence interval.
//! With one replication there is no interval: the `_ci_low`/`_ci_high` cells are empty. A
//! sweep of a scenario with `[cluster]` has the host figures too (`ClusterRecord::COLUMNS`),
//! before `pareto`.

use crate::sweep::{ClusterRecord, Metric, SweepSummary};

/// Six significant digits, no exponent, trailing zeros trimmed: far below the confidence
/// intervals' width, and stable text for the same numbers.
pub fn fmt_figure(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    if v == 0.0 {
        return "0".into();
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (5 - magnitude).clamp(0, 15) as usize;
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// The bytes of `sweep.csv`.
pub fn sweep_csv(summary: &SweepSummary) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["point".into()];
    header.extend(summary.params.iter().map(|p| p.path.clone()));
    header.push("replications".into());
    for m in Metric::ALL {
        for suffix in ["mean", "ci_low", "ci_high"] {
            header.push(format!("{}_{suffix}", m.column()));
        }
    }
    let cluster = summary.points.iter().any(|p| p.cluster.is_some());
    if cluster {
        for c in ClusterRecord::COLUMNS {
            for suffix in ["mean", "ci_low", "ci_high"] {
                header.push(format!("{c}_{suffix}"));
            }
        }
    }
    header.push("pareto".into());
    w.write_record(&header)
        .expect("writing to memory cannot fail");
    for p in &summary.points {
        let mut row: Vec<String> = vec![p.index.to_string()];
        row.extend(
            summary
                .params
                .iter()
                .zip(&p.choice)
                .map(|(param, &c)| param.labels[c].clone()),
        );
        row.push(summary.replications.to_string());
        let host_figures = p.cluster.iter().flatten().filter(|_| cluster);
        for e in p.estimates.iter().chain(host_figures) {
            row.push(fmt_figure(e.mean));
            match e.ci {
                Some((lo, hi)) => {
                    row.push(fmt_figure(lo));
                    row.push(fmt_figure(hi));
                }
                None => {
                    row.push(String::new());
                    row.push(String::new());
                }
            }
        }
        row.push(p.pareto.to_string());
        w.write_record(&row).expect("writing to memory cannot fail");
    }
    w.into_inner().expect("flushing to memory cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_keep_six_significant_digits() {
        assert_eq!(fmt_figure(0.0), "0");
        assert_eq!(fmt_figure(1234.56789), "1234.57");
        assert_eq!(fmt_figure(0.000123456789), "0.000123457");
        assert_eq!(fmt_figure(2.5), "2.5");
        assert_eq!(fmt_figure(-3.0), "-3");
        assert_eq!(fmt_figure(123456789.0), "123456789");
        assert_eq!(fmt_figure(f64::NAN), "");
    }
}
