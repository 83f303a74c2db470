//! The fast path's kernels, kept free of pipeline types so they can be
//! tested against plain reference code:
//!
//! - [`KeyKernel`]: the index scores of a block of runs, when they are one
//!   linear form of the indicators (`super::block`), as one product in
//!   single precision, straight into the layout the counting reads, with a
//!   rigorous per-run error margin.
//! - [`BlockRanker`]: ranks a block of runs by counting, within learned
//!   windows of neighbours, the units each unit overtook or was overtaken
//!   by, checked exactly (on the full scores, or, in a keyed block, proven
//!   on the keys and their margin, [`BlockRanker::rank_keyed`]); runs that
//!   fail the check go to [`SortedRun`].
//! - [`SortedRun`]: ranks one run's scores by an insertion sort of packed
//!   integer keys started from the nominal order (a perturbed run is nearly
//!   in that order), fixes the order of scores that differ only in the
//!   truncated bits, then checks the result exactly on the full scores: when
//!   two neighbours tie (within [`TIE_TOLERANCE`]) it gives up and the
//!   caller ranks with the general
//!   [`crate::pipeline::rank::Ranker`]. When it succeeds the ranks are exactly
//!   the ranker's: positions 1..n, no ties.

use crate::cpu::{self, Isa};
use crate::pipeline::rank::TIE_TOLERANCE;
use crate::sensitivity::analyze::count_position_inversions;
use std::sync::Arc;

/// Single-precision scores of a block of runs, laid out as
/// [`BlockRanker`] counts them (unit-major, the runs side by side), with a
/// per-run bound on how far they can be from the double-precision scores
/// (the linear form summed in indicator order): half the work of a
/// double-precision product, and no conversion pass. The ranker proves each run's order on them
/// ([`BlockRanker::rank_keyed`]): gaps wider than the bound need nothing
/// more, narrower ones are settled on the two units' full scores.
#[derive(Debug, Clone)]
pub struct KeyKernel {
    /// Units.
    n: usize,
    /// Indicators.
    k: usize,
    /// Values, unit-major (n x k), rounded to single precision.
    values: Vec<f32>,
    /// Per indicator, the largest magnitude of its centred, rounded values.
    largest: Vec<f64>,
    /// Per indicator, the largest magnitude of its values.
    magnitude: Vec<f64>,
}

/// Unit rounding of single precision.
const F32_UNIT: f64 = 1.0 / (1u64 << 24) as f64;
/// The smallest positive single-precision number (the absolute error a
/// product or sum that underflows can add).
const F32_TINY: f64 = 1.401298464324817e-45;
/// Largest magnitude of values and weights the keys accept (far from the
/// single-precision overflow, whatever the sums).
const KEY_RANGE: f64 = 1e30;

/// Whether a value or weight is finite and in [`KEY_RANGE`].
#[inline(always)]
fn in_key_range(v: f64) -> bool {
    v.abs() <= KEY_RANGE
}

/// Whether `gap` exceeds `wide` (false for NaN).
#[inline(always)]
fn wider(gap: f32, wide: f32) -> bool {
    gap > wide
}

impl KeyKernel {
    /// A key kernel over `values` (unit-major, `n` x `k`), or None when a
    /// value is not finite or too large for single-precision keys. Each
    /// column is centred on its midrange before rounding: that shifts every
    /// unit's key in a run by the same amount (the order is the same), and
    /// halves the magnitudes the error bound grows with (values 0-100:
    /// at most 50, not 100), so fewer neighbours need their full scores.
    pub fn new(unit_major: &[f64], n: usize, k: usize) -> Option<KeyKernel> {
        assert_eq!(unit_major.len(), n * k, "values are n x k");
        if !unit_major.iter().all(|&v| in_key_range(v)) || n > u32::MAX as usize || n == 0 {
            return None;
        }
        let rows = || unit_major.chunks_exact(k.max(1)).take(n);
        let mut low = vec![f64::INFINITY; k];
        let mut high = vec![f64::NEG_INFINITY; k];
        for row in rows() {
            for ((a, b), &v) in low.iter_mut().zip(high.iter_mut()).zip(row) {
                (*a, *b) = (a.min(v), b.max(v));
            }
        }
        let middle: Vec<f64> = low
            .iter()
            .zip(&high)
            .map(|(a, b)| a / 2.0 + b / 2.0)
            .collect();
        let values: Vec<f32> = rows()
            .flat_map(|row| row.iter().zip(&middle).map(|(&v, &m)| (v - m) as f32))
            .collect();
        let mut largest = vec![0.0f64; k];
        for row in values.chunks_exact(k.max(1)) {
            for (m, &v) in largest.iter_mut().zip(row) {
                *m = m.max(v.abs() as f64);
            }
        }
        let magnitude = low
            .iter()
            .zip(&high)
            .map(|(a, b)| a.abs().max(b.abs()))
            .collect();
        Some(KeyKernel {
            n,
            k,
            values,
            largest,
            magnitude,
        })
    }

    /// Writes the keys of `rows` runs (at most [`BLOCK_RUNS`]) whose
    /// effective weights are `weights` (k rows of [`BLOCK_RUNS`] lanes, a
    /// lane per run; lanes past `rows` unused) into `keys`
    /// (`n` rows of [`BLOCK_RUNS`] lanes, lower = better: scores negated
    /// when `highest_best`; lanes past `rows` hold zeros), and each run's
    /// margin into `margins`: when two units' keys differ by more than
    /// it, their full scores (the double-precision sums) are in the
    /// same order and apart beyond [`TIE_TOLERANCE`]. Returns false when a
    /// weight is not finite or too large (the keys are then unusable).
    pub fn keys(
        &self,
        weights: &[f64],
        rows: usize,
        highest_best: bool,
        lanes: &mut Aligned<f32>,
        keys: &mut Aligned<f32>,
        margins: &mut Vec<f64>,
    ) -> bool {
        const L: usize = BLOCK_RUNS;
        let k = self.k;
        assert!(rows <= L && weights.len() == k * L, "k rows of lanes");
        // Every weight checked (no early exit: vectorised).
        let in_range = weights.chunks_exact(L).fold(true, |ok, lanes| {
            lanes[..rows].iter().fold(ok, |ok, &w| ok & in_key_range(w))
        });
        if !in_range {
            return false;
        }
        let sign = if highest_best { -1.0 } else { 1.0 };
        self.lanes_and_margins(weights, rows, sign, lanes, margins);
        // Every row is written by the product.
        keys.resize(self.n * L);
        key_product(&self.values, k, lanes, keys);
        true
    }

