//! The fast path's two kernels, kept free of pipeline types so they can be
//! tested against plain reference code:
//!
//! - [`ScoreKernel`]: index scores of a block of runs as one matrix product
//!   (runs x indicators effective weights times indicators x units values),
//!   register-tiled, with fused multiply-adds where the CPU has them
//!   (detected at run time). Every score is the same sequential sum over the
//!   indicators whatever the block size or tile, so a run's scores do not
//!   depend on which runs share its block.
//! - [`SortedRun`]: ranks one run's scores by an insertion sort of packed
//!   integer keys started from the nominal order (a perturbed run is nearly
//!   in that order), fixes the order of scores that differ only in the
//!   truncated bits, then checks the result exactly on the full scores: when
//!   two neighbours tie (within [`TIE_TOLERANCE`]) it gives up and the
//!   caller ranks with the general
//!   [`crate::pipeline::rank::Ranker`]. When it succeeds the ranks are exactly
//!   the ranker's: positions 1..n, no ties.

use crate::pipeline::rank::TIE_TOLERANCE;

/// Units per register tile (one AVX2 register holds 4).
const TILE_UNITS: usize = 8;
/// Runs per register tile.
const TILE_RUNS: usize = 4;

/// Computes score blocks: `out[r][u] = sum_i e[r][i] * z[i][u]`, the sum
/// taken in indicator order from 0.
#[derive(Debug, Clone)]
pub struct ScoreKernel {
    /// Units.
    n: usize,
    /// Units padded to a whole number of tiles (the row stride of values
    /// and scores).
    stride: usize,
    /// Indicators.
    k: usize,
    /// Whether to use fused multiply-adds (AVX2 + FMA present).
    fma: bool,
}

impl ScoreKernel {
    /// A kernel for `n` units and `k` indicators.
    pub fn new(n: usize, k: usize) -> ScoreKernel {
        ScoreKernel {
            n,
            stride: n.div_ceil(TILE_UNITS) * TILE_UNITS,
            k,
            fma: fma_available(),
        }
    }

    /// Row stride of the values and of the scores (units rounded up).
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// Units.
    pub fn units(&self) -> usize {
        self.n
    }

    /// Lays out values given unit-major (`n x k`, row-major) as the kernel
    /// reads them: indicator-major, each row padded with zeros to the stride.
    pub fn layout(&self, unit_major: &[f64]) -> Vec<f64> {
        let mut t = vec![0.0; self.k * self.stride];
        for u in 0..self.n {
            for i in 0..self.k {
                t[i * self.stride + u] = unit_major[u * self.k + i];
            }
        }
        t
    }

    /// Scores of `rows` runs: `weights` is rows x k (row-major), `values`
    /// from [`ScoreKernel::layout`], `out` (rows x stride) receives them.
    pub fn scores(&self, weights: &[f64], rows: usize, values: &[f64], out: &mut [f64]) {
        assert_eq!(weights.len(), rows * self.k, "weights are rows x k");
        assert_eq!(values.len(), self.k * self.stride, "values are k x stride");
        assert_eq!(out.len(), rows * self.stride, "scores are rows x stride");
        #[cfg(target_arch = "x86_64")]
        if self.fma {
            // SAFETY: `fma` is only true when AVX2 and FMA were detected.
            unsafe { scores_fma(self, weights, rows, values, out) };
            return;
        }
        self.tiles::<false>(weights, rows, values, out);
    }

    #[inline(always)]
    fn tiles<const FMA: bool>(&self, e: &[f64], rows: usize, z: &[f64], out: &mut [f64]) {
        let full = rows / TILE_RUNS * TILE_RUNS;
        for r0 in (0..full).step_by(TILE_RUNS) {
            self.tile_rows::<FMA, TILE_RUNS>(e, r0, z, out);
        }
        for r0 in full..rows {
            self.tile_rows::<FMA, 1>(e, r0, z, out);
        }
    }

