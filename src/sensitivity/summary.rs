//! The summary of a complete Monte Carlo analysis: per-unit rank
//! intervals, probabilities and score spreads, and the per-run statistics'
//! quantiles, from the exact counts of a [`super::partial::McPartial`].

use super::analyze::{self, Summary};
use super::partial::{Bins, McPartial};
use super::statistic::{self, KeyHistogram, Nominal, STATISTICS};
use serde::Serialize;
use std::collections::BTreeMap;

/// Per-unit results of a Monte Carlo analysis.
#[derive(Debug, Clone, Serialize)]
pub struct UnitStats {
    /// Unit id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Nominal rank (an integer in JSON unless it is a fractional rank,
    /// as everywhere else).
    #[serde(serialize_with = "serialize_rank")]
    pub nominal_rank: f64,
    /// Median rank over runs.
    pub median_rank: f64,
    /// Mean rank.
    pub mean_rank: f64,
    /// 5% rank quantile (nearest rank).
    pub q05: f64,
    /// 95% rank quantile.
    pub q95: f64,
    /// P(rank <= k) for each k of `top_k` (keys are k, in numeric order).
    pub p_top: BTreeMap<usize, f64>,
    /// Nominal score.
    pub nominal_score: f64,
    /// Mean score over runs.
    pub score_mean: f64,
    /// Standard deviation of the score over runs.
    pub score_sd: f64,
    /// Rank-acceptability (SMAA): share of runs at each rank (zeros left out).
    pub acceptability: BTreeMap<RankKey, f64>,
}

fn serialize_rank<S: serde::Serializer>(r: &f64, s: S) -> Result<S::Ok, S::Error> {
    crate::pipeline::Rank(*r).serialize(s)
}

/// A rank or rank range ("3", "1-5") as a map key: written as text, ordered
/// by its best rank (so JSON objects list 1, 2, ..., 10, not 1, 10, 2).
#[derive(Debug, Clone, PartialEq)]
pub struct RankKey {
    best: f64,
    text: String,
}

impl RankKey {
    fn new(best: f64, text: String) -> RankKey {
        RankKey { best, text }
    }
}

impl Eq for RankKey {}

impl PartialOrd for RankKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RankKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.best
            .total_cmp(&other.best)
            .then_with(|| self.text.cmp(&other.text))
    }
}

impl Serialize for RankKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl std::fmt::Display for RankKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// The whole Monte Carlo result.
#[derive(Debug, Clone, Serialize)]
pub struct McResult {
    /// Successful runs.
    pub successful_runs: u64,
    /// Failed runs.
    pub failed_runs: u64,
    /// Failed runs by reason.
    pub failures: BTreeMap<String, u64>,
    /// The distribution over runs of each per-run statistic (mean absolute
    /// rank shift, Spearman and Kendall with the nominal ranking), in
    /// [`STATISTICS`] order, each under its name.
    #[serde(flatten)]
    pub statistics: RunSummaries,
    /// Share of runs whose top-k set equals the nominal one (keys are k,
    /// in numeric order).
    pub top_k_unchanged: BTreeMap<usize, f64>,
    /// Per unit, in nominal rank order.
    pub units: Vec<UnitStats>,
}

/// Turns a complete accumulation into results.
pub fn finish(p: &McPartial) -> McResult {
    let h = &p.header;
    let bins = Bins::of(h);
    let b = bins.count();
    let count = p.successful_runs;
    let moments: Vec<(f64, f64)> = p
        .score_sum
        .iter()
        .zip(&p.score_sum_sq)
        .map(|(s, q)| score_moments(s.value(), q.value(), count))
        .collect();
    let units = h
        .units
        .iter()
        .enumerate()
        .map(|(u, info)| {
            let hist = &p.hist[u * b..(u + 1) * b];
            let rank = |bin: usize| bins.rank_of(bin);
            let total = count.max(1);
            let mean_rank = hist
                .iter()
                .enumerate()
                .map(|(bin, &c)| rank(bin) * c as f64)
                .sum::<f64>()
                / total as f64;
            // With binned ranks, P(rank <= k) counts only bins entirely at or
            // above rank k (a lower bound, exact for width 1).
            let p_top = h
                .top_k
                .iter()
                .map(|&k| {
                    let hits: u64 = hist
                        .iter()
                        .enumerate()
                        .filter(|(bin, _)| bins.worst_rank(*bin) <= k as f64)
                        .map(|(_, &c)| c as u64)
                        .sum();
                    (k, hits as f64 / total as f64)
                })
                .collect();
            let acceptability = hist
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(bin, &c)| {
                    let key = if bins.width == 1 {
                        RankKey::new(rank(bin), format!("{}", crate::pipeline::Rank(rank(bin))))
                    } else {
                        RankKey::new(
                            bins.best_rank(bin),
                            format!(
                                "{}-{}",
                                crate::pipeline::Rank(bins.best_rank(bin)),
                                crate::pipeline::Rank(bins.worst_rank(bin))
                            ),
                        )
                    };
                    (key, c as f64 / total as f64)
                })
                .collect();
            UnitStats {
                id: info.id.clone(),
                name: info.name.clone(),
                nominal_rank: info.nominal_rank,
                median_rank: analyze::histogram_quantile(hist, count, 0.5, rank),
                mean_rank,
                q05: analyze::histogram_quantile(hist, count, 0.05, rank),
                q95: analyze::histogram_quantile(hist, count, 0.95, rank),
                p_top,
                nominal_score: info.nominal_score,
                score_mean: info.nominal_score + moments[u].0,
                score_sd: moments[u].1,
                acceptability,
            }
        })
        .collect();
    let failed: u64 = p.failures.values().sum();
    let nominal = Nominal::new(&h.units.iter().map(|u| u.nominal_rank).collect::<Vec<_>>());
    McResult {
        successful_runs: count,
        failed_runs: failed,
        failures: p.failures.clone(),
        statistics: RunSummaries(
            STATISTICS
                .iter()
                .map(|stat| {
                    let summary = match p.statistics.get(stat.name) {
                        Some(h) => h.summary(&nominal, stat),
                        None => KeyHistogram::default().summary(&nominal, stat),
                    };
                    (stat.name, summary)
                })
                .collect(),
        ),
        top_k_unchanged: h
            .top_k
            .iter()
            .zip(&p.top_k_same)
            .map(|(&k, &s)| (k, s as f64 / count.max(1) as f64))
            .collect(),
        units,
    }
}

/// The mean score deviation from nominal and the standard deviation of the
/// scores, from the sums of the deviations and of their squares over
/// `count` runs (NaN when there are too few runs).
fn score_moments(sum: f64, sum_sq: f64, count: u64) -> (f64, f64) {
    if count == 0 {
        return (f64::NAN, f64::NAN);
    }
    let m = count as f64;
    let d = sum / m;
    let m2 = (sum_sq - sum * d).max(0.0);
    let sd = if count > 1 {
        (m2 / (count - 1) as f64).sqrt()
    } else {
        f64::NAN
    };
    (d, sd)
}

/// The summaries of the per-run statistics, by name (a JSON object's
/// entries, in [`STATISTICS`] order).
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummaries(pub Vec<(&'static str, Summary)>);

impl RunSummaries {
    /// The summary of statistic `stat`.
    pub fn of(&self, stat: &statistic::RunStatistic) -> Summary {
        self.0
            .iter()
            .find(|(name, _)| *name == stat.name)
            .map(|(_, s)| *s)
            .expect("every registered statistic is summarised")
    }
}

impl Serialize for RunSummaries {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, summary) in &self.0 {
            map.serialize_entry(name, summary)?;
        }
        map.end()
    }
}