    /// The weights of [`KeyKernel::keys`] times `sign`, in single precision
    /// into `lanes` (zeros past `rows`), and each run's margin into
    /// `margins`.
    #[inline(always)]
    fn lanes_and_margins(
        &self,
        weights: &[f64],
        rows: usize,
        sign: f64,
        lanes: &mut Aligned<f32>,
        margins: &mut Vec<f64>,
    ) {
        const L: usize = BLOCK_RUNS;
        let k = self.k;
        lanes.resize(k * L);
        for (to, from) in lanes.chunks_exact_mut(L).zip(weights.chunks_exact(L)) {
            for l in 0..L {
                to[l] = if l < rows {
                    (sign * from[l]) as f32
                } else {
                    0.0
                };
            }
        }
        // Per run, |key - (score - c)| <= (k + 3) u sum |w x| (+ underflow),
        // x the centred values and c the same for every unit, from the
        // roundings of the weights and the centred values and the k-term
        // sum in single precision; the double-precision scores are within
        // (k + 1) 2^-53 sum |w v| of theirs, v the values. The sums lane by
        // lane (vectorised).
        let (mut size, mut full, mut total) = ([0.0f64; L], [0.0f64; L], [0.0f64; L]);
        for (j, row) in lanes.chunks_exact(L).enumerate() {
            let (c, v) = (self.largest[j], self.magnitude[j]);
            for l in 0..L {
                let a = row[l].abs() as f64;
                size[l] += a * c;
                // |w| within a unit rounding of the weight's: the 1% below.
                full[l] += a * v;
                total[l] += a;
            }
        }
        margins.clear();
        margins.extend((0..rows).map(|l| {
            let error = 1.01
                * ((k + 3) as f64 * F32_UNIT * size[l]
                    + (k + 2) as f64 * F32_TINY * (1.0 + total[l]));
            let double = 1.01 * (k + 1) as f64 * f64::EPSILON / 2.0 * full[l];
            // Two keys further apart than twice both errors (plus the tie
            // tolerance of scores of magnitude at most `full`, with room)
            // order their scores, apart, the same way.
            1.001 * (2.0 * (error + double) + TIE_TOLERANCE * 1.01 * full[l])
        }));
    }
}

crate::cpu::multiversion! {
    /// `keys[p][l] = sum_j values[p][j] * lanes[j][l]` for every unit p.
    fn key_product(values: &[f32], k: usize, lanes: &[f32], keys: &mut [f32]) {
        const L: usize = BLOCK_RUNS;
        let lanes: &[[f32; L]] = lanes.as_chunks::<L>().0;
        let keys: &mut [[f32; L]] = keys.as_chunks_mut::<L>().0;
        for (p, key) in keys.iter_mut().enumerate() {
            let mut acc = [0.0f32; L];
            for (&x, w) in values[p * k..(p + 1) * k].iter().zip(lanes) {
                for l in 0..L {
                    acc[l] += x * w[l];
                }
            }
            *key = acc;
        }
    }
}

/// Order-preserving map of a double to an unsigned integer.
#[inline(always)]
fn ordered_bits(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 { !b } else { b | 1 << 63 }
}

/// Buffers and result of ranking one run with [`SortedRun::rank`].
#[derive(Debug, Clone, Default)]
pub struct SortedRun {
    keys: Vec<u64>,
    /// Nominal positions of the units in rank order (the unit at `order[q]`
    /// has rank q + 1).
    pub order: Vec<u32>,
    /// Unit pairs whose order changed from the nominal order (discordant
    /// pairs).
    pub swaps: u64,
    tree: Vec<u32>,
    /// Whether exactly equal scores are accepted (kept in nominal order,
    /// for a ranker to group): else a tie refuses the run.
    pub ties: bool,
}

impl SortedRun {
    /// Sorts `scores` (units in nominal order; `highest_best` when higher
    /// scores rank first) from the nominal order: by insertion, whose swaps
    /// are the discordant pairs, or, once that has cost more than a full
    /// sort would (runs far from the nominal order, many units), by a full
    /// sort and a count of inversions. Returns false, leaving the run to the
    /// general ranker, when any two neighbours tie within [`TIE_TOLERANCE`]
    /// or a score is not finite.
    pub fn rank(&mut self, scores: &[f64], highest_best: bool) -> bool {
        let n = scores.len();
        if n < 2 || n > u32::MAX as usize {
            return false;
        }
        let bits = usize::BITS - (n - 1).leading_zeros();
        let mask = (1u64 << bits) - 1;
        let sign = if highest_best { -1.0 } else { 1.0 };
        // Key = the score's order-preserving bits with the low bits replaced
        // by the nominal position: one integer compare per step, and the
        // position travels with it. Truncation can only reorder scores equal
        // in all but their last `bits` bits; the exact check below catches it.
        self.keys.clear();
        self.keys.extend(
            scores
                .iter()
                .enumerate()
                .map(|(p, &s)| (ordered_bits(sign * s) & !mask) | p as u64),
        );
        let keys = &mut self.keys;
        // Far from the nominal order (typical with many units), a full sort
        // and an inversion count are cheaper than more insertion.
        let limit = 8 * n as u64 + 1024;
        let mut swaps = Some(0u64);
        for i in 1..n {
            let x = keys[i];
            let mut j = i;
            while j > 0 && keys[j - 1] > x {
                keys[j] = keys[j - 1];
                j -= 1;
            }
            keys[j] = x;
            swaps = swaps.map(|s| s + (i - j) as u64).filter(|&s| s <= limit);
            if swaps.is_none() {
                keys.sort_unstable();
                break;
            }
        }
        self.order.clear();
        self.order
            .extend(keys.iter().map(|&key| (key & mask) as u32));
        self.swaps =
            swaps.unwrap_or_else(|| count_position_inversions(&self.order, &mut self.tree));
        // Exact check on the full scores, as the ranker decides ties, with
        // a fix-up: truncated keys can only misorder scores that share all
        // their high bits, which the packed sort left in nominal order.
        let key = |p: u32| sign * scores[p as usize];
        let Some(extra) = put_right(&mut self.order, key, self.ties) else {
            return false;
        };
        self.swaps += extra;
        true
    }
}

