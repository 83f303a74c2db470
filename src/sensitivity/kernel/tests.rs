//! Unit tests of [`super`]: each fast form against plain reference code.

use super::*;
use crate::pipeline::rank::RankScratch;
use crate::pipeline::rank::Ranker;
use crate::spec::{Best, RankMethod};

use crate::sensitivity::rng::tests::lcg;

/// The counted-order check on hand-made orders: strictly in order,
/// exact ties (accepted only in nominal order, and only when ties are),
/// near ties within the tolerance, NaN, positions out of range and the
/// direction.
/// The instruction sets the kernels can be forced to on this CPU.
fn isas_here() -> Vec<Isa> {
    cpu::available()
}

/// A ranker that learned the windows `later`.
fn learned(later: &[u32]) -> BlockRanker {
    let n = later.len();
    let mut ranker = BlockRanker {
        later: later.to_vec(),
        needed: vec![0; n],
        pending: true,
        ..BlockRanker::default()
    };
    ranker.learn();
    assert!(ranker.learned, "windows within the budget");
    ranker
}

/// The 16-bit keys and window counts of `keys` (n rows of lanes) with
/// windows `later`, computed with `isa`: (keys16, counted,
/// swaps, lanes missed).
fn counts16_with(isa: Isa, keys: &[f32], later: &[u32]) -> (Vec<i16>, Vec<u32>, Vec<u32>, u32) {
    const L: usize = BLOCK_RUNS;
    let n = later.len();
    let ranker = learned(later);
    let (mut keys16, mut least) = (vec![0; n * L], vec![0; (n + 1) * L]);
    let (mut counted, mut swaps) = (vec![0; n * L], vec![0; L]);
    let mut positions = vec![0; n * L];
    let mut c = Counts16 {
        keys16: &mut keys16,
        later: &ranker.later,
        suffix_min: &mut least,
        positions: &mut positions,
        counted: &mut counted,
        swaps: &mut swaps,
    };
    let missed = match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `self.isa` comes from `cpu::isa()`, never above what this CPU has.
        Isa::Avx2 => unsafe {
            fill_keys16_avx2(keys, &mut c);
            counts16_avx2(&mut c)
        },
        _ => {
            fill_keys16(keys, &mut c);
            counts16(&mut c)
        }
    };
    (keys16, counted, swaps, missed)
}

/// The 16-bit counting against the order by (16-bit key, nominal
/// position) computed from scratch, lane by lane: keys with many exact
/// ties, single-precision keys closer than a 16-bit step, a lane of
/// equal keys, NaN, and windows from none to complete. A lane is
/// reported missed exactly when a pair that order inverts lies outside
/// the windows; otherwise its counted positions and forward counts are
/// that order's. Every instruction set gives the same keys and counts,
/// and the keys keep the order of the single-precision ones.
#[test]
fn counts16_give_the_order_by_key_and_position() {
    const L: usize = BLOCK_RUNS;
    let mut seed = 16u64;
    for trial in 0..120 {
        let n = 2 + (lcg(&mut seed) * [8.0, 60.0, 400.0][trial % 3]) as usize;
        let levels = [3.0, 50.0, 1e6][trial / 3 % 3];
        let mut keys: Vec<f32> = (0..n * L)
            .map(|_| ((lcg(&mut seed) * levels).floor() + lcg(&mut seed) * 1e-6) as f32)
            .collect();
        // A lane of equal keys, and a NaN key.
        for p in 0..n {
            keys[p * L + 5] = 7.0;
        }
        if trial % 7 == 0 {
            keys[(n / 2) * L + 9] = f32::NAN;
        }
        let reach = (lcg(&mut seed) * n as f64) as u32;
        let later: Vec<u32> = (0..n)
            .map(|p| match trial % 4 {
                0 => (n - 1 - p) as u32,
                1 => 0,
                _ => (lcg(&mut seed) * reach as f64) as u32,
            })
            .collect();
        let results: Vec<_> = isas_here()
            .into_iter()
            .map(|isa| counts16_with(isa, &keys, &later))
            .collect();
        assert!(results.windows(2).all(|w| w[0] == w[1]), "trial {trial}");
        let (keys16, counted, swaps, missed) = &results[0];
        let probe = learned(&later);
        for l in 0..L {
            let key = |p: usize| keys16[p * L + l];
            for a in 0..n {
                for b in 0..n {
                    let (x, y) = (keys[a * L + l], keys[b * L + l]);
                    if x < y {
                        assert!(key(a) <= key(b), "trial {trial} lane {l}: keys swapped");
                    }
                }
            }
            // Position of p: the units before it in (key, position).
            let position = |p: usize| (0..n).filter(|&q| (key(q), q) < (key(p), p)).count();
            let outside = (0..n)
                .any(|p| (p + 1..n).any(|j| key(j) < key(p) && j > p + probe.later[p] as usize));
            assert_eq!(missed >> l & 1 == 1, outside, "trial {trial} lane {l}");
            if outside {
                continue;
            }
            for p in 0..n {
                assert_eq!(
                    counted[p * L + l] as usize,
                    position(p),
                    "trial {trial} lane {l}"
                );
            }
            let discordant = (0..n)
                .map(|p| (p + 1..n).filter(|&j| key(j) < key(p)).count())
                .sum::<usize>();
            assert_eq!(swaps[l] as usize, discordant, "trial {trial} lane {l}");
        }
        if trial % 4 == 0 {
            assert_eq!(*missed, 0, "complete windows miss nothing");
        }
    }
}

