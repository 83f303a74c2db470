//! The uncertainty model: what varies between runs (weights, discrete method
//! choices, named weight scenarios), resolved against an index, with the
//! settings of the analysis (runs, seed, ...). Spec section `[sensitivity]`,
//! overridable from the command line.

use crate::error::{Error, Result};
use crate::input::{self, ReadOptions};
use crate::spec::{
    Aggregation, AggregationChoice, AggregationParams, ChoiceSpec, Index, MissingMethod,
    Normalisation, SensitivityMethod, SensitivitySection, SobolDesign, WeightGrouping,
    WeightMethod, build_aggregation,
};
use serde::{Deserialize, Serialize};

/// Command-line overrides of the `[sensitivity]` section.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// mc, sobol or loo.
    pub method: Option<SensitivityMethod>,
    /// Monte Carlo runs.
    pub runs: Option<u64>,
    /// Sobol base sample N.
    pub base_samples: Option<u64>,
    /// Seed.
    pub seed: Option<u64>,
    /// Weight perturbation.
    pub weights: Option<WeightMethod>,
    /// Uniform spread.
    pub spread: Option<f64>,
    /// k values for P(rank <= k).
    pub top_k: Option<Vec<usize>>,
    /// Saltelli design.
    pub design: Option<SobolDesign>,
    /// Bootstrap resamples.
    pub bootstrap: Option<usize>,
    /// Histogram bins per unit.
    pub rank_bins: Option<usize>,
}

/// The settings of one analysis.
#[derive(Debug, Clone)]
pub struct Settings {
    /// mc, sobol or loo.
    pub method: SensitivityMethod,
    /// Monte Carlo runs, or for Sobol the base sample N (resolved from
    /// `base_samples`, never from `runs`).
    pub runs: u64,
    /// Seed.
    pub seed: u64,
    /// k values for P(rank <= k) and top-k stability.
    pub top_k: Vec<usize>,
    /// Saltelli design.
    pub design: SobolDesign,
    /// Bootstrap resamples.
    pub bootstrap: usize,
    /// Histogram bins per unit (None: exact up to 5,000 units).
    pub rank_bins: Option<usize>,
}

/// Where each node's children weights sit in a flat weight vector.
#[derive(Debug, Clone)]
pub struct WeightLayout {
    /// `offsets[n]..offsets[n + 1]` are node `n`'s children, in spec order.
    pub offsets: Vec<usize>,
    /// Nominal weights.
    pub nominal: Vec<f64>,
}

impl WeightLayout {
    /// The layout of an index's nominal weights.
    pub fn of(index: &Index) -> Self {
        let mut offsets = vec![0];
        let mut nominal = Vec::new();
        for node in &index.nodes {
            nominal.extend(node.children.iter().map(|m| index.member_weight(*m)));
            offsets.push(nominal.len());
        }
        WeightLayout { offsets, nominal }
    }

    /// Node `n`'s slice of a flat weight vector.
    pub fn range(&self, n: usize) -> std::ops::Range<usize> {
        self.offsets[n]..self.offsets[n + 1]
    }
}

/// What a factor varies.
#[derive(Debug, Clone)]
pub enum FactorKind {
    /// The children weights of these nodes.
    Weights {
        /// Node indices.
        nodes: Vec<usize>,
    },
    /// The normalisation of these indicators (level 0 = nominal).
    Normalisation {
        /// Indicator indices.
        indicators: Vec<usize>,
        /// Alternatives (level i + 1).
        options: Vec<Normalisation>,
    },
    /// The aggregation of these nodes (level 0 = nominal).
    Aggregation {
        /// Node indices.
        nodes: Vec<usize>,
        /// Alternatives (level i + 1).
        options: Vec<Aggregation>,
    },
    /// The missing-value method of every indicator (level 0 = nominal).
    Missing {
        /// Alternatives (level i + 1).
        options: Vec<MissingMethod>,
    },
    /// Indicator included (level 0) or left out (level 1).
    Include {
        /// Indicator index.
        indicator: usize,
    },
    /// Nominal weights (level 0) or a named weight set (level i + 1);
    /// without the nominal, weight set i is level i.
    Scenario {
        /// Scenario names.
        names: Vec<String>,
        /// Flat weight vectors (layout of [`WeightLayout`]).
        weights: Vec<Vec<f64>>,
        /// Whether the nominal weights are a level (not for a distribution
        /// such as one expert drawn per run).
        with_nominal: bool,
    },
}