/// Puts `order` (nominal positions) right on the full keys `key` (lower
/// first) when it is in order but for units whose coarser keys (truncated
/// or quantised: a monotone map of the full key) tie and that were left in
/// nominal order: each such unit moves back past those it beats
/// (insertion, never past a unit of another coarse key), each step
/// reversing one more nominal pair. With `ties`, neighbours with exactly
/// equal keys are accepted in nominal order (the packed sort leaves them
/// so, and a moved unit stops behind them). Returns the discordant pairs
/// added, or None when two neighbours tie within [`TIE_TOLERANCE`] (but
/// are not accepted equal) or a key is not finite.
fn put_right(order: &mut [u32], key: impl Fn(u32) -> f64, ties: bool) -> Option<u64> {
    let n = order.len();
    let mut prev = key(*order.first()?);
    if !prev.is_finite() {
        return None;
    }
    let mut added = 0u64;
    let in_turn = |a: u32, b: u32| {
        let (ka, kb) = (key(a), key(b));
        apart(ka, kb) || (ties && ka == kb && ka.is_finite() && a < b)
    };
    for i in 1..n {
        let next = key(order[i]);
        if apart(prev, next) || (ties && next == prev && order[i - 1] < order[i]) {
            prev = next;
            continue;
        }
        if !apart(next, prev) {
            return None; // tied, or not finite
        }
        let x = order[i];
        let mut j = i;
        while j > 0 && next < key(order[j - 1]) {
            order[j] = order[j - 1];
            j -= 1;
        }
        order[j] = x;
        added += (i - j) as u64;
        if (j > 0 && !in_turn(order[j - 1], x)) || !apart(next, key(order[j + 1])) {
            return None;
        }
        prev = key(order[i]);
    }
    Some(added)
}

/// Whether key `b` ranks strictly after key `a` (lower keys rank first):
/// greater and not tied by the ranker's rule
/// ([`crate::pipeline::rank::nearly_equal`]); false for non-finite keys.
#[inline(always)]
fn apart(a: f64, b: f64) -> bool {
    b > a && !crate::pipeline::rank::nearly_equal(a, b)
}

/// Runs ranked together by a [`BlockRanker`] (the Monte Carlo block size).
pub const BLOCK_RUNS: usize = 32;
/// Pairs compared per unit on average above which counting would cost
/// more than sorting (a pair costs about 1/20 cycle per run, sorting from
/// the nominal order some 30 cycles per unit and more): wider windows are
/// not learned.
const WINDOW_BUDGET: usize = 256;
/// Refused (too wide) windows after which a ranker stops counting.
const MAX_REFUSED: u32 = 8;
/// Blocks in a row where most counted runs failed the check after which a
/// ranker stops counting (runs move too far for the windows to settle).
const MAX_POOR_BLOCKS: u32 = 32;

/// Ranks a block of runs by counting, falling back to [`SortedRun`].
///
/// A unit's rank is its nominal position, plus the units after it in the
/// nominal order that now beat it, minus the units before it that it now
/// beats. A perturbed run only reorders units close in the nominal order,
/// so each position compares its score with a window of later neighbours
/// instead of sorting, and each comparison counts at both ends (one more
/// for the earlier unit, one less for the later): branch-free, with the
/// block's runs side by side in vector lanes (one comparison of two
/// positions serves all the runs), two units at a time, on
/// scores rounded to single precision (twice the lanes per instruction),
/// or, in a keyed block, on 16-bit integer keys (twice again: see
/// `counts16` and [`BlockRanker::rank_keyed`]).
/// The windows are learned from the runs the sort ranked: the window of
/// position p reaches the farthest later unit seen to beat it.
///
/// Exactness does not rest on the windows nor on the rounding: the counted
/// positions are accepted only if they form a permutation whose full
/// scores are strictly in order (neighbours apart by more than
/// [`TIE_TOLERANCE`]), which makes them the true ranks. The forward counts,
/// summed, are then the discordant pairs: rounding is monotone, so a
/// comparison can only miss a discordant pair (outside the windows, or
/// rounded to equal scores), never invent one. Take the smallest unit
/// whose forward count missed a pair: its count could only be put right by
/// a pair missed at its backward end, but such a pair is one missed at its
/// (smaller) forward end too (a pair counts at both ends or at neither);
/// so its position would be wrong, and the check would have failed. Runs
/// that fail the check are sorted ([`SortedRun::rank`]) and teach the
/// windows at the next block; runs with ties go to the general ranker.
#[derive(Debug, Default)]
pub struct BlockRanker {
    /// The fallback, and the order of the run it ranked last.
    sorted: SortedRun,
    /// Per position, later positions compared (its window).
    later: Vec<u32>,
    /// Forward reach needed by the runs sorted in the current block.
    needed: Vec<u32>,
    /// Whether `needed` holds anything not learned yet.
    pending: bool,
    /// Whether windows have been learned (counting starts then).
    learned: bool,
    /// Windows refused as too wide; at [`MAX_REFUSED`] counting stops.
    refused: u32,
    /// Runs of the current block that were counted, and that passed.
    tried: u32,
    passed: u32,
    /// Blocks in a row where most counted runs failed; at
    /// [`MAX_POOR_BLOCKS`] counting stops.
    poor_blocks: u32,
    /// Keys of a keyed block (lower = better), single precision: n rows
    /// of [`BLOCK_RUNS`] lanes.
    keys: Aligned<f32>,
    /// A keyed block's keys as 16-bit integers (see [`fill_keys16`]): n
    /// rows of [`BLOCK_RUNS`] lanes.
    keys16: Aligned<i16>,
    /// Scratch of the 16-bit counting: per row, the least 16-bit key of
    /// that row and the rows after it (n + 1 rows).
    suffix_min: Aligned<i16>,
    /// Scratch of the 16-bit counting: per row, the counted positions as
    /// they build up.
    positions16: Aligned<i16>,
    /// Counted positions: n rows of [`BLOCK_RUNS`] lanes.
    counted: Aligned<u32>,
    /// Per lane, the summed forward counts.
    swaps: Vec<u32>,
    /// Per run of the block, whether a counted position fell outside.
    outside: Vec<bool>,
    /// Per run of a keyed block (bit r), whether it was proven.
    proven: u32,
    /// Per run of a keyed block, the keys in counted order (n each; NaN
    /// where no unit landed).
    placed: Vec<f32>,
    /// Per run of a keyed block, the sums of |counted - nominal position|
    /// and of its square over the units.
    moved: [(u64, u64); BLOCK_RUNS],
    /// Whether the current block was counted.
    in_block: bool,
    /// Whether it was counted on keys given by the caller (not a rounding
    /// of the full scores: see [`BlockRanker::rank_keyed`]).
    keyed: bool,
    /// Vector instructions for the counts.
    isa: Isa,
    /// Windows shared with the other rankers of an analysis, and the
    /// version of them last taken.
    shared: Option<Arc<SharedWindows>>,
    seen: u64,
}

/// A buffer of `len` elements starting on a cache line (64 bytes), so that
/// the vector rows of a block (64 bytes and more) never straddle two lines;
/// its elements as a slice. (The vector is longer by a line: the slice
/// starts where the line starts, wherever the allocation does.)
#[derive(Debug, Default)]
pub struct Aligned<T> {
    buf: Vec<T>,
    len: usize,
}

