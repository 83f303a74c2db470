//! Ranking with exact tie rules, optional rounding before ranking (HDI ranks
//! on 3 published decimals), and ranks within groups.

use crate::spec::{Best, RankMethod};
use serde::{Serialize, Serializer};

/// A rank: integral for competition/dense/ordinal, possibly x.5 for fractional.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Rank(pub f64);

impl Serialize for Rank {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 {
            s.serialize_i64(self.0 as i64)
        } else {
            s.serialize_f64(self.0)
        }
    }
}

impl std::fmt::Display for Rank {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.fract() == 0.0 {
            write!(f, "{}", self.0 as i64)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// Rounds half away from zero to `decimals`, deciding on the value's
/// 15-significant-digit decimal form (as Excel's ROUND does), so that 2.675
/// rounds to 2.68 although its double is slightly below 2.675.
pub fn round_half_away(x: f64, decimals: u32) -> f64 {
    if !x.is_finite() {
        return x;
    }
    if let Some(&scale) = POW10.get(decimals as usize)
        && let (r, true) = round_away_from_half(x, scale)
    {
        return r;
    }
    round_half_away_by_text(x, decimals)
}

/// Exact powers of ten, for the fast path of [`round_half_away`].
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The fast path of [`round_half_away`] for finite `x` and `scale` = 10^d:
/// away from a half (by far more than the error of scaling and of the
/// 15-digit form), the decimal form rounds as x * 10^d does, and m / 10^d
/// (m an integer, 10^d exact) is the closest double to the decimal number,
/// as parsing its text gives. Returns the rounded value and whether it
/// holds: not near a half, not huge, not NaN or infinite (no branch, so
/// that [`round_all`] vectorises it).
#[inline(always)]
fn round_away_from_half(x: f64, scale: f64) -> (f64, bool) {
    let y = x.abs() * scale;
    let floor = y.floor();
    let frac = y - floor;
    let m = if frac > 0.5 { floor + 1.0 } else { floor };
    let clear = (y < 1e13) & ((frac - 0.5).abs() > (1e-6f64).max(y * 1e-13));
    ((m / scale).copysign(x), clear)
}

/// [`round_half_away`] of every score into `out` (same results), eight at
/// a time where all eight take the fast path (vectorised where the CPU
/// allows).
pub fn round_all(scores: &[f64], decimals: u32, out: &mut Vec<f64>) {
    out.clear();
    out.resize(scores.len(), 0.0);
    round_all_into(scores, decimals, out);
}

crate::cpu::multiversion! {
    /// [`round_all`] into `out`.
    fn round_all_into(scores: &[f64], decimals: u32, out: &mut [f64]) {
        const L: usize = 8;
        let scale = POW10.get(decimals as usize).copied();
        for (xs, os) in scores.chunks(L).zip(out.chunks_mut(L)) {
            if let (Some(scale), Ok(xs)) = (scale, <&[f64; L]>::try_from(xs)) {
                // Branch-free over the eight (NaN and infinities fail `clear`).
                let mut done = [0.0f64; L];
                let mut clear = true;
                for (d, &x) in done.iter_mut().zip(xs) {
                    let (r, holds) = round_away_from_half(x, scale);
                    clear &= holds;
                    *d = r;
                }
                if clear {
                    os.copy_from_slice(&done);
                    continue;
                }
            }
            for (o, &x) in os.iter_mut().zip(xs) {
                *o = round_half_away(x, decimals);
            }
        }
    }
}

/// [`round_half_away`] on the decimal text of x (every case).
fn round_half_away_by_text(x: f64, decimals: u32) -> f64 {
    // Shortest 15-significant-digit decimal form, e.g. "2.67500000000000e0".
    let s = format!("{:.14e}", x.abs());
    let (mantissa, exp) = s.split_once('e').expect("exponent form");
    let exp: i32 = exp.parse().expect("exponent");
    let digits: Vec<u8> = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    // Value = 0.d1d2...d15 * 10^(exp+1); keep (exp + 1 + decimals) digits.
    let keep = exp + 1 + decimals as i32;
    if keep < 0 {
        return 0.0 * x.signum();
    }
    let keep = keep as usize;
    if keep >= digits.len() {
        return x;
    }
    let mut kept: Vec<u8> = digits[..keep].to_vec();
    let round_up = digits[keep] >= 5;
    let mut int_digits = String::new();
    if round_up {
        let mut i = kept.len();
        loop {
            if i == 0 {
                kept.insert(0, 1);
                break;
            }
            i -= 1;
            if kept[i] == 9 {
                kept[i] = 0;
            } else {
                kept[i] += 1;
                break;
            }
        }
    }
    for d in &kept {
        int_digits.push((b'0' + d) as char);
    }
    if int_digits.is_empty() {
        int_digits.push('0');
    }
    // int_digits * 10^(-decimals), built as text so the result is the
    // closest double to the decimal number.
    let text = format!("{int_digits}e-{decimals}");
    let v: f64 = text.parse().expect("decimal text");
    if x < 0.0 { -v } else { v }
}

/// Relative tolerance under which unrounded scores tie: floating-point noise
/// from the order of evaluation (about 1e-14 relative) never decides a rank.
pub const TIE_TOLERANCE: f64 = 1e-12;

/// Whether two values are equal up to floating-point noise (relative
/// [`TIE_TOLERANCE`]): the tie test of unrounded scores, and the test of an
/// indicator whose values differ only by noise (0.3 and
/// 0.30000000000000004), which no normalisation may stretch to a range.
pub fn nearly_equal(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= TIE_TOLERANCE * a.abs().max(b.abs())
}

/// Reusable buffers for [`Ranker::rank_into`].
#[derive(Debug, Clone, Default)]
pub struct RankScratch {
    keys: Vec<f64>,
    sort_keys: Vec<f64>,
    order: Vec<u32>,
    /// Average (fractional) ranks of the last call: the ranks' own average
    /// ranks, for rank correlations (equal to the ranks for ordinal).
    pub fractional: Vec<f64>,
    /// Pairs of units sharing a rank in the last call.
    pub tie_pairs: u64,
    /// Whether the last call put any units in one tie group.
    pub any_group: bool,
    /// Swaps the last insertion sort made from its start order (None after
    /// a full sort): with no ties anywhere, the discordant pairs.
    pub swaps: Option<u64>,
}

impl RankScratch {
    /// Units in rank order from the last call.
    pub fn order(&self) -> &[u32] {
        &self.order
    }
}

/// Ranks score vectors of a fixed set of units with one tie rule. The same
/// ranker serves the nominal ranking and every sensitivity run, so a run with
/// nominal weights reproduces the nominal ranks exactly.
#[derive(Debug, Clone)]
pub struct Ranker {
    method: RankMethod,
    best: Best,
    round: Option<u32>,
    /// Position of each unit's id among the sorted ids (ordinal tie-break).
    id_order: Vec<u32>,
}

impl Ranker {
    /// A ranker for units with these ids.
    pub fn new(ids: &[String], method: RankMethod, best: Best, round: Option<u32>) -> Self {
        let mut sorted: Vec<usize> = (0..ids.len()).collect();
        sorted.sort_by(|&a, &b| ids[a].cmp(&ids[b]));
        let mut id_order = vec![0u32; ids.len()];
        for (pos, &u) in sorted.iter().enumerate() {
            id_order[u] = pos as u32;
        }
        Ranker {
            method,
            best,
            round,
            id_order,
        }
    }

