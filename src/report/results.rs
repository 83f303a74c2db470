//! Sensitivity results read back from the JSON files `sensitivity` writes,
//! for the HTML and XLSX reports: typed, so that a field the writer renames
//! or drops is a clear error when the file is read, never a silent NaN in a
//! chart. Only what the reports show is read; a round-trip test keeps the
//! reader and the writers ([`super::sensitivity`]) in step.

use crate::error::{Error, Result};
use crate::sensitivity::analyze::Summary;
use crate::sensitivity::statistic::{RunStatistic, STATISTICS};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::path::Path;

/// A number JSON may write as null (NaN, infinities).
fn number<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// A pair of such numbers.
fn pair<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<[f64; 2], D::Error> {
    let [a, b] = <[Option<f64>; 2]>::deserialize(d)?;
    Ok([a.unwrap_or(f64::NAN), b.unwrap_or(f64::NAN)])
}

/// A distribution's summary as written.
#[derive(Debug, Clone, Copy, Deserialize)]
struct SummaryFile {
    #[serde(deserialize_with = "number")]
    mean: f64,
    #[serde(deserialize_with = "number")]
    q05: f64,
    #[serde(deserialize_with = "number")]
    median: f64,
    #[serde(deserialize_with = "number")]
    q95: f64,
}

/// A unit of a Monte Carlo result.
#[derive(Debug, Clone, Deserialize)]
pub struct McUnit {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Nominal rank.
    #[serde(deserialize_with = "number")]
    pub nominal_rank: f64,
    /// Median rank over runs.
    #[serde(deserialize_with = "number")]
    pub median_rank: f64,
    /// 5% rank quantile.
    #[serde(deserialize_with = "number")]
    pub q05: f64,
    /// 95% rank quantile.
    #[serde(deserialize_with = "number")]
    pub q95: f64,
    /// Mean score over runs.
    #[serde(deserialize_with = "number")]
    pub score_mean: f64,
    /// Its standard deviation.
    #[serde(deserialize_with = "number")]
    pub score_sd: f64,
    /// P(rank <= k) by k (as text keys).
    pub p_top: BTreeMap<String, Option<f64>>,
}

impl McUnit {
    /// P(rank <= k) (NaN if not computed).
    pub fn p_top(&self, k: usize) -> f64 {
        self.p_top
            .get(&k.to_string())
            .copied()
            .flatten()
            .unwrap_or(f64::NAN)
    }
}