impl<T: Copy + Default> Aligned<T> {
    /// `len` elements (their values unspecified when the length changes).
    pub fn resize(&mut self, len: usize) {
        if len != self.len {
            self.buf = vec![T::default(); len + 64 / std::mem::size_of::<T>()];
            self.len = len;
        }
    }

    /// Where the slice starts in `buf`.
    fn start(&self) -> usize {
        let lead = self.buf.as_ptr().align_offset(64);
        if lead <= self.buf.len() - self.len {
            lead
        } else {
            0
        }
    }
}

impl<T: Copy + Default> std::ops::Deref for Aligned<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        let start = self.start();
        &self.buf[start..start + self.len]
    }
}

impl<T: Copy + Default> std::ops::DerefMut for Aligned<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        let start = self.start();
        &mut self.buf[start..start + self.len]
    }
}

/// Windows learned by the rankers of one analysis (one per thread), shared
/// so that each starts from what any of them has learned instead of
/// learning it again (with many threads, each would sort its own first
/// runs). Speed only: a run is exact whatever the windows (see
/// [`BlockRanker`]), and which runs are proven does not change what is
/// recorded.
#[derive(Debug, Default)]
pub struct SharedWindows {
    /// Bumped whenever `later` widens.
    version: std::sync::atomic::AtomicU64,
    /// The widest window of each position learned so far.
    later: std::sync::Mutex<Vec<u32>>,
}

/// The counted positions of a keyed block's proven runs (see
/// [`BlockRanker::proven`]): n rows (units in nominal order) of
/// [`BLOCK_RUNS`] lanes (runs), for recording block by block.
#[derive(Debug, Clone, Copy)]
pub struct ProvenBlock<'a> {
    counted: &'a [u32],
    /// Bit r: run r was proven.
    runs: u32,
}

impl ProvenBlock<'_> {
    /// Per unit (nominal position), the positions counted in each run
    /// (0-based ranks; lanes of runs not proven are meaningless).
    pub fn positions(&self) -> &[[u32; BLOCK_RUNS]] {
        self.counted.as_chunks::<BLOCK_RUNS>().0
    }

    /// The runs proven: bit r for lane r.
    pub fn run_mask(&self) -> u32 {
        self.runs
    }

    /// The runs proven (lanes), ascending.
    pub fn runs(&self) -> impl Iterator<Item = usize> + Clone + use<> {
        let mask = self.runs;
        (0..BLOCK_RUNS).filter(move |&r| mask >> r & 1 == 1)
    }
}

/// A run of a keyed block proven by [`BlockRanker::rank_keyed`].
#[derive(Debug, Clone, Copy)]
pub struct ProvenRun<'a> {
    /// The block's counted positions, and the run's lane in them.
    counted: &'a [u32],
    run: usize,
    /// Discordant pairs with the nominal order.
    pub swaps: u64,
    /// Sum over the units of |position - nominal position|.
    pub shift: u64,
    /// Sum of its squares.
    pub squares: u64,
}

impl ProvenRun<'_> {
    /// Each unit's position (0-based rank), units in nominal order.
    pub fn positions(&self) -> impl Iterator<Item = u32> + '_ {
        self.counted[self.run..].iter().step_by(BLOCK_RUNS).copied()
    }
}

crate::cpu::multiversion! {
    /// Per lane of `counted` (n rows of [`BLOCK_RUNS`] lanes, row p = nominal
    /// position p), the sums of |counted - p| and of its square.
    fn lane_displacements(counted: &[u32], moved: &mut [(u64, u64); BLOCK_RUNS]) {
        let (mut shift, mut squares) = ([0u64; BLOCK_RUNS], [0u64; BLOCK_RUNS]);
        for (p, lanes) in counted.as_chunks::<BLOCK_RUNS>().0.iter().enumerate() {
            for l in 0..BLOCK_RUNS {
                let d = lanes[l].abs_diff(p as u32) as u64;
                shift[l] += d;
                squares[l] += d * d;
            }
        }
        *moved = std::array::from_fn(|l| (shift[l], squares[l]));
    }
}

/// Puts each run's keys at their counted positions: `placed[r * n + q] =
/// keys[p * BLOCK_RUNS + r]` for the unit p counted at q in run r, for the
/// runs `placed` holds (`placed.len() / n`). The counting gives every position in 0..n (a unit's count is its position,
/// less at most the units before it, plus at most those after it), and
/// the positions are clamped to that range only to keep the stores in
/// bounds. A run whose positions are no permutation leaves a slot
/// unfilled: NaN on single-precision counts, which fails the proof (see
/// [`BlockRanker::rank_keyed`]); on 16-bit keys only runs whose windows
/// missed a pair can be such, and they are not proven.
#[inline(always)]
fn place_keys(counted: &[u32], keys: &[f32], placed: &mut [f32]) {
    const L: usize = BLOCK_RUNS;
    let n = counted.len() / L;
    let rows = placed.len() / n.max(1);
    assert!(rows <= L && placed.len() == rows * n && keys.len() == n * L);
    let (counted, keys) = (counted.as_chunks::<L>().0, keys.as_chunks::<L>().0);
    for (lanes, keys) in counted.iter().zip(keys) {
        for r in 0..rows {
            let q = (lanes[r] as usize).min(n - 1);
            // SAFETY: r < rows and q < n, so r * n + q < placed.len().
            unsafe { *placed.get_unchecked_mut(r * n + q) = keys[r] };
        }
    }
}

impl BlockRanker {
    /// Shares the windows this ranker learns with the other rankers of
    /// `shared`, and learns theirs.
    pub fn share(&mut self, shared: Arc<SharedWindows>) {
        self.shared = Some(shared);
    }

    /// Whether runs whose scores tie exactly are accepted, their units in
    /// nominal order (for a ranker to group the ties); else they go to the
    /// general ranker. The proof in the type's comment holds with ties so
    /// ordered: counting never counts an exact tie, and a missed pair still
    /// misplaces a unit.
    pub fn allow_ties(&mut self, ties: bool) {
        self.sorted.ties = ties;
    }

