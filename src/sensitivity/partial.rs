//! The partial result of a Monte Carlo analysis, as a shard writes it and
//! `merge` reads it: its header (what identifies the analysis), its exact
//! counts and sums, the file format (`kommunrank-mc-partial-2`) with its
//! checksum, the validation of every length, count and range, and the
//! exact merge of parts.

use super::exact::ExactSum;
use super::model::ModelDescription;
use super::statistic::{KeyHistogram, Nominal, STATISTICS};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Runs per chunk (fixed: it defines the random streams, and a shard is
/// a range of chunks).
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

/// An index's id and label, as outputs name it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IndexName {
    /// Id.
    pub id: String,
    /// Label.
    pub label: String,
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
    pub index: IndexName,
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
    pub model: ModelDescription,
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
    /// Successful runs.
    pub successful_runs: u64,
    /// Per unit, the exact sum of the score deviations from nominal.
    pub score_sum: Vec<ExactSum>,
    /// Per unit, the exact sum of their squares.
    pub score_sum_sq: Vec<ExactSum>,
    /// Per run statistic (by name), the exact histogram of its keys.
    pub statistics: BTreeMap<String, KeyHistogram>,
    /// Fingerprint of everything above, as written ([`McPartial::to_json`]):
    /// a part changed after it was written is refused.
    #[serde(default)]
    pub checksum: String,
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
        // Exact histograms (width 1) need no division.
        match self.width {
            1 => exact,
            w => exact / w as usize,
        }
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

/// The `format` of a Monte Carlo partial result.
pub const PARTIAL_FORMAT: &str = "kommunrank-mc-partial-2";

/// The first header field in which two partial results differ.
fn header_difference(a: &McHeader, b: &McHeader) -> Option<&'static str> {
    let fields: [(&'static str, bool); 11] = [
        ("seed", a.seed == b.seed),
        ("runs", a.runs == b.runs),
        ("chunk_size", a.chunk_size == b.chunk_size),
        ("spec_hash", a.spec_hash == b.spec_hash),
        ("index", a.index == b.index),
        ("rank_method", a.rank_method == b.rank_method),
        ("half_bins", a.half_bins == b.half_bins),
        ("bin_width", a.bin_width == b.bin_width),
        ("top_k", a.top_k == b.top_k),
        ("units", a.units == b.units),
        ("model", a.model == b.model),
    ];
    fields.iter().find(|(_, same)| !same).map(|(name, _)| *name)
}

impl McPartial {
    fn body_fingerprint(&self) -> String {
        let mut body = self.clone();
        body.checksum.clear();
        crate::text::fingerprint(
            serde_json::to_string(&body)
                .expect("a partial result serialises")
                .as_bytes(),
        )
    }

    /// Reads a part from a shard file's text (not yet validated: see
    /// [`McPartial::validate`]); a part of another version's format is
    /// named as such.
    pub fn from_json(text: &str) -> Result<McPartial, String> {
        #[derive(Deserialize)]
        struct Format {
            format: Option<String>,
        }
        serde_json::from_str(text).map_err(|e| {
            // Only a part that does not read is probed for its format.
            match serde_json::from_str::<Format>(text) {
                Ok(Format {
                    format: Some(format),
                }) if format != PARTIAL_FORMAT && format.starts_with("kommunrank-mc-partial") => {
                    format!(
                        "written by another version of kommunrank (format '{format}'; this version reads '{PARTIAL_FORMAT}'): run the shard again with this version"
                    )
                }
                _ => format!(
                    "not a kommunrank partial result ({e}); write shards with `kommunrank sensitivity --shard I/N --out part.json`"
                ),
            }
        })
    }

    /// The part as a shard file holds it: compact JSON with its checksum.
    pub fn to_json(&self) -> String {
        let mut part = self.clone();
        part.checksum = self.body_fingerprint();
        let mut s = serde_json::to_string(&part).expect("a partial result serialises");
        s.push('\n');
        s
    }

    /// Checks that every length, count and value of a part can come from a
    /// run of the analysis its header describes (a hand-edited or truncated
    /// part is refused here, before any of it is used).
    pub fn validate(&self) -> Result<(), String> {
        let h = &self.header;
        if self.format != PARTIAL_FORMAT {
            return Err(format!("format is '{}', not {PARTIAL_FORMAT}", self.format));
        }
        if self.checksum.is_empty() {
            return Err(
                "it has no checksum (written by an older version): run the shard again".into(),
            );
        }
        if self.checksum != self.body_fingerprint() {
            return Err(
                "its checksum does not match its contents: the file was changed after it was written".into(),
            );
        }
        if h.runs == 0 {
            return Err("header.runs is 0: a partial result comes from at least one run".into());
        }
        if h.chunk_size != CHUNK {
            return Err(format!(
                "header.chunk_size is {}, this version writes {CHUNK}: the part comes from another version",
                h.chunk_size
            ));
        }
        let n = h.units.len();
        if n == 0 {
            return Err("header.units is empty".into());
        }
        if h.bin_width == 0 || h.bin_width > n as u64 * 2 {
            return Err(format!(
                "header.bin_width {} is not possible for {n} units",
                h.bin_width
            ));
        }
        let worst = n as f64;
        for u in &h.units {
            let r = u.nominal_rank;
            if !(r.is_finite() && r >= 1.0 && r <= worst && (2.0 * r).fract() == 0.0) {
                return Err(format!(
                    "unit '{}': nominal rank {r} is not a rank of {n} units",
                    u.id
                ));
            }
        }
        if let Some(k) = h.top_k.iter().find(|&&k| k == 0) {
            return Err(format!("header.top_k holds {k}; k starts at 1"));
        }
        let chunks = chunk_count(h.runs);
        let [start, end] = self.chunk_range;
        if !(start < end && end <= chunks) {
            return Err(format!(
                "chunk_range [{start}, {end}] is not a range of the {chunks} chunk(s) of {} runs",
                h.runs
            ));
        }
        let bins = Bins::of(h).count();
        if self.hist.len() != n * bins {
            return Err(format!(
                "hist has {} counts; {n} units x {bins} bins need {}",
                self.hist.len(),
                n * bins
            ));
        }
        if self.top_k_same.len() != h.top_k.len() {
            return Err(format!(
                "top_k_same has {} counts for {} values of k",
                self.top_k_same.len(),
                h.top_k.len()
            ));
        }
        let runs = (end * CHUNK).min(h.runs) - start * CHUNK;
        let successful = self.successful_runs;
        let failed: u64 = self.failures.values().sum();
        if successful.checked_add(failed) != Some(runs) {
            return Err(format!(
                "{successful} successful and {failed} failed runs, but chunks {start}..{end} hold {runs} runs"
            ));
        }
        if self.score_sum.len() != n || self.score_sum_sq.len() != n {
            return Err(format!("score sums for other than the {n} units"));
        }
        if self.score_sum.iter().any(|v| !v.value().is_finite())
            || self
                .score_sum_sq
                .iter()
                .any(|v| !(v.value() >= 0.0 && v.value().is_finite()))
        {
            return Err("a score sum that no run gives".into());
        }
        let nominal = Nominal::new(&h.units.iter().map(|u| u.nominal_rank).collect::<Vec<_>>());
        let names: Vec<&str> = self.statistics.keys().map(String::as_str).collect();
        let mut expected: Vec<&str> = STATISTICS.iter().map(|s| s.name).collect();
        expected.sort();
        if names != expected {
            return Err(format!(
                "statistics holds {names:?}; this version records {expected:?}"
            ));
        }
        for stat in STATISTICS {
            let hist = &self.statistics[stat.name];
            if hist.total() != successful {
                return Err(format!(
                    "statistics.{}: {} runs counted, {successful} successful",
                    stat.name,
                    hist.total()
                ));
            }
            let [lo, hi] = (stat.range)(n);
            if let Some(v) = hist
                .sorted()
                .keys()
                .map(|&k| (stat.value)(&nominal, k))
                .find(|v| !(v.is_nan() || (*v >= lo && *v <= hi)))
            {
                return Err(format!(
                    "statistics.{}: a run with the value {v}, outside [{lo}, {hi}]",
                    stat.name
                ));
            }
        }
        for (u, info) in h.units.iter().enumerate() {
            let total: u64 = self.hist[u * bins..(u + 1) * bins]
                .iter()
                .map(|&c| c as u64)
                .sum();
            if total != successful {
                return Err(format!(
                    "unit '{}': its rank histogram counts {total} runs, the chunks {successful}",
                    info.id
                ));
            }
        }
        if let Some(k) = self.top_k_same.iter().find(|&&k| k > successful) {
            return Err(format!("top_k_same counts {k} runs of {successful}"));
        }
        Ok(())
    }

    /// Combines shards (in any order) into one; each must pass
    /// [`McPartial::validate`], and they must belong to the same analysis and
    /// cover disjoint, together contiguous chunk ranges. Parts are named
    /// (their files) for the messages.
    pub fn merge(parts: Vec<(String, McPartial)>) -> Result<McPartial, String> {
        let mut parts = parts;
        if parts.is_empty() {
            return Err("no partial results given".into());
        }
        for (name, p) in &parts {
            p.validate()
                .map_err(|e| format!("{name}: not a partial result a run can write: {e}"))?;
        }
        parts.sort_by_key(|(_, p)| p.chunk_range[0]);
        let (first, mut out) = parts.remove(0);
        for (name, p) in parts {
            if let Some(field) = header_difference(&out.header, &p.header) {
                return Err(format!(
                    "{first} and {name} are parts of different analyses: their header.{field} differs"
                ));
            }
            let (have, next) = (out.chunk_range[1], p.chunk_range[0]);
            if next < have {
                return Err(format!(
                    "chunks {next}..{} are in two parts: a shard given twice, or shards of different --shard counts",
                    have.min(p.chunk_range[1])
                ));
            }
            if next > have {
                return Err(format!(
                    "chunks {have}..{next} are in no part: a shard is missing"
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
            out.successful_runs += p.successful_runs;
            for (a, b) in out.score_sum.iter_mut().zip(&p.score_sum) {
                a.absorb(b);
            }
            for (a, b) in out.score_sum_sq.iter_mut().zip(&p.score_sum_sq) {
                a.absorb(b);
            }
            for (name, h) in &p.statistics {
                out.statistics.entry(name.clone()).or_default().absorb(h);
            }
            out.chunk_range[1] = p.chunk_range[1];
        }
        Ok(out)
    }

    /// Whether every chunk of the analysis is present.
    pub fn is_complete(&self) -> bool {
        self.chunk_range == [0, chunk_count(self.header.runs)]
    }
}