/// One uncertain input of the analysis (a Sobol factor; a draw in MC).
#[derive(Debug, Clone)]
pub struct Factor {
    /// A readable name (`weights of 'services'`, `normalisation`, ...).
    pub name: String,
    /// What it varies.
    pub kind: FactorKind,
    /// How many uniform numbers it consumes.
    pub dims: usize,
}

impl Factor {
    /// Number of discrete levels (1 for weight factors).
    pub fn levels(&self) -> usize {
        match &self.kind {
            FactorKind::Weights { .. } => 1,
            FactorKind::Normalisation { options, .. } => options.len() + 1,
            FactorKind::Aggregation { options, .. } => options.len() + 1,
            FactorKind::Missing { options } => options.len() + 1,
            FactorKind::Include { .. } => 2,
            FactorKind::Scenario {
                names,
                with_nominal,
                ..
            } => names.len() + usize::from(*with_nominal),
        }
    }

    /// A label for level `level`.
    pub fn level_label(&self, level: usize, index: &Index) -> String {
        if let FactorKind::Scenario {
            names,
            with_nominal: false,
            ..
        } = &self.kind
        {
            return names[level].clone();
        }
        if level == 0 {
            return match &self.kind {
                FactorKind::Include { .. } => "included".into(),
                FactorKind::Weights { .. } => "perturbed".into(),
                _ => "nominal".into(),
            };
        }
        match &self.kind {
            FactorKind::Weights { .. } => "perturbed".into(),
            FactorKind::Normalisation { options, .. } => {
                crate::pipeline::normalise::describe(&options[level - 1])
            }
            FactorKind::Aggregation { options, .. } => match options[level - 1] {
                Aggregation::Generalised { p } => format!("generalised p = {p}"),
                a => a.name().to_string(),
            },
            FactorKind::Missing { options } => crate::spec::spec_name(&options[level - 1]),
            FactorKind::Include { indicator } => {
                format!("'{}' left out", index.indicators[*indicator].id)
            }
            FactorKind::Scenario { names, .. } => names[level - 1].clone(),
        }
    }

    /// The factor's definition for outputs.
    pub fn describe(&self, index: &Index) -> FactorDescription {
        let levels: Vec<String> = (0..self.levels())
            .map(|l| self.level_label(l, index))
            .collect();
        let node_ids =
            |nodes: &[usize]| Some(nodes.iter().map(|&n| index.nodes[n].id.clone()).collect());
        let mut d = FactorDescription {
            name: self.name.clone(),
            kind: String::new(),
            nodes: None,
            indicators: None,
            indicator: None,
            dims: None,
            levels: Some(levels),
        };
        match &self.kind {
            FactorKind::Weights { nodes } => {
                d.kind = "weights".into();
                d.nodes = node_ids(nodes);
                d.dims = Some(self.dims);
                d.levels = None;
            }
            FactorKind::Normalisation { indicators, .. } => {
                d.kind = "normalisation".into();
                d.indicators = Some(
                    indicators
                        .iter()
                        .map(|&i| index.indicators[i].id.clone())
                        .collect(),
                );
            }
            FactorKind::Aggregation { nodes, .. } => {
                d.kind = "aggregation".into();
                d.nodes = node_ids(nodes);
            }
            FactorKind::Missing { .. } => d.kind = "missing".into(),
            FactorKind::Include { indicator } => {
                d.kind = "include".into();
                d.indicator = Some(index.indicators[*indicator].id.clone());
            }
            FactorKind::Scenario { .. } => d.kind = "scenario".into(),
        }
        d
    }
}

/// A factor as outputs and partial results describe it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorDescription {
    /// Its name.
    pub name: String,
    /// weights, normalisation, aggregation, missing, include or scenario.
    pub kind: String,
    /// The nodes whose weights or aggregation vary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes: Option<Vec<String>>,
    /// The indicators whose normalisation varies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicators: Option<Vec<String>>,
    /// The indicator left in or out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    /// Uniform dimensions (weights).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dims: Option<usize>,
    /// The levels of a discrete choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub levels: Option<Vec<String>>,
}

/// How weights are perturbed, as outputs describe it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightDescription {
    /// Method.
    pub method: WeightMethod,
    /// Uniform spread.
    pub spread: f64,
    /// Dirichlet concentration.
    pub concentration: f64,
}