    /// Starts a block of `n` units: learns what the last block's sorted
    /// runs taught and returns whether this block is counted. Then
    /// [`BlockRanker::count_scores`] or [`BlockRanker::count_keys`] (when
    /// counted), and [`BlockRanker::rank`] (or
    /// [`BlockRanker::rank_keyed`]) for each run.
    pub fn begin(&mut self, n: usize) -> bool {
        const L: usize = BLOCK_RUNS;
        if self.later.len() != n {
            let ties = self.sorted.ties;
            *self = BlockRanker {
                later: vec![0; n],
                needed: vec![0; n],
                swaps: vec![0; L],
                outside: vec![false; L],
                shared: self.shared.take(),
                ..BlockRanker::default()
            };
            self.sorted.ties = ties;
        }
        // What the other rankers of the analysis learned since.
        if let Some(shared) = &self.shared {
            let version = shared.version.load(std::sync::atomic::Ordering::Acquire);
            if version != self.seen {
                self.seen = version;
                let later = shared.later.lock().unwrap_or_else(|e| e.into_inner());
                if later.len() == n {
                    for (need, &w) in self.needed.iter_mut().zip(later.iter()) {
                        *need = (*need).max(w);
                    }
                    self.pending = true;
                }
            }
        }
        if self.tried > 0 {
            if 2 * self.passed < self.tried {
                self.poor_blocks += 1;
            } else {
                self.poor_blocks = 0;
            }
            if self.poor_blocks >= MAX_POOR_BLOCKS {
                self.refused = MAX_REFUSED;
            }
        }
        (self.tried, self.passed) = (0, 0);
        if self.pending {
            self.learn();
        }
        self.isa = cpu::isa();
        self.keyed = false;
        self.in_block =
            self.learned && n >= 2 && n <= u32::MAX as usize && self.refused < MAX_REFUSED;
        self.in_block
    }

    /// Counts a block begun with [`BlockRanker::begin`] on `keys` given by
    /// the caller ([`KeyKernel::keys`]: n rows of [`BLOCK_RUNS`] lanes;
    /// swapped in, the ranker's previous buffer comes back). Its runs are
    /// then ranked by [`BlockRanker::rank_keyed`], which proves the
    /// counted order on the full scores, since such keys are not a
    /// rounding of them.
    pub fn count_keys(&mut self, keys: &mut Aligned<f32>, rows: usize) {
        const L: usize = BLOCK_RUNS;
        assert!(rows <= L, "a block holds at most {L} runs");
        if !self.in_block {
            return;
        }
        let n = self.later.len();
        assert_eq!(keys.len(), n * L, "n rows of lanes");
        std::mem::swap(&mut self.keys, keys);
        self.keyed = true;
        self.proven = 0;
        // The window counts on 16-bit keys (a run whose windows missed a
        // pair is marked outside, not proven), the keys placed at their
        // counted positions for the proof, and each run's displacements.
        // Above `MAX_UNITS_16` units nothing is counted: every run is
        // ranked alone.
        if self.counted.len() != n * L {
            self.counted.resize(n * L);
        }
        if n > MAX_UNITS_16 {
            self.outside.fill(true);
            return;
        }
        self.outside.fill(false);
        self.count16(rows);
        // The keys at their counted positions, for the proof to read in
        // order (the units need not be placed: the proven runs are recorded
        // from their positions, and the rare neighbours the proof checks on
        // their full scores are looked up). A run whose windows held every
        // pair (the others are not proven) fills every slot: a buffer of
        // the block's size need not be cleared (an empty slot would hold
        // NaN, which fails the proof).
        if self.placed.len() < rows * n {
            self.placed.clear();
            self.placed.resize(rows * n, f32::NAN);
        }
        let (counted, keys) = (&self.counted[..n * L], &self.keys[..n * L]);
        place_keys(counted, keys, &mut self.placed[..rows * n]);
        lane_displacements(&self.counted, &mut self.moved);
    }

    /// The window counts of a keyed block on 16-bit keys: the keys
    /// ([`fill_keys16`]) and the counts ([`counts16`]), with the runs whose
    /// windows missed a pair marked as outside (not proven).
    fn count16(&mut self, rows: usize) {
        const L: usize = BLOCK_RUNS;
        let n = self.later.len();
        self.keys16.resize(n * L);
        self.suffix_min.resize((n + 1) * L);
        self.positions16.resize(n * L);
        let mut counts = Counts16 {
            keys16: &mut self.keys16,
            later: &self.later,
            suffix_min: &mut self.suffix_min,
            positions: &mut self.positions16,
            counted: &mut self.counted,
            swaps: &mut self.swaps,
        };
        let missed = match self.isa {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `self.isa` comes from `cpu::isa()`, never above what this CPU has.
            Isa::Avx2 => unsafe {
                fill_keys16_avx2(&self.keys, &mut counts);
                counts16_avx2(&mut counts)
            },
            _ => {
                fill_keys16(&self.keys, &mut counts);
                counts16(&mut counts)
            }
        };
        for (r, out) in self.outside[..rows].iter_mut().enumerate() {
            *out |= missed >> r & 1 == 1;
        }
    }

    /// The units counted at positions `i` and `i + 1` of run `r` in a
    /// keyed block, looked for outwards from `i` (most units move little,
    /// none beyond its windows but by a tie of 16-bit keys).
    fn units_at(&self, r: usize, i: usize) -> Option<(u32, u32)> {
        let n = self.later.len();
        let (mut first, mut second) = (None, None);
        let mut look = |p: usize| {
            let q = self.counted[p * BLOCK_RUNS + r] as usize;
            if q == i {
                first = Some(p as u32);
            } else if q == i + 1 {
                second = Some(p as u32);
            }
            first.is_some() && second.is_some()
        };
        for d in 0..n {
            if (d <= i && look(i - d)) || (d > 0 && i + d < n && look(i + d)) {
                return first.zip(second);
            }
            if d > i && i + d >= n {
                break;
            }
        }
        None
    }

