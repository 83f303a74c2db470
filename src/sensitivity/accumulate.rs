//! Streaming Monte Carlo accumulators: exact per-unit rank histograms,
//! per-chunk score moments and per-run statistics. Runs are grouped in
//! fixed chunks of [`CHUNK`] runs; histograms are integers (merged in any
//! order), float statistics are kept per chunk and combined in chunk order,
//! so threads, shards and merges all give identical results.

use super::analyze::{self, Summary};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Runs per chunk (fixed: it defines the random streams).
pub const CHUNK: u64 = 1024;

/// A unit as the partial result knows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UnitInfo {
    /// Unit id.
    pub id: String,
    /// Unit name.
    pub name: String,
    /// Nominal rank.
    pub nominal_rank: f64,
    /// Nominal score.
    pub nominal_score: f64,
}

/// What identifies a Monte Carlo analysis (equal in every shard).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct McHeader {
    /// Seed.
    pub seed: u64,
    /// Total runs.
    pub runs: u64,
    /// Runs per chunk.
    pub chunk_size: u64,
    /// Fingerprint of the spec text.
    pub spec_hash: String,
    /// Index id and label.
    pub index: Value,
    /// Tie rule of the ranking.
    pub rank_method: String,
    /// Histogram bins are half ranks (fractional ranking).
    pub half_bins: bool,
    /// Ranks per histogram bin: 1 = exact histograms; more for very many
    /// units (quantiles then within half a bin width).
    #[serde(default = "one")]
    pub bin_width: u64,
    /// k values for P(rank <= k).
    pub top_k: Vec<usize>,
    /// Ranked units in nominal order.
    pub units: Vec<UnitInfo>,
    /// The uncertainty model's definition.
    pub model: Value,
}

/// Statistics of one chunk (floats kept per chunk for ordered merging).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ChunkStats {
    /// Chunk number.
    pub chunk: u64,
    /// Successful runs.
    pub count: u64,
    /// Per-unit mean score over the chunk's runs.
    pub mean: Vec<f64>,
    /// Per-unit sum of squared deviations (Welford).
    pub m2: Vec<f64>,
    /// Per run: mean absolute rank shift against nominal (None = failed run).
    pub shift: Vec<Option<f64>>,
    /// Per run: Spearman correlation with the nominal ranking.
    pub spearman: Vec<Option<f64>>,
    /// Per run: Kendall's tau-b with the nominal ranking.
    pub kendall: Vec<Option<f64>>,
}

impl ChunkStats {
    /// Empty statistics for `units` units.
    pub fn new(chunk: u64, units: usize) -> Self {
        ChunkStats {
            chunk,
            count: 0,
            mean: vec![0.0; units],
            m2: vec![0.0; units],
            shift: Vec::new(),
            spearman: Vec::new(),
            kendall: Vec::new(),
        }
    }

    /// Adds one successful run's scores (Welford's update).
    pub fn add_scores(&mut self, scores: &[f64]) {
        self.count += 1;
        let n = self.count as f64;
        for ((m, m2), &x) in self.mean.iter_mut().zip(&mut self.m2).zip(scores) {
            let d = x - *m;
            *m += d / n;
            *m2 += d * (x - *m);
        }
    }
}

/// The accumulated state of some chunks of a Monte Carlo analysis: a shard's
/// partial result, or (all chunks) the whole.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct McPartial {
    /// Always "kommunrank-mc-partial".
    pub format: String,
    /// The analysis.
    pub header: McHeader,
    /// First chunk and one past the last chunk covered.
    pub chunk_range: [u64; 2],
    /// Rank histograms, units x bins, row-major.
    pub hist: Vec<u32>,
    /// Runs where the top-k set equals the nominal one, per k.
    pub top_k_same: Vec<u64>,
    /// Failed runs by reason.
    pub failures: BTreeMap<String, u64>,
    /// Per-chunk statistics in chunk order.
    pub chunks: Vec<ChunkStats>,
}

fn one() -> u64 {
    1
}

/// How ranks map to histogram bins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bins {
    /// Number of units.
    pub units: usize,
    /// Half-rank resolution (fractional ranking).
    pub half: bool,
    /// Exact positions per bin.
    pub width: u64,
}

impl Bins {
    /// The binning of a header.
    pub fn of(h: &McHeader) -> Bins {
        Bins {
            units: h.units.len(),
            half: h.half_bins,
            width: h.bin_width.max(1),
        }
    }

    fn exact(&self) -> usize {
        if self.half {
            2 * self.units - 1
        } else {
            self.units
        }
    }

    /// Number of bins.
    pub fn count(&self) -> usize {
        self.exact().div_ceil(self.width as usize)
    }

    /// The bin of a rank.
    pub fn bin_of(&self, rank: f64) -> usize {
        let exact = if self.half {
            (2.0 * rank) as usize - 2
        } else {
            rank as usize - 1
        };
        exact / self.width as usize
    }

    fn exact_rank(&self, e: usize) -> f64 {
        if self.half {
            (e + 2) as f64 / 2.0
        } else {
            (e + 1) as f64
        }
    }

    /// The representative rank of a bin (its middle; exact for width 1).
    pub fn rank_of(&self, bin: usize) -> f64 {
        (self.best_rank(bin) + self.worst_rank(bin)) / 2.0
    }

    /// The best rank a bin can hold.
    pub fn best_rank(&self, bin: usize) -> f64 {
        self.exact_rank(bin * self.width as usize)
    }

    /// The worst rank a bin can hold.
    pub fn worst_rank(&self, bin: usize) -> f64 {
        self.exact_rank(((bin + 1) * self.width as usize - 1).min(self.exact() - 1))
    }
}