/// The uncertainty model as outputs and partial results describe it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelDescription {
    /// The weight perturbation.
    pub weights: WeightDescription,
    /// The factors, in order.
    pub factors: Vec<FactorDescription>,
}

/// The resolved uncertainty model.
#[derive(Debug, Clone)]
pub struct UncertaintyModel {
    /// Weight perturbation method.
    pub weight_method: WeightMethod,
    /// Uniform spread.
    pub spread: f64,
    /// Dirichlet concentration.
    pub concentration: f64,
    /// Factors: weight factors first, then choices, then scenarios.
    pub factors: Vec<Factor>,
    /// The flat weight layout.
    pub layout: WeightLayout,
    /// Settings.
    pub settings: Settings,
}

/// Some discrete factors of a model numbered together as one mixed-radix
/// counter (the first factor varies fastest): each combination of their
/// levels is a number in `0..count()`, 0 being every factor at level 0.
#[derive(Debug, Clone, Default)]
pub struct Combinations {
    /// Factor index and level count of each factor.
    factors: Vec<(usize, usize)>,
}

impl Combinations {
    /// The factors of `model` whose kind `fits`.
    pub fn of(model: &UncertaintyModel, fits: fn(&FactorKind) -> bool) -> Combinations {
        let factors = model.factors.iter().enumerate();
        Combinations {
            factors: (factors.filter(|(_, f)| fits(&f.kind)))
                .map(|(i, f)| (i, f.levels()))
                .collect(),
        }
    }

    /// Number of combinations.
    pub fn count(&self) -> usize {
        self.factors.iter().map(|(_, l)| *l).product()
    }

    /// Whether there are no factors (one combination).
    pub fn is_empty(&self) -> bool {
        self.factors.is_empty()
    }

    /// The factors' indices in the model.
    pub fn factors(&self) -> impl Iterator<Item = usize> + '_ {
        self.factors.iter().map(|&(f, _)| f)
    }

    /// The number of the combination in a draw's `levels` (every factor's).
    pub fn number(&self, levels: &[usize]) -> usize {
        let mut v = 0;
        for &(f, l) in self.factors.iter().rev() {
            v = v * l + levels[f];
        }
        v
    }

    /// Combination `v` as `total` factors' levels (0 for the other factors).
    pub fn levels(&self, mut v: usize, total: usize) -> Vec<usize> {
        let mut levels = vec![0; total];
        for &(f, l) in &self.factors {
            levels[f] = v % l;
            v /= l;
        }
        levels
    }
}

impl UncertaintyModel {
    /// "normalisation = zscore, aggregation of services = geometric": the
    /// discrete factors' `levels`, for messages.
    pub fn combination_label(&self, index: &Index, levels: &[usize]) -> String {
        let parts: Vec<String> = self
            .factors
            .iter()
            .zip(levels)
            .filter(|(f, _)| !matches!(f.kind, FactorKind::Weights { .. }))
            .map(|(f, &l)| format!("{} = {}", f.name, f.level_label(l, index)))
            .collect();
        if parts.is_empty() {
            "nominal".into()
        } else {
            parts.join(", ")
        }
    }

    /// Every node's aggregation method under the `levels` of the
    /// aggregation factors (the index's own where a factor is at level 0),
    /// into `methods`.
    pub fn node_methods(&self, index: &Index, levels: &[usize], methods: &mut Vec<Aggregation>) {
        methods.clear();
        methods.extend(index.nodes.iter().map(|n| n.aggregation));
        for (factor, &l) in self.factors.iter().zip(levels) {
            if let (FactorKind::Aggregation { nodes, options }, 1..) = (&factor.kind, l) {
                for &node in nodes {
                    methods[node] = options[l - 1];
                }
            }
        }
    }

    /// Total uniform dimensions of one draw.
    pub fn dims(&self) -> usize {
        self.factors.iter().map(|f| f.dims).sum()
    }

    /// Weight dimensions of a node with `c` children under the method.
    pub fn node_dims(method: WeightMethod, c: usize) -> usize {
        match method {
            WeightMethod::None => 0,
            WeightMethod::Simplex => c.saturating_sub(1),
            WeightMethod::Uniform | WeightMethod::Dirichlet => c,
        }
    }

    /// The model's definition for outputs.
    pub fn describe(&self, index: &Index) -> ModelDescription {
        ModelDescription {
            weights: WeightDescription {
                method: self.weight_method,
                spread: self.spread,
                concentration: self.concentration,
            },
            factors: self.factors.iter().map(|f| f.describe(index)).collect(),
        }
    }
}

