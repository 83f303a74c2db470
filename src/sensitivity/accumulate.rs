//! Streaming Monte Carlo accumulators: exact per-unit rank histograms,
//! exact sums of the score deviations, and exact histograms of the per-run
//! statistics ([`super::statistic`]). Runs are grouped in fixed chunks of
//! [`CHUNK`](super::partial::CHUNK) runs (they define the random streams);
//! everything kept is an integer count or an exact sum, merged in any
//! order, so threads, shards and merges all give identical results, and
//! memory does not grow with the number of runs.

use super::exact::ExactSum;
use super::kernel::{BLOCK_RUNS, ProvenBlock, ProvenRun};
use super::partial::{Bins, McHeader};
use super::statistic::{self, KeyHistogram, Nominal, RunCounts, RunKeys, RunRanks, STATISTICS};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The score sums of one chunk's runs, added in run order (so a chunk's
/// sums do not depend on the thread that ran it), then added exactly to
/// the tally's.
#[derive(Debug, Clone)]
pub struct ChunkStats {
    /// Successful runs.
    pub count: u64,
    /// Per-unit sums of (score - nominal score) and of its square.
    sum: Vec<f64>,
    /// See `sum`.
    sum_sq: Vec<f64>,
    /// Runs added by their weights ([`ChunkStats::add_linear`]): their
    /// scores' linear form, and the sums of their weight deviations from
    /// nominal and of their outer products (k x k), folded into `sum` and
    /// `sum_sq` by [`ChunkStats::close`].
    linear: Option<Arc<LinearScores>>,
    weight_sum: Vec<f64>,
    weight_products: Vec<f64>,
    /// Deviations not yet added to those sums (rows of whole tiles).
    pending: Vec<f64>,
}

/// Deviation rows added to the outer products at a time.
const GRAM_ROWS: usize = 32;
/// Columns per register tile of those products.
const GRAM_TILE: usize = 8;

/// A run's index scores, as they are recorded.
#[derive(Debug, Clone, Copy)]
pub enum RunScores<'a> {
    /// Every unit's score (units in nominal order).
    Full(&'a [f64]),
    /// The run's effective weights, its scores being their linear form.
    Linear(&'a [f64], &'a Arc<LinearScores>),
}

/// Index scores that are one linear form of a run's effective weights,
/// `score[u] = sum_j w[j] x[j][u]` (a single product over complete data):
/// a run's score deviations from nominal, `sum_j (w[j] - w0[j]) x[j][u]`,
/// are then summed over runs from the sums of the weight deviations and of
/// their outer products alone ([`ChunkStats::add_linear`]). Each unit's
/// values are centred on their mean `c`: with `d` the deviations and `s`
/// their sum, `d . x = d . (x - c) + c s`, and `s` (0 up to rounding when
/// shares sum to 1) is summed as a column of its own, so a unit whose
/// values are all equal gets exactly no spread, and the others lose no
/// digits to `c`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinearScores {
    /// Units.
    n: usize,
    /// Weights (columns).
    k: usize,
    /// The values less their unit's mean, column-major: column j's units
    /// from `j * n`.
    centred: Vec<f64>,
    /// Each unit's mean value.
    centre: Vec<f64>,
    /// The nominal effective weights `w0`.
    nominal: Vec<f64>,
}

impl LinearScores {
    /// The linear form of `k` columns over `n` units (`values` column by
    /// column) around the nominal weights `nominal`.
    pub fn new(n: usize, k: usize, values: &[f64], nominal: Vec<f64>) -> Self {
        assert!(values.len() == k * n && nominal.len() == k && k > 0);
        let centre: Vec<f64> = (0..n)
            .map(|u| (0..k).map(|j| values[j * n + u]).sum::<f64>() / k as f64)
            .collect();
        let mut centred = values.to_vec();
        for column in centred.chunks_exact_mut(n) {
            for (x, &c) in column.iter_mut().zip(&centre) {
                *x -= c;
            }
        }
        LinearScores {
            n,
            k,
            centred,
            centre,
            nominal,
        }
    }

