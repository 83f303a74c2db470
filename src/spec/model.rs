//! The spec file as written (serde types). Every section refuses unknown
//! keys; defaults are documented in docs/spec.md.

use crate::input::{Decimal, TextEncoding};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The whole TOML spec.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecFile {
    /// The index (root node).
    pub index: IndexSection,
    /// Where the data is.
    #[serde(default)]
    pub data: DataSection,
    /// Which column identifies units; names and groups.
    pub units: UnitsSection,
    /// Who is ranked.
    #[serde(default)]
    pub screening: Screening,
    /// Missing values.
    #[serde(default)]
    pub missing: MissingSection,
    /// The default normalisation of indicators.
    #[serde(default)]
    pub normalise: Option<Normalisation>,
    /// The default outlier treatment of indicators.
    #[serde(default)]
    pub treat: Option<Treatment>,
    /// Ranking rules.
    #[serde(default)]
    pub ranking: RankingSection,
    /// Intermediate nodes (`[[node]]`).
    #[serde(default, rename = "node")]
    pub nodes: Vec<NodeSpec>,
    /// Indicators (`[[indicator]]`).
    #[serde(default, rename = "indicator")]
    pub indicators: Vec<IndicatorSpec>,
    /// Indicators from a metadata CSV (`[[indicator_table]]`).
    #[serde(default)]
    pub indicator_table: Vec<IndicatorTable>,
    /// Nodes from a metadata CSV (`[[node_table]]`).
    #[serde(default)]
    pub node_table: Vec<NodeTable>,
    /// The uncertainty model for sensitivity analysis.
    #[serde(default)]
    pub sensitivity: Option<SensitivitySection>,
    /// COINr's iMeta and iData tables, read as they are (a preset expanded
    /// into `[data]`, `[units]` and the metadata tables when loading).
    #[serde(default)]
    pub coinr: Option<super::coinr::CoinrPreset>,
    /// Boundaries for the report's maps (`[map]`).
    #[serde(default)]
    pub map: Option<MapSection>,
    /// Weights derived from judgements (`[weights]`: AHP, experts).
    #[serde(default)]
    pub weights: Option<super::weighting::WeightsSection>,
}

/// Boundaries for the report's maps: a GeoJSON file of the units' shapes
/// (paths relative to the spec).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MapSection {
    /// The units' boundaries: a GeoJSON FeatureCollection.
    pub file: String,
    /// The feature property that holds the unit id.
    #[serde(default = "default_map_id")]
    pub id: String,
    /// Larger areas (counties) whose borders are drawn over the units.
    #[serde(default)]
    pub borders: Option<String>,
    /// Where the boundaries come from, as the report credits them.
    #[serde(default)]
    pub credit: Option<String>,
}

fn default_map_id() -> String {
    "id".into()
}

/// Which sensitivity analysis to run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum SensitivityMethod {
    /// Monte Carlo rank intervals and rank probabilities.
    #[default]
    Mc,
    /// Variance-based (Sobol) sensitivity indices.
    Sobol,
    /// Leave one indicator (and one node) out at a time.
    Loo,
}

/// How the Saltelli design's base points are drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum SobolDesign {
    /// Owen-scrambled Sobol quasi-random points.
    #[default]
    Sobol,
    /// Plain pseudo-random points.
    Random,
}

/// How weights are perturbed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum WeightMethod {
    /// Each weight times U(1 - spread, 1 + spread), then re-normalised.
    #[default]
    Uniform,
    /// Shares ~ Dirichlet(concentration x nominal shares).
    Dirichlet,
    /// Shares uniform on the simplex (as in SMAA).
    Simplex,
    /// Weights fixed at their nominal values.
    None,
}

/// How weight uncertainty is grouped into Sobol factors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightGrouping {
    /// One factor per node (the weights of its children).
    #[default]
    Node,
    /// One factor for all weights of the tree.
    Tree,
}

/// `[sensitivity.weights]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightUncertainty {
    /// The perturbation.
    #[serde(default)]
    pub method: WeightMethod,
    /// Relative half-width for `uniform` (0.25 = +-25%).
    #[serde(default = "quarter")]
    pub spread: f64,
    /// Dirichlet concentration (larger = closer to nominal).
    #[serde(default = "hundred")]
    pub concentration: f64,
    /// Nodes whose children's weights vary (default: every node).
    #[serde(default)]
    pub nodes: Option<Vec<String>>,
    /// Grouping into Sobol factors.
    #[serde(default)]
    pub group: WeightGrouping,
}

