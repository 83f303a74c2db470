//! Per-run statistics of a Monte Carlo analysis: how far one run's ranking
//! lies from the nominal one (mean absolute rank shift, Spearman's rho,
//! Kendall's tau-b).
//!
//! Each statistic is defined once, in three small functions:
//! - `reference`: from the run's ranks, in plain code, the exact integers
//!   the statistic is a function of (its [`StatKey`]): on rank data the
//!   statistics are integers in disguise (sums of |shift|, of products of
//!   ranks, counts of discordant pairs; doubled, since fractional ranks are
//!   whole or half numbers);
//! - `value`: the statistic from its key;
//! - optionally `fast`: the same key from the [`RunCounts`] the fast paths
//!   count anyway, checked against `reference` by this module's tests and
//!   by `--engine reference`.
//!
//! Runs are recorded as exact histograms of keys ([`KeyHistogram`]): the
//! quantiles are exact, shards merge exactly, and memory depends on the
//! number of distinct keys, not of runs. To add a statistic, write its
//! three functions and add it to [`STATISTICS`]: it reaches the partial
//! results, merging, the JSON, the table and the reports from there.

use super::analyze::Summary;
use super::exact::ExactSum;
use crate::pipeline::rank::RankScratch;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// The exact integers a run statistic is a function of.
pub type StatKey = [i64; 3];

/// Most ranked units a sensitivity analysis takes (the keys' sums of
/// products of doubled ranks stay within 64 bits).
pub const MAX_UNITS: usize = 1_000_000;

/// The nominal ranking every run is compared with.
#[derive(Debug, Clone)]
pub struct Nominal {
    /// Ranked units.
    n: usize,
    /// Twice each unit's nominal rank (as the tie rule gives it).
    twice_rank: Vec<i64>,
    /// Twice each unit's nominal average rank.
    twice_average: Vec<i64>,
    /// Sum of the squares of `twice_average`.
    average_squares: i64,
    /// Pairs of units the nominal ranking ties.
    tie_pairs: i64,
    /// Units in nominal rank order (ties by position).
    order: Vec<u32>,
    /// Each unit's place in `order`.
    place: Vec<u32>,
    /// The ranges of nominal ties in `order`.
    groups: Vec<(usize, usize)>,
}

/// Buffers of [`Nominal::kendall_counts`].
#[derive(Debug, Clone, Default)]
pub struct KendallScratch {
    values: Vec<f64>,
    tree: Vec<u32>,
}

impl Nominal {
    /// The nominal ranking from its ranks (units in nominal order; whole or
    /// half numbers in 1..=n).
    pub fn new(ranks: &[f64]) -> Nominal {
        let n = ranks.len();
        let average = super::analyze::average_ranks(ranks);
        let twice_average: Vec<i64> = average.iter().map(|&r| twice(r)).collect();
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_by(|&a, &b| {
            ranks[a as usize]
                .total_cmp(&ranks[b as usize])
                .then(a.cmp(&b))
        });
        let mut place = vec![0u32; n];
        for (p, &u) in order.iter().enumerate() {
            place[u as usize] = p as u32;
        }
        let groups: Vec<(usize, usize)> = equal_runs(0..n, |p| ranks[order[p] as usize])
            .filter(|r| r.len() > 1)
            .map(|r| (r.start, r.end))
            .collect();
        let tie_pairs = groups.iter().map(|&(a, b)| pairs_among(b - a) as i64).sum();
        Nominal {
            n,
            twice_rank: ranks.iter().map(|&r| twice(r)).collect(),
            average_squares: twice_average.iter().map(|a| a * a).sum(),
            tie_pairs,
            twice_average,
            order,
            place,
            groups,
        }
    }

    /// Units in nominal rank order (ties by position).
    pub fn order(&self) -> &[u32] {
        &self.order
    }

    /// Whether the units are given in nominal rank order (`order` is the
    /// identity).
    pub fn in_order(&self) -> bool {
        self.order.iter().enumerate().all(|(p, &u)| p == u as usize)
    }

