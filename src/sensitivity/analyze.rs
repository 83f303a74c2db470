//! Analysis (kept apart from sampling): rank statistics from histograms,
//! rank correlations, and Sobol first-order (Saltelli 2010) and total
//! (Jansen 1999) indices with bootstrap confidence intervals.

use super::rng::Rng;
use serde::Serialize;

/// Nearest-rank quantile of sorted values: the smallest value with at least
/// a share `q` of the values at or below it.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[pos - 1]
}

/// Mean, 5%, 50% and 95% points of a distribution (NaNs ignored).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// Mean.
    pub mean: f64,
    /// 5% quantile.
    pub q05: f64,
    /// Median.
    pub median: f64,
    /// 95% quantile.
    pub q95: f64,
}

/// Summarises values (nearest-rank quantiles, the values [`quantile_sorted`]
/// gives on the sorted values; found by selection, in linear time, since
/// 10^8 runs give 10^8 values; the mean sums them in the order given).
pub fn summarise(values: &[f64]) -> Summary {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return Summary {
            mean: f64::NAN,
            q05: f64::NAN,
            median: f64::NAN,
            q95: f64::NAN,
        };
    }
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let n = v.len();
    let at = |q: f64| ((q * n as f64).ceil() as usize).clamp(1, n) - 1;
    let (i05, i50, i95) = (at(0.05), at(0.5), at(0.95));
    // Each selection leaves smaller values to its left: the next one
    // searches only there.
    let q95 = *v.select_nth_unstable_by(i95, f64::total_cmp).1;
    let median = *v[..=i95].select_nth_unstable_by(i50, f64::total_cmp).1;
    let q05 = *v[..=i50].select_nth_unstable_by(i05, f64::total_cmp).1;
    Summary {
        mean,
        q05,
        median,
        q95,
    }
}

/// The smallest rank whose cumulative count reaches a share `q` of `total`
/// (nearest rank); `rank_of(bin)` maps a histogram bin to its rank.
pub fn histogram_quantile(hist: &[u32], total: u64, q: f64, rank_of: impl Fn(usize) -> f64) -> f64 {
    let need = ((q * total as f64).ceil() as u64).max(1);
    let mut cum = 0u64;
    for (b, &c) in hist.iter().enumerate() {
        cum += c as u64;
        if cum >= need {
            return rank_of(b);
        }
    }
    f64::NAN
}

pub use crate::stats::{average_ranks, pearson, spearman};

/// Kendall's tau-b in O(n log n) (Knight 1966): sort by (x, y), count the
/// swaps a merge sort on y needs, correct for ties.
pub fn kendall_tau_b(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len();
    if n < 2 {
        return f64::NAN;
    }
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(y[a].total_cmp(&y[b])));
    let pairs =
        |counts: &mut dyn Iterator<Item = u64>| counts.map(|t| t * (t - 1) / 2).sum::<u64>();
    let runs = |eq: &dyn Fn(usize, usize) -> bool, order: &[usize]| {
        let mut out = Vec::new();
        let mut t = 1u64;
        for w in order.windows(2) {
            if eq(w[0], w[1]) {
                t += 1;
            } else {
                out.push(t);
                t = 1;
            }
        }
        out.push(t);
        out
    };
    let n1 = pairs(&mut runs(&|a, b| x[a] == x[b], &idx).into_iter());
    let n3 = pairs(&mut runs(&|a, b| x[a] == x[b] && y[a] == y[b], &idx).into_iter());
    let mut ys: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
    let swaps = merge_count(&mut ys);
    let mut ysorted_idx: Vec<usize> = (0..n).collect();
    ysorted_idx.sort_by(|&a, &b| y[a].total_cmp(&y[b]));
    let n2 = pairs(&mut runs(&|a, b| y[a] == y[b], &ysorted_idx).into_iter());
    let n0 = (n * (n - 1) / 2) as u64;
    let num = n0 as f64 - n1 as f64 - n2 as f64 + n3 as f64 - 2.0 * swaps as f64;
    let den = ((n0 - n1) as f64 * (n0 - n2) as f64).sqrt();
    if den == 0.0 { f64::NAN } else { num / den }
}