    fn fill_keys(&self, scores: &[f64], keys: &mut Vec<f64>) {
        match self.round {
            Some(d) => round_all(scores, d, keys),
            None => {
                keys.clear();
                keys.extend_from_slice(scores);
            }
        }
    }

    /// Whether unit `a` comes before unit `b` (better key, then smaller id).
    fn before(&self, keys: &[f64], a: u32, b: u32) -> std::cmp::Ordering {
        let (ka, kb) = (keys[a as usize], keys[b as usize]);
        let primary = match self.best {
            Best::Highest => kb.total_cmp(&ka),
            Best::Lowest => ka.total_cmp(&kb),
        };
        primary.then_with(|| self.id_order[a as usize].cmp(&self.id_order[b as usize]))
    }

    /// Writes each unit's rank to `out` (NaN for a NaN score).
    pub fn rank_into(&self, scores: &[f64], scratch: &mut RankScratch, out: &mut [f64]) {
        self.fill_keys(scores, &mut scratch.keys);
        let keys = &scratch.keys;
        let order = &mut scratch.order;
        order.clear();
        order.extend((0..scores.len() as u32).filter(|&i| !keys[i as usize].is_nan()));
        order.sort_unstable_by(|&a, &b| self.before(keys, a, b));
        scratch.swaps = None;
        for (o, s) in out.iter_mut().zip(scores) {
            if s.is_nan() {
                *o = f64::NAN;
            }
        }
        self.walk(scratch, out);
    }