    /// Number of ranked units.
    pub fn units(&self) -> usize {
        self.n
    }

    /// Twice each unit's nominal rank (units in nominal order).
    pub fn twice_ranks(&self) -> &[i64] {
        &self.twice_rank
    }

    /// Whether the nominal ranking has no ties.
    pub fn untied(&self) -> bool {
        self.tie_pairs == 0
    }

    /// Sum over units of |2 rank - 2 nominal rank| (ranks in nominal order).
    pub fn twice_shift(&self, ranks: &[f64]) -> i64 {
        ranks
            .iter()
            .zip(&self.twice_rank)
            .map(|(&r, &x)| (twice(r) - x).abs())
            .sum()
    }

    /// Sums of (2 x)(2 y) and of (2 y)^2, x the nominal and y the run's
    /// average ranks (in nominal order).
    pub fn average_sums(&self, average: &[f64]) -> (i64, i64) {
        let (mut products, mut squares) = (0i64, 0i64);
        for (&y, &x) in average.iter().zip(&self.twice_average) {
            let y = twice(y);
            products += x * y;
            squares += y * y;
        }
        (products, squares)
    }

    /// The mean absolute rank shift of one ranking (ranks in nominal
    /// order) from the nominal one: the statistic [`SHIFT`] of a run, for
    /// the analyses that compare single rankings (Sobol, leave-one-out,
    /// scenarios).
    pub fn mean_abs_shift(&self, ranks: &[f64]) -> f64 {
        let run = RunRanks {
            ranks,
            average: &[],
        };
        (SHIFT.value)(self, (SHIFT.reference)(self, run))
    }

    /// All pairs of units.
    fn pairs(&self) -> i64 {
        pairs_among(self.n) as i64
    }

    /// [`KENDALL`]'s counts (discordant pairs, pairs the run ties, pairs
    /// tied on both sides) of a run the ranker ranked: `ranks` (units in
    /// nominal order) and its buffers `ranking`, in O(n log n) without
    /// allocating. Without ties anywhere, the swaps of the ranker's
    /// insertion sort from the nominal order are the discordant pairs;
    /// else `discordant_from_swaps` or, after a full sort,
    /// `discordant_by_merging`.
    pub fn kendall_counts(
        &self,
        ranks: &[f64],
        ranking: &RankScratch,
        buf: &mut KendallScratch,
    ) -> [u64; 3] {
        if let (Some(swaps), 0, false) = (ranking.swaps, self.tie_pairs, ranking.any_group) {
            return [swaps, 0, 0];
        }
        let (discordant, joint) = match ranking.swaps {
            Some(swaps) => self.discordant_from_swaps(swaps, ranks, ranking.order(), buf),
            None => self.discordant_by_merging(ranks, buf),
        };
        [discordant, ranking.tie_pairs, joint]
    }

    /// Kendall's discordant pairs (ranked strictly the other way round by
    /// the run and the nominal ranking) and pairs tied in both, in
    /// O(n log n): the run's ranks in nominal order, sorted within nominal
    /// ties, and their strict inversions counted (Knight's algorithm).
    fn discordant_by_merging(&self, ranks: &[f64], buf: &mut KendallScratch) -> (u64, u64) {
        let y = &mut buf.values;
        y.clear();
        y.extend(self.order.iter().map(|&u| ranks[u as usize]));
        // Within nominal ties, order by y; count pairs tied in both.
        let mut joint = 0u64;
        for &(a, b) in &self.groups {
            y[a..b].sort_by(f64::total_cmp);
            joint += equal_runs(a..b, |p| y[p])
                .map(|r| pairs_among(r.len()))
                .sum::<u64>();
        }
        let swaps = super::analyze::count_rank_inversions(y, self.n, &mut buf.tree);
        (swaps, joint)
    }