impl Default for WeightUncertainty {
    fn default() -> Self {
        WeightUncertainty {
            method: WeightMethod::Uniform,
            spread: 0.25,
            concentration: 100.0,
            nodes: None,
            group: WeightGrouping::Node,
        }
    }
}

fn quarter() -> f64 {
    0.25
}

/// An aggregation alternative: `"geometric"` or `{ method = "generalised", p = 2 }`.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum AggregationChoice {
    /// A method name.
    Name(AggregationName),
    /// A method with its parameters.
    WithP(MethodWithParams),
}

/// `{ method = "generalised", p = 2 }`: a method and the parameters it
/// takes (checked by [`build_aggregation`](super::build_aggregation)).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodWithParams {
    /// The method.
    pub method: AggregationName,
    /// Exponent for `generalised`.
    #[serde(default)]
    pub p: Option<f64>,
    /// Penalty weight for `mean_min`.
    #[serde(default)]
    pub alpha: Option<f64>,
    /// Smoothing for `mean_min`.
    #[serde(default)]
    pub beta: Option<f64>,
    /// Weight bounds for `bod`.
    #[serde(default)]
    pub bod: Option<BodBounds>,
}

impl MethodWithParams {
    /// Its parameters, as [`build_aggregation`](super::build_aggregation) takes them.
    pub fn params(&self) -> super::AggregationParams {
        super::AggregationParams {
            p: self.p,
            alpha: self.alpha,
            beta: self.beta,
            bod: self.bod,
        }
    }
}

/// Read by hand rather than untagged, so that a misspelt method is named
/// with the methods there are (an untagged enum only says no variant
/// matched).
impl<'de> Deserialize<'de> for AggregationChoice {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::{self, IntoDeserializer, MapAccess, Visitor};
        struct Alternative;
        impl<'de> Visitor<'de> for Alternative {
            type Value = AggregationChoice;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a method name such as \"geometric\", or { method = \"generalised\", p = 2 }",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
                AggregationName::deserialize(v.into_deserializer()).map(AggregationChoice::Name)
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                MethodWithParams::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(AggregationChoice::WithP)
            }
        }
        d.deserialize_any(Alternative)
    }
}

/// `[[sensitivity.choice]]`: a discrete alternative; every run picks the
/// nominal method or one of `options` with equal probability.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ChoiceSpec {
    /// Normalisation of some indicators (all when `indicators` is absent), switched together.
    Normalisation {
        /// The indicators (default: all).
        #[serde(default)]
        indicators: Option<Vec<String>>,
        /// Alternative methods.
        options: Vec<Normalisation>,
    },
    /// Aggregation of some nodes (all when `nodes` is absent), switched together.
    Aggregation {
        /// The nodes (default: all, the index included).
        #[serde(default)]
        nodes: Option<Vec<String>>,
        /// Alternative methods.
        options: Vec<AggregationChoice>,
    },
    /// The missing-value method of every indicator.
    Missing {
        /// Alternative methods.
        options: Vec<MissingMethod>,
    },
    /// Whether an indicator is included (nominal) or left out.
    Include {
        /// The indicator.
        indicator: String,
    },
    /// Alternative weightings of the index (level 0 = nominal): each a
    /// method that makes weights.
    Weights {
        /// The nodes whose weights `equal`, `pca` and `optimised` replace
        /// (default: every node with two children or more); `ahp` and
        /// `experts` take the nodes their files cover.
        #[serde(default)]
        nodes: Option<Vec<String>>,
        /// Alternative weightings.
        options: Vec<WeightSetName>,
    },
    /// The experts' allocations as a weight distribution (`[weights]
    /// experts`): each run takes one expert's shares, drawn with equal
    /// probability, or the mean shares of experts resampled with
    /// replacement.
    Expert {
        /// `one` (default) or `resample`.
        #[serde(default)]
        draw: ExpertDraw,
        /// For `resample`: how many resampled panels (drawn once, with the
        /// analysis seed); each run takes one of them.
        #[serde(default = "default_resamples")]
        resamples: usize,
    },
}