    /// Like [`Ranker::rank_into`] for scores without NaN, re-sorting the
    /// previous call's order by insertion: a perturbed run is nearly in the
    /// previous order, so this costs about n plus the number of swaps.
    pub fn rank_incremental(&self, scores: &[f64], scratch: &mut RankScratch, out: &mut [f64]) {
        if scratch.order.len() != scores.len() || scores.iter().any(|s| s.is_nan()) {
            return self.rank_into(scores, scratch, out);
        }
        self.insertion_rank(scores, scratch, out);
    }

    /// Ranks `scores` whose order is already known: `order` lists the units
    /// best first by their unrounded scores, neighbours apart beyond
    /// [`TIE_TOLERANCE`] or exactly equal (as an exact check established),
    /// and is `swaps` pairs away from a start order. Gives
    /// what [`Ranker::rank_into`] gives (ties grouped on the rounded
    /// scores); `scratch.swaps` keeps `swaps` unless ordinal ranks reordered
    /// a tie group by id.
    pub fn rank_ordered(
        &self,
        scores: &[f64],
        order: &[u32],
        swaps: u64,
        scratch: &mut RankScratch,
        out: &mut [f64],
    ) {
        self.fill_keys(scores, &mut scratch.keys);
        scratch.order.clear();
        scratch.order.extend_from_slice(order);
        self.walk(scratch, out);
        let reordered = self.method == RankMethod::Ordinal && scratch.any_group;
        scratch.swaps = (!reordered).then_some(swaps);
    }

    /// Like [`Ranker::rank_incremental`], starting from `start` (e.g. the
    /// nominal order, which perturbed runs stay close to).
    pub fn rank_from(
        &self,
        scores: &[f64],
        start: &[u32],
        scratch: &mut RankScratch,
        out: &mut [f64],
    ) {
        if start.len() != scores.len() || scores.iter().any(|s| s.is_nan()) {
            return self.rank_into(scores, scratch, out);
        }
        scratch.order.clear();
        scratch.order.extend_from_slice(start);
        self.insertion_rank(scores, scratch, out);
    }

    fn insertion_rank(&self, scores: &[f64], scratch: &mut RankScratch, out: &mut [f64]) {
        self.fill_keys(scores, &mut scratch.keys);
        // Sort keys ascending: negate for "highest is best" (no NaN here).
        let sign = if self.best == Best::Highest {
            -1.0
        } else {
            1.0
        };
        scratch.sort_keys.clear();
        scratch
            .sort_keys
            .extend(scratch.keys.iter().map(|k| sign * k));
        let (k, id) = (&scratch.sort_keys, &self.id_order);
        let order = &mut scratch.order;
        let mut swaps = 0u64;
        // Far from the start order, a full sort is cheaper than insertion.
        let limit = 8 * order.len() as u64 + 1024;
        for i in 1..order.len() {
            if swaps > limit {
                order.sort_unstable_by(|&a, &b| self.before(&scratch.keys, a, b));
                scratch.swaps = None;
                return self.walk(scratch, out);
            }
            let x = order[i] as usize;
            let (kx, ix) = (k[x], id[x]);
            let mut j = i;
            while j > 0 {
                let y = order[j - 1] as usize;
                if kx < k[y] || (kx == k[y] && ix < id[y]) {
                    order[j] = order[j - 1];
                    j -= 1;
                } else {
                    break;
                }
            }
            swaps += (i - j) as u64;
            order[j] = x as u32;
        }
        scratch.swaps = Some(swaps);
        self.walk(scratch, out);
    }