    /// Ranks run `r` of a block counted on keys ([`BlockRanker::count_keys`]):
    /// the counted order and its discordant pairs when it is proven the
    /// true one, else None (the caller then computes the run's full scores
    /// and calls [`BlockRanker::rank`], which sorts them). The proof: every
    /// pair of neighbours in the counted order has keys strictly in order
    /// and full scores (lower first: `exact(p)` gives position p's score,
    /// negated when higher is best) apart beyond [`TIE_TOLERANCE`], which
    /// a gap between keys wider than `margin` guarantees
    /// ([`KeyKernel::keys`]); narrower ones are checked on `exact`. The
    /// order is then the keys' order and the full scores' order at once:
    /// the counted positions are the true ranks, and the summed forward
    /// counts the discordant pairs, as for rounded keys (see the type's
    /// comment). Only for rankings without ties.
    ///
    /// Counted on 16-bit keys (`counts16`, which checked the windows),
    /// the counted order is the order by 16-bit key and nominal position,
    /// so only units with equal 16-bit keys can be out of order on the
    /// keys, and they are in nominal order: such neighbours are swapped
    /// (insertion within their tie, each swap one more discordant pair)
    /// before the proof goes on.
    pub fn rank_keyed(
        &mut self,
        r: usize,
        margin: f64,
        exact: impl Fn(u32, u32) -> (f64, f64),
    ) -> Option<ProvenRun<'_>> {
        if !(self.in_block && self.keyed) || self.outside[r] {
            return None;
        }
        self.tried += 1;
        let n = self.later.len();
        // The keys in counted order (NaN in an empty slot); a gap computed
        // in single precision above the margin rounded up is one above
        // the margin.
        let wide = (margin * (1.0 + 1e-6)) as f32;
        // The narrow gaps found sixteen at a time (vectorised), and taken
        // one by one.
        let mut i = 0;
        while let Some(j) = first_narrow(&self.placed[r * n..(r + 1) * n], i, wide) {
            i = j;
            let (x, y) = (self.placed[r * n + i], self.placed[r * n + i + 1]);
            // Keys out of order can be a tie of 16-bit keys to put right;
            // otherwise, keys not in order or an empty slot (NaN): not
            // proven.
            let inverted = y < x;
            if !inverted && !wider(y - x, 0.0) {
                return None;
            }
            let (p, q) = self.units_at(r, i)?;
            if inverted {
                let key16 = |u: u32| self.keys16[u as usize * BLOCK_RUNS + r];
                if key16(p) != key16(q) {
                    return None;
                }
                self.swap_neighbours(r, i, p as usize, q as usize);
                // The pair before (if any) now ends on another unit.
                i = i.saturating_sub(1);
                continue;
            }
            let (a, b) = exact(p, q);
            if !apart(a, b) {
                return None;
            }
            i += 1;
        }
        self.passed += 1;
        self.proven |= 1 << r;
        let (shift, squares) = self.moved[r];
        Some(ProvenRun {
            counted: &self.counted[..n * BLOCK_RUNS],
            run: r,
            swaps: self.swaps[r] as u64,
            shift,
            squares,
        })
    }

    /// Swaps units `p` (counted at position `i` of run `r`) and `q` (at
    /// `i + 1`) of a keyed block: their placed keys, positions and
    /// displacements, and one more discordant pair (they were in nominal
    /// order, `p < q`).
    fn swap_neighbours(&mut self, r: usize, i: usize, p: usize, q: usize) {
        let n = self.later.len();
        self.placed.swap(r * n + i, r * n + i + 1);
        self.counted[p * BLOCK_RUNS + r] = (i + 1) as u32;
        self.counted[q * BLOCK_RUNS + r] = i as u32;
        let (shift, squares) = &mut self.moved[r];
        for (unit, from, to) in [(p, i, i + 1), (q, i + 1, i)] {
            let (a, b) = (unit.abs_diff(from) as u64, unit.abs_diff(to) as u64);
            *shift = *shift + b - a;
            *squares = *squares + b * b - a * a;
        }
        self.swaps[r] += 1;
    }

    /// The counted positions of the runs of a keyed block that
    /// [`BlockRanker::rank_keyed`] proved (None outside a keyed block).
    pub fn proven(&self) -> Option<ProvenBlock<'_>> {
        (self.in_block && self.keyed).then(|| ProvenBlock {
            counted: &self.counted[..self.later.len() * BLOCK_RUNS],
            runs: self.proven,
        })
    }

    /// Ranks one run's `scores` alone ([`SortedRun`]: a run not proven by
    /// [`BlockRanker::rank_keyed`], or of a block that is not keyed) and
    /// learns the windows it needed. Returns the units' nominal positions
    /// in rank order and the discordant pairs, or None when two units tie
    /// (or a score is not finite): the run is then for the general ranker.
    pub fn rank(&mut self, scores: &[f64], highest_best: bool) -> Option<(&[u32], u64)> {
        if !self.sorted.rank(scores, highest_best) {
            return None;
        }
        if self.refused >= MAX_REFUSED {
            return Some((&self.sorted.order, self.sorted.swaps));
        }
        // The forward reach this run needed: for each unit, the farthest
        // later unit ranked above it.
        let mut farthest = 0u32;
        for &p in &self.sorted.order {
            if farthest > p {
                let w = &mut self.needed[p as usize];
                *w = (*w).max(farthest - p);
                self.pending = true;
            }
            farthest = farthest.max(p);
        }
        Some((&self.sorted.order, self.sorted.swaps))
    }

    /// Widens the windows to what the sorted runs needed, unless that
    /// exceeds the budget.
    fn learn(&mut self) {
        let n = self.later.len();
        let later: Vec<u32> = self
            .later
            .iter()
            .zip(&self.needed)
            .map(|(&a, &b)| a.max(b))
            .collect();
        self.needed.fill(0);
        self.pending = false;
        // Within budget, and (counts are 32-bit lanes) the summed windows,
        // a bound on a run's forward counts, fit in 32 bits.
        let pairs: usize = later.iter().map(|&w| w as usize).sum();
        if pairs > WINDOW_BUDGET * n || pairs > u32::MAX as usize {
            self.refused += 1;
            return;
        }
        self.later = later;
        self.learned = true;
        // Told to the other rankers of the analysis, if any of them lacks it.
        if let Some(shared) = &self.shared {
            let mut later = shared.later.lock().unwrap_or_else(|e| e.into_inner());
            if later.len() != n {
                *later = vec![0; n];
            }
            let mut wider = false;
            for (w, &mine) in later.iter_mut().zip(&self.later) {
                wider |= mine > *w;
                *w = (*w).max(mine);
            }
            if wider {
                shared
                    .version
                    .fetch_add(1, std::sync::atomic::Ordering::Release);
            }
        }
    }
}

crate::cpu::multiversion! {
    /// The first gap `i >= from` of `placed` (keys in counted order) that is
    /// not wider than `wide` (`placed[i + 1] - placed[i]`; a NaN gap
    /// included), if any: sixteen gaps at a time, then the narrow one among
    /// them.
    fn first_narrow(placed: &[f32], from: usize, wide: f32) -> Option<usize> {
        const V: usize = 16;
        let gaps = placed.len().saturating_sub(1);
        let mut i0 = from;
        while i0 < gaps {
            let end = (i0 + V).min(gaps);
            let (a, b) = (&placed[i0..end], &placed[i0 + 1..end + 1]);
            let narrow = a
                .iter()
                .zip(b)
                .fold(false, |m, (&x, &y)| m | !wider(y - x, wide));
            if narrow {
                return (i0..end).find(|&i| !wider(placed[i + 1] - placed[i], wide));
            }
            i0 = end;
        }
        None
    }
}

/// Largest number of units counted on 16-bit keys (positions and counts
/// fit in 16-bit lanes); larger rankings are counted on the keys.
const MAX_UNITS_16: usize = 16_000;