fn default_resamples() -> usize {
    1000
}

/// How a run draws the experts' weights.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ExpertDraw {
    /// One expert's own allocation.
    #[default]
    One,
    /// The mean shares of as many experts drawn with replacement.
    Resample,
}

/// A method that makes a whole set of weights (`kind = "weights"` options,
/// `compare --weightings`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WeightSetName {
    /// Equal weights for every child.
    Equal,
    /// Principal components with varimax (`[weights.pca]`'s settings, or
    /// its defaults).
    Pca,
    /// Balanced correlations (`[weights.optimised]`'s targets, or equal).
    Optimised,
    /// The pairwise comparisons of `[weights] ahp`.
    Ahp,
    /// The mean shares of `[weights] experts`.
    Experts,
}

/// `[sensitivity]`: the uncertainty model (command-line flags override it).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensitivitySection {
    /// mc, sobol or loo.
    #[serde(default)]
    pub method: Option<SensitivityMethod>,
    /// Monte Carlo runs.
    #[serde(default)]
    pub runs: Option<u64>,
    /// Sobol base sample N (N (d + 2) evaluations; default 1024).
    #[serde(default)]
    pub base_samples: Option<u64>,
    /// Random seed.
    #[serde(default)]
    pub seed: Option<u64>,
    /// k for P(rank <= k) (default 1, 10 and a quarter of the units).
    #[serde(default)]
    pub top_k: Option<Vec<usize>>,
    /// Saltelli base points: sobol or random.
    #[serde(default)]
    pub design: Option<SobolDesign>,
    /// Bootstrap resamples for Sobol confidence intervals.
    #[serde(default)]
    pub bootstrap: Option<usize>,
    /// Weight uncertainty.
    #[serde(default)]
    pub weights: WeightUncertainty,
    /// Discrete alternatives.
    #[serde(default, rename = "choice")]
    pub choices: Vec<ChoiceSpec>,
    /// A CSV of named weight sets, one row per scenario, used as a discrete factor.
    #[serde(default)]
    pub scenarios: Option<String>,
}

/// `[index]`: the root of the hierarchy.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexSection {
    /// Id of the root node (children name it as `parent`).
    pub id: String,
    /// Title shown in outputs.
    #[serde(default)]
    pub label: Option<String>,
    /// Free text describing the index.
    #[serde(default)]
    pub description: Option<String>,
    /// Aggregation of the root's children.
    #[serde(default)]
    pub aggregation: AggregationName,
    /// Exponent for `generalised`.
    #[serde(default)]
    pub p: Option<f64>,
    /// Penalty weight for `mean_min` (0-1, default 0.5).
    #[serde(default)]
    pub alpha: Option<f64>,
    /// Smoothing for `mean_min` (>= 0, default 0).
    #[serde(default)]
    pub beta: Option<f64>,
    /// Weight bounds for `bod` (Benefit of the Doubt).
    #[serde(default)]
    pub bod: Option<BodBounds>,
}

/// A data file: a path, or a path with an XLSX sheet.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DataFile {
    /// `"data.csv"`
    Path(String),
    /// `{ path = "data.xlsx", sheet = "Data" }`
    WithSheet {
        /// Path, relative to the spec file.
        path: String,
        /// XLSX sheet name.
        #[serde(default)]
        sheet: Option<String>,
    },
}

impl DataFile {
    /// The path as written.
    pub fn path(&self) -> &str {
        match self {
            DataFile::Path(p) => p,
            DataFile::WithSheet { path, .. } => path,
        }
    }

    /// The sheet, if given.
    pub fn sheet(&self) -> Option<&str> {
        match self {
            DataFile::Path(_) => None,
            DataFile::WithSheet { sheet, .. } => sheet.as_deref(),
        }
    }
}