fn node_list(
    index: &Index,
    ids: &Option<Vec<String>>,
    key: &str,
    errors: &mut Vec<Error>,
) -> Vec<usize> {
    match ids {
        None => (0..index.nodes.len()).collect(),
        Some(list) => list
            .iter()
            .filter_map(|id| {
                let found = index.node_index(id);
                if found.is_none() {
                    errors.push(
                        Error::spec(&index.spec_name, key, format!("'{id}' is not a node"))
                            .with_hint(format!("nodes are: {}", index.node_ids())),
                    );
                }
                found
            })
            .collect(),
    }
}

fn indicator_index(index: &Index, id: &str, key: &str, errors: &mut Vec<Error>) -> Option<usize> {
    let found = index.indicators.iter().position(|i| i.id == id);
    if found.is_none() {
        let hint = crate::spec::suggest(id, index.indicators.iter().map(|i| i.id.as_str()))
            .map(|s| format!("did you mean '{s}'?"))
            .unwrap_or_else(|| "use an indicator id of the spec".into());
        errors.push(
            Error::spec(&index.spec_name, key, format!("'{id}' is not an indicator"))
                .with_hint(hint),
        );
    }
    found
}

fn aggregation_of(
    c: &AggregationChoice,
    index: &Index,
    key: &str,
    errors: &mut Vec<Error>,
) -> Option<Aggregation> {
    let (name, params) = match c {
        AggregationChoice::Name(n) => (*n, AggregationParams::default()),
        AggregationChoice::WithP(m) => (m.method, m.params()),
    };
    match build_aggregation(name, params) {
        Ok(a) => Some(a),
        Err((_, message, hint)) => {
            errors.push(
                Error::spec(
                    &index.spec_name,
                    key,
                    format!("{name:?} is not a valid aggregation here: {message}"),
                )
                .with_hint(hint),
            );
            None
        }
    }
}

/// Refuses two `[[sensitivity.choice]]` entries of one kind over the same
/// indicator or node (which one would a run use?): `choices` pairs each
/// choice's number in the spec with its factor in `factors`.
fn overlapping_choices(
    index: &Index,
    factors: &[Factor],
    choices: &[(usize, usize)],
    errors: &mut Vec<Error>,
) {
    // Per kind, what each earlier choice covers: (kind, member, choice).
    let mut seen: Vec<(&str, String, usize)> = Vec::new();
    for &(c, f) in choices {
        let (kind, members): (&str, Vec<String>) = match &factors[f].kind {
            FactorKind::Normalisation { indicators, .. } => (
                "normalisation",
                indicators
                    .iter()
                    .map(|&i| index.indicators[i].id.clone())
                    .collect(),
            ),
            FactorKind::Aggregation { nodes, .. } => (
                "aggregation",
                nodes.iter().map(|&n| index.nodes[n].id.clone()).collect(),
            ),
            FactorKind::Include { indicator } => {
                ("include", vec![index.indicators[*indicator].id.clone()])
            }
            FactorKind::Missing { .. } => ("missing", vec!["every indicator".into()]),
            _ => continue,
        };
        for m in members {
            if let Some((_, _, earlier)) = seen.iter().find(|(k, id, _)| *k == kind && *id == m) {
                let (what, hint) = match kind {
                    "missing" => (
                        "a second missing-value choice".to_string(),
                        "list every missing-value method in one choice's options",
                    ),
                    "include" => (
                        format!("a second include choice for '{m}'"),
                        "keep one include choice per indicator",
                    ),
                    _ => (
                        format!("a second {kind} choice for '{m}'"),
                        "merge the options into one choice, or take the member out of one's list",
                    ),
                };
                errors.push(
                    Error::spec(
                        &index.spec_name,
                        format!("sensitivity.choice[{c}]"),
                        format!("{what} (sensitivity.choice[{earlier}] has one)"),
                    )
                    .with_hint(hint),
                );
                break;
            }
            seen.push((kind, m, c));
        }
    }
}