    /// [`Nominal::discordant_by_merging`] from the `swaps` of the ranker's
    /// insertion sort from the nominal order to the run's `order`, in
    /// O(n + ties^2): every pair the run ranks strictly the other way round
    /// was swapped; the swapped pairs that are not discordant are those the
    /// run ties (put in id order, or within the tie tolerance) and those
    /// the nominal ranking ties, both counted group by group.
    fn discordant_from_swaps(
        &self,
        swaps: u64,
        ranks: &[f64],
        order: &[u32],
        buf: &mut KendallScratch,
    ) -> (u64, u64) {
        // Each group's values gathered side by side, then every pair
        // compared in a loop the compiler vectorises.
        let buf = &mut buf.values;
        let mut not_discordant = 0u64;
        // Run ties: units of equal rank, consecutive in the run's order;
        // a pair there was swapped if its nominal places are reversed.
        for run in equal_runs(0..order.len(), |q| ranks[order[q] as usize]) {
            if run.len() > 1 {
                buf.clear();
                buf.extend(order[run].iter().map(|&u| self.place[u as usize] as f64));
                not_discordant += pairs_below(buf).0;
            }
        }
        // Nominal ties: a pair the run ranks strictly the other way round
        // (swapped, not discordant); a pair the run ties too (joint).
        let mut joint = 0u64;
        for &(a, b) in &self.groups {
            buf.clear();
            buf.extend(self.order[a..b].iter().map(|&u| ranks[u as usize]));
            let (below, equal) = pairs_below(buf);
            not_discordant += below;
            joint += equal;
        }
        (swaps - not_discordant, joint)
    }
}

/// The maximal ranges of consecutive positions in `range` whose `key`s are
/// equal (the tie groups of a sorted sequence).
fn equal_runs<K: PartialEq>(
    range: std::ops::Range<usize>,
    key: impl Fn(usize) -> K,
) -> impl Iterator<Item = std::ops::Range<usize>> {
    let end = range.end;
    let mut start = range.start;
    std::iter::from_fn(move || {
        (start < end).then(|| {
            let first = key(start);
            let stop = (start + 1..end).find(|&p| key(p) != first).unwrap_or(end);
            let run = start..stop;
            start = stop;
            run
        })
    })
}

/// Pairs among `t` items.
fn pairs_among(t: usize) -> u64 {
    (t * t.saturating_sub(1) / 2) as u64
}

/// Pairs i < j of `v` with `v[j] < v[i]`, and with `v[j] == v[i]` (one
/// plain double loop: groups of ties are small, and it vectorises).
fn pairs_below(v: &[f64]) -> (u64, u64) {
    let (mut below, mut equal) = (0u64, 0u64);
    for (i, &x) in v.iter().enumerate() {
        for &y in &v[i + 1..] {
            below += (y < x) as u64;
            equal += (y == x) as u64;
        }
    }
    (below, equal)
}

/// Twice a rank (a whole or half number): an integer.
#[inline(always)]
fn twice(r: f64) -> i64 {
    (2.0 * r).round() as i64
}

/// A run's ranking as the reference definitions read it: every unit's
/// rank (as the tie rule gives it) and average rank, units in nominal
/// order.
#[derive(Debug, Clone, Copy)]
pub struct RunRanks<'a> {
    /// Ranks.
    pub ranks: &'a [f64],
    /// Average (fractional) ranks.
    pub average: &'a [f64],
}

/// Exact counts the fast paths give for a run (all doubled where ranks
/// can be half numbers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunCounts {
    /// Sum over units of |2 rank - 2 nominal rank|.
    pub twice_shift: i64,
    /// Sum of (2 x)(2 y), x and y the nominal and run average ranks.
    pub average_products: i64,
    /// Sum of (2 y)^2.
    pub average_squares: i64,
    /// Pairs ranked strictly the other way round by the run.
    pub discordant: i64,
    /// Pairs the run ties.
    pub run_tie_pairs: i64,
    /// Pairs tied by both the run and the nominal ranking.
    pub joint_tie_pairs: i64,
}