/// `[data]`: input files and how to read them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSection {
    /// Files joined by unit id (relative paths resolve against the spec's folder).
    #[serde(default)]
    pub files: Vec<DataFile>,
    /// Year to take from long (Kolada) files.
    #[serde(default)]
    pub year: Option<i64>,
    /// Name of the year column in long files.
    #[serde(default = "default_year_column")]
    pub year_column: String,
    /// Indicator-name column of `unit,indicator,value` files.
    #[serde(default = "default_indicator_column")]
    pub indicator_column: String,
    /// Value column of `unit,indicator,value` files.
    #[serde(default = "default_value_column")]
    pub value_column: String,
    /// CSV delimiter: `","`, `";"` or `"\t"`; sniffed when absent.
    #[serde(default)]
    pub delimiter: Option<String>,
    /// Decimal separator: `auto`, `point`, `comma`.
    #[serde(default)]
    pub decimal: Decimal,
    /// CSV text encoding: `auto`, `utf-8`, `windows-1252`.
    #[serde(default)]
    pub encoding: TextEncoding,
    /// Missing-value markers (default `["", "NA", "..", "-"]`).
    #[serde(default)]
    pub missing: Option<Vec<String>>,
    /// Rows to keep, by column: `{ gender = "T" }` keeps the rows whose
    /// `gender` is `T` in every data file that has that column.
    #[serde(default)]
    pub filter: BTreeMap<String, FilterValues>,
}

/// The values a `data.filter` column may take: one value or a list; numbers
/// are compared as written (`2` matches a cell `2`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct FilterValues(pub Vec<String>);

impl<'de> Deserialize<'de> for FilterValues {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum One {
            Text(String),
            Int(i64),
            Float(f64),
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Given {
            One(One),
            Many(Vec<One>),
        }
        let text = |o: One| match o {
            One::Text(s) => s,
            One::Int(i) => i.to_string(),
            One::Float(f) => f.to_string(),
        };
        match Given::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "a filter value is a text, a number, or a list of them: gender = \"T\" or gender = [\"T\", \"K\"]",
            )
        })? {
            Given::One(o) => Ok(FilterValues(vec![text(o)])),
            Given::Many(v) => Ok(FilterValues(v.into_iter().map(text).collect())),
        }
    }
}

impl Default for DataSection {
    fn default() -> Self {
        DataSection {
            files: Vec::new(),
            year: None,
            year_column: default_year_column(),
            indicator_column: default_indicator_column(),
            value_column: default_value_column(),
            delimiter: None,
            decimal: Decimal::Auto,
            encoding: TextEncoding::Auto,
            missing: None,
            filter: BTreeMap::new(),
        }
    }
}

fn default_year_column() -> String {
    "year".into()
}
fn default_indicator_column() -> String {
    "indicator".into()
}
fn default_value_column() -> String {
    "value".into()
}

/// `[units]`: unit ids, names and groups.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitsSection {
    /// The unit id column in the data files.
    pub id: String,
    /// The unit name column (in the unit list or the data).
    #[serde(default)]
    pub name: Option<String>,
    /// Group columns (e.g. county), used for group ranks and `group_mean`.
    #[serde(default)]
    pub groups: Vec<String>,
    /// A unit list: exactly these units are ranked (in this order); data rows
    /// for other ids are ignored and reported.
    #[serde(default)]
    pub file: Option<DataFile>,
    /// The id column of the unit list (default: `id`).
    #[serde(default)]
    pub file_id: Option<String>,
    /// Left-pad numeric ids with zeros to this width.
    #[serde(default)]
    pub id_pad: Option<usize>,
}

/// `[screening]`: who has enough data to be ranked.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Screening {
    /// Minimum share (0-1) of indicators with data for a unit to be ranked.
    #[serde(default)]
    pub min_coverage: f64,
    /// Whether coverage is counted on the raw data or after imputation.
    #[serde(default)]
    pub coverage_on: CoverageBasis,
}

/// What screening counts as "has data" (`screening.coverage_on`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageBasis {
    /// Values in the data, before imputation.
    #[default]
    Raw,
    /// Values after imputation (COINr's `Impute()` then `Screen()`):
    /// imputation statistics come from every unit, screened out or not.
    Imputed,
}

/// How missing values are handled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingMethod {
    /// Leave missing; aggregation re-weights over the present children.
    #[default]
    Exclude,
    /// The indicator's mean over ranked units.
    Mean,
    /// The indicator's median over ranked units.
    Median,
    /// The mean within the unit's group (`missing.group`).
    GroupMean,
    /// The raw value 0 (no answer = no points).
    Zero,
    /// The worst observed raw value.
    Worst,
}