/// Reads a scenario CSV: a `scenario` column and one column per node or
/// indicator id holding its weight (blank = nominal).
pub fn read_scenarios(
    index: &Index,
    path: &str,
    layout: &WeightLayout,
) -> Result<(Vec<String>, Vec<Vec<f64>>)> {
    let source = index.base.source(path);
    let raw = input::read_raw(&source, &ReadOptions::default())?;
    let name_col = raw.column("scenario").ok_or_else(|| {
        Error::data(raw.location(None, None), "no 'scenario' column")
            .with_hint("the first column names each scenario: scenario,<node or indicator id>,...")
    })?;
    // Where each member sits in the flat layout.
    let mut slot: Vec<(String, usize)> = Vec::new();
    for (n, node) in index.nodes.iter().enumerate() {
        for (j, m) in node.children.iter().enumerate() {
            slot.push((index.member_id(*m).to_string(), layout.offsets[n] + j));
        }
    }
    let mut columns = Vec::new();
    let mut errors = Vec::new();
    for (c, h) in raw.header.iter().enumerate() {
        if c == name_col {
            continue;
        }
        // An id a spreadsheet would take for a formula comes neutralised
        // (`'=x`) from the report's "download these weights".
        let unneutralised = h
            .strip_prefix('\'')
            .filter(|id| crate::text::neutralise(id) == h.as_str());
        match slot
            .iter()
            .find(|(id, _)| id == h || Some(id.as_str()) == unneutralised)
        {
            Some((_, s)) => columns.push((c, *s)),
            None => errors.push(
                Error::data(
                    raw.location(None, Some(h)),
                    format!("'{h}' is not a node or indicator of the index"),
                )
                .with_hint(
                    crate::spec::suggest(h, slot.iter().map(|(id, _)| id.as_str()))
                        .map(|s| format!("did you mean '{s}'?"))
                        .unwrap_or_else(|| "name columns by node or indicator id".into()),
                ),
            ),
        }
    }
    Error::collect(errors)?;
    let mut names = Vec::new();
    let mut sets = Vec::new();
    for row in &raw.rows {
        let name = input::cell::cell_text(&row.cells[name_col]);
        if name.is_empty() {
            return Err(Error::data(
                raw.location(Some(row.position), Some("scenario")),
                "empty scenario name",
            ));
        }
        if names.contains(&name) {
            return Err(Error::data(
                raw.location(Some(row.position), Some("scenario")),
                format!("scenario '{name}' appears twice"),
            ));
        }
        let mut w = layout.nominal.clone();
        for &(c, s) in &columns {
            match input::cell::parse_cell(&row.cells[c], raw.decimal_comma, &[String::new()]) {
                input::cell::Parsed::Missing => {}
                input::cell::Parsed::Number(v, _) if v >= 0.0 => w[s] = v,
                _ => {
                    return Err(Error::data(
                        raw.location(Some(row.position), Some(&raw.header[c])),
                        format!(
                            "'{}' is not a weight >= 0",
                            input::cell::cell_text(&row.cells[c])
                        ),
                    )
                    .with_hint(
                        "write a number >= 0, or leave the cell empty for the nominal weight",
                    ));
                }
            }
        }
        for n in 0..index.nodes.len() {
            if w[layout.range(n)].iter().sum::<f64>() <= 0.0 {
                return Err(Error::data(
                    raw.location(Some(row.position), None),
                    format!(
                        "scenario '{name}': the weights of node '{}' sum to 0",
                        index.nodes[n].id
                    ),
                ));
            }
        }
        names.push(name);
        sets.push(w);
    }
    if names.is_empty() {
        return Err(Error::data(
            raw.location(None, None),
            "no scenarios (the file has no data rows)",
        ));
    }
    Ok((names, sets))
}

/// The default Sobol base sample N.
pub const SOBOL_DEFAULT_N: u64 = 1024;
/// The smallest Sobol base sample N accepted (docs/sensitivity.md).
pub const SOBOL_MIN_N: u64 = 64;