impl RunCounts {
    /// The counts of a run without ties (the nominal ranking has none
    /// either): `shift` and `squares` the sums of |position - nominal
    /// position| and of its square, `swaps` the discordant pairs.
    pub fn untied(nominal: &Nominal, shift: u64, squares: u64, swaps: u64) -> RunCounts {
        // sum (2x - 2y)^2 = 4 sum d^2 = sum (2x)^2 + sum (2y)^2 - 2 sum (2x)(2y),
        // and both sums of squares are the nominal one.
        RunCounts {
            twice_shift: 2 * shift as i64,
            average_products: nominal.average_squares - 2 * squares as i64,
            average_squares: nominal.average_squares,
            discordant: swaps as i64,
            run_tie_pairs: 0,
            joint_tie_pairs: 0,
        }
    }
}

/// A per-run statistic (see the module documentation).
#[derive(Debug, Clone, Copy)]
pub struct RunStatistic {
    /// Its name in outputs (JSON key).
    pub name: &'static str,
    /// What a reader sees.
    pub label: &'static str,
    /// What a reader sees in Swedish (`--lang sv`).
    pub label_sv: &'static str,
    /// The values it can take for `n` units (partial results are checked).
    pub range: fn(usize) -> [f64; 2],
    /// Its key from a run's ranks.
    pub reference: fn(&Nominal, RunRanks) -> StatKey,
    /// Its key from the fast paths' counts, if it can be had from them.
    pub fast: Option<fn(&RunCounts) -> StatKey>,
    /// Its value from its key.
    pub value: fn(&Nominal, StatKey) -> f64,
}

/// Every per-run statistic, in output order.
pub const STATISTICS: &[RunStatistic] = &[SHIFT, SPEARMAN, KENDALL];

/// Mean absolute rank shift: the mean over units of |rank - nominal rank|.
pub const SHIFT: RunStatistic = RunStatistic {
    name: "mean_abs_rank_shift",
    label: "mean |rank shift|",
    label_sv: "medel av |rangförändring|",
    range: |n| [0.0, n as f64],
    reference: |nominal, run| [nominal.twice_shift(run.ranks), 0, 0],
    fast: Some(|c| [c.twice_shift, 0, 0]),
    value: |nominal, [shift, ..]| shift as f64 / (2 * nominal.n) as f64,
};

/// Spearman's rho with the nominal ranking: the Pearson correlation of
/// the average ranks.
pub const SPEARMAN: RunStatistic = RunStatistic {
    name: "spearman",
    label: "Spearman with nominal",
    label_sv: "Spearman mot nominell",
    range: |_| [-1.0, 1.0],
    reference: |nominal, run| {
        let y: Vec<i64> = run.average.iter().map(|&r| twice(r)).collect();
        let products = y
            .iter()
            .zip(&nominal.twice_average)
            .map(|(a, b)| a * b)
            .sum();
        [products, y.iter().map(|a| a * a).sum(), 0]
    },
    fast: Some(|c| [c.average_products, c.average_squares, 0]),
    value: spearman_value,
};

/// Spearman's rho from the sums of products and squares of doubled
/// average ranks (their sum is always n (n + 1)).
fn spearman_value(nominal: &Nominal, [products, squares, _]: StatKey) -> f64 {
    let n = nominal.n as i128;
    if nominal.untied() && squares == nominal.average_squares {
        // No ties on either side: 1 - 6 sum d^2 / (n (n^2 - 1)).
        let d2 = (nominal.average_squares - products) / 2;
        let nf = n as f64;
        return 1.0 - 6.0 * d2 as f64 / (nf * (nf * nf - 1.0));
    }
    let sum = n * (n + 1);
    let vx = n * nominal.average_squares as i128 - sum * sum;
    let vy = n * squares as i128 - sum * sum;
    let cov = n * products as i128 - sum * sum;
    if vx == 0 || vy == 0 {
        return if vx == vy { 1.0 } else { f64::NAN };
    }
    cov as f64 / ((vx as f64) * (vy as f64)).sqrt()
}