/// `[missing]`: the default missing-value method.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MissingSection {
    /// The method (indicators may override it).
    #[serde(default)]
    pub method: MissingMethod,
    /// The group column for `group_mean`.
    #[serde(default)]
    pub group: Option<String>,
    /// `group_mean` for a group with no observed value: the overall mean
    /// (default) or nothing (left missing, as COINr's `i_mean_grp`).
    #[serde(default)]
    pub group_fallback: GroupFallback,
}

/// What `group_mean` imputes in a group without any observed value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupFallback {
    /// The indicator's mean over all reference units (noted).
    #[default]
    OverallMean,
    /// Nothing: the value stays missing (COINr's `i_mean_grp`).
    None,
}

/// Tie rule of the ranking.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RankMethod {
    /// 1, 2, 2, 4 (ties share the best rank).
    #[default]
    Competition,
    /// 1, 2, 2, 3.
    Dense,
    /// 1, 2.5, 2.5, 4 (ties share the mean rank).
    Fractional,
    /// 1, 2, 3, 4 (ties broken by unit id, ascending).
    Ordinal,
}

/// Which end of the score is rank 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Best {
    /// The highest score is rank 1.
    #[default]
    Highest,
    /// The lowest score is rank 1.
    Lowest,
}

/// `[ranking]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankingSection {
    /// Tie rule.
    #[serde(default)]
    pub method: RankMethod,
    /// Decimals applied to scores before ranking (ties on the rounded value).
    #[serde(default)]
    pub round: Option<u32>,
    /// Which end is best.
    #[serde(default)]
    pub best: Best,
    /// Group columns to rank within, too.
    #[serde(default)]
    pub within: Vec<String>,
    /// Units that get scores but no rank (e.g. the EU aggregate in DESI).
    #[serde(default)]
    pub unranked: Vec<String>,
}

/// Aggregation method names as written in the spec.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AggregationName {
    /// Weighted arithmetic mean.
    #[default]
    Arithmetic,
    /// Weighted geometric mean.
    Geometric,
    /// Weighted harmonic mean.
    Harmonic,
    /// Weighted generalised (power) mean with exponent `p`.
    #[serde(alias = "generalized", alias = "power")]
    Generalised,
    /// Mazziotta-Pareto index (mean penalised by imbalance).
    #[serde(alias = "mpi")]
    MazziottaPareto,
    /// Weighted sum (points indices); weights are not re-normalised.
    Sum,
    /// Mean-min function: the mean penalised by the gap to the worst child
    /// (`alpha`, `beta`).
    MeanMin,
    /// Copeland: pairwise weighted majority over the children (COINr's
    /// `a_copeland`).
    Copeland,
    /// Benefit of the Doubt: each unit's own most favourable weights
    /// (data envelopment analysis; bounds in `bod`).
    #[serde(alias = "benefit_of_the_doubt")]
    Bod,
}

/// Weight bounds of Benefit of the Doubt (`bod = { min_share = 0.05 }`):
/// on each child's share of a unit's score (Cherchye et al. 2007's
/// "pie shares") and on the weights themselves.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BodBounds {
    /// Least share of a unit's score each present child must give (0-1).
    #[serde(default)]
    pub min_share: f64,
    /// Largest share of a unit's score one child may give (0-1).
    #[serde(default = "one")]
    pub max_share: f64,
    /// Least weight of each child (>= 0).
    #[serde(default)]
    pub min_weight: f64,
    /// Largest weight of each child (none by default).
    #[serde(default)]
    pub max_weight: Option<f64>,
}

impl Default for BodBounds {
    fn default() -> Self {
        BodBounds {
            min_share: 0.0,
            max_share: 1.0,
            min_weight: 0.0,
            max_weight: None,
        }
    }
}

/// `[[node]]`: an intermediate node (dimension, pillar...).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// Node id.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub label: Option<String>,
    /// Parent node id (default: the index).
    #[serde(default)]
    pub parent: Option<String>,
    /// Weight among its siblings.
    #[serde(default = "one")]
    pub weight: f64,
    /// How its children are aggregated.
    #[serde(default)]
    pub aggregation: AggregationName,
    /// Exponent for `generalised`.
    #[serde(default)]
    pub p: Option<f64>,
    /// Penalty weight for `mean_min` (0-1, default 0.5).
    #[serde(default)]
    pub alpha: Option<f64>,
    /// Smoothing for `mean_min` (>= 0, default 0).
    #[serde(default)]
    pub beta: Option<f64>,
    /// Weight bounds for `bod` (Benefit of the Doubt).
    #[serde(default)]
    pub bod: Option<BodBounds>,
    /// Minimum share (0-1) of this node's indicators a unit needs to be ranked.
    #[serde(default)]
    pub min_coverage: Option<f64>,
}

