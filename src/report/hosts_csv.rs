//! `hosts.csv`: one row per host of a cluster run (`[cluster]`), the `HostSummary` rows of
//! `summary.json`'s `cluster.hosts`.

use crate::metrics::Summary;

/// The bytes of `hosts.csv`, `None` without a cluster.
pub fn hosts_csv(summary: &Summary) -> Option<Vec<u8>> {
    let cluster = summary.cluster.as_ref()?;
    let mut w = csv::Writer::from_writer(Vec::new());
    for h in &cluster.hosts {
        w.serialize(h).expect("writing to memory cannot fail");
    }
    Some(w.into_inner().expect("flushing to memory cannot fail"))
}