/// Kendall's tau-b with the nominal ranking.
pub const KENDALL: RunStatistic = RunStatistic {
    name: "kendall",
    label: "Kendall tau-b with nominal",
    label_sv: "Kendalls tau-b mot nominell",
    range: |_| [-1.0, 1.0],
    reference: |nominal, run| {
        let (x, y) = (&nominal.twice_average, run.average);
        let (mut discordant, mut tied, mut joint) = (0, 0, 0);
        for i in 0..y.len() {
            for j in i + 1..y.len() {
                let (dx, dy) = ((x[i] - x[j]).signum(), y[i].total_cmp(&y[j]) as i64);
                discordant += (dx * dy < 0) as i64;
                tied += (dy == 0) as i64;
                joint += (dx == 0 && dy == 0) as i64;
            }
        }
        [discordant, tied, joint]
    },
    fast: Some(|c| [c.discordant, c.run_tie_pairs, c.joint_tie_pairs]),
    value: |nominal, [discordant, run_ties, joint]| {
        let n0 = nominal.pairs() as f64;
        if nominal.untied() && run_ties == 0 {
            return (n0 - 2.0 * discordant as f64) / n0;
        }
        let (n1, n2) = (nominal.tie_pairs as f64, run_ties as f64);
        let den = ((n0 - n1) * (n0 - n2)).sqrt();
        if den == 0.0 {
            f64::NAN
        } else {
            (n0 - n1 - n2 + joint as f64 - 2.0 * discordant as f64) / den
        }
    },
};

/// The keys of one run, one per statistic in [`STATISTICS`] order.
pub type RunKeys = [StatKey; STATISTICS.len()];

/// A run's keys: from the fast paths' counts where a statistic has a fast
/// form, from its ranks otherwise (`ranks` is called at most once).
pub fn run_keys(
    nominal: &Nominal,
    counts: &RunCounts,
    ranks: impl FnOnce() -> (Vec<f64>, Vec<f64>),
) -> RunKeys {
    let mut keys = [[0; 3]; STATISTICS.len()];
    let mut materialised: Option<(Vec<f64>, Vec<f64>)> = None;
    let mut ranks = Some(ranks);
    for (key, stat) in keys.iter_mut().zip(STATISTICS) {
        *key = match stat.fast {
            Some(fast) => fast(counts),
            None => {
                let (r, a) =
                    materialised.get_or_insert_with(|| (ranks.take().expect("called once"))());
                (stat.reference)(
                    nominal,
                    RunRanks {
                        ranks: r,
                        average: a,
                    },
                )
            }
        };
    }
    keys
}

/// A run's keys from its ranks alone (the reference engine).
pub fn reference_keys(nominal: &Nominal, run: RunRanks) -> RunKeys {
    let mut keys = [[0; 3]; STATISTICS.len()];
    for (key, stat) in keys.iter_mut().zip(STATISTICS) {
        *key = (stat.reference)(nominal, run);
    }
    keys
}

/// An exact histogram of one statistic's keys over runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyHistogram {
    counts: HashMap<StatKey, u64, BuildHasherDefault<KeyHasher>>,
}

/// The hash of the keys (three lookups a run): rustc's multiply-rotate
/// (FxHash) in place of the standard SipHash, which cost 3% of a W1 run
/// (docs/PERFORMANCE.md). Keys come from rankings, not from an adversary;
/// every output is in key order, whatever the hash.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    #[inline]
    fn write_i64(&mut self, x: i64) {
        self.write_u64(x as u64);
    }

    #[inline]
    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }

    /// The product's high bits, where the multiplication mixed the input,
    /// rotated down to where the table takes its buckets.
    #[inline]
    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
}

impl KeyHistogram {
    /// Counts one run.
    #[inline]
    pub fn add(&mut self, key: StatKey) {
        *self.counts.entry(key).or_default() += 1;
    }

    /// Adds another histogram's counts.
    pub fn absorb(&mut self, other: &KeyHistogram) {
        for (&k, &c) in &other.counts {
            *self.counts.entry(k).or_default() += c;
        }
    }