/// Total number of chunks of `runs` runs.
pub fn chunk_count(runs: u64) -> u64 {
    runs.div_ceil(CHUNK)
}

impl McPartial {
    /// Combines shards (in any order) into one; they must belong to the same
    /// analysis and cover disjoint, together contiguous chunk ranges.
    pub fn merge(mut parts: Vec<McPartial>) -> Result<McPartial, String> {
        if parts.is_empty() {
            return Err("no partial results given".into());
        }
        parts.sort_by_key(|p| p.chunk_range[0]);
        let mut out = parts.remove(0);
        for p in parts {
            if p.header != out.header {
                return Err(format!(
                    "partial results of different analyses (seed, runs, spec or units differ): chunks {:?} vs {:?}",
                    out.chunk_range, p.chunk_range
                ));
            }
            if p.chunk_range[0] != out.chunk_range[1] {
                return Err(format!(
                    "chunks {}..{} are missing or overlap (have up to {}, next part starts at {})",
                    out.chunk_range[1], p.chunk_range[0], out.chunk_range[1], p.chunk_range[0]
                ));
            }
            for (a, b) in out.hist.iter_mut().zip(&p.hist) {
                *a += b;
            }
            for (a, b) in out.top_k_same.iter_mut().zip(&p.top_k_same) {
                *a += b;
            }
            for (k, v) in p.failures {
                *out.failures.entry(k).or_default() += v;
            }
            out.chunks.extend(p.chunks);
            out.chunk_range[1] = p.chunk_range[1];
        }
        Ok(out)
    }

    /// Whether every chunk of the analysis is present.
    pub fn is_complete(&self) -> bool {
        self.chunk_range == [0, chunk_count(self.header.runs)]
    }
}

/// Per-unit results of a Monte Carlo analysis.
#[derive(Debug, Clone, Serialize)]
pub struct UnitStats {
    /// Unit id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Nominal rank.
    pub nominal_rank: f64,
    /// Median rank over runs.
    pub median_rank: f64,
    /// Mean rank.
    pub mean_rank: f64,
    /// 5% rank quantile (nearest rank).
    pub q05: f64,
    /// 95% rank quantile.
    pub q95: f64,
    /// P(rank <= k) for each k of `top_k` (keys are k).
    pub p_top: BTreeMap<String, f64>,
    /// Nominal score.
    pub nominal_score: f64,
    /// Mean score over runs.
    pub score_mean: f64,
    /// Standard deviation of the score over runs.
    pub score_sd: f64,
    /// Rank-acceptability (SMAA): share of runs at each rank (zeros left out).
    pub acceptability: BTreeMap<String, f64>,
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
    /// Mean absolute rank shift against nominal (distribution over runs).
    pub mean_abs_rank_shift: Summary,
    /// Spearman correlation with the nominal ranking.
    pub spearman: Summary,
    /// Kendall's tau-b with the nominal ranking.
    pub kendall: Summary,
    /// Share of runs whose top-k set equals the nominal one (keys are k).
    pub top_k_unchanged: BTreeMap<String, f64>,
    /// Per unit, in nominal rank order.
    pub units: Vec<UnitStats>,
}

/// Turns a complete accumulation into results.
pub fn finish(p: &McPartial) -> McResult {
    let h = &p.header;
    let n = h.units.len();
    let bins = Bins::of(h);
    let b = bins.count();
    // Moments: chunks combined in chunk order (Chan et al.).
    let mut count = 0u64;
    let mut mean = vec![0.0; n];
    let mut m2 = vec![0.0; n];
    for c in &p.chunks {
        if c.count == 0 {
            continue;
        }
        let (na, nb) = (count as f64, c.count as f64);
        let total = na + nb;
        for u in 0..n {
            let delta = c.mean[u] - mean[u];
            mean[u] += delta * nb / total;
            m2[u] += c.m2[u] + delta * delta * na * nb / total;
        }
        count += c.count;
    }
    let collect = |f: fn(&ChunkStats) -> &Vec<Option<f64>>| -> Vec<f64> {
        p.chunks
            .iter()
            .flat_map(|c| f(c).iter().map(|v| v.unwrap_or(f64::NAN)))
            .collect()
    };
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
                    (k.to_string(), hits as f64 / total as f64)
                })
                .collect();
            let acceptability = hist
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(bin, &c)| {
                    let key = if bins.width == 1 {
                        format!("{}", crate::pipeline::Rank(rank(bin)))
                    } else {
                        format!(
                            "{}-{}",
                            crate::pipeline::Rank(bins.best_rank(bin)),
                            crate::pipeline::Rank(bins.worst_rank(bin))
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
                score_mean: if count > 0 { mean[u] } else { f64::NAN },
                score_sd: if count > 1 {
                    (m2[u] / (count - 1) as f64).sqrt()
                } else {
                    f64::NAN
                },
                acceptability,
            }
        })
        .collect();
    let failed: u64 = p.failures.values().sum();
    McResult {
        successful_runs: count,
        failed_runs: failed,
        failures: p.failures.clone(),
        mean_abs_rank_shift: analyze::summarise(&collect(|c| &c.shift)),
        spearman: analyze::summarise(&collect(|c| &c.spearman)),
        kendall: analyze::summarise(&collect(|c| &c.kendall)),
        top_k_unchanged: h
            .top_k
            .iter()
            .zip(&p.top_k_same)
            .map(|(k, &s)| (k.to_string(), s as f64 / count.max(1) as f64))
            .collect(),
        units,
    }
}