#[derive(Debug, Clone, Deserialize)]
struct McOverallFile {
    #[serde(flatten)]
    statistics: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
struct McFile {
    seed: u64,
    runs: u64,
    spec_hash: String,
    top_k: Vec<usize>,
    overall: McOverallFile,
    units: Vec<McUnit>,
}

/// A Monte Carlo result as the reports read it.
#[derive(Debug, Clone)]
pub struct McResults {
    /// Seed.
    pub seed: u64,
    /// Runs.
    pub runs: u64,
    /// Fingerprint of the spec it was computed from.
    pub spec_hash: String,
    /// The k of P(rank <= k).
    pub top_k: Vec<usize>,
    /// Each per-run statistic's summary, in [`STATISTICS`] order.
    statistics: Vec<Summary>,
    /// Units in nominal order.
    pub units: Vec<McUnit>,
}

impl McResults {
    /// The summary of a per-run statistic.
    pub fn statistic(&self, stat: &RunStatistic) -> Summary {
        let at = STATISTICS
            .iter()
            .position(|s| s.name == stat.name)
            .expect("a registered statistic");
        self.statistics[at]
    }
}

/// Sobol indices of one factor as written.
#[derive(Debug, Clone, Deserialize)]
pub struct SobolFactor {
    /// First-order index.
    #[serde(deserialize_with = "number")]
    pub first: f64,
    /// Its 95% interval.
    #[serde(deserialize_with = "pair")]
    pub first_ci: [f64; 2],
    /// Total index.
    #[serde(deserialize_with = "number")]
    pub total: f64,
    /// Its 95% interval.
    #[serde(deserialize_with = "pair")]
    pub total_ci: [f64; 2],
}

/// A Sobol result as the reports read it.
#[derive(Debug, Clone, Deserialize)]
pub struct SobolResults {
    /// Seed.
    pub seed: u64,
    /// Base samples N.
    pub base_samples: u64,
    /// Evaluations.
    pub evaluations: u64,
    /// Fingerprint of the spec it was computed from.
    pub spec_hash: String,
    /// Indices of the mean absolute rank shift, by factor name (in the
    /// model's order, as written).
    pub mean_abs_rank_shift: indexmap::IndexMap<String, SobolFactor>,
    /// The uncertainty model: its factors, as described.
    pub model: SobolModel,
}

/// The part of a Sobol result's model the reports read.
#[derive(Debug, Clone, Deserialize)]
pub struct SobolModel {
    /// The factors (name, kind, nodes or indicators).
    pub factors: Vec<crate::sensitivity::model::FactorDescription>,
}

impl SobolResults {
    /// The description of the factor named `name`.
    pub fn factor(&self, name: &str) -> Option<&crate::sensitivity::model::FactorDescription> {
        self.model.factors.iter().find(|f| f.name == name)
    }
}

/// A sensitivity result file.
#[derive(Debug, Clone)]
pub enum SensitivityFile {
    /// Monte Carlo.
    Mc(McResults),
    /// Sobol.
    Sobol(SobolResults),
}

#[derive(Deserialize)]
struct MethodProbe {
    method: Option<String>,
}

/// Reads a sensitivity result from `text` (the file `path`).
pub fn parse(text: &str, path: &Path) -> Result<SensitivityFile> {
    let bad = |what: String| Error::Usage(format!("{}: {what}", path.display()));
    let probe: MethodProbe = serde_json::from_str(text)
        .map_err(|e| bad(format!("not a JSON sensitivity result ({e})")))?;
    let shape = |e: serde_json::Error| {
        bad(format!(
            "not a sensitivity result this version writes ({e}); write it again with `kommunrank sensitivity --format json --out FILE`"
        ))
    };
    match probe.method.as_deref() {
        Some("mc") => {
            let f: McFile = serde_json::from_str(text).map_err(shape)?;
            let mut statistics = Vec::new();
            for stat in STATISTICS {
                let v = f.overall.statistics.get(stat.name).ok_or_else(|| {
                    bad(format!(
                        "overall.{} is missing; write the result again with this version",
                        stat.name
                    ))
                })?;
                let s: SummaryFile = serde_json::from_value(v.clone())
                    .map_err(|e| bad(format!("overall.{}: {e}", stat.name)))?;
                statistics.push(Summary {
                    mean: s.mean,
                    q05: s.q05,
                    median: s.median,
                    q95: s.q95,
                });
            }
            Ok(SensitivityFile::Mc(McResults {
                seed: f.seed,
                runs: f.runs,
                spec_hash: f.spec_hash,
                top_k: f.top_k,
                statistics,
                units: f.units,
            }))
        }
        Some("sobol") => Ok(SensitivityFile::Sobol(
            serde_json::from_str(text).map_err(shape)?,
        )),
        _ => Err(bad(
            "not a Monte Carlo or Sobol result; write one with `kommunrank sensitivity --format json --out FILE`".into(),
        )),
    }
}

impl SensitivityFile {
    /// The fingerprint of the spec it was computed from.
    pub fn spec_hash(&self) -> &str {
        match self {
            SensitivityFile::Mc(m) => &m.spec_hash,
            SensitivityFile::Sobol(s) => &s.spec_hash,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensitivity::analysis::{self, Options, Outcome};
    use crate::sensitivity::model::Overrides;
    use crate::sensitivity::summary;
    use crate::spec::SensitivityMethod;

    fn run(model: Overrides) -> analysis::Analysis {
        let index = crate::spec::resolve(&crate::example::load().unwrap()).unwrap();
        let options = Options {
            model,
            ..Default::default()
        };
        analysis::run(&index, &options, |_, _| {}, &|_| {}).unwrap()
    }

    /// What the writers write, the reader reads: every field the reports
    /// use, with the writer's values (a renamed field fails here).
    #[test]
    fn written_results_read_back() {
        let done = run(Overrides {
            runs: Some(1500),
            ..Default::default()
        });
        let Outcome::Mc(partial) = done.outcome else {
            panic!("Monte Carlo")
        };
        let res = summary::finish(&partial);
        let text = super::super::sensitivity::mc_json(&partial, &res);
        let SensitivityFile::Mc(read) = parse(&text, Path::new("mc.json")).unwrap() else {
            panic!("read as Monte Carlo")
        };
        assert_eq!((read.seed, read.runs), (partial.header.seed, 1500));
        assert_eq!(read.top_k, partial.header.top_k);
        for stat in STATISTICS {
            assert_eq!(
                read.statistic(stat),
                res.statistics.of(stat),
                "{}",
                stat.name
            );
        }
        assert_eq!(read.units.len(), res.units.len());
        for (a, b) in read.units.iter().zip(&res.units) {
            assert_eq!((&a.id, &a.name), (&b.id, &b.name));
            assert_eq!(
                [a.nominal_rank, a.median_rank, a.q05, a.q95, a.score_mean],
                [b.nominal_rank, b.median_rank, b.q05, b.q95, b.score_mean]
            );
            for &k in &read.top_k {
                assert_eq!(a.p_top(k), b.p_top[&k]);
            }
        }

        let done = run(Overrides {
            method: Some(SensitivityMethod::Sobol),
            base_samples: Some(64),
            bootstrap: Some(10),
            ..Default::default()
        });
        let Outcome::Sobol(sobol) = &done.outcome else {
            panic!("Sobol")
        };
        let text = super::super::sensitivity::sobol_json(&done.subject, sobol);
        let SensitivityFile::Sobol(read) = parse(&text, Path::new("s.json")).unwrap() else {
            panic!("read as Sobol")
        };
        assert_eq!(read.base_samples, 64);
        assert_eq!(read.evaluations, sobol.evaluations);
        // In the model's order (the chart's bars).
        assert!(read.mean_abs_rank_shift.keys().eq(sobol.factors.iter()));
        assert!(sobol.factors.iter().all(|f| read.factor(f).is_some()));
        for (name, index) in sobol.factors.iter().zip(&sobol.scalar.indices) {
            let r = &read.mean_abs_rank_shift[name];
            assert_eq!([r.first, r.total], [index.first, index.total], "{name}");
        }
        // A renamed field is an error that says what to do.
        let renamed = text.replace("\"base_samples\"", "\"n_base\"");
        let err = parse(&renamed, Path::new("s.json"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("base_samples") && err.contains("write it again"),
            "{err}"
        );
    }
}