    /// Runs counted.
    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    /// Distinct keys.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether no run was counted.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The keys and counts in key order.
    pub fn sorted(&self) -> BTreeMap<StatKey, u64> {
        self.counts.iter().map(|(&k, &c)| (k, c)).collect()
    }

    /// Mean and nearest-rank 5%, 50% and 95% points of the statistic's
    /// values over the runs (NaN values left out, as [`super::analyze::summarise`]
    /// does; the mean summed exactly).
    pub fn summary(&self, nominal: &Nominal, stat: &RunStatistic) -> Summary {
        let mut values: Vec<(f64, u64)> = self
            .counts
            .iter()
            .map(|(&k, &c)| ((stat.value)(nominal, k), c))
            .filter(|(v, _)| !v.is_nan())
            .collect();
        values.sort_by(|a, b| a.0.total_cmp(&b.0));
        let total: u64 = values.iter().map(|v| v.1).sum();
        if total == 0 {
            return Summary {
                mean: f64::NAN,
                q05: f64::NAN,
                median: f64::NAN,
                q95: f64::NAN,
            };
        }
        let mut sum = ExactSum::default();
        for &(v, c) in &values {
            sum.add_times(v, c);
        }
        let at = |q: f64| {
            let need = ((q * total as f64).ceil() as u64).clamp(1, total);
            let mut seen = 0;
            for &(v, c) in &values {
                seen += c;
                if seen >= need {
                    return v;
                }
            }
            f64::NAN
        };
        Summary {
            mean: sum.value() / total as f64,
            q05: at(0.05),
            median: at(0.5),
            q95: at(0.95),
        }
    }
}

impl Serialize for KeyHistogram {
    /// As `[[k0, k1, k2, count], ...]` in key order (the same bits however
    /// the runs were split).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let rows: Vec<[i64; 4]> = self
            .sorted()
            .into_iter()
            .map(|([a, b, c], n)| [a, b, c, n as i64])
            .collect();
        rows.serialize(s)
    }
}