/// A transform applied to raw values before normalisation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// No transform.
    #[default]
    None,
    /// Natural log (values must be > 0).
    Log,
    /// ln(1 + x) (values must be > -1).
    Log1p,
    /// Base-10 log (values must be > 0).
    Log10,
}

/// `[[indicator]]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorSpec {
    /// Indicator id.
    pub id: String,
    /// Source column in the data (default: the id).
    #[serde(default)]
    pub column: Option<String>,
    /// Display name.
    #[serde(default)]
    pub label: Option<String>,
    /// +1: higher is better; -1: lower is better (also read from the words
    /// `"higher"` / `"lower"`, see [`direction_word`]).
    #[serde(default = "one_i", deserialize_with = "deserialize_direction")]
    pub direction: i64,
    /// Parent node id (default: the index).
    #[serde(default)]
    pub parent: Option<String>,
    /// Weight among its siblings.
    #[serde(default = "one")]
    pub weight: f64,
    /// Transform applied before normalisation (after `denominator`).
    #[serde(default)]
    pub transform: Transform,
    /// Divide by this column first (per capita, per km2...).
    #[serde(default)]
    pub denominator: Option<String>,
    /// Multiplier after dividing by the denominator (e.g. 1000 for "per 1000").
    #[serde(default = "one")]
    pub per: f64,
    /// Normalisation (default: the spec's `[normalise]`, else minmax 0-100).
    #[serde(default)]
    pub normalise: Option<Normalisation>,
    /// Missing-value method (default: `[missing].method`).
    #[serde(default)]
    pub missing: Option<MissingMethod>,
    /// Outlier treatment (default: `[treat]`, else none).
    #[serde(default)]
    pub treat: Option<Treatment>,
}

fn two() -> f64 {
    2.0
}
fn three_and_a_half() -> f64 {
    3.5
}
fn five() -> usize {
    5
}
fn five_percent() -> [f64; 2] {
    [0.05, 0.95]
}

/// Outlier treatment (`method = "..."`), applied after imputation and
/// transforms, before normalisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum Treatment {
    /// No treatment.
    None,
    /// The JRC rule as COINr's `Treat()` applies it: when |skewness| >= `skew`
    /// and kurtosis >= `kurtosis`, winsorise one value at a time until the
    /// indicator passes or `max_points` distinct units were changed; if it
    /// still fails, the original values are log-transformed (`log`).
    Jrc {
        /// Skewness threshold (absolute value).
        #[serde(default = "two")]
        skew: f64,
        /// Excess kurtosis threshold.
        #[serde(default = "three_and_a_half")]
        kurtosis: f64,
        /// Most distinct units winsorised before falling back to a log.
        #[serde(default = "five")]
        max_points: usize,
        /// The log transform used when winsorising is not enough.
        #[serde(default)]
        log: JrcLog,
    },
    /// Clamp to the given quantiles of the reference units.
    Winsorise {
        /// Lower and upper quantile.
        #[serde(default = "five_percent")]
        quantiles: [f64; 2],
    },
    /// Box-Cox: (x^lambda - 1) / lambda, ln x for lambda = 0 (x > 0).
    BoxCox {
        /// The exponent.
        lambda: f64,
    },
}

/// The log transform of the JRC rule's second step (`treat.log`), applied
/// to the original values with min and max over the indicator's values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JrcLog {
    /// COINr's `log_CT`: ln(x - min + 0.01 (max - min)), whatever the skew.
    #[default]
    Ct,
    /// `log_CT` for positive skew; for negative skew the mirror image
    /// -ln(max + 0.01 (max - min) - x), which compresses the low tail.
    CtSkew,
    /// COINr's `log_CT_orig` (the COIN Tool's original): ln(x - min + 1).
    /// Depends on the indicator's units (a range of 0.1 is barely changed),
    /// kept for reproducing indices built with it.
    CtOrig,
}

fn one() -> f64 {
    1.0
}
fn one_i() -> i64 {
    1
}