/// Resolves the spec's `[sensitivity]` section (or defaults) with overrides.
pub fn resolve_model(
    nominal: &crate::pipeline::RankResult,
    overrides: &Overrides,
) -> Result<UncertaintyModel> {
    let index = &nominal.index;
    let ranked_units = nominal.units.iter().filter(|u| u.rank.is_some()).count();
    let section = index.spec.sensitivity.clone().unwrap_or_default();
    let file = index.spec_name.as_str();
    let mut errors = Vec::new();
    let method = overrides.method.or(section.method).unwrap_or_default();
    let runs = run_count(method, overrides, &section, &mut errors);
    let top_k = top_k_of(overrides, &section, ranked_units, &mut errors);
    let weight_method = overrides.weights.unwrap_or(section.weights.method);
    let spread = overrides.spread.unwrap_or(section.weights.spread);
    let concentration = section.weights.concentration;
    check_weight_settings(file, spread, concentration, &mut errors);
    let layout = WeightLayout::of(index);
    let mut factors = weight_factors(index, &section, weight_method, &mut errors);
    // Per choice that made a factor: its number in the spec and the factor.
    let mut choice_factors: Vec<(usize, usize)> = Vec::new();
    for (c, choice) in section.choices.iter().enumerate() {
        let seed = overrides.seed.or(section.seed).unwrap_or(1);
        if let Some(factor) = choice_factor(nominal, c, choice, seed, &mut errors) {
            choice_factors.push((c, factors.len()));
            factors.push(factor);
        }
    }
    overlapping_choices(index, &factors, &choice_factors, &mut errors);
    if let Some(path) = &section.scenarios {
        match read_scenarios(index, path, &layout) {
            Ok((names, weights)) => factors.push(Factor {
                name: "weight scenario".into(),
                kind: FactorKind::Scenario {
                    names,
                    weights,
                    with_nominal: true,
                },
                dims: 1,
            }),
            Err(e) => errors.push(e),
        }
    }
    // Each run starts from one weight set: two factors choosing one would
    // overwrite each other.
    if factors
        .iter()
        .filter(|f| matches!(f.kind, FactorKind::Scenario { .. }))
        .count()
        > 1
    {
        errors.push(
            Error::spec(
                file,
                "sensitivity",
                "more than one factor chooses the weight set (scenarios, kind = \"weights\", kind = \"expert\")",
            )
            .with_hint("keep one: put every alternative weighting in one of them"),
        );
    }
    let design = overrides.design.or(section.design).unwrap_or_default();
    if method == SensitivityMethod::Sobol {
        check_sobol(file, weight_method, &factors, &mut errors);
    }
    Error::collect(errors)?;
    Ok(UncertaintyModel {
        weight_method,
        spread,
        concentration,
        factors,
        layout,
        settings: Settings {
            method,
            runs,
            seed: overrides.seed.or(section.seed).unwrap_or(1),
            top_k,
            design,
            bootstrap: overrides.bootstrap.or(section.bootstrap).unwrap_or(100),
            rank_bins: overrides.rank_bins,
        },
    })
}

/// Monte Carlo runs, or Sobol's base sample N (0 for leave-one-out), with
/// the options that do not apply to the method refused.
fn run_count(
    method: SensitivityMethod,
    overrides: &Overrides,
    section: &SensitivitySection,
    errors: &mut Vec<Error>,
) -> u64 {
    match method {
        SensitivityMethod::Sobol => {
            if let Some(r) = overrides.runs {
                errors.push(Error::Usage(format!(
                    "--runs {r} is the number of Monte Carlo runs; Sobol's base sample is set by --base-samples N (default {SOBOL_DEFAULT_N}; N (d + 2) evaluations)"
                )));
            }
            let n = overrides
                .base_samples
                .or(section.base_samples)
                .unwrap_or(SOBOL_DEFAULT_N);
            if n < SOBOL_MIN_N {
                errors.push(Error::Usage(format!(
                    "a Sobol base sample of N = {n} is too small for indices that can be read (they would scatter far outside [0, 1]); use at least N = {SOBOL_MIN_N}, better a power of two such as 1024 (--base-samples or [sensitivity] base_samples)"
                )));
            }
            n
        }
        SensitivityMethod::Mc | SensitivityMethod::Loo => {
            if let Some(n) = overrides.base_samples {
                errors.push(Error::Usage(format!(
                    "--base-samples {n} is the Sobol base sample and applies only with --method sobol; Monte Carlo takes --runs"
                )));
            }
            let runs = overrides.runs.or(section.runs);
            if method == SensitivityMethod::Loo {
                if let Some(r) = overrides.runs {
                    errors.push(Error::Usage(format!(
                        "--runs {r} does not apply to leave-one-out, which runs once per indicator and node"
                    )));
                }
                0
            } else {
                let runs = runs.unwrap_or(10_000);
                if runs == 0 {
                    errors.push(Error::Usage("--runs must be at least 1".into()));
                }
                runs
            }
        }
    }
}