impl<'de> Deserialize<'de> for KeyHistogram {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let rows = Vec::<[i64; 4]>::deserialize(d)?;
        let mut h = KeyHistogram::default();
        for [a, b, c, n] in rows {
            let n = u64::try_from(n)
                .map_err(|_| serde::de::Error::custom("a histogram count is negative"))?;
            *h.counts.entry([a, b, c]).or_default() += n;
        }
        Ok(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::rank::{RankScratch, Ranker};
    use crate::spec::{Best, RankMethod};

    use crate::sensitivity::rng::tests::lcg;

    /// Ranks (competition) and average ranks of scores, higher best.
    fn ranks_of(scores: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let ids: Vec<String> = (0..scores.len()).map(|i| format!("{i:04}")).collect();
        let ranker = Ranker::new(&ids, RankMethod::Competition, Best::Highest, None);
        let (mut scratch, mut ranks) = (RankScratch::default(), vec![0.0; scores.len()]);
        ranker.rank_into(scores, &mut scratch, &mut ranks);
        (ranks, scratch.fractional.clone())
    }

    /// Scores with many ties (`levels` distinct values) or none.
    fn scores(seed: &mut u64, n: usize, levels: Option<u32>) -> Vec<f64> {
        (0..n)
            .map(|_| match levels {
                Some(l) => (lcg(seed) * l as f64).floor(),
                None => lcg(seed),
            })
            .collect()
    }

    #[test]
    fn values_match_independent_formulas() {
        let mut seed = 11;
        for &levels in &[None, Some(4), Some(30)] {
            for n in [2, 3, 17, 60] {
                let nominal_scores = scores(&mut seed, n, levels);
                let run_scores = scores(&mut seed, n, levels);
                let (nr, na) = ranks_of(&nominal_scores);
                let (rr, ra) = ranks_of(&run_scores);
                let nominal = Nominal::new(&nr);
                let keys = reference_keys(
                    &nominal,
                    RunRanks {
                        ranks: &rr,
                        average: &ra,
                    },
                );
                let value = |i: usize| (STATISTICS[i].value)(&nominal, keys[i]);
                let shift = rr.iter().zip(&nr).map(|(a, b)| (a - b).abs()).sum::<f64>() / n as f64;
                assert_eq!(value(0), shift);
                let rho = super::super::analyze::pearson(&na, &ra);
                let tau = super::super::analyze::kendall_tau_b(&nominal_scores, &run_scores);
                for (got, want) in [(value(1), rho), (value(2), tau)] {
                    assert!(
                        (got.is_nan() && want.is_nan()) || (got - want).abs() < 1e-12,
                        "n {n} levels {levels:?}: {got} vs {want}"
                    );
                }
            }
        }
    }

    /// Spearman's rule for constant rankings (every unit tied): 1 when both
    /// are, undefined when one is; and the reversed ranking gives -1.
    #[test]
    fn spearman_of_constant_and_reversed_rankings() {
        let value = |x: &[f64], y: &[f64]| {
            let nominal = Nominal::new(x);
            let key = (SPEARMAN.reference)(
                &nominal,
                RunRanks {
                    ranks: y,
                    average: y,
                },
            );
            (SPEARMAN.value)(&nominal, key)
        };
        let tied = [3.0; 5];
        let ranks = [1.0, 2.0, 3.0, 4.0, 5.0];
        let reversed = [5.0, 4.0, 3.0, 2.0, 1.0];
        assert_eq!(value(&tied, &tied), 1.0);
        assert!(value(&tied, &ranks).is_nan());
        assert!(value(&ranks, &tied).is_nan());
        assert_eq!(value(&ranks, &ranks), 1.0);
        assert_eq!(value(&ranks, &reversed), -1.0);
        assert_eq!(Nominal::new(&ranks).mean_abs_shift(&reversed), 12.0 / 5.0);
    }

    /// The statistic docs/sensitivity.md adds as its example, and its
    /// worked example.
    pub const MAX_SHIFT: RunStatistic = RunStatistic {
        name: "max_abs_rank_shift",
        label: "largest |rank shift|",
        label_sv: "största |rangförändring|",
        range: |n| [0.0, n as f64],
        reference: |nominal, run| {
            let largest = run
                .ranks
                .iter()
                .zip(nominal.twice_ranks())
                .map(|(&r, &x)| (twice(r) - x).abs())
                .max()
                .unwrap_or(0);
            [largest, 0, 0]
        },
        fast: None,
        value: |_, [twice, ..]| twice as f64 / 2.0,
    };

    #[test]
    fn the_documented_example_statistic_works() {
        let nominal = Nominal::new(&[1.0, 2.0, 3.0, 4.0]);
        let ranks = [2.0, 1.0, 3.0, 4.0];
        let key = (MAX_SHIFT.reference)(
            &nominal,
            RunRanks {
                ranks: &ranks,
                average: &ranks,
            },
        );
        assert_eq!(key, [2, 0, 0]);
        assert_eq!((MAX_SHIFT.value)(&nominal, key), 1.0);
        let mut h = KeyHistogram::default();
        h.add(key);
        h.add([0, 0, 0]);
        assert_eq!(h.summary(&nominal, &MAX_SHIFT).mean, 0.5);
    }

    #[test]
    fn fast_keys_equal_the_reference_keys() {
        // Runs without ties, their counts from positions as the fast paths
        // count them (displacements and inversions).
        let mut seed = 5;
        let n = 40;
        let nominal_ranks: Vec<f64> = (1..=n).map(|r| r as f64).collect();
        let nominal = Nominal::new(&nominal_ranks);
        for _ in 0..200 {
            let s = scores(&mut seed, n, None);
            let (ranks, average) = ranks_of(&s);
            let positions: Vec<u32> = ranks.iter().map(|&r| r as u32 - 1).collect();
            let (mut shift, mut squares) = (0u64, 0u64);
            for (p, &q) in positions.iter().enumerate() {
                let d = (p as u64).abs_diff(q as u64);
                shift += d;
                squares += d * d;
            }
            let swaps =
                super::super::analyze::count_position_inversions(&positions, &mut Vec::new());
            let counts = RunCounts::untied(&nominal, shift, squares, swaps);
            let run = RunRanks {
                ranks: &ranks,
                average: &average,
            };
            let fast = run_keys(&nominal, &counts, || {
                unreachable!("every statistic is fast")
            });
            assert_eq!(fast, reference_keys(&nominal, run));
        }
    }

    /// Kendall's counts from the ranker's buffers (from the swaps of its
    /// insertion sort from the nominal order, or after a full sort) equal
    /// the reference definition's, with ties on either side or both, for
    /// every rank method.
    #[test]
    fn kendall_counts_equal_the_reference() {
        let mut seed = 7;
        let methods = [
            RankMethod::Competition,
            RankMethod::Fractional,
            RankMethod::Dense,
            RankMethod::Ordinal,
        ];
        let mut checked = [0usize; 2];
        for &levels in &[None, Some(3), Some(12)] {
            for n in [2, 9, 40] {
                let ids: Vec<String> = (0..n).map(|i| format!("{i:04}")).collect();
                for method in methods {
                    let ranker = Ranker::new(&ids, method, Best::Highest, None);
                    let (mut s, mut ranks) = (RankScratch::default(), vec![0.0; n]);
                    ranker.rank_into(&scores(&mut seed, n, levels), &mut s, &mut ranks);
                    let nominal = Nominal::new(&ranks);
                    for _ in 0..20 {
                        let run = scores(&mut seed, n, levels);
                        for from_nominal in [true, false] {
                            if from_nominal {
                                ranker.rank_from(&run, nominal.order(), &mut s, &mut ranks);
                            } else {
                                ranker.rank_into(&run, &mut s, &mut ranks);
                            }
                            checked[s.swaps.is_some() as usize] += 1;
                            let mut buf = KendallScratch::default();
                            let fast = nominal.kendall_counts(&ranks, &s, &mut buf);
                            let run = RunRanks {
                                ranks: &ranks,
                                average: &s.fractional,
                            };
                            let want = (KENDALL.reference)(&nominal, run);
                            assert_eq!(fast.map(|c| c as i64), want, "{method:?} n {n}");
                        }
                    }
                }
            }
        }
        assert!(checked.iter().all(|&c| c > 100), "both forms: {checked:?}");
    }

    #[test]
    fn summaries_from_histograms_equal_summaries_of_the_values() {
        let mut seed = 3;
        let n = 25;
        let (nr, _) = ranks_of(&scores(&mut seed, n, Some(8)));
        let nominal = Nominal::new(&nr);
        let mut hists = vec![KeyHistogram::default(); STATISTICS.len()];
        let mut values = vec![Vec::new(); STATISTICS.len()];
        for _ in 0..3000 {
            let (r, a) = ranks_of(&scores(&mut seed, n, Some(8)));
            let keys = reference_keys(
                &nominal,
                RunRanks {
                    ranks: &r,
                    average: &a,
                },
            );
            for (i, stat) in STATISTICS.iter().enumerate() {
                hists[i].add(keys[i]);
                values[i].push((stat.value)(&nominal, keys[i]));
            }
        }
        for (i, stat) in STATISTICS.iter().enumerate() {
            let from_hist = hists[i].summary(&nominal, stat);
            let direct = super::super::analyze::summarise(&values[i]);
            assert_eq!(
                [from_hist.q05, from_hist.median, from_hist.q95],
                [direct.q05, direct.median, direct.q95],
                "{}",
                stat.name
            );
            assert!((from_hist.mean - direct.mean).abs() < 1e-12);
            let json = serde_json::to_string(&hists[i]).unwrap();
            let back: KeyHistogram = serde_json::from_str(&json).unwrap();
            assert_eq!(back, hists[i]);
        }
    }
}