/// Number of strict inversions (i < j, `v[j] < v[i]`) of a vector of ranks in
/// 1..=n (half ranks allowed), with a Fenwick tree over half-rank bins:
/// O(n log n), branch-light, using `tree` as buffer.
pub fn count_rank_inversions(v: &[f64], n: usize, tree: &mut Vec<u32>) -> u64 {
    let size = 2 * n + 1;
    fenwick_inversions(
        v.iter().map(|&x| ((2.0 * x) as usize).min(size)),
        size,
        tree,
    )
}

/// Number of inversions of distinct positions 0..n (a permutation).
pub fn count_position_inversions(v: &[u32], tree: &mut Vec<u32>) -> u64 {
    fenwick_inversions(v.iter().map(|&p| p as usize + 1), v.len(), tree)
}

/// Inversions of a sequence of bins in 1..=size (Fenwick tree).
fn fenwick_inversions(bins: impl Iterator<Item = usize>, size: usize, tree: &mut Vec<u32>) -> u64 {
    tree.clear();
    tree.resize(size + 1, 0);
    let mut inversions = 0u64;
    for (seen, bin) in bins.enumerate() {
        // Count earlier values <= this one (prefix sum up to bin).
        let mut i = bin;
        let mut le = 0u32;
        while i > 0 {
            le += tree[i];
            i &= i - 1;
        }
        inversions += (seen as u32 - le) as u64;
        let mut i = bin;
        while i <= size {
            tree[i] += 1;
            i += i & i.wrapping_neg();
        }
    }
    inversions
}

/// Sorts `v` ascending and returns the number of strict inversions.
fn merge_count(v: &mut [f64]) -> u64 {
    let n = v.len();
    if n < 2 {
        return 0;
    }
    let mid = n / 2;
    let mut swaps = merge_count(&mut v[..mid]) + merge_count(&mut v[mid..]);
    let mut merged = Vec::with_capacity(n);
    let (mut i, mut j) = (0, mid);
    while i < mid && j < n {
        if v[j] < v[i] {
            swaps += (mid - i) as u64;
            merged.push(v[j]);
            j += 1;
        } else {
            merged.push(v[i]);
            i += 1;
        }
    }
    merged.extend_from_slice(&v[i..mid]);
    merged.extend_from_slice(&v[j..n]);
    v.copy_from_slice(&merged);
    swaps
}

/// A first-order and total Sobol index with 95% bootstrap intervals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SobolIndex {
    /// First-order index S_i (Saltelli et al. 2010).
    pub first: f64,
    /// 2.5% and 97.5% bootstrap percentiles of S_i.
    pub first_ci: [f64; 2],
    /// Total index S_Ti (Jansen 1999).
    pub total: f64,
    /// 2.5% and 97.5% bootstrap percentiles of S_Ti.
    pub total_ci: [f64; 2],
}

/// First-order and total point estimates of every factor over all rows.
/// The first-order estimator (Saltelli et al. 2010) is computed on the
/// centred output f - f0, f0 the mean of every output (A, B and each
/// A_B^i), as SALib's `sobol.analyze` centres it; the variance is that of
/// the A and B outputs. Sequential sums; the bootstrap uses
/// [`estimate_weighted`], which gives the same values with unit weights.
fn estimate_all(ya: &[f64], yb: &[f64], yab: &[Vec<f64>], out: &mut Vec<(f64, f64)>) {
    out.clear();
    let n = ya.len() as f64;
    let mut mean = 0.0;
    for (a, b) in ya.iter().zip(yb) {
        mean += a + b;
    }
    let mut f0 = mean;
    for y in yab {
        f0 += y.iter().sum::<f64>();
    }
    f0 /= n * (yab.len() + 2) as f64;
    mean /= 2.0 * n;
    let mut var = 0.0;
    for (a, b) in ya.iter().zip(yb) {
        var += (a - mean).powi(2) + (b - mean).powi(2);
    }
    var /= 2.0 * n;
    for y in yab {
        if var == 0.0 {
            out.push((f64::NAN, f64::NAN));
            continue;
        }
        let (mut s, mut st) = (0.0, 0.0);
        for ((&a, &ab), &b) in ya.iter().zip(y).zip(yb) {
            s += (b - f0) * (ab - a);
            st += (a - ab) * (a - ab);
        }
        out.push((s / n / var, st / (2.0 * n) / var));
    }
}