/// The direction a word or number names: 1 (higher is better) for
/// `1`, `+1`, `higher`, `high`, `positive`; -1 for `-1`, `lower`, `low`,
/// `negative` (any case). None for anything else.
pub fn direction_word(text: &str) -> Option<i64> {
    match text.trim().to_lowercase().as_str() {
        "1" | "+1" | "1.0" | "higher" | "high" | "positive" | "högre" => Some(1),
        "-1" | "-1.0" | "lower" | "low" | "negative" | "lägre" => Some(-1),
        _ => None,
    }
}

/// Reads `direction` as an integer or a word ([`direction_word`]); integers
/// other than 1 and -1 are refused later, with the indicator named.
fn deserialize_direction<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<i64, D::Error> {
    use serde::de::{self, Visitor};
    struct Direction;
    impl Visitor<'_> for Direction {
        type Value = i64;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("1 (higher is better) or -1 (lower is better), or \"higher\" / \"lower\"")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<i64, E> {
            Ok(v)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<i64, E> {
            Ok(i64::try_from(v).unwrap_or(i64::MAX))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<i64, E> {
            if v == 1.0 || v == -1.0 {
                Ok(v as i64)
            } else {
                Err(E::invalid_value(de::Unexpected::Float(v), &self))
            }
        }
        fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<i64, E> {
            direction_word(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }
    d.deserialize_any(Direction)
}
fn hundred() -> f64 {
    100.0
}

/// What minmax/zscore do with an indicator that has one value for all units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstantPolicy {
    /// Refuse (the indicator cannot discriminate; remove it or change method).
    #[default]
    Error,
    /// Give every unit the middle of the target range (zscore: the mean).
    Midpoint,
}

/// A normalisation method and its parameters (`method = "..."`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum Normalisation {
    /// Min-max to `[low, high]`.
    Minmax {
        /// Value of the worst unit.
        #[serde(default)]
        low: f64,
        /// Value of the best unit.
        #[serde(default = "hundred")]
        high: f64,
        /// Constant indicator handling.
        #[serde(default)]
        if_constant: ConstantPolicy,
    },
    /// Standard score, rescaled to `mean + sd * z`.
    Zscore {
        /// Mean after rescaling.
        #[serde(default)]
        mean: f64,
        /// Standard deviation after rescaling.
        #[serde(default = "one")]
        sd: f64,
        /// Constant indicator handling.
        #[serde(default)]
        if_constant: ConstantPolicy,
    },
    /// Fixed bounds: `scale * (x - lower) / (upper - lower)` (reversed for direction -1).
    Goalposts {
        /// Lower goalpost (worst for direction +1); a number or an
        /// expression such as `"ln(100)"`.
        #[serde(default, deserialize_with = "super::expr::optional_number")]
        lower: Option<f64>,
        /// Upper goalpost.
        #[serde(default, deserialize_with = "super::expr::optional_number")]
        upper: Option<f64>,
        /// The scale the bounds are written on: the transformed values
        /// (default) or the raw ones (the transform is applied to the bounds).
        #[serde(default)]
        bounds: GoalpostScale,
        /// Cap results to `[0, scale]` (HDI caps; DESI does not).
        #[serde(default)]
        clip: bool,
        /// Multiplier (100 gives 0-100).
        #[serde(default = "hundred")]
        scale: f64,
    },
    /// Rank among units (1 = worst, n = best; ties get the mean rank).
    Rank,
    /// Percentile rank `scale * (rank - 1) / (n - 1)`.
    Percentile {
        /// Multiplier (100 gives 0-100).
        #[serde(default = "hundred")]
        scale: f64,
    },
    /// Distance to a target: `scale * (x - worst) / (target - worst)`, capped at `scale`.
    Distance {
        /// The target value (a number or an expression).
        #[serde(deserialize_with = "super::expr::number")]
        target: f64,
        /// Cap at the target (`true`) or let units beyond it score more.
        #[serde(default = "yes")]
        cap: bool,
        /// Multiplier.
        #[serde(default = "hundred")]
        scale: f64,
    },
    /// Thresholds to points: a value reaching `thresholds[j]` gets `points[j+1]`.
    Bands {
        /// Increasing thresholds.
        thresholds: Vec<f64>,
        /// Points per band (one more than thresholds; default 0, 1, 2, ...).
        #[serde(default)]
        points: Option<Vec<f64>>,
    },
    /// Text or coded answers to values (`map = { yes = 1, no = 0 }`).
    Categorical {
        /// Answer to value.
        map: BTreeMap<String, f64>,
        /// Match answers ignoring case (default true).
        #[serde(default = "yes")]
        ignore_case: bool,
    },
    /// The raw (transformed, direction-adjusted) value.
    None,
}

/// The scale goalposts are written on (`bounds = "..."`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalpostScale {
    /// The values after the indicator's transform (bounds used as written).
    #[default]
    Transformed,
    /// The indicator's own units: the transform is applied to the bounds
    /// too (the HDI's GNI goalposts 100 and 75,000 with a log).
    Raw,
}