    /// Column j's centred values.
    fn column(&self, j: usize) -> &[f64] {
        &self.centred[j * self.n..(j + 1) * self.n]
    }

    /// Columns summed: the weights and their sum.
    fn width(&self) -> usize {
        self.k + 1
    }
}

impl ChunkStats {
    /// Empty sums for `units` units.
    pub fn new(units: usize) -> Self {
        ChunkStats {
            count: 0,
            sum: vec![0.0; units],
            sum_sq: vec![0.0; units],
            linear: None,
            weight_sum: Vec::new(),
            weight_products: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// Adds one successful run whose scores are `linear` of its effective
    /// `weights` (not computed: see [`LinearScores`]).
    pub fn add_linear(&mut self, weights: &[f64], linear: &Arc<LinearScores>) {
        let (k, m) = (linear.k, linear.width());
        assert_eq!(weights.len(), k, "one weight per column");
        if self.linear.is_none() {
            self.linear = Some(Arc::clone(linear));
            self.weight_sum = vec![0.0; m];
            self.weight_products = vec![0.0; m * m];
        }
        debug_assert!(self.linear.as_deref() == Some(&**linear));
        self.count += 1;
        // The deviations and their sum, a row of the pending block
        // (columns padded to whole tiles with zeros).
        let width = m.next_multiple_of(GRAM_TILE);
        let at = self.pending.len();
        self.pending.resize(at + width, 0.0);
        let row = &mut self.pending[at..at + m];
        for ((x, &w), &w0) in row.iter_mut().zip(weights).zip(&linear.nominal) {
            *x = w - w0;
        }
        row[k] = lane_sum(&row[..k]);
        if self.pending.len() == GRAM_ROWS * width {
            self.add_pending();
        }
    }

    /// Adds the pending deviations to the sums and the outer products.
    fn add_pending(&mut self) {
        let Some(linear) = &self.linear else { return };
        let (k, rows) = (linear.width(), &self.pending);
        add_gram(&mut self.weight_sum, &mut self.weight_products, rows, k);
        self.pending.clear();
    }

    /// Adds one successful run's scores, as deviations from the nominal
    /// scores (small numbers: no cancellation when squared and summed).
    pub fn add_scores(&mut self, scores: &[f64], nominal: &[f64]) {
        self.count += 1;
        add_deviations(&mut self.sum, &mut self.sum_sq, scores, nominal);
    }

    /// Ends the chunk: per-unit sums of the score deviations from nominal
    /// and of their squares.
    pub fn close(mut self) -> (Vec<f64>, Vec<f64>) {
        self.add_pending();
        if let Some(linear) = self.linear.take() {
            // Per unit, x . sum d and x' (sum d d') x: the runs' summed
            // deviations and squared deviations.
            let (s, g) = (&self.weight_sum, &self.weight_products);
            fold_linear(&linear, s, g, &mut self.sum, &mut self.sum_sq);
        }
        (self.sum, self.sum_sq)
    }
}

/// The sum of `x` in four interleaved partial sums (element i into sum
/// i % 4), combined as (0 + 1) + (2 + 3): the same bits whatever the
/// vector width, with a quarter of the additions in a chain.
#[inline(always)]
fn lane_sum(x: &[f64]) -> f64 {
    let mut part = [0.0f64; 4];
    let (whole, rest) = x.as_chunks::<4>();
    for c in whole {
        for l in 0..4 {
            part[l] += c[l];
        }
    }
    for (p, &y) in part.iter_mut().zip(rest) {
        *p += y;
    }
    (part[0] + part[1]) + (part[2] + part[3])
}

crate::cpu::multiversion! {
    /// Adds `x - c` to `sum` and its square to `sum_sq`, element by element
    /// (the same sums, bit for bit, whatever the vector width).
    fn add_deviations(sum: &mut [f64], sum_sq: &mut [f64], x: &[f64], c: &[f64]) {
        for (((s, q), &x), &c) in sum.iter_mut().zip(sum_sq.iter_mut()).zip(x).zip(c) {
            let d = x - c;
            *s += d;
            *q += d * d;
        }
    }
}

crate::cpu::multiversion! {
    /// Adds the rows of `rows` (each `k` deviations padded with zeros to
    /// whole tiles of [`GRAM_TILE`]) to `sum` and their outer products to
    /// `products` (k x k, row-major; the matrix is symmetric, so row i holds
    /// only the columns from its own tile on: see [`gram_at`]): for each
    /// [`GRAM_ROWS_AT_ONCE`] rows i of a tile and up to four tiles of columns,
    /// the products accumulate in registers over all the rows (independent
    /// chains; each entry summed row after row).
    fn add_gram(sum: &mut [f64], products: &mut [f64], rows: &[f64], k: usize) {
        const T: usize = GRAM_TILE;
        let width = k.next_multiple_of(T);
        for row in rows.chunks_exact(width) {
            for (s, &d) in sum.iter_mut().zip(row) {
                *s += d;
            }
        }
        for i in (0..k).step_by(GRAM_ROWS_AT_ONCE) {
            for j in (i / T * T..width).step_by(4 * T) {
                match (width - j) / T {
                    1 => gram_tiles::<1>(products, rows, k, i, j),
                    2 => gram_tiles::<2>(products, rows, k, i, j),
                    3 => gram_tiles::<3>(products, rows, k, i, j),
                    _ => gram_tiles::<4>(products, rows, k, i, j),
                }
            }
        }
    }
}

/// Deviations i of [`add_gram`] whose products accumulate together (in
/// one tile: [`GRAM_TILE`] is a multiple).
const GRAM_ROWS_AT_ONCE: usize = 4;

/// Adds to `products` the outer products of deviations `i0..` ([`GRAM_ROWS_AT_ONCE`],
/// those below `k`) with `G` tiles of columns from `j0`, over all the
/// rows (of the padded width: deviations `i0..` are in it).
#[inline(always)]
fn gram_tiles<const G: usize>(products: &mut [f64], rows: &[f64], k: usize, i0: usize, j0: usize) {
    const T: usize = GRAM_TILE;
    const I: usize = GRAM_ROWS_AT_ONCE;
    let width = k.next_multiple_of(T);
    let mut acc = [[[0.0f64; T]; G]; I];
    for row in rows.chunks_exact(width) {
        let d: &[f64; I] = row[i0..i0 + I].try_into().expect("in the padded row");
        let tiles: &[f64] = &row[j0..j0 + G * T];
        for (a, &di) in acc.iter_mut().zip(d) {
            for (ag, tile) in a.iter_mut().zip(tiles.chunks_exact(T)) {
                for l in 0..T {
                    ag[l] += di * tile[l];
                }
            }
        }
    }
    for (ii, a) in acc.iter().enumerate().take(k - i0) {
        let i = i0 + ii;
        for (g, ag) in a.iter().enumerate() {
            for (l, &x) in ag.iter().enumerate() {
                let j = j0 + g * T + l;
                if j < k {
                    products[i * k + j] += x;
                }
            }
        }
    }
}

/// Entry (i, j) of the symmetric outer products [`add_gram`] keeps.
#[inline(always)]
fn gram_at(products: &[f64], k: usize, i: usize, j: usize) -> f64 {
    if j >= i / GRAM_TILE * GRAM_TILE {
        products[i * k + j]
    } else {
        products[j * k + i]
    }
}

crate::cpu::multiversion! {
    /// Adds, per unit u, its summed score deviations `x_u . s` to `sum[u]`
    /// and summed squares `x_u' G x_u` to `sum_sq[u]` (`s` and `G` =
    /// `products`: the sums of the deviation rows and of their outer products,
    /// the deviations' sum as the last column), in the centred form of
    /// [`LinearScores`]: with `y` the centred values and `c` the centre,
    /// `y . s + c s_k` and `y' G y + 2 c y' G_k + c^2 G_kk`.
    fn fold_linear(
        linear: &LinearScores,
        s: &[f64],
        products: &[f64],
        sum: &mut [f64],
        sum_sq: &mut [f64],
    ) {
        let (k, m) = (linear.k, linear.width());
        let mut product = vec![0.0; linear.n];
        for (i, &si) in s.iter().enumerate().take(k) {
            product.fill(0.0);
            for j in 0..k {
                let g = gram_at(products, m, i, j);
                for (y, &x) in product.iter_mut().zip(linear.column(j)) {
                    *y += g * x;
                }
            }
            let (yi, gik) = (linear.column(i), 2.0 * gram_at(products, m, i, k));
            for ((((a, q), &y), &p), &c) in sum
                .iter_mut()
                .zip(sum_sq.iter_mut())
                .zip(yi)
                .zip(&product)
                .zip(&linear.centre)
            {
                *a += si * y;
                *q += y * (p + gik * c);
            }
        }
        let (sk, gkk) = (s[k], gram_at(products, m, k, k));
        for ((a, q), &c) in sum.iter_mut().zip(sum_sq.iter_mut()).zip(&linear.centre) {
            *a += sk * c;
            *q += gkk * c * c;
        }
    }
}

crate::cpu::multiversion! {
    /// Sums of |q - order[q]| and of its square: how far a run's units moved
    /// from their nominal positions.
    fn displacements(order: &[u32]) -> (u64, u64) {
        let (mut shift, mut squares) = (0u64, 0u64);
        for (q, &p) in order.iter().enumerate() {
            let d = (q as u64).abs_diff(p as u64);
            shift += d;
            squares += d * d;
        }
        (shift, squares)
    }
}

/// Per-thread (or per-shard) tallies of Monte Carlo runs: integer
/// histograms, counts and exact sums, merged in any order.
#[derive(Debug, Clone)]
pub struct Tally {
    /// Rank histograms, units x bins (the layout of [`McPartial::hist`](super::partial::McPartial::hist)).
    pub hist: Vec<u32>,
    /// Runs where the top-k set equals the nominal one, per k.
    pub top_k_same: Vec<u64>,
    /// Failed runs by reason.
    pub failures: BTreeMap<String, u64>,
    /// Successful runs.
    pub successful: u64,
    /// Per unit, the exact sums of the score deviations from nominal and
    /// of their squares.
    pub score_sum: Vec<ExactSum>,
    /// See `score_sum`.
    pub score_sum_sq: Vec<ExactSum>,
    /// Per statistic of [`STATISTICS`], the histogram of its keys.
    pub statistics: Vec<KeyHistogram>,
}

impl Tally {
    /// Adds another tally's counts and sums.
    pub fn absorb(&mut self, b: Tally) {
        for (x, y) in self.hist.iter_mut().zip(&b.hist) {
            *x += y;
        }
        for (x, y) in self.top_k_same.iter_mut().zip(&b.top_k_same) {
            *x += y;
        }
        for (k, v) in b.failures {
            *self.failures.entry(k).or_default() += v;
        }
        self.successful += b.successful;
        for (x, y) in self.score_sum.iter_mut().zip(&b.score_sum) {
            x.absorb(y);
        }
        for (x, y) in self.score_sum_sq.iter_mut().zip(&b.score_sum_sq) {
            x.absorb(y);
        }
        for (x, y) in self.statistics.iter_mut().zip(&b.statistics) {
            x.absorb(y);
        }
    }

    fn add_keys(&mut self, keys: &RunKeys) {
        for (h, &k) in self.statistics.iter_mut().zip(keys) {
            h.add(k);
        }
    }
}

/// What every run is compared with, computed once per analysis; records
/// runs into a [`Tally`] and the current chunk's [`ChunkStats`].
#[derive(Debug, Clone)]
pub struct RunRecorder {
    bins: Bins,
    /// Bin of rank q + 1 (runs without ties).
    bin_at: Vec<u32>,
    top_k: Vec<usize>,
    /// The indices of `top_k`, k ascending.
    top_k_ascending: Vec<usize>,
    nominal_scores: Vec<f64>,
    nominal_ranks: Vec<f64>,
    /// Whether position q's bin is q (exact histograms).
    bins_are_positions: bool,
    /// The nominal ranking as the run statistics see it.
    nominal: Nominal,
    /// Per k, whether each unit is in the nominal top k.
    nominal_top: Vec<Vec<bool>>,
    /// Whether run statistics come from their reference definitions
    /// alone (`--engine reference`).
    reference: bool,
}

impl RunRecorder {
    /// A recorder for an analysis (its header gives units and binning);
    /// `reference`: every run statistic from its reference definition.
    pub fn new(h: &McHeader, reference: bool) -> RunRecorder {
        let bins = Bins::of(h);
        let n = h.units.len();
        let nominal_ranks: Vec<f64> = h.units.iter().map(|u| u.nominal_rank).collect();
        let bin_at: Vec<u32> = (0..n).map(|q| bins.bin_of((q + 1) as f64) as u32).collect();
        RunRecorder {
            bins,
            bins_are_positions: bin_at.iter().enumerate().all(|(q, &b)| b as usize == q),
            bin_at,
            top_k: h.top_k.clone(),
            top_k_ascending: {
                let mut order: Vec<usize> = (0..h.top_k.len()).collect();
                order.sort_by_key(|&j| h.top_k[j]);
                order
            },
            nominal_scores: h.units.iter().map(|u| u.nominal_score).collect(),
            nominal_top: h
                .top_k
                .iter()
                .map(|&k| nominal_ranks.iter().map(|&r| r <= k as f64).collect())
                .collect(),
            nominal: Nominal::new(&nominal_ranks),
            nominal_ranks,
            reference,
        }
    }

    /// Empty tallies.
    pub fn tally(&self) -> Tally {
        let n = self.nominal_ranks.len();
        Tally {
            hist: vec![0; n * self.bins.count()],
            top_k_same: vec![0; self.top_k.len()],
            failures: BTreeMap::new(),
            successful: 0,
            score_sum: vec![ExactSum::default(); n],
            score_sum_sq: vec![ExactSum::default(); n],
            statistics: vec![KeyHistogram::default(); STATISTICS.len()],
        }
    }

    /// Empty sums for a chunk.
    pub fn chunk(&self) -> ChunkStats {
        ChunkStats::new(self.nominal_ranks.len())
    }

    /// Ends a chunk and adds its sums.
    pub fn close(&self, t: &mut Tally, stats: ChunkStats) {
        t.successful += stats.count;
        let (sum, sum_sq) = stats.close();
        for (acc, &x) in t.score_sum.iter_mut().zip(&sum) {
            acc.add(x);
        }
        for (acc, &x) in t.score_sum_sq.iter_mut().zip(&sum_sq) {
            acc.add(x);
        }
    }

    /// Records a failed run.
    pub fn failure(&self, t: &mut Tally, reason: String) {
        *t.failures.entry(reason).or_default() += 1;
    }

    /// Records a run's statistics: from `counts` (or, for a statistic
    /// without a fast form and with `--engine reference`, from the ranks
    /// `ranks` gives: ranks and average ranks, units in nominal order).
    fn record_statistics(
        &self,
        t: &mut Tally,
        counts: &RunCounts,
        ranks: impl FnOnce() -> (Vec<f64>, Vec<f64>),
    ) {
        let keys = if self.reference {
            let (r, a) = ranks();
            statistic::reference_keys(
                &self.nominal,
                RunRanks {
                    ranks: &r,
                    average: &a,
                },
            )
        } else {
            statistic::run_keys(&self.nominal, counts, ranks)
        };
        t.add_keys(&keys);
    }

    /// Records a run given every unit's rank, its average ranks and its
    /// Kendall counts with the nominal ranking (discordant pairs, pairs the
    /// run ties, pairs tied on both sides).
    pub fn ranked(
        &self,
        t: &mut Tally,
        stats: &mut ChunkStats,
        scores: &[f64],
        ranks: &[f64],
        average: &[f64],
        kendall: [u64; 3],
    ) {
        let bins = self.bins.count();
        for (u, &r) in ranks.iter().enumerate() {
            t.hist[u * bins + self.bins.bin_of(r)] += 1;
        }
        stats.add_scores(scores, &self.nominal_scores);
        for (j, &k) in self.top_k.iter().enumerate() {
            // Counted without an early exit (the loop vectorises).
            let k = k as f64;
            let moved = ranks
                .iter()
                .zip(&self.nominal_top[j])
                .filter(|&(&r, &t)| (r <= k) != t)
                .count();
            if moved == 0 {
                t.top_k_same[j] += 1;
            }
        }
        let [discordant, run_tie_pairs, joint_tie_pairs] = kendall.map(|c| c as i64);
        let (average_products, average_squares) = self.nominal.average_sums(average);
        let counts = RunCounts {
            twice_shift: self.nominal.twice_shift(ranks),
            average_products,
            average_squares,
            discordant,
            run_tie_pairs,
            joint_tie_pairs,
        };
        self.record_statistics(t, &counts, || (ranks.to_vec(), average.to_vec()));
    }

    /// Records a run without ties whose units (nominal positions) are in
    /// rank order in `order`, `swaps` pairs away from the nominal order.
    /// Only valid when the nominal ranking has no ties either (nominal rank
    /// of position p = p + 1). Gives the same figures as
    /// [`RunRecorder::ranked`] (shift and Kendall exactly, Spearman to
    /// rounding) without a pass over unit-indexed ranks.
    pub fn sorted(
        &self,
        t: &mut Tally,
        stats: &mut ChunkStats,
        scores: RunScores<'_>,
        order: &[u32],
        swaps: u64,
    ) {
        let bins = self.bins.count();
        for (&p, &bin) in order.iter().zip(&self.bin_at) {
            t.hist[p as usize * bins + bin as usize] += 1;
        }
        let n = order.len();
        for (j, &k) in self.top_k.iter().enumerate() {
            if k >= n || order[..k].iter().all(|&p| (p as usize) < k) {
                t.top_k_same[j] += 1;
            }
        }
        let (shift, squares) = displacements(order);
        self.untied(t, stats, scores, [shift, squares, swaps], || {
            let mut ranks = vec![0.0; n];
            for (q, &p) in order.iter().enumerate() {
                ranks[p as usize] = (q + 1) as f64;
            }
            ranks
        });
    }

    /// Records a run proven in a keyed block as [`RunRecorder::sorted`]
    /// does, but for its histogram and top-k sets (recorded with its block
    /// by [`RunRecorder::proven_block`]).
    pub fn proven(
        &self,
        t: &mut Tally,
        stats: &mut ChunkStats,
        scores: RunScores<'_>,
        run: &ProvenRun<'_>,
    ) {
        let figures = [run.shift, run.squares, run.swaps];
        self.untied(t, stats, scores, figures, || {
            run.positions().map(|q| (q + 1) as f64).collect()
        });
    }

    /// The scores and statistics of a run without ties: `figures` are the
    /// sums of the units' |rank - nominal rank| and of its square, and the
    /// discordant pairs; `ranks` gives the run's ranks if a statistic needs
    /// them.
    fn untied(
        &self,
        t: &mut Tally,
        stats: &mut ChunkStats,
        scores: RunScores<'_>,
        [shift, squares, swaps]: [u64; 3],
        ranks: impl FnOnce() -> Vec<f64>,
    ) {
        match scores {
            RunScores::Full(scores) => stats.add_scores(scores, &self.nominal_scores),
            RunScores::Linear(weights, linear) => stats.add_linear(weights, linear),
        }
        let counts = RunCounts::untied(&self.nominal, shift, squares, swaps);
        self.record_statistics(t, &counts, || {
            let r = ranks();
            (r.clone(), r)
        });
    }

    /// The histograms and top-k sets of the runs of a keyed block that
    /// were proven (see [`ProvenBlock`]; their other figures are recorded
    /// run by run by [`RunRecorder::proven`]): unit by unit, the block's
    /// updates of a unit's row of counters fall near its nominal position,
    /// in a few cache lines.
    pub fn proven_block(&self, t: &mut Tally, block: &ProvenBlock<'_>) {
        let (bins, rows) = (self.bins.count(), block.positions());
        if self.bins_are_positions && block.run_mask() == u32::MAX {
            // Every run proven, positions as bins (the common case): the
            // same updates with a fixed trip count (a third of the
            // instructions of the general case below).
            add_positions(&mut t.hist, bins, rows, 0..BLOCK_RUNS, |q| q as usize);
        } else {
            let bin = |q: u32| self.bin_at[q as usize] as usize;
            add_positions(&mut t.hist, bins, rows, block.runs(), bin);
        }
        self.add_top_k(t, block);
    }

    /// Counts the proven runs of a block whose top-k sets are the nominal
    /// ones: the first k units (nominal order) at the first k positions,
    /// that is (positions are distinct) the greatest of their positions
    /// below k. One running maximum over the units serves every k.
    fn add_top_k(&self, t: &mut Tally, block: &ProvenBlock<'_>) {
        let (n, mask) = (self.bin_at.len(), block.run_mask());
        let rows = block.positions();
        let mut high = [0u32; BLOCK_RUNS];
        let mut seen = 0;
        for &j in &self.top_k_ascending {
            let k = self.top_k[j];
            let same = if k == 0 || k >= n {
                mask.count_ones()
            } else {
                for lanes in &rows[seen..k] {
                    for (h, &q) in high.iter_mut().zip(lanes) {
                        *h = (*h).max(q);
                    }
                }
                seen = seen.max(k);
                (0..BLOCK_RUNS)
                    .filter(|&l| mask >> l & 1 == 1 && (high[l] as usize) < k)
                    .count() as u32
            };
            t.top_k_same[j] += same as u64;
        }
    }
}

/// Adds each unit's positions (`rows`, units in nominal order) in the runs
/// `runs` to its histogram row (`bins` counters, position q into bin
/// `bin(q)`): four units at a time, their updates interleaved, since a
/// unit's runs often share a position and updates of one counter in a row
/// would wait on each other.
#[inline(always)]
fn add_positions(
    hist: &mut [u32],
    bins: usize,
    rows: &[[u32; BLOCK_RUNS]],
    runs: impl Iterator<Item = usize> + Clone,
    bin: impl Fn(u32) -> usize,
) {
    const G: usize = 4;
    for (group, hist) in rows.chunks(G).zip(hist.chunks_mut(G * bins)) {
        if let ([a, b, c, d], true) = (group, hist.len() == G * bins) {
            let (ha, rest) = hist.split_at_mut(bins);
            let (hb, rest) = rest.split_at_mut(bins);
            let (hc, hd) = rest.split_at_mut(bins);
            for r in runs.clone() {
                ha[bin(a[r])] += 1;
                hb[bin(b[r])] += 1;
                hc[bin(c[r])] += 1;
                hd[bin(d[r])] += 1;
            }
            continue;
        }
        for (lanes, h) in group.iter().zip(hist.chunks_mut(bins)) {
            for r in runs.clone() {
                h[bin(lanes[r])] += 1;
            }
        }
    }
}