/// The k of P(rank <= k): as asked, or 1, 10 and a quarter of the units.
fn top_k_of(
    overrides: &Overrides,
    section: &SensitivitySection,
    ranked_units: usize,
    errors: &mut Vec<Error>,
) -> Vec<usize> {
    if overrides.top_k.as_ref().is_some_and(|k| k.contains(&0)) {
        errors.push(Error::Usage(
            "--top-k: k counts the places from the top and starts at 1 (e.g. 1,10,50)".into(),
        ));
    }
    if let Some(bins) = overrides.rank_bins
        && bins < 2
    {
        errors.push(Error::Usage(format!(
            "--rank-bins {bins}: one bin holds every rank; use 2 or more (leave it out for exact ranks up to 5,000 units)"
        )));
    }
    let mut top_k = overrides
        .top_k
        .clone()
        .or(section.top_k.clone())
        .unwrap_or_else(|| {
            // The defaults skip k >= the units ranked (always unchanged).
            let mut k = vec![1, 10, ranked_units.div_ceil(4)];
            k.retain(|&k| k < ranked_units.max(2));
            k
        });
    top_k.retain(|&k| k >= 1);
    top_k.sort_unstable();
    top_k.dedup();
    top_k
}

/// Checks the spread and concentration of the weight perturbation.
fn check_weight_settings(file: &str, spread: f64, concentration: f64, errors: &mut Vec<Error>) {
    if !(0.0..1.0).contains(&spread) {
        errors.push(
            Error::spec(
                file,
                "sensitivity.weights.spread",
                format!("spread {spread} is not in [0, 1)"),
            )
            .with_hint("0.25 perturbs each weight by up to +-25%"),
        );
    }
    if !(concentration > 0.0 && concentration.is_finite()) {
        errors.push(Error::spec(
            file,
            "sensitivity.weights.concentration",
            "concentration must be > 0",
        ));
    }
}

/// The weight factors: one per varied node, or one for the whole tree.
fn weight_factors(
    index: &Index,
    section: &SensitivitySection,
    weight_method: WeightMethod,
    errors: &mut Vec<Error>,
) -> Vec<Factor> {
    let mut factors = Vec::new();
    let varied: Vec<usize> = node_list(
        index,
        &section.weights.nodes,
        "sensitivity.weights.nodes",
        errors,
    )
    .into_iter()
    .filter(|&n| index.nodes[n].children.len() >= 2)
    .collect();
    if weight_method != WeightMethod::None {
        let dims_of =
            |n: usize| UncertaintyModel::node_dims(weight_method, index.nodes[n].children.len());
        match section.weights.group {
            WeightGrouping::Node => {
                for &n in &varied {
                    factors.push(Factor {
                        name: format!("weights of '{}'", index.nodes[n].id),
                        kind: FactorKind::Weights { nodes: vec![n] },
                        dims: dims_of(n),
                    });
                }
            }
            WeightGrouping::Tree if !varied.is_empty() => factors.push(Factor {
                name: "weights".into(),
                kind: FactorKind::Weights {
                    nodes: varied.clone(),
                },
                dims: varied.iter().map(|&n| dims_of(n)).sum(),
            }),
            WeightGrouping::Tree => {}
        }
    }
    factors
}