/// The buffers of the 16-bit window counts of a keyed block (n units, rows
/// of [`BLOCK_RUNS`] lanes).
struct Counts16<'a> {
    /// The keys as 16-bit integers ([`fill_keys16`]).
    keys16: &'a mut [i16],
    /// The windows (see [`BlockRanker`]).
    later: &'a [u32],
    /// Row p: the least key of rows p.. (row n: `i16::MAX`).
    suffix_min: &'a mut [i16],
    /// Per row, the counted position as it builds up: its nominal
    /// position less the earlier rows it beats, then plus the later rows
    /// that beat it.
    positions: &'a mut [i16],
    /// The counted positions and, per lane, the summed forward counts.
    counted: &'a mut [u32],
    swaps: &'a mut [u32],
}

impl Counts16<'_> {
    /// The units, the buffers checked to hold them (the vector counts read
    /// and write them unchecked).
    fn units(&self) -> usize {
        const L: usize = BLOCK_RUNS;
        let n = self.later.len();
        assert!(n <= MAX_UNITS_16 && self.swaps.len() == L);
        assert!(self.keys16.len() >= n * L && self.counted.len() >= n * L);
        assert!(self.suffix_min.len() >= (n + 1) * L && self.positions.len() >= n * L);
        n
    }
}

/// The last position that position `p` is compared with: the end of its
/// window, clamped to the units.
#[inline(always)]
fn last_compared(later: &[u32], p: usize) -> usize {
    (p + later[p] as usize).min(later.len() - 1)
}

/// Each lane's single-precision keys (n rows of [`BLOCK_RUNS`] lanes) as
/// 16-bit integers spanning the lane's range, `(key * s + c) as i32`
/// clamped: monotone in the key, so two keys in order keep their order or
/// become equal, never swap. Also the suffix minima the counts check their
/// windows with.
#[inline(always)]
fn fill_keys16(keys: &[f32], c: &mut Counts16) {
    const L: usize = BLOCK_RUNS;
    let n = c.later.len();
    let rows = &keys.as_chunks::<L>().0[..n];
    let (mut lo, mut hi) = ([f32::INFINITY; L], [f32::NEG_INFINITY; L]);
    for row in rows {
        for l in 0..L {
            lo[l] = if row[l] < lo[l] { row[l] } else { lo[l] };
            hi[l] = if row[l] > hi[l] { row[l] } else { hi[l] };
        }
    }
    let (mut scale, mut shift) = ([0.0f32; L], [-32768.0f32; L]);
    for l in 0..L {
        let span = hi[l] - lo[l];
        if span > 0.0 && span.is_finite() {
            scale[l] = 65535.0 / span;
            shift[l] = -32768.0 - lo[l] * scale[l];
        }
    }
    let out = &mut c.keys16.as_chunks_mut::<L>().0[..n];
    let least = &mut c.suffix_min.as_chunks_mut::<L>().0[..n + 1];
    least[n] = [i16::MAX; L];
    for p in (0..n).rev() {
        for l in 0..L {
            let v = rows[p][l] * scale[l] + shift[l];
            // Clamped before the conversion (a NaN key, which fails the
            // proof, to the floor), so that it is one vector truncation.
            let v = if v >= -32768.0 {
                v.min(32767.0)
            } else {
                -32768.0
            };
            // SAFETY: `v` is finite and within i16's range.
            let q = unsafe { v.to_int_unchecked::<i32>() } as i16;
            out[p][l] = q;
            least[p][l] = q.min(least[p + 1][l]);
        }
    }
}

/// [`fill_keys16`] with AVX2 written out (compiled from the portable code
/// it was scalar: the conversion does not vectorise), the same keys.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn fill_keys16_avx2(keys: &[f32], c: &mut Counts16) {
    use std::arch::x86_64::*;
    const L: usize = BLOCK_RUNS;
    const V: usize = 8;
    const G: usize = L / V;
    let n = c.later.len();
    assert!(keys.len() >= n * L && c.keys16.len() >= n * L);
    assert!(c.suffix_min.len() >= (n + 1) * L);
    // SAFETY (every load and store below): rows in 0..n (n + 1 for the
    // suffix minima) of L lanes, which the buffers hold (asserted above).
    let load = |p: usize, g: usize| unsafe { _mm256_loadu_ps(keys.as_ptr().add(p * L + g * V)) };
    let mut lo = [_mm256_set1_ps(f32::INFINITY); G];
    let mut hi = [_mm256_set1_ps(f32::NEG_INFINITY); G];
    for p in 0..n {
        for g in 0..G {
            let k = load(p, g);
            // As the portable code: a NaN key leaves the bounds alone.
            lo[g] = _mm256_blendv_ps(lo[g], k, _mm256_cmp_ps::<_CMP_LT_OQ>(k, lo[g]));
            hi[g] = _mm256_blendv_ps(hi[g], k, _mm256_cmp_ps::<_CMP_GT_OQ>(k, hi[g]));
        }
    }
    let (mut low, mut high) = ([0.0f32; L], [0.0f32; L]);
    for g in 0..G {
        // SAFETY: the array has G x V lanes and g < G, so V lanes from g * V are in bounds.
        unsafe {
            _mm256_storeu_ps(low[g * V..].as_mut_ptr(), lo[g]);
            _mm256_storeu_ps(high[g * V..].as_mut_ptr(), hi[g]);
        }
    }
    let (mut scale, mut shift) = ([0.0f32; L], [-32768.0f32; L]);
    for l in 0..L {
        let span = high[l] - low[l];
        if span > 0.0 && span.is_finite() {
            scale[l] = 65535.0 / span;
            shift[l] = -32768.0 - low[l] * scale[l];
        }
    }
    let scale: [__m256; G] =
        // SAFETY: the array has G x V lanes and g < G, so V lanes from g * V are in bounds.
        std::array::from_fn(|g| unsafe { _mm256_loadu_ps(scale[g * V..].as_ptr()) });
    let shift: [__m256; G] =
        // SAFETY: the array has G x V lanes and g < G, so V lanes from g * V are in bounds.
        std::array::from_fn(|g| unsafe { _mm256_loadu_ps(shift[g * V..].as_ptr()) });
    let (floor, ceiling) = (_mm256_set1_epi32(-32768), _mm256_set1_epi32(32767));
    let mut least = [_mm256_set1_epi16(i16::MAX); 2];
    for (h, &m) in least.iter().enumerate() {
        // SAFETY: p < n, and the buffers hold n (suffix minima: n + 1) rows of L lanes, as `Counts16::units` asserted on entry.
        unsafe { _mm256_storeu_si256(c.suffix_min.as_mut_ptr().add(n * L + h * 16).cast(), m) };
    }
    for p in (0..n).rev() {
        let q: [__m256i; G] = std::array::from_fn(|g| {
            let v = _mm256_add_ps(_mm256_mul_ps(load(p, g), scale[g]), shift[g]);
            // Truncation; a NaN gives i32::MIN, clamped as in the portable
            // code.
            _mm256_max_epi32(_mm256_min_epi32(_mm256_cvttps_epi32(v), ceiling), floor)
        });
        for h in 0..2 {
            // Packed in 128-bit halves, put back in lane order.
            let packed = _mm256_packs_epi32(q[2 * h], q[2 * h + 1]);
            let row = _mm256_permute4x64_epi64::<0b1101_1000>(packed);
            least[h] = _mm256_min_epi16(least[h], row);
            // SAFETY: p < n, and the buffers hold n (suffix minima: n + 1) rows of L lanes, as `Counts16::units` asserted on entry.
            unsafe {
                _mm256_storeu_si256(c.keys16.as_mut_ptr().add(p * L + h * 16).cast(), row);
                _mm256_storeu_si256(
                    c.suffix_min.as_mut_ptr().add(p * L + h * 16).cast(),
                    least[h],
                );
            }
        }
    }
}