    #[inline(always)]
    fn tile_rows<const FMA: bool, const R: usize>(
        &self,
        e: &[f64],
        r0: usize,
        z: &[f64],
        out: &mut [f64],
    ) {
        let (k, stride) = (self.k, self.stride);
        let w: [&[f64]; R] = std::array::from_fn(|r| &e[(r0 + r) * k..(r0 + r + 1) * k]);
        for p0 in (0..stride).step_by(TILE_UNITS) {
            let mut acc = [[0.0f64; TILE_UNITS]; R];
            for i in 0..k {
                let zi: &[f64; TILE_UNITS] = z[i * stride + p0..i * stride + p0 + TILE_UNITS]
                    .try_into()
                    .expect("tile inside the row");
                for r in 0..R {
                    let wi = w[r][i];
                    for l in 0..TILE_UNITS {
                        acc[r][l] = if FMA {
                            wi.mul_add(zi[l], acc[r][l])
                        } else {
                            acc[r][l] + wi * zi[l]
                        };
                    }
                }
            }
            for (r, a) in acc.iter().enumerate() {
                let at = (r0 + r) * stride + p0;
                out[at..at + TILE_UNITS].copy_from_slice(a);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn scores_fma(k: &ScoreKernel, weights: &[f64], rows: usize, values: &[f64], out: &mut [f64]) {
    k.tiles::<true>(weights, rows, values, out);
}

fn fma_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
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
            let s = swaps.unwrap_or(0) + (i - j) as u64;
            swaps = Some(s);
            if s > limit {
                keys.sort_unstable();
                swaps = None;
                break;
            }
        }
        self.order.clear();
        self.order
            .extend(keys.iter().map(|&key| (key & mask) as u32));
        self.swaps = match swaps {
            Some(s) => s,
            None => {
                crate::sensitivity::analyze::count_position_inversions(&self.order, &mut self.tree)
            }
        };
        // Exact check on the full scores, as the ranker decides ties, with
        // a fix-up: truncated keys can only misorder scores that share all
        // their high bits, which the packed sort left in nominal order;
        // moving such a score back (insertion) puts them right, each step
        // reversing one more nominal pair.
        let key = |p: u32| sign * scores[p as usize];
        let apart = |a: f64, b: f64| b - a > TIE_TOLERANCE * a.abs().max(b.abs());
        let order = &mut self.order;
        let mut prev = key(order[0]);
        if !prev.is_finite() {
            return false;
        }
        for i in 1..n {
            let next = key(order[i]);
            if apart(prev, next) {
                prev = next;
                continue;
            }
            if !apart(next, prev) {
                return false; // tied, or not finite
            }
            let x = order[i];
            let mut j = i;
            while j > 0 && next < key(order[j - 1]) {
                order[j] = order[j - 1];
                j -= 1;
            }
            order[j] = x;
            self.swaps += (i - j) as u64;
            if (j > 0 && !apart(key(order[j - 1]), next)) || !apart(next, key(order[j + 1])) {
                return false;
            }
            prev = key(order[i]);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::rank::RankScratch;
    use crate::pipeline::rank::Ranker;
    use crate::spec::{Best, RankMethod};

    fn lcg(seed: &mut u64) -> f64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*seed >> 11) as f64 / (1u64 << 53) as f64
    }

    #[test]
    fn scores_match_a_plain_loop_for_every_block_size() {
        let mut seed = 7;
        for (n, k) in [(1, 1), (3, 2), (8, 5), (13, 30), (290, 30)] {
            let kernel = ScoreKernel::new(n, k);
            let z: Vec<f64> = (0..n * k).map(|_| lcg(&mut seed)).collect();
            let values = kernel.layout(&z);
            for rows in [1, 3, 4, 7, 16] {
                let e: Vec<f64> = (0..rows * k).map(|_| lcg(&mut seed)).collect();
                let mut out = vec![0.0; rows * kernel.stride()];
                kernel.scores(&e, rows, &values, &mut out);
                for r in 0..rows {
                    for u in 0..n {
                        let plain: f64 = (0..k).map(|i| e[r * k + i] * z[u * k + i]).sum();
                        let got = out[r * kernel.stride() + u];
                        assert!((got - plain).abs() <= 1e-12, "{n}x{k} rows {rows}");
                    }
                    // Alone, the run gets bit-identical scores.
                    let mut alone = vec![0.0; kernel.stride()];
                    kernel.scores(&e[r * k..(r + 1) * k], 1, &values, &mut alone);
                    assert_eq!(alone[..n], out[r * kernel.stride()..][..n]);
                }
            }
        }
    }

    /// The sorted run's ranks equal the general ranker's whenever it accepts
    /// a run, and its swaps are the discordant pairs.
    #[test]
    fn sorted_runs_agree_with_the_ranker() {
        let mut seed = 11;
        let mut accepted = 0;
        for trial in 0..400 {
            let n = 1 + trial % 60;
            let ids: Vec<String> = (0..n).map(|i| format!("u{i:03}")).collect();
            let best = if trial % 2 == 0 {
                Best::Highest
            } else {
                Best::Lowest
            };
            let ranker = Ranker::new(&ids, RankMethod::Competition, best, None);
            // Nominal scores in nominal order, then a perturbation; some
            // trials get exact or near ties, some are far off.
            let sign = if best == Best::Highest { -1.0 } else { 1.0 };
            let spread = [0.0, 0.01, 0.3, 5.0][trial % 4];
            let mut scores: Vec<f64> = (0..n)
                .map(|p| sign * (p as f64) + spread * (lcg(&mut seed) - 0.5))
                .collect();
            if trial % 7 == 0 && n > 2 {
                scores[1] = scores[2];
            }
            if trial % 11 == 0 && n > 3 {
                scores[3] = scores[2] * (1.0 + 1e-14);
            }
            let mut run = SortedRun::default();
            let ok = run.rank(&scores, best == Best::Highest);
            let mut scratch = RankScratch::default();
            let mut ranks = vec![0.0; n];
            ranker.rank_into(&scores, &mut scratch, &mut ranks);
            if ok {
                accepted += 1;
                assert_eq!(scratch.tie_pairs, 0);
                for (q, &p) in run.order.iter().enumerate() {
                    assert_eq!(ranks[p as usize], (q + 1) as f64, "trial {trial}");
                }
                let discordant = (0..n)
                    .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
                    .filter(|&(a, b)| ranks[a] > ranks[b])
                    .count() as u64;
                assert_eq!(run.swaps, discordant);
            } else if n >= 2 {
                let tied = (1..n).any(|q| {
                    let (a, b) = (
                        scores[scratch.order()[q - 1] as usize],
                        scores[scratch.order()[q] as usize],
                    );
                    (a - b).abs() <= TIE_TOLERANCE * a.abs().max(b.abs())
                });
                assert!(tied || spread >= 5.0, "trial {trial} refused without a tie");
            }
        }
        assert!(accepted > 150, "only {accepted} runs accepted");
    }

    /// With many units the packed keys lose more low bits than the tie
    /// tolerance; scores apart by a little more than it, in reverse nominal
    /// order, must still come out in exact order with the right swap count.
    #[test]
    fn truncated_keys_are_put_right() {
        let n = 20_000;
        let ids: Vec<String> = (0..n).map(|i| format!("u{i:05}")).collect();
        let ranker = Ranker::new(&ids, RankMethod::Competition, Best::Lowest, None);
        let mut scores: Vec<f64> = (0..n).map(|p| 1.0 + p as f64 * 1e-6).collect();
        for p in [10, 5000, 19_000] {
            scores[p + 1] = scores[p] * (1.0 - 3e-12);
        }
        let mut run = SortedRun::default();
        assert!(run.rank(&scores, false));
        assert_eq!(run.swaps, 3);
        let mut ranks = vec![0.0; n];
        ranker.rank_into(&scores, &mut RankScratch::default(), &mut ranks);
        for (q, &p) in run.order.iter().enumerate() {
            assert_eq!(ranks[p as usize], (q + 1) as f64);
        }
        // Apart by less than the tolerance: a tie, left to the ranker.
        scores[11] = scores[10] * (1.0 - 1e-13);
        assert!(!run.rank(&scores, false));
    }
}