/// The factor of `[[sensitivity.choice]]` number `c` (None when it names
/// nothing that exists; the errors say why).
fn choice_factor(
    nominal: &crate::pipeline::RankResult,
    c: usize,
    choice: &ChoiceSpec,
    seed: u64,
    errors: &mut Vec<Error>,
) -> Option<Factor> {
    let index = &nominal.index;
    let file = index.spec_name.as_str();
    let key = format!("sensitivity.choice[{c}]");
    match choice {
        ChoiceSpec::Normalisation {
            indicators,
            options,
        } => {
            let list: Vec<usize> = match indicators {
                None => (0..index.indicators.len()).collect(),
                Some(ids) => ids
                    .iter()
                    .filter_map(|id| indicator_index(index, id, &key, errors))
                    .collect(),
            };
            if options.is_empty() {
                errors.push(Error::spec(
                    file,
                    format!("{key}.options"),
                    "no alternatives given",
                ));
            }
            Some(Factor {
                name: match indicators {
                    None => "normalisation".into(),
                    Some(ids) => format!("normalisation of {}", ids.join(", ")),
                },
                kind: FactorKind::Normalisation {
                    indicators: list,
                    options: options.clone(),
                },
                dims: 1,
            })
        }
        ChoiceSpec::Aggregation { nodes, options } => {
            let list = node_list(index, nodes, &key, errors);
            let opts: Vec<Aggregation> = options
                .iter()
                .filter_map(|o| aggregation_of(o, index, &key, errors))
                .collect();
            if opts.is_empty() {
                errors.push(Error::spec(
                    file,
                    format!("{key}.options"),
                    "no alternatives given",
                ));
            }
            Some(Factor {
                name: match nodes {
                    None => "aggregation".into(),
                    Some(ids) => format!("aggregation of {}", ids.join(", ")),
                },
                kind: FactorKind::Aggregation {
                    nodes: list,
                    options: opts,
                },
                dims: 1,
            })
        }
        ChoiceSpec::Missing { options } => {
            if options.contains(&MissingMethod::GroupMean) && index.spec.missing.group.is_none() {
                errors.push(
                    Error::spec(
                        file,
                        format!("{key}.options"),
                        "group_mean needs [missing] group",
                    )
                    .with_hint("set [missing] group = \"county\""),
                );
            }
            Some(Factor {
                name: "missing values".into(),
                kind: FactorKind::Missing {
                    options: options.clone(),
                },
                dims: 1,
            })
        }
        ChoiceSpec::Include { indicator } => {
            indicator_index(index, indicator, &key, errors).map(|i| Factor {
                name: format!("include '{indicator}'"),
                kind: FactorKind::Include { indicator: i },
                dims: 1,
            })
        }
        ChoiceSpec::Weights { nodes, options } => {
            let list = nodes
                .as_ref()
                .map(|_| node_list(index, nodes, &key, errors));
            if options.is_empty() {
                errors.push(Error::spec(
                    file,
                    format!("{key}.options"),
                    "no alternatives given",
                ));
            }
            let mut weights = Vec::new();
            for &o in options {
                match crate::pipeline::weigh::alternative(nominal, o, list.as_deref()) {
                    Ok(alt) => weights.push(WeightLayout::of(&alt).nominal),
                    Err(e) => {
                        errors.push(Error::spec(file, format!("{key}.options"), e.to_string()));
                        return None;
                    }
                }
            }
            Some(Factor {
                name: "weighting".into(),
                kind: FactorKind::Scenario {
                    names: options.iter().map(crate::spec::spec_name).collect(),
                    weights,
                    with_nominal: true,
                },
                dims: 1,
            })
        }
        ChoiceSpec::Expert { draw, resamples } => {
            let mut rng = super::rng::Rng::new(seed, u64::MAX);
            let mut pick = |e: usize| ((rng.uniform() * e as f64) as usize).min(e - 1);
            let resample = match draw {
                crate::spec::ExpertDraw::One => None,
                crate::spec::ExpertDraw::Resample if *resamples == 0 => {
                    errors.push(Error::spec(
                        file,
                        format!("{key}.resamples"),
                        "needs at least 1 resample",
                    ));
                    return None;
                }
                crate::spec::ExpertDraw::Resample => {
                    Some((*resamples, &mut pick as &mut dyn FnMut(usize) -> usize))
                }
            };
            match crate::spec::judgement::expert_weightings(index, resample) {
                Ok(sets) => Some(Factor {
                    name: "expert".into(),
                    kind: FactorKind::Scenario {
                        names: sets
                            .iter()
                            .map(|(n, _)| match draw {
                                crate::spec::ExpertDraw::One => format!("expert {n}"),
                                crate::spec::ExpertDraw::Resample => n.clone(),
                            })
                            .collect(),
                        weights: sets
                            .iter()
                            .map(|(_, alt)| WeightLayout::of(alt).nominal)
                            .collect(),
                        with_nominal: false,
                    },
                    dims: 1,
                }),
                Err(e) => {
                    errors.push(e);
                    None
                }
            }
        }
    }
}

/// What Sobol indices need of the model.
fn check_sobol(
    file: &str,
    weight_method: WeightMethod,
    factors: &[Factor],
    errors: &mut Vec<Error>,
) {
    if weight_method == WeightMethod::Dirichlet {
        errors.push(
            Error::spec(
                file,
                "sensitivity.weights.method",
                "dirichlet weights cannot be used with Sobol indices",
            )
            .with_hint(
                "use uniform or simplex weights for --method sobol (dirichlet works with mc)",
            ),
        );
    }
    if factors.is_empty() {
        errors.push(
            Error::spec(
                file,
                "sensitivity",
                "the model has no uncertain factor to attribute variance to",
            )
            .with_hint("perturb weights or add [[sensitivity.choice]] entries"),
        );
    }
}