/// Keys are refused when a weight of a run is not finite or beyond
/// the key range, whichever run and column it is in, and not for what
/// lies past the runs.
#[test]
fn keys_refuse_weights_out_of_range() {
    const L: usize = BLOCK_RUNS;
    let (n, k, rows) = (5, 3, 7);
    let values: Vec<f64> = (0..n * k).map(|i| (i % 7) as f64 + 0.5).collect();
    let keyed = KeyKernel::new(&values, n, k).expect("values in range");
    let (mut lanes, mut keys, mut margins) = (Aligned::default(), Aligned::default(), Vec::new());
    let mut keys_of =
        |weights: &[f64]| keyed.keys(weights, rows, false, &mut lanes, &mut keys, &mut margins);
    let mut weights = vec![0.25; k * L];
    weights[L + rows] = f64::NAN;
    weights[2 * L + L - 1] = 1e300;
    assert!(keys_of(&weights), "past the runs");
    for bad in [f64::NAN, f64::INFINITY, -1e31] {
        for at in [0, L + rows - 1, 2 * L + 3] {
            let mut w = weights.clone();
            w[at] = bad;
            assert!(!keys_of(&w), "{bad} at {at}");
        }
    }
}

/// Aligned buffers start on a cache line and hold their length, in
/// allocations of any alignment.
#[test]
fn aligned_buffers_start_on_a_line() {
    for len in [1, 7, 290 * BLOCK_RUNS] {
        let buffers: Vec<Aligned<i16>> = (0..8)
            .map(|_| {
                let mut a = Aligned::<i16>::default();
                a.resize(len);
                a
            })
            .collect();
        for a in &buffers {
            assert_eq!(a.len(), len);
            assert_eq!(a.as_ptr() as usize % 64, 0, "len {len}");
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

/// Blocks counted on single-precision keys ([`KeyKernel`]) and proven
/// by [`BlockRanker::rank_keyed`] (or sorted when not proven) give
/// every run exactly the order and discordant pairs of sorting its full
/// scores alone, and refuse the runs the sort refuses; including units
/// whose keys tie or invert while their full scores are apart, and
/// units with equal values (exact ties). Most runs are proven.
#[test]
fn keyed_blocks_agree_with_the_sort() {
    for isa in isas_here() {
        cpu::force(Some(isa));
        let mut seed = 3;
        for (n, k, spread, near) in [
            (2, 3, 0.3, 0.0),
            (60, 7, 0.25, 1e-9),
            (290, 30, 0.25, 1e-7),
            (290, 30, 0.25, 0.0),
        ] {
            // Units in nominal order (descending mean value), some
            // pairs almost or exactly alike.
            let mut unit_major = vec![0.0; n * k];
            for u in 0..n {
                let level = 100.0 * (1.0 - u as f64 / n as f64);
                for j in 0..k {
                    unit_major[u * k + j] = level + 10.0 * (lcg(&mut seed) - 0.5);
                }
            }
            for j in 0..k {
                if near > 0.0 {
                    unit_major[6 * k + j] = unit_major[5 * k + j] * (1.0 - near * (j % 3) as f64);
                }
                if n == 60 {
                    unit_major[9 * k + j] = unit_major[8 * k + j];
                }
            }
            // Lowest best: the values negated keep the nominal order.
            let negated: Vec<f64> = unit_major.iter().map(|v| -v).collect();
            let sides = [&unit_major, &negated].map(|x| (x, KeyKernel::new(x, n, k).unwrap()));
            // A run's score of unit u: the sum in indicator order.
            let score = |values: &[f64], w: &[f64], u: usize| {
                w.iter()
                    .zip(&values[u * k..])
                    .fold(0.0, |s, (&w, &x)| s + w * x)
            };
            let mut ranker = BlockRanker::default();
            let (mut lanes, mut keys, mut margins) =
                (Aligned::default(), Aligned::default(), Vec::new());
            let (mut proven, mut total) = (0, 0);
            for block in 0..60 {
                let highest = block % 2 == 0;
                let (values, keyed) = &sides[usize::from(!highest)];
                let sign = if highest { -1.0 } else { 1.0 };
                let rows = if block % 7 == 3 { 5 } else { BLOCK_RUNS };
                let weights: Vec<f64> = (0..rows * k)
                    .map(|_| (1.0 + spread * (2.0 * lcg(&mut seed) - 1.0)) / k as f64)
                    .collect();
                let counted = ranker.begin(n);
                // The weights a lane per run (junk past the rows).
                let mut weight_lanes = vec![f64::NAN; k * BLOCK_RUNS];
                for (r, w) in weights.chunks_exact(k).enumerate() {
                    for (j, &x) in w.iter().enumerate() {
                        weight_lanes[j * BLOCK_RUNS + r] = x;
                    }
                }
                assert!(keyed.keys(
                    &weight_lanes,
                    rows,
                    highest,
                    &mut lanes,
                    &mut keys,
                    &mut margins
                ));
                if counted {
                    ranker.count_keys(&mut keys, rows);
                }

                for r in 0..rows {
                    let w = &weights[r * k..(r + 1) * k];
                    let row: Vec<f64> = (0..n).map(|u| score(values, w, u)).collect();
                    let row = &row[..];
                    let mut alone = SortedRun::default();
                    let expected = alone.rank(row, highest);
                    total += 1;
                    let exact = |p: u32, q: u32| {
                        let (a, b) = (score(values, w, p as usize), score(values, w, q as usize));
                        (sign * a, sign * b)
                    };
                    let got =
                        match ranker.rank_keyed(r, margins[r], exact) {
                            Some(run) => {
                                proven += 1;
                                // The units in counted order, and the
                                // displacement sums against the sort's.
                                let mut order = vec![u32::MAX; n];
                                for (p, q) in run.positions().enumerate() {
                                    order[q as usize] = p as u32;
                                }
                                let (shift, squares) = alone.order.iter().enumerate().fold(
                                    (0, 0),
                                    |(s, q), (i, &p)| {
                                        let d = (i as u64).abs_diff(p as u64);
                                        (s + d, q + d * d)
                                    },
                                );
                                assert_eq!((run.shift, run.squares), (shift, squares));
                                Some((order, run.swaps))
                            }
                            None => ranker.rank(row, highest).map(|(o, s)| (o.to_vec(), s)),
                        };
                    match got {
                        Some((order, swaps)) => {
                            assert!(expected, "{isa:?} n {n}: accepted a run the sort refuses");
                            assert_eq!(order, alone.order, "{isa:?} n {n}");
                            assert_eq!(swaps, alone.swaps, "{isa:?} n {n}");
                        }
                        None => assert!(!expected, "{isa:?} n {n}: refused a run"),
                    }
                }
            }
            if n == 290 && near == 0.0 {
                assert!(proven * 2 > total, "{isa:?}: {proven} of {total} proven");
            }
        }
    }
    cpu::force(None);
}

/// Rankers sharing windows: what one learns from its sorted runs, the
/// other counts with from its first block, without sorting a run of
/// its own; a ranker not sharing still has to learn alone.
#[test]
fn shared_windows_reach_the_other_rankers() {
    let n = 50;
    let shared = Arc::new(SharedWindows::default());
    let (mut a, mut b, mut alone) = (
        BlockRanker::default(),
        BlockRanker::default(),
        BlockRanker::default(),
    );
    a.share(Arc::clone(&shared));
    b.share(Arc::clone(&shared));
    // Lower first; unit 3 falls behind unit 7 (a forward reach of 4).
    let mut scores: Vec<f64> = (0..n).map(|p| p as f64).collect();
    scores[3] = 7.5;
    assert!(!a.begin(n), "nothing learned yet");
    let (order, swaps) = a.rank(&scores, false).expect("sorted");
    assert_eq!((order[3..8].to_vec(), swaps), (vec![4, 5, 6, 7, 3], 4));
    assert!(a.begin(n), "a learned from its sorted run");
    assert!(a.later[3] >= 4);
    assert!(b.begin(n), "b counts with what a learned");
    assert_eq!(b.later, a.later);
    assert!(!alone.begin(n), "a ranker not sharing learns alone");
}

#[test]
fn a_run_ranked_alone_agrees_with_a_brute_sort() {
    for (isa, ties) in isas_here()
        .into_iter()
        .flat_map(|i| [(i, false), (i, true)])
    {
        cpu::force(Some(isa));
        let mut seed = 5;
        for (n, spread) in [
            (2, 0.5),
            (7, 3.0),
            (40, 2.0),
            (290, 4.0),
            (290, 60.0),
            (1000, 8.0),
        ] {
            let mut ranker = BlockRanker::default();
            ranker.allow_ties(ties);
            for block in 0..40 {
                for highest in [true, false] {
                    let sign = if highest { -1.0 } else { 1.0 };
                    let rows = if block % 7 == 3 { 5 } else { BLOCK_RUNS };
                    let stride = n + 3;
                    let mut scores = vec![f64::NAN; rows * stride];
                    for r in 0..rows {
                        for p in 0..n {
                            scores[r * stride + p] =
                                sign * (p as f64 + spread * (lcg(&mut seed) - 0.5));
                        }
                        match (block * rows + r) % 37 {
                            // An exact tie, a tie within the tolerance,
                            // scores equal in single precision but apart
                            // in double, a missing score.
                            1 if n > 2 => scores[r * stride + 1] = scores[r * stride + 2],
                            2 if n > 2 => {
                                scores[r * stride + 1] = scores[r * stride] * (1.0 + 1e-14)
                            }
                            3 if n > 2 => {
                                scores[r * stride + 1] = scores[r * stride] * (1.0 - sign * 1e-9)
                            }
                            4 => scores[r * stride + n - 1] = f64::NAN,
                            _ => {}
                        }
                    }
                    ranker.begin(n);
                    for r in 0..rows {
                        let row = &scores[r * stride..r * stride + n];
                        let mut alone = SortedRun {
                            ties,
                            ..SortedRun::default()
                        };
                        let expected = alone.rank(row, highest);
                        if ties && expected {
                            // Exact ties in nominal order, and the
                            // pairs strictly the other way round.
                            let key = |p: usize| sign * row[p];
                            let mut brute: Vec<u32> = (0..n as u32).collect();
                            brute.sort_by(|&a, &b| {
                                key(a as usize).total_cmp(&key(b as usize)).then(a.cmp(&b))
                            });
                            let reversed = (0..n)
                                .flat_map(|p| (p + 1..n).map(move |q| (p, q)))
                                .filter(|&(p, q)| key(q) < key(p))
                                .count();
                            assert_eq!(alone.order, brute, "{isa:?} n {n}");
                            assert_eq!(alone.swaps, reversed as u64, "{isa:?} n {n}");
                        }
                        let got = ranker.rank(row, highest);
                        match got {
                            Some((order, swaps)) => {
                                assert!(expected, "{isa:?} n {n}: accepted a run the sort refuses");
                                assert_eq!(order, &alone.order[..], "{isa:?} {ties} n {n}");
                                assert_eq!(swaps, alone.swaps, "{isa:?} {ties} n {n}");
                            }
                            None => assert!(!expected, "{isa:?} n {n}: refused a run"),
                        }
                    }
                }
            }
        }
    }
    cpu::force(None);
}