/// The window counts on 16-bit keys (portable code; see
/// [`counts16_avx2`]): ties between keys are broken
/// by nominal position (an earlier unit first), so the counted positions
/// are those of the order by (key, nominal position) when the windows hold
/// every pair that order inverts. That is checked here, unit by unit: no
/// unit after the window has a lower key (each pair in a window is
/// compared once and counted at both ends, so a pair is missed at both
/// ends or at neither). Returns the lanes (bit r) where a window missed a
/// pair.
#[inline(always)]
fn counts16(c: &mut Counts16) -> u32 {
    const L: usize = BLOCK_RUNS;
    let n = c.units();
    let keys = &c.keys16.as_chunks::<L>().0[..n];
    let least = &c.suffix_min.as_chunks::<L>().0[..n + 1];
    let positions = &mut c.positions.as_chunks_mut::<L>().0[..n];
    let counted = &mut c.counted.as_chunks_mut::<L>().0[..n];
    for (p, at) in positions.iter_mut().enumerate() {
        *at = [p as i16; L];
    }
    let mut missed = 0u32;
    c.swaps.fill(0);
    for p in 0..n {
        let (kp, last) = (keys[p], last_compared(c.later, p));
        let (done, later) = positions.split_at_mut(p + 1);
        let mut up = [0i16; L];
        for (row, at) in keys[p + 1..=last].iter().zip(later) {
            for l in 0..L {
                let beats = (row[l] < kp[l]) as i16;
                up[l] += beats;
                at[l] -= beats;
            }
        }
        for l in 0..L {
            missed |= ((least[last + 1][l] < kp[l]) as u32) << l;
            counted[p][l] = (done[p][l] + up[l]) as u32;
            c.swaps[l] += up[l] as u32;
        }
    }
    missed
}

/// [`counts16`] with AVX2: a row of 32 lanes is two registers of 16-bit
/// keys; comparison masks (all ones) added at both ends.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn counts16_avx2(c: &mut Counts16) -> u32 {
    use std::arch::x86_64::*;
    const L: usize = BLOCK_RUNS;
    let n = c.units();
    let (keys, positions) = (c.keys16.as_ptr(), c.positions.as_mut_ptr());
    // SAFETY (every load and store below): rows are in 0..n (n + 1 for the
    // suffix minima), each of L = 32 lanes of 16 bits (two registers); the
    // buffers hold that many (asserted by `Counts16::units`).
    let row = |at: *const i16, j: usize| -> [__m256i; 2] {
        std::array::from_fn(|h| unsafe { _mm256_loadu_si256(at.add(j * L + h * 16).cast()) })
    };
    let put = |j: usize, x: [__m256i; 2]| {
        for (h, x) in x.into_iter().enumerate() {
            // SAFETY: p < n, and the buffers hold n (suffix minima: n + 1) rows of L lanes, as `Counts16::units` asserted on entry.
            unsafe { _mm256_storeu_si256(positions.add(j * L + h * 16).cast(), x) };
        }
    };
    // Bit l of the mask: lane l of a (16-bit lanes) is all ones.
    let bits = |a: [__m256i; 2]| {
        let lanes = |x: __m256i| {
            let packed = _mm256_packs_epi16(x, _mm256_setzero_si256());
            let ordered = _mm256_permute4x64_epi64::<0b1101_1000>(packed);
            _mm256_movemask_epi8(ordered) as u32 & 0xFFFF
        };
        lanes(a[0]) | lanes(a[1]) << 16
    };
    for p in 0..n {
        put(p, [_mm256_set1_epi16(p as i16); 2]);
    }
    let mut swaps = [_mm256_setzero_si256(); 4];
    let mut missed = 0u32;
    for p in 0..n {
        let (kp, last) = (row(keys, p), last_compared(c.later, p));
        let mut up = [_mm256_setzero_si256(); 2];
        for j in p + 1..=last {
            let (kj, at) = (row(keys, j), row(positions, j));
            // All ones (-1) where row j is lower.
            let beats: [__m256i; 2] = std::array::from_fn(|h| _mm256_cmpgt_epi16(kp[h], kj[h]));
            put(
                j,
                std::array::from_fn(|h| _mm256_add_epi16(at[h], beats[h])),
            );
            for h in 0..2 {
                up[h] = _mm256_sub_epi16(up[h], beats[h]);
            }
        }
        let beyond = row(c.suffix_min.as_ptr(), last + 1);
        missed |= bits(std::array::from_fn(|h| {
            _mm256_cmpgt_epi16(kp[h], beyond[h])
        }));
        let done = row(positions, p);
        for h in 0..2 {
            let q = _mm256_add_epi16(done[h], up[h]);
            for half in 0..2 {
                let pick = |x: __m256i| {
                    _mm256_cvtepi16_epi32(if half == 0 {
                        _mm256_castsi256_si128(x)
                    } else {
                        _mm256_extracti128_si256::<1>(x)
                    })
                };
                let at = c.counted[p * L + h * 16 + half * 8..][..8].as_mut_ptr();
                // SAFETY: p < n, and the buffers hold n (suffix minima: n + 1) rows of L lanes, as `Counts16::units` asserted on entry.
                unsafe { _mm256_storeu_si256(at.cast(), pick(q)) };
                swaps[2 * h + half] = _mm256_add_epi32(swaps[2 * h + half], pick(up[h]));
            }
        }
    }
    for (lanes, s) in c.swaps.chunks_exact_mut(8).zip(swaps) {
        // SAFETY: `lanes` is a chunk of exactly one vector's lanes (chunks_exact).
        unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), s) };
    }
    missed
}

#[cfg(test)]
mod tests;