    /// Assigns ranks along the sorted order, grouping ties; also fills the
    /// scratch's fractional ranks and tie-pair count.
    fn walk(&self, scratch: &mut RankScratch, out: &mut [f64]) {
        let keys = &scratch.keys;
        let order = &mut scratch.order;
        scratch.fractional.clear();
        scratch.fractional.resize(keys.len(), f64::NAN);
        scratch.tie_pairs = 0;
        scratch.any_group = false;
        let tied = |a: f64, b: f64| a == b || (self.round.is_none() && nearly_equal(a, b));
        let mut pos = 0;
        let mut dense = 0;
        while pos < order.len() {
            let first = keys[order[pos] as usize];
            let mut end = pos + 1;
            while end < order.len() && tied(first, keys[order[end] as usize]) {
                end += 1;
            }
            dense += 1;
            let t = (end - pos) as u64;
            scratch.any_group |= t > 1;
            if self.method == RankMethod::Ordinal && t > 1 {
                order[pos..end].sort_unstable_by_key(|&u| self.id_order[u as usize]);
            } else {
                scratch.tie_pairs += t * (t - 1) / 2;
            }
            let frac = (pos + 1 + end) as f64 / 2.0;
            for (j, &i) in order[pos..end].iter().enumerate() {
                out[i as usize] = match self.method {
                    RankMethod::Competition => (pos + 1) as f64,
                    RankMethod::Dense => dense as f64,
                    RankMethod::Fractional => frac,
                    RankMethod::Ordinal => (pos + 1 + j) as f64,
                };
                scratch.fractional[i as usize] = if self.method == RankMethod::Ordinal {
                    (pos + 1 + j) as f64
                } else {
                    frac
                };
            }
            pos = end;
        }
    }
}

/// Ranks `scores` (NaN = not ranked). Ties are equality of the scores
/// rounded to `round` decimals, or else equality within [`TIE_TOLERANCE`];
/// ordinal ties are broken by `ids` ascending.
pub fn rank(
    scores: &[f64],
    ids: &[String],
    method: RankMethod,
    best: Best,
    round: Option<u32>,
) -> Vec<Option<Rank>> {
    let ranker = Ranker::new(ids, method, best, round);
    let mut out = vec![f64::NAN; scores.len()];
    ranker.rank_into(scores, &mut RankScratch::default(), &mut out);
    out.into_iter()
        .map(|r| (!r.is_nan()).then_some(Rank(r)))
        .collect()
}

/// Ranks within each group value (units with an empty group are not ranked).
pub fn rank_within(
    scores: &[f64],
    ids: &[String],
    groups: &[String],
    method: RankMethod,
    best: Best,
    round: Option<u32>,
) -> Vec<Option<Rank>> {
    let mut out = vec![None; scores.len()];
    let mut seen: Vec<&String> = Vec::new();
    for g in groups {
        if !g.is_empty() && !seen.contains(&g) {
            seen.push(g);
        }
    }
    for g in seen {
        let members: Vec<usize> = (0..scores.len()).filter(|&i| &groups[i] == g).collect();
        let s: Vec<f64> = members.iter().map(|&i| scores[i]).collect();
        let id: Vec<String> = members.iter().map(|&i| ids[i].clone()).collect();
        for (r, &i) in rank(&s, &id, method, best, round).into_iter().zip(&members) {
            out[i] = r;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("u{i}")).collect()
    }

    fn ranks(scores: &[f64], m: RankMethod) -> Vec<f64> {
        rank(scores, &ids(scores.len()), m, Best::Highest, None)
            .into_iter()
            .map(|r| r.map_or(f64::NAN, |r| r.0))
            .collect()
    }

    #[test]
    fn incremental_ranking_equals_a_full_sort() {
        for n in [50usize, 300] {
            let ids: Vec<String> = (0..n).map(|i| format!("{:03}", (i * 37) % n)).collect();
            let mut state = 3u64;
            let mut rnd = || {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                ((state >> 33) % 20) as f64
            };
            for method in [
                RankMethod::Competition,
                RankMethod::Dense,
                RankMethod::Fractional,
                RankMethod::Ordinal,
            ] {
                let ranker = Ranker::new(&ids, method, Best::Highest, None);
                let mut inc = RankScratch::default();
                for _ in 0..30 {
                    // Far-apart runs (n = 300) take the full-sort fallback.
                    let scores: Vec<f64> = (0..n).map(|_| rnd()).collect();
                    let mut a = vec![0.0; n];
                    let mut b = vec![0.0; n];
                    ranker.rank_into(&scores, &mut RankScratch::default(), &mut a);
                    ranker.rank_incremental(&scores, &mut inc, &mut b);
                    assert_eq!(a, b, "{method:?}");
                }
            }
        }
    }

    #[test]
    fn tie_rules() {
        let s = [10.0, 8.0, 8.0, 5.0];
        assert_eq!(ranks(&s, RankMethod::Competition), vec![1.0, 2.0, 2.0, 4.0]);
        assert_eq!(ranks(&s, RankMethod::Dense), vec![1.0, 2.0, 2.0, 3.0]);
        assert_eq!(ranks(&s, RankMethod::Fractional), vec![1.0, 2.5, 2.5, 4.0]);
        assert_eq!(ranks(&s, RankMethod::Ordinal), vec![1.0, 2.0, 3.0, 4.0]);
    }

    #[test]
    fn six_tied_at_the_top_share_rank_one() {
        let s = [14.0, 14.0, 13.0, 14.0, 14.0, 14.0, 14.0, 12.0];
        assert_eq!(
            ranks(&s, RankMethod::Competition),
            vec![1.0, 1.0, 7.0, 1.0, 1.0, 1.0, 1.0, 8.0]
        );
    }

    #[test]
    fn ordinal_breaks_ties_by_id_not_position() {
        let ids = vec!["b".to_string(), "a".to_string()];
        let r = rank(&[1.0, 1.0], &ids, RankMethod::Ordinal, Best::Highest, None);
        assert_eq!(r, vec![Some(Rank(2.0)), Some(Rank(1.0))]);
    }

    #[test]
    fn missing_scores_are_not_ranked_and_lowest_can_be_best() {
        let r = rank(
            &[3.0, f64::NAN, 1.0],
            &ids(3),
            RankMethod::Competition,
            Best::Lowest,
            None,
        );
        assert_eq!(r, vec![Some(Rank(2.0)), None, Some(Rank(1.0))]);
    }

    #[test]
    fn rounding_before_ranking_creates_ties() {
        // 0.9254 and 0.9249 both publish as 0.925 (HDI style) and tie.
        let r = rank(
            &[0.9254, 0.9249, 0.9244],
            &ids(3),
            RankMethod::Competition,
            Best::Highest,
            Some(3),
        );
        assert_eq!(r, vec![Some(Rank(1.0)), Some(Rank(1.0)), Some(Rank(3.0))]);
        let r = rank(
            &[0.9254, 0.9249],
            &ids(2),
            RankMethod::Competition,
            Best::Highest,
            None,
        );
        assert_eq!(r, vec![Some(Rank(1.0)), Some(Rank(2.0))]);
    }

    #[test]
    fn floating_noise_does_not_break_ties() {
        let a = 0.1 + 0.2 + 0.3;
        let b = 0.3 + 0.2 + 0.1;
        assert_ne!(a, b);
        assert_eq!(ranks(&[a, b], RankMethod::Competition), vec![1.0, 1.0]);
        assert_eq!(
            ranks(&[1.0, 1.0 + 1e-9], RankMethod::Competition),
            vec![2.0, 1.0]
        );
    }

    /// Uniform numbers in [0, 1) from a seeded linear congruential stream.
    fn uniforms(seed: u64) -> impl FnMut() -> f64 {
        let mut state = seed;
        move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// The fast path gives the same double as rounding the decimal text,
    /// on random values, values near halves and both signs.
    #[test]
    fn round_half_away_fast_path_equals_the_text_rounding() {
        let mut next = uniforms(42);
        for i in 0..200_000 {
            let d = (i % 7) as u32;
            let magnitude = 10f64.powi(i % 13 - 4);
            let mut x = (next() - 0.5) * magnitude;
            if i % 5 == 0 {
                // Near a half at d decimals.
                let scale = 10f64.powi(d as i32);
                x = ((x * scale).trunc() + 0.5 + (next() - 0.5) * 1e-9) / scale;
            }
            assert_eq!(
                round_half_away(x, d).to_bits(),
                round_half_away_by_text(x, d).to_bits(),
                "{x} at {d} decimals"
            );
        }
    }

    /// Rounding a slice gives, bit for bit, what rounding each value
    /// gives: random values, values near halves, NaN, infinities, huge
    /// values, every length and 0 to 16 decimals.
    #[test]
    fn round_all_equals_round_half_away() {
        let mut next = uniforms(7);
        let mut out = Vec::new();
        for case in 0..3000 {
            let d = (case % 17) as u32;
            let len = case % 37;
            let xs: Vec<f64> = (0..len)
                .map(|i| {
                    let scale = 10f64.powi(d as i32);
                    let x = (next() - 0.5) * 10f64.powi((i % 9) - 2);
                    match (case + i) % 23 {
                        0 => f64::NAN,
                        1 => f64::INFINITY,
                        2 => -1e300,
                        3 | 4 => ((x * scale).trunc() + 0.5) / scale,
                        _ => x,
                    }
                })
                .collect();
            round_all(&xs, d, &mut out);
            assert_eq!(out.len(), xs.len());
            for (&x, &r) in xs.iter().zip(&out) {
                let one = round_half_away(x, d);
                assert!(
                    r.to_bits() == one.to_bits() || (r.is_nan() && one.is_nan()),
                    "{x} at {d} decimals: {r} against {one}"
                );
            }
        }
    }

    #[test]
    fn round_half_away_like_excel() {
        assert_eq!(round_half_away(2.675, 2), 2.68);
        assert_eq!(round_half_away(1.005, 2), 1.01);
        assert_eq!(round_half_away(0.0005, 3), 0.001);
        assert_eq!(round_half_away(-2.5, 0), -3.0);
        assert_eq!(round_half_away(0.1249999, 3), 0.125);
        assert_eq!(round_half_away(99.9996, 3), 100.0);
        assert_eq!(round_half_away(123.456, 0), 123.0);
        assert_eq!(round_half_away(0.0004, 3), 0.0);
        assert_eq!(round_half_away(5e-10, 3), 0.0);
        assert_eq!(round_half_away(0.3, 12), 0.3);
    }

    #[test]
    fn group_ranks() {
        let g: Vec<String> = ["a", "b", "a", "b", ""]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let r = rank_within(
            &[1.0, 2.0, 3.0, 4.0, 5.0],
            &ids(5),
            &g,
            RankMethod::Competition,
            Best::Highest,
            None,
        );
        assert_eq!(
            r,
            vec![
                Some(Rank(2.0)),
                Some(Rank(2.0)),
                Some(Rank(1.0)),
                Some(Rank(1.0)),
                None
            ]
        );
    }

    #[test]
    fn rank_serialises_as_integer_when_integral() {
        assert_eq!(serde_json::to_string(&Rank(3.0)).unwrap(), "3");
        assert_eq!(serde_json::to_string(&Rank(2.5)).unwrap(), "2.5");
    }
}