/// A transform as a function and the test of its domain.
pub type TransformFn = (fn(f64) -> f64, fn(f64) -> bool);

impl Transform {
    /// The transform as a function with its domain (`None`: no transform).
    /// The one definition used for data values and for goalposts.
    pub fn function(self) -> Option<TransformFn> {
        match self {
            Transform::None => None,
            Transform::Log => Some((f64::ln, |x| x > 0.0)),
            Transform::Log10 => Some((f64::log10, |x| x > 0.0)),
            Transform::Log1p => Some((f64::ln_1p, |x| x > -1.0)),
        }
    }
}

fn yes() -> bool {
    true
}

/// `[[indicator_table]]`: indicators from a metadata CSV, one row each.
/// Keys name columns of that file; missing keys take the defaults.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorTable {
    /// The metadata file.
    pub file: DataFile,
    /// Column with the indicator id.
    pub id: String,
    /// Column with the data column name (default: the id is the column).
    #[serde(default)]
    pub column: Option<String>,
    /// Column with the label.
    #[serde(default)]
    pub label: Option<String>,
    /// Column with the parent node id.
    #[serde(default)]
    pub parent: Option<String>,
    /// Parent for rows without a parent column/value.
    #[serde(default)]
    pub default_parent: Option<String>,
    /// Column with the weight.
    #[serde(default)]
    pub weight: Option<String>,
    /// Column with the direction (1/-1).
    #[serde(default)]
    pub direction: Option<String>,
    /// Column with the lower goalpost.
    #[serde(default)]
    pub lower: Option<String>,
    /// Column with the upper goalpost.
    #[serde(default)]
    pub upper: Option<String>,
    /// Column with a distance-to-target target.
    #[serde(default)]
    pub target: Option<String>,
    /// Column naming the normalisation method per row.
    #[serde(default)]
    pub method: Option<String>,
    /// Column naming the transform per row.
    #[serde(default)]
    pub transform: Option<String>,
    /// Default normalisation for the rows (bounds from `lower`/`upper` columns).
    #[serde(default)]
    pub normalise: Option<Normalisation>,
    /// Column with the denominator's data column (per capita...).
    #[serde(default)]
    pub denominator: Option<String>,
    /// Column with the multiplier after dividing by the denominator.
    #[serde(default)]
    pub per: Option<String>,
    /// Rows to use, by column (`{ Type = "Indicator" }`); other rows are
    /// skipped. A column named here must exist.
    #[serde(default)]
    pub filter: BTreeMap<String, FilterValues>,
    /// Cell texts that mean "empty" (R writes `NA`).
    #[serde(default)]
    pub missing: Vec<String>,
}

/// `[[node_table]]`: nodes from a metadata CSV, one row each.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeTable {
    /// The metadata file.
    pub file: DataFile,
    /// Column with the node id.
    pub id: String,
    /// Column with the label.
    #[serde(default)]
    pub label: Option<String>,
    /// Column with the parent node id.
    #[serde(default)]
    pub parent: Option<String>,
    /// Parent for rows without a parent column/value.
    #[serde(default)]
    pub default_parent: Option<String>,
    /// Column with the weight.
    #[serde(default)]
    pub weight: Option<String>,
    /// Column with the aggregation method name.
    #[serde(default)]
    pub aggregation: Option<String>,
    /// Rows to use, by column (`{ Type = "Aggregate" }`).
    #[serde(default)]
    pub filter: BTreeMap<String, FilterValues>,
    /// Cell texts that mean "empty" (R writes `NA`).
    #[serde(default)]
    pub missing: Vec<String>,
}