/// Bootstrap resamples of the N base rows, as multiplicities: resample b
/// draws N rows with replacement from stream `seed`, row j appearing
/// `weights[b][j]` times. One set serves every output of an analysis.
#[derive(Debug, Clone)]
pub struct Resamples {
    weights: Vec<Vec<f64>>,
}

impl Resamples {
    /// `bootstrap` resamples of `n` rows.
    pub fn new(n: usize, bootstrap: usize, seed: u64) -> Resamples {
        let mut rng = Rng::new(seed, 0x5EED_B007);
        let weights = (0..bootstrap)
            .map(|_| {
                let mut w = vec![0.0; n];
                for _ in 0..n {
                    w[(rng.next_u64() % n as u64) as usize] += 1.0;
                }
                w
            })
            .collect();
        Resamples { weights }
    }
}

/// Sum over rows of `w * f(x, y)`, in four interleaved partial sums (one
/// vector register; the same result whatever the instruction set).
#[inline(always)]
fn weighted_sum(w: &[f64], x: &[f64], y: &[f64], f: impl Fn(f64, f64) -> f64) -> f64 {
    const L: usize = 4;
    let (wc, wr) = w.as_chunks::<L>();
    let (xc, xr) = x.as_chunks::<L>();
    let (yc, yr) = y.as_chunks::<L>();
    let mut acc = [0.0; L];
    for ((w, x), y) in wc.iter().zip(xc).zip(yc) {
        for l in 0..L {
            acc[l] += w[l] * f(x[l], y[l]);
        }
    }
    let mut tail = 0.0;
    for ((w, x), y) in wr.iter().zip(xr).zip(yr) {
        tail += w * f(*x, *y);
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// First-order and total estimates of every factor over the rows weighted
/// by a resample's multiplicities.
#[inline(always)]
fn estimate_weighted(
    ya: &[f64],
    yb: &[f64],
    yab: &[Vec<f64>],
    w: &[f64],
    out: &mut Vec<(f64, f64)>,
) {
    out.clear();
    let n = ya.len() as f64;
    let sum_ab = weighted_sum(w, ya, yb, |a, b| a + b);
    let mut f0 = sum_ab;
    for y in yab {
        f0 += weighted_sum(w, y, y, |ab, _| ab);
    }
    f0 /= n * (yab.len() + 2) as f64;
    let mean = sum_ab / (2.0 * n);
    let var = weighted_sum(w, ya, yb, |a, b| (a - mean).powi(2) + (b - mean).powi(2)) / (2.0 * n);
    for y in yab {
        if var == 0.0 {
            out.push((f64::NAN, f64::NAN));
            continue;
        }
        let (s, st) = factor_sums(w, yb, y, ya, f0);
        out.push((s / n / var, st / (2.0 * n) / var));
    }
}

/// The weighted sums of `(b - f0) * (ab - a)` and `(a - ab)^2` over the
/// rows, in one pass (interleaved partial sums as in [`weighted_sum`]).
#[inline(always)]
fn factor_sums(w: &[f64], yb: &[f64], yab: &[f64], ya: &[f64], f0: f64) -> (f64, f64) {
    const L: usize = 4;
    let (wc, wr) = w.as_chunks::<L>();
    let (bc, br) = yb.as_chunks::<L>();
    let (abc, abr) = yab.as_chunks::<L>();
    let (ac, ar) = ya.as_chunks::<L>();
    let (mut first, mut total) = ([0.0; L], [0.0; L]);
    for (((w, b), ab), a) in wc.iter().zip(bc).zip(abc).zip(ac) {
        for l in 0..L {
            let d = ab[l] - a[l];
            first[l] += w[l] * ((b[l] - f0) * d);
            total[l] += w[l] * (d * d);
        }
    }
    let (mut first_tail, mut total_tail) = (0.0, 0.0);
    for (((w, b), ab), a) in wr.iter().zip(br).zip(abr).zip(ar) {
        let d = ab - a;
        first_tail += w * ((b - f0) * d);
        total_tail += w * (d * d);
    }
    (
        (first[0] + first[1]) + (first[2] + first[3]) + first_tail,
        (total[0] + total[1]) + (total[2] + total[3]) + total_tail,
    )
}

crate::cpu::multiversion! {
    /// Every resample's estimates, per factor: (first-order, total) lists.
    fn bootstrap_estimates(
        ya: &[f64],
        yb: &[f64],
        yab: &[Vec<f64>],
        resamples: &Resamples,
    ) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
        let d = yab.len();
        let b = resamples.weights.len();
        let mut firsts: Vec<Vec<f64>> = vec![Vec::with_capacity(b); d];
        let mut totals: Vec<Vec<f64>> = vec![Vec::with_capacity(b); d];
        let mut est = Vec::with_capacity(d);
        for w in &resamples.weights {
            estimate_weighted(ya, yb, yab, w, &mut est);
            for (f, (s, st)) in est.iter().enumerate() {
                firsts[f].push(*s);
                totals[f].push(*st);
            }
        }
        (firsts, totals)
    }
}

/// Sobol indices of every factor from outputs on A, B and each A_B^(i).
/// Bootstrap intervals reweight the N rows by each of `resamples`
/// (recomputing f0 and the variance each time): percentile intervals.
pub fn sobol_indices(
    ya: &[f64],
    yb: &[f64],
    yab: &[Vec<f64>],
    resamples: &Resamples,
) -> Vec<SobolIndex> {
    let d = yab.len();
    let mut point = Vec::with_capacity(d);
    estimate_all(ya, yb, yab, &mut point);
    let (firsts, totals) = bootstrap_estimates(ya, yb, yab, resamples);
    let ci = |mut v: Vec<f64>| {
        v.retain(|x| !x.is_nan());
        v.sort_by(f64::total_cmp);
        [quantile_sorted(&v, 0.025), quantile_sorted(&v, 0.975)]
    };
    point
        .into_iter()
        .zip(firsts.into_iter().zip(totals))
        .map(|((first, total), (fs, ts))| SobolIndex {
            first,
            first_ci: ci(fs),
            total,
            total_ci: ci(ts),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_quantiles_are_those_of_the_sorted_values() {
        let mut seed = 7u64;
        for n in [1usize, 2, 3, 5, 19, 20, 21, 100, 1001] {
            // Few distinct values (ties) and some NaN.
            let v: Vec<f64> = (0..n)
                .map(|i| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    if i % 17 == 16 {
                        f64::NAN
                    } else {
                        ((seed >> 33) % 13) as f64 - 6.0
                    }
                })
                .collect();
            let mut sorted: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            sorted.sort_by(f64::total_cmp);
            let s = summarise(&v);
            assert_eq!(s.q05, quantile_sorted(&sorted, 0.05), "n = {n}");
            assert_eq!(s.median, quantile_sorted(&sorted, 0.5), "n = {n}");
            assert_eq!(s.q95, quantile_sorted(&sorted, 0.95), "n = {n}");
            let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
            assert!((s.mean - mean).abs() < 1e-12, "n = {n}");
        }
        assert!(summarise(&[f64::NAN]).median.is_nan());
    }

    #[test]
    fn quantiles_by_hand() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(quantile_sorted(&v, 0.5), 5.0);
        assert_eq!(quantile_sorted(&v, 0.05), 1.0);
        assert_eq!(quantile_sorted(&v, 0.95), 10.0);
        // Histogram: rank 1 x3, rank 2 x5, rank 3 x2.
        let h = [3u32, 5, 2];
        let r = |b: usize| (b + 1) as f64;
        assert_eq!(histogram_quantile(&h, 10, 0.05, r), 1.0);
        assert_eq!(histogram_quantile(&h, 10, 0.3, r), 1.0);
        assert_eq!(histogram_quantile(&h, 10, 0.31, r), 2.0);
        assert_eq!(histogram_quantile(&h, 10, 0.95, r), 3.0);
    }

    fn kendall_brute(x: &[f64], y: &[f64]) -> f64 {
        let (mut c, mut d, mut tx, mut ty) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        for i in 0..x.len() {
            for j in i + 1..x.len() {
                let a = (x[i] - x[j]).signum() * (x[i] != x[j]) as i32 as f64;
                let b = (y[i] - y[j]).signum() * (y[i] != y[j]) as i32 as f64;
                if a == 0.0 && b == 0.0 {
                } else if a == 0.0 {
                    tx += 1.0;
                } else if b == 0.0 {
                    ty += 1.0;
                } else if a == b {
                    c += 1.0;
                } else {
                    d += 1.0;
                }
            }
        }
        (c - d) / ((c + d + tx) * (c + d + ty)).sqrt()
    }

    #[test]
    fn kendall_matches_brute_force_with_ties() {
        let mut rng = Rng::new(5, 5);
        for _ in 0..200 {
            let n = 2 + (rng.next_u64() % 30) as usize;
            let x: Vec<f64> = (0..n).map(|_| (rng.next_u64() % 6) as f64).collect();
            let y: Vec<f64> = (0..n).map(|_| (rng.next_u64() % 6) as f64).collect();
            let (a, b) = (kendall_tau_b(&x, &y), kendall_brute(&x, &y));
            assert!(
                (a.is_nan() && b.is_nan()) || (a - b).abs() < 1e-12,
                "{x:?} {y:?}: {a} vs {b}"
            );
        }
        assert_eq!(kendall_tau_b(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]), 1.0);
        assert_eq!(kendall_tau_b(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]), -1.0);
    }

    #[test]
    fn inversion_counts_agree() {
        let mut rng = Rng::new(2, 2);
        for n in [0usize, 1, 2, 3, 7, 64, 100] {
            let v: Vec<f64> = (0..n).map(|_| (rng.next_u64() % 10) as f64).collect();
            let mut a = v.clone();
            let brute = (0..n)
                .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
                .filter(|&(i, j)| v[j] < v[i])
                .count() as u64;
            assert_eq!(merge_count(&mut a), brute);
            let ranks: Vec<f64> = v.iter().map(|x| x / 2.0 + 1.0).collect();
            assert_eq!(count_rank_inversions(&ranks, 10, &mut Vec::new()), brute);
            assert!(a.is_sorted_by(|x, y| x <= y));
        }
    }

    #[test]
    fn spearman_by_hand() {
        // Ranks 1..5 vs 5,4,3,1,2: d^2 = 16+4+0+9+9 = 38... rho = 1 - 6*38/(5*24) = -0.9.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [50.0, 40.0, 30.0, 10.0, 20.0];
        assert!((spearman(&x, &y) + 0.9).abs() < 1e-12);
        assert_eq!(average_ranks(&[3.0, 1.0, 3.0]), vec![2.5, 1.0, 2.5]);
    }

    /// Outputs of y = offset + sum a_i x_i on a Saltelli design of `n` rows:
    /// f(A), f(B) and f(A_B^i) for each factor (one column each).
    fn linear_model_outputs(
        a: &[f64],
        offset: f64,
        n: usize,
        seed: u64,
    ) -> (Vec<f64>, Vec<f64>, Vec<Vec<f64>>) {
        use super::super::sample::{ab_row, saltelli_base};
        let (ma, mb) = saltelli_base(n, a.len(), crate::spec::SobolDesign::Sobol, seed);
        let f = |x: &[f64]| offset + x.iter().zip(a).map(|(x, a)| x * a).sum::<f64>();
        let ya = ma.iter().map(|r| f(r)).collect();
        let yb = mb.iter().map(|r| f(r)).collect();
        let yab = (0..a.len())
            .map(|i| {
                (0..n)
                    .map(|j| f(&ab_row(&ma[j], &mb[j], i..i + 1)))
                    .collect()
            })
            .collect();
        (ya, yb, yab)
    }

    /// y = sum a_i x_i with independent uniform x_i: S_i = S_Ti = a_i^2 / sum a_j^2.
    #[test]
    fn sobol_recovers_analytic_indices_of_a_linear_model() {
        let a = [1.0, 2.0, 3.0, 0.0];
        let (ya, yb, yab) = linear_model_outputs(&a, 0.0, 4096, 11);
        let s = sobol_indices(&ya, &yb, &yab, &Resamples::new(ya.len(), 300, 1));
        let sum: f64 = a.iter().map(|x| x * x).sum();
        for (i, idx) in s.iter().enumerate() {
            let truth = a[i] * a[i] / sum;
            assert!(
                idx.first_ci[0] <= truth && truth <= idx.first_ci[1],
                "S_{i} {idx:?} vs {truth}"
            );
            assert!(
                idx.total_ci[0] <= truth && truth <= idx.total_ci[1],
                "ST_{i} {idx:?} vs {truth}"
            );
            assert!(
                (idx.first - truth).abs() < 0.03 && (idx.total - truth).abs() < 0.03,
                "{i}: {idx:?} vs {truth}"
            );
        }
    }

    /// SALib's `first_order` and `total_order` on the same outputs, centred
    /// as its `analyze` centres them (tests/reference/salib_sobol.py).
    #[test]
    fn sobol_point_estimates_equal_salibs() {
        let n = 16;
        let ya: Vec<f64> = (0..n)
            .map(|j| 100.0 + (j as f64).sin() + 0.5 * (3.0 * j as f64).cos())
            .collect();
        let yb: Vec<f64> = (0..n)
            .map(|j| 100.0 + (j as f64).cos() * 2.0 + 0.1 * j as f64)
            .collect();
        let yab: Vec<Vec<f64>> = (0..3)
            .map(|i| {
                (0..n)
                    .map(|j| 100.0 + ((j + i) as f64).sin() + 0.3 * i as f64 * (j as f64).cos())
                    .collect()
            })
            .collect();
        let salib = [
            (-0.012428512363364902, 0.03494282019268355),
            (0.7574632531257312, 0.2920279997551917),
            (0.974634704515645, 0.7634703148499912),
        ];
        let s = sobol_indices(&ya, &yb, &yab, &Resamples::new(n, 10, 1));
        for (idx, (first, total)) in s.iter().zip(salib) {
            assert!((idx.first - first).abs() < 1e-12, "{idx:?} vs {first}");
            assert!((idx.total - total).abs() < 1e-12, "{idx:?} vs {total}");
        }
        // The bootstrap's weighted sums give the point estimate with unit weights.
        let mut est = Vec::new();
        estimate_weighted(&ya, &yb, &yab, &vec![1.0; n], &mut est);
        for (e, idx) in est.iter().zip(&s) {
            assert!((e.0 - idx.first).abs() < 1e-12 && (e.1 - idx.total).abs() < 1e-12);
        }
    }

    /// On an output with a large mean, the centred first-order estimator's
    /// bootstrap interval is several times narrower than the uncentred one
    /// (mean(f(B) (f(A_B) - f(A))) / V without f0), whose error grows with
    /// mean / sd.
    #[test]
    fn centring_narrows_first_order_intervals() {
        let a = [1.0, 2.0, 3.0];
        let (ya, yb, yab) = linear_model_outputs(&a, 50.0, 512, 3);
        let resamples = Resamples::new(ya.len(), 200, 5);
        let centred = sobol_indices(&ya, &yb, &yab, &resamples);
        let n = ya.len() as f64;
        for (i, idx) in centred.iter().enumerate() {
            let mut uncentred: Vec<f64> = resamples
                .weights
                .iter()
                .map(|w| {
                    let mean = weighted_sum(w, &ya, &yb, |a, b| a + b) / (2.0 * n);
                    let var =
                        weighted_sum(w, &ya, &yb, |a, b| (a - mean).powi(2) + (b - mean).powi(2))
                            / (2.0 * n);
                    let s: f64 = (0..ya.len())
                        .map(|j| w[j] * yb[j] * (yab[i][j] - ya[j]))
                        .sum();
                    s / n / var
                })
                .collect();
            uncentred.sort_by(f64::total_cmp);
            let wide = quantile_sorted(&uncentred, 0.975) - quantile_sorted(&uncentred, 0.025);
            let narrow = idx.first_ci[1] - idx.first_ci[0];
            assert!(
                narrow * 4.0 < wide,
                "factor {i}: centred {narrow}, uncentred {wide}"
            );
            let truth = a[i] * a[i] / 14.0;
            assert!(
                idx.first_ci[0] <= truth && truth <= idx.first_ci[1],
                "{idx:?} vs {truth}"
            );
        }
    }
}
