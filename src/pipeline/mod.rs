//! The pipeline: data -> raw matrix -> screening -> imputation -> transform ->
//! normalisation -> aggregation -> ranking. [`run`] keeps every step's output
//! in a [`RankResult`] so any printed number can be traced back.

pub mod aggregate;
pub mod data;
pub mod extract;
pub mod impute;
pub mod normalise;
pub mod note;
pub mod rank;
pub mod screen;
pub mod treat;
pub mod weigh;

pub use data::{DataOverrides, Dataset, data_years, load_dataset};
pub use rank::Rank;

use crate::error::{Error, Result};
use crate::spec::{CoverageBasis, Index, Member, Normalisation};
use ndarray::Array2;
use normalise::NormaliseError;
pub use note::Note;
use rayon::prelude::*;

/// One scored unit.
#[derive(Debug, Clone)]
pub struct UnitResult {
    /// Row of the unit in the data table.
    pub row: usize,
    /// Unit id.
    pub id: String,
    /// Unit name.
    pub name: String,
    /// Rank (None for units listed in `ranking.unranked`).
    pub rank: Option<Rank>,
    /// Index score (unrounded).
    pub score: f64,
    /// Score rounded to `ranking.round` decimals, when set (ranks use it).
    pub score_rounded: Option<f64>,
    /// Score of every node (same order as [`Index::nodes`]; the root first).
    pub nodes: Vec<f64>,
    /// Rank on every node's score among ranked units.
    pub node_ranks: Vec<Option<Rank>>,
    /// Rank within each `ranking.within` group column.
    pub group_ranks: Vec<Option<Rank>>,
    /// Group values (same order as [`Dataset::groups`]).
    pub groups: Vec<String>,
    /// Share of indicators with data (before imputation).
    pub coverage: f64,
    /// Indicators whose value was imputed.
    pub imputed: Vec<usize>,
}

/// A unit left out of the ranking, and why.
#[derive(Debug, Clone)]
pub struct Exclusion {
    /// Row in the data table.
    pub row: usize,
    /// Unit id.
    pub id: String,
    /// Unit name.
    pub name: String,
    /// The reason (`Display`: in English words).
    pub reason: screen::ExclusionReason,
    /// A short category: `no data`, `low coverage`, `low node coverage`, `no score`.
    pub category: &'static str,
    /// Share of indicators with data.
    pub coverage: f64,
}

/// Every step's output, units (all rows of the table) by indicators or nodes.
#[derive(Debug, Clone)]
pub struct Stages {
    /// Raw values after the denominator (NaN = missing).
    pub raw: Array2<f64>,
    /// After imputation and transform.
    pub treated: Array2<f64>,
    /// Which cells were imputed.
    pub imputed: Array2<bool>,
    /// Normalised values.
    pub normalised: Array2<f64>,
    /// Node scores (columns as [`Index::nodes`]).
    pub nodes: Array2<f64>,
    /// The weights each unit chose where a node's method lets it
    /// (Benefit of the Doubt), one table per such node.
    pub unit_weights: Vec<UnitWeights>,
}

/// One node's per-unit weights: rows are the data's units (NaN for units
/// not scored), columns the node's children (NaN where missing).
#[derive(Debug, Clone)]
pub struct UnitWeights {
    /// The node (index into [`Index::nodes`]).
    pub node: usize,
    /// Units by children.
    pub weights: Array2<f64>,
}

/// The result of ranking.
#[derive(Debug, Clone)]
pub struct RankResult {
    /// The index that was computed.
    pub index: Index,
    /// The data it was computed from.
    pub data: Dataset,
    /// Scored units: ranked ones in rank order (ties in data order), then
    /// unranked ones in data order.
    pub units: Vec<UnitResult>,
    /// Units left out, in data order.
    pub excluded: Vec<Exclusion>,
    /// What the user should know (filters, imputations, ignored ids...).
    pub notes: Vec<Note>,
    /// Outlier treatment of each indicator that has one.
    pub treatments: Vec<treat::TreatmentReport>,
    /// Every step's matrices.
    pub stages: Stages,
}

impl RankResult {
    /// Which data rows were scored (ranked or not): the set a variant run
    /// keeps fixed ([`run_fixed`]).
    pub fn scored_rows(&self) -> Vec<bool> {
        let mut scored = vec![false; self.data.table.len()];
        for u in &self.units {
            scored[u.row] = true;
        }
        scored
    }
}

/// Loads the data of an index and runs the pipeline.
pub fn run_index(index: &Index, overrides: &DataOverrides) -> Result<RankResult> {
    aggregate::check_methods(index)?;
    let data = load_dataset(index, overrides)?;
    run(index, data)
}

/// Runs the pipeline on loaded data.
pub fn run(index: &Index, data: Dataset) -> Result<RankResult> {
    run_screened(index, data, None, None)
}

/// The values that define data-driven normalisations (min, max, mean, sd,
/// ranks): per indicator, the treated values of a base run's reference units.
#[derive(Debug, Clone)]
pub struct BaseReference {
    /// Per indicator, the base reference units' values.
    pub values: Vec<Vec<f64>>,
}

impl BaseReference {
    /// The reference values of a computed result (its ranked units).
    pub fn of(result: &RankResult) -> Self {
        let rows: Vec<usize> = result
            .units
            .iter()
            .filter(|u| u.rank.is_some())
            .map(|u| u.row)
            .collect();
        BaseReference {
            values: (0..result.index.indicators.len())
                .map(|j| {
                    rows.iter()
                        .map(|&u| result.stages.treated[[u, j]])
                        .collect()
                })
                .collect(),
        }
    }
}

/// Runs the pipeline with normalisation parameters taken from a base run
/// (e.g. a base year), so that scores of different runs are comparable.
pub fn run_with_base(index: &Index, data: Dataset, base: &BaseReference) -> Result<RankResult> {
    run_screened(index, data, None, Some(base))
}

/// Runs the pipeline with the set of scored units fixed (`scored[u]`), as
/// sensitivity analysis does so that every variant ranks the same units.
pub fn run_fixed(index: &Index, data: Dataset, scored: &[bool]) -> Result<RankResult> {
    run_screened(index, data, Some(scored), None)
}

fn run_screened(
    index: &Index,
    data: Dataset,
    fixed: Option<&[bool]>,
    base: Option<&BaseReference>,
) -> Result<RankResult> {
    aggregate::check_methods(index)?;
    let n = data.table.len();
    let unranked = unranked_units(index, &data)?;

    let raw = extract::raw_matrix(index, &data)?;
    let ScreenedData {
        screened,
        scored,
        reference,
        values: mut treated,
        imputed,
        mut notes,
    } = screen_and_impute(index, &data, &raw, &unranked, fixed)?;
    extract::apply_transform(index, &data, &mut treated, &imputed)?;
    let treatments = treat::treat(index, &data.table.ids, &mut treated, &reference)?;
    for t in treatments
        .iter()
        .filter(|t| t.action != treat::TreatmentAction::None)
    {
        notes.push(Note::Treated {
            indicator: t.indicator.clone(),
            action: t.action,
            reason: t.reason.clone(),
        });
    }

    let methods = normalisation_methods(index, &treated, &reference, base, &mut notes)?;

    let normalised = normalise_columns(index, &data, &treated, &methods, &reference, base)?;

    // Aggregate bottom-up (deriving the weights the data decides on the way).
    let mut computed = index.clone();
    let index = &mut computed;
    let (node_scores, unit_weights) =
        aggregate_nodes(index, &normalised, &scored, &reference, &data.table.ids)?;
    let index = &*index;

    let (excluded, has_score) = exclusions(&data, &screened, &scored, &node_scores);

    let ranked: Vec<bool> = (0..n).map(|u| has_score[u] && !unranked[u]).collect();
    let units = unit_results(
        index,
        &data,
        &node_scores,
        &ranked,
        &has_score,
        &screened,
        &imputed,
    );

    let mut all_notes = data.notes.clone();
    all_notes.append(&mut notes);
    Ok(RankResult {
        index: computed,
        units,
        excluded,
        notes: all_notes,
        treatments,
        stages: Stages {
            raw,
            treated,
            imputed,
            normalised,
            nodes: node_scores,
            unit_weights,
        },
        data,
    })
}

/// The units screening keeps, with the values imputed (in the order the
/// spec asks: screen then impute, or COINr's impute then screen).
struct ScreenedData {
    screened: Vec<screen::Screened>,
    /// Units scored.
    scored: Vec<bool>,
    /// Units scored and ranked: the reference for statistics.
    reference: Vec<bool>,
    /// Values after imputation (NaN for units not scored).
    values: Array2<f64>,
    /// Which cells were imputed.
    imputed: Array2<bool>,
    /// What imputation did.
    notes: Vec<Note>,
}

/// Screens and imputes `raw` (see [`ScreenedData`]); `fixed` forces the
/// units scored (as the nominal run scored them).
fn screen_and_impute(
    index: &Index,
    data: &Dataset,
    raw: &Array2<f64>,
    unranked: &[bool],
    fixed: Option<&[bool]>,
) -> Result<ScreenedData> {
    let n = data.table.len();
    let group_values = index
        .spec
        .missing
        .group
        .as_ref()
        .and_then(|g| data.groups.iter().find(|(name, _)| name == g))
        .map(|(_, v)| v.as_slice());
    // COINr's order (Impute, then Screen) imputes every unit first, with
    // statistics over every unit that is not `unranked`.
    let imputed_first = match index.spec.screening.coverage_on {
        CoverageBasis::Raw => None,
        CoverageBasis::Imputed => {
            let mut values = raw.clone();
            let all = vec![true; n];
            let not_unranked: Vec<bool> = unranked.iter().map(|u| !u).collect();
            let (cells, notes) =
                impute::impute(index, &mut values, &all, &not_unranked, group_values);
            Some((values, cells, notes))
        }
    };
    let mut screened = match &imputed_first {
        None => screen::screen(index, raw),
        Some((values, _, _)) => screen::screen(index, values),
    };
    if let Some(fixed) = fixed {
        for (s, &keep) in screened.iter_mut().zip(fixed) {
            s.reason = (!keep).then_some(screen::ExclusionReason::NotScoredNominal);
        }
    }
    let scored: Vec<bool> = screened.iter().map(|s| s.reason.is_none()).collect();
    let reference: Vec<bool> = (0..n).map(|u| scored[u] && !unranked[u]).collect();
    nothing_left_to_rank(index, data, &screened, &reference)?;

    let (mut values, imputed, notes) = match imputed_first {
        None => {
            let mut values = raw.clone();
            let (cells, notes) =
                impute::impute(index, &mut values, &scored, &reference, group_values);
            (values, cells, notes)
        }
        Some((values, mut cells, mut notes)) => {
            for (u, _) in scored.iter().enumerate().filter(|(_, s)| !**s) {
                cells.row_mut(u).fill(false);
            }
            notes.push(Note::CoverageAfterImputation);
            (values, cells, notes)
        }
    };
    // Units that are not scored carry no values into later steps.
    for (u, _) in scored.iter().enumerate().filter(|(_, s)| !**s) {
        values.row_mut(u).fill(f64::NAN);
    }
    Ok(ScreenedData {
        screened,
        scored,
        reference,
        values,
        imputed,
        notes,
    })
}

/// Which units `ranking.unranked` names (each must be in the data).
fn unranked_units(index: &Index, data: &Dataset) -> Result<Vec<bool>> {
    let ranking = &index.spec.ranking;
    let n = data.table.len();
    let mut errors = Vec::new();
    let mut unranked = vec![false; n];
    for id in &ranking.unranked {
        match data.table.unit(id) {
            Some(u) => unranked[u] = true,
            None => errors.push(
                Error::spec(
                    &index.spec_name,
                    "ranking.unranked",
                    format!("unit '{id}' is not in the data"),
                )
                .with_hint("list ids exactly as in the id column"),
            ),
        }
    }
    Error::collect(errors)?;
    Ok(unranked)
}

/// Refuses a run where screening left no unit to rank (with examples).
fn nothing_left_to_rank(
    index: &Index,
    data: &Dataset,
    screened: &[screen::Screened],
    reference: &[bool],
) -> Result<()> {
    if !reference.iter().any(|&r| r) {
        let reasons: Vec<String> = screened
            .iter()
            .zip(&data.table.ids)
            .filter_map(|(s, id)| s.reason.as_ref().map(|r| format!("{id}: {r}")))
            .take(5)
            .collect();
        return Err(Error::spec(
            &index.spec_name,
            "screening",
            format!(
                "no unit is left to rank after screening (e.g. {})",
                reasons.join("; ")
            ),
        )
        .with_hint(
            "lower screening.min_coverage or node min_coverage, or check the data files and year",
        ));
    }

    Ok(())
}

/// Each indicator's normalisation with its goalposts on the scale of the
/// values (after any transform); warns in `notes` when most units lie
/// outside the goalposts.
fn normalisation_methods<'a>(
    index: &'a Index,
    treated: &Array2<f64>,
    reference: &[bool],
    base: Option<&BaseReference>,
    notes: &mut Vec<Note>,
) -> Result<Vec<std::borrow::Cow<'a, Normalisation>>> {
    let k = index.indicators.len();
    let mut methods = Vec::with_capacity(k);
    let mut errors = Vec::new();
    for (j, ind) in index.indicators.iter().enumerate() {
        match normalise::on_data_scale(&ind.normalisation, ind.transform) {
            Ok(m) => {
                let col: Vec<f64> = treated.column(j).to_vec();
                if base.is_none()
                    && let Some((outside, total)) =
                        normalise::outside_goalposts(&m, &col, reference)
                {
                    notes.extend(goalposts_warning(ind, &m, outside, total));
                }
                methods.push(m);
            }
            Err(e) => {
                errors.push(
                    Error::spec(
                        &index.spec_name,
                        format!("indicator '{}'.normalise", ind.id),
                        e,
                    )
                    .with_hint("goalposts on the raw scale must lie where the transform is defined (> 0 for log)"),
                );
                methods.push(std::borrow::Cow::Borrowed(&ind.normalisation));
            }
        }
    }
    Error::collect(errors)?;
    Ok(methods)
}

/// Normalises every indicator (in parallel; each column is independent),
/// with errors naming the indicator and unit whose arithmetic overflows.
fn normalise_columns(
    index: &Index,
    data: &Dataset,
    treated: &Array2<f64>,
    methods: &[std::borrow::Cow<'_, Normalisation>],
    reference: &[bool],
    base: Option<&BaseReference>,
) -> Result<Array2<f64>> {
    let (n, k) = (data.table.len(), index.indicators.len());
    let columns: Vec<std::result::Result<Vec<f64>, NormaliseError>> = (0..k)
        .into_par_iter()
        .map(|j| {
            let ind = &index.indicators[j];
            let method = methods[j].as_ref();
            let col: Vec<f64> = treated.column(j).to_vec();
            match base {
                None => normalise::normalise(method, ind.direction, &col, reference),
                Some(b) => {
                    // Base values first (the reference), this run's values after.
                    let mut all = b.values[j].clone();
                    all.extend_from_slice(&col);
                    let mut refs = vec![true; b.values[j].len()];
                    refs.resize(all.len(), false);
                    normalise::normalise(method, ind.direction, &all, &refs)
                        .map(|v| v[b.values[j].len()..].to_vec())
                }
            }
        })
        .collect();
    let mut normalised = Array2::from_elem((n, k), f64::NAN);
    let mut errors = Vec::new();
    for (j, c) in columns.into_iter().enumerate() {
        let ind = &index.indicators[j];
        match c {
            Ok(v) => {
                // Huge inputs (1e308) can overflow a method's arithmetic.
                if let Some(u) = (0..n).find(|&u| !treated[[u, j]].is_nan() && !v[u].is_finite()) {
                    if let Some((name, value)) = normalise::huge_parameter(&ind.normalisation) {
                        errors.push(
                            Error::spec(
                                &index.spec_name,
                                format!("indicator '{}'.normalise.{name}", ind.id),
                                format!(
                                    "normalising unit {} overflows: {name} = {value:e} is too large for the arithmetic ({})",
                                    data.table.ids[u],
                                    normalise::describe(&ind.normalisation)
                                ),
                            )
                            .with_hint(format!("set {name} to an ordinary number: scores of 0-100 need nothing larger")),
                        );
                        continue;
                    }
                    errors.push(
                        Error::spec(
                            &index.spec_name,
                            format!("indicator '{}'", ind.id),
                            format!(
                                "normalising value {:e} of unit {} overflows ({})",
                                treated[[u, j]],
                                data.table.ids[u],
                                normalise::describe(&ind.normalisation)
                            ),
                        )
                        .with_hint("rescale the data (e.g. thousands instead of units) or use transform = \"log\""),
                    );
                    continue;
                }
                normalised.column_mut(j).assign(&ndarray::Array1::from(v))
            }
            Err(NormaliseError::Constant(v)) => errors.push(
                Error::spec(
                    &index.spec_name,
                    format!("indicator '{}'.normalise", ind.id),
                    format!("every ranked unit has the same value ({v}); {} cannot scale it", normalise::describe(&ind.normalisation)),
                )
                .with_hint("remove the indicator (it cannot discriminate), or set if_constant = \"midpoint\""),
            ),
            Err(NormaliseError::NoData) => errors.push(
                Error::spec(
                    &index.spec_name,
                    format!("indicator '{}'", ind.id),
                    format!("no ranked unit has a value in column '{}'", ind.column),
                )
                .with_hint("check the column and the year, or remove the indicator"),
            ),
        }
    }
    Error::collect(errors)?;
    Ok(normalised)
}

/// The units excluded (screened out, or left without a score) with their
/// reasons, and which units have a score.
fn exclusions(
    data: &Dataset,
    screened: &[screen::Screened],
    scored: &[bool],
    node_scores: &Array2<f64>,
) -> (Vec<Exclusion>, Vec<bool>) {
    let n = data.table.len();
    let mut excluded = Vec::new();
    let mut has_score = scored.to_vec();
    for u in 0..n {
        let reason = match &screened[u].reason {
            Some(r) => Some(r.clone()),
            None if node_scores[[u, 0]].is_nan() => Some(screen::ExclusionReason::NoScore),
            None => None,
        };
        if let Some(reason) = reason {
            let category = reason.category();
            has_score[u] = false;
            excluded.push(Exclusion {
                row: u,
                id: data.table.ids[u].clone(),
                name: data.names[u].clone(),
                reason,
                category,
                coverage: screened[u].coverage,
            });
        }
    }

    (excluded, has_score)
}

/// Every scored unit's result, ranked on the index, on every node and
/// within groups, in rank order (ties and unranked units in data order).
fn unit_results(
    index: &Index,
    data: &Dataset,
    node_scores: &Array2<f64>,
    ranked: &[bool],
    has_score: &[bool],
    screened: &[screen::Screened],
    imputed: &Array2<bool>,
) -> Vec<UnitResult> {
    let (n, k) = (data.table.len(), index.indicators.len());
    let ranking = &index.spec.ranking;
    let masked = |col: usize| -> Vec<f64> {
        (0..n)
            .map(|u| {
                if ranked[u] {
                    node_scores[[u, col]]
                } else {
                    f64::NAN
                }
            })
            .collect()
    };
    let ids = &data.table.ids;
    let node_ranks: Vec<Vec<Option<Rank>>> = (0..index.nodes.len())
        .map(|c| rank::rank(&masked(c), ids, ranking.method, ranking.best, ranking.round))
        .collect();
    let root_scores = masked(0);
    let group_ranks: Vec<Vec<Option<Rank>>> = ranking
        .within
        .iter()
        .map(|g| {
            let values = &data
                .groups
                .iter()
                .find(|(name, _)| name == g)
                .expect("group loaded")
                .1;
            rank::rank_within(
                &root_scores,
                ids,
                values,
                ranking.method,
                ranking.best,
                ranking.round,
            )
        })
        .collect();

    let mut units: Vec<UnitResult> = (0..n)
        .filter(|&u| has_score[u])
        .map(|u| UnitResult {
            row: u,
            id: ids[u].clone(),
            name: data.names[u].clone(),
            rank: node_ranks[0][u],
            score: node_scores[[u, 0]],
            score_rounded: ranking
                .round
                .map(|d| rank::round_half_away(node_scores[[u, 0]], d)),
            nodes: node_scores.row(u).to_vec(),
            node_ranks: node_ranks.iter().map(|r| r[u]).collect(),
            group_ranks: group_ranks.iter().map(|r| r[u]).collect(),
            groups: data.groups.iter().map(|(_, v)| v[u].clone()).collect(),
            coverage: screened[u].coverage,
            imputed: (0..k).filter(|&j| imputed[[u, j]]).collect(),
        })
        .collect();
    // Rank order; ties and unranked units keep data order (stable sort).
    units.sort_by(|a, b| match (a.rank, b.rank) {
        (Some(x), Some(y)) => x.0.total_cmp(&y.0),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });

    units
}

/// Node scores for every scored unit (NaN elsewhere), deepest nodes first.
/// Values that break a method's requirement (possible only for data-dependent
/// normalisations) are errors naming the node, unit and child.
fn aggregate_nodes(
    index: &mut Index,
    normalised: &Array2<f64>,
    scored: &[bool],
    reference: &[bool],
    ids: &[String],
) -> Result<(Array2<f64>, Vec<UnitWeights>)> {
    let n = normalised.nrows();
    let mut scores = Array2::from_elem((n, index.nodes.len()), f64::NAN);
    let mut unit_weights = Vec::new();
    for node_i in index.bottom_up.clone() {
        if matches!(
            index.weighting[node_i],
            crate::spec::WeightOrigin::FromData(_)
        ) {
            let method = index.nodes[node_i].aggregation;
            let values = weigh::child_values(index, node_i, normalised, &scores, reference);
            weigh::settle(index, node_i, &values, &|v, w| {
                aggregate::aggregate(method, v, w)
            })?;
        }
        let index = &*index;
        let node = &index.nodes[node_i];
        let weights: Vec<f64> = node
            .children
            .iter()
            .map(|m| index.member_weight(*m))
            .collect();
        if aggregate::is_node_wide(node.aggregation) {
            // Every scored unit against the ranked ones, in data order.
            let units: Vec<usize> = (0..n).filter(|&u| scored[u]).collect();
            let mut values = Vec::with_capacity(units.len() * weights.len());
            for &u in &units {
                values.extend(node.children.iter().map(|m| match m {
                    Member::Indicator(i) => normalised[[u, *i]],
                    Member::Node(c) => scores[[u, *c]],
                }));
            }
            for (r, &u) in units.iter().enumerate() {
                let row = &values[r * weights.len()..(r + 1) * weights.len()];
                check_requirement(index, node_i, row, &ids[u])?;
            }
            let refs: Vec<bool> = units.iter().map(|&u| reference[u]).collect();
            let wide = aggregate::node_wide(node.aggregation, &values, &weights, &units, &refs)
                .map_err(|(at, why)| Error::Method {
                    node: node.id.clone(),
                    message: format!("unit {}: {why}", ids[units[at]]),
                    hint: Some(
                        "loosen the bounds in bod = { ... } (min_share x children must be <= 1)"
                            .into(),
                    ),
                })?;
            for (&u, s) in units.iter().zip(&wide.scores) {
                scores[[u, node_i]] = *s;
            }
            if let Some(chosen) = wide.unit_weights {
                let mut table = Array2::from_elem((n, weights.len()), f64::NAN);
                for (&u, w) in units.iter().zip(chosen) {
                    table.row_mut(u).assign(&ndarray::Array1::from(w));
                }
                unit_weights.push(UnitWeights {
                    node: node_i,
                    weights: table,
                });
            }
            continue;
        }
        let mut values = vec![0.0; node.children.len()];
        for u in (0..n).filter(|&u| scored[u]) {
            for (slot, m) in values.iter_mut().zip(&node.children) {
                *slot = match m {
                    Member::Indicator(i) => normalised[[u, *i]],
                    Member::Node(c) => scores[[u, *c]],
                };
            }
            check_requirement(index, node_i, &values, &ids[u])?;
            let s = aggregate::aggregate(node.aggregation, &values, &weights);
            if s.is_infinite() {
                return Err(Error::Method {
                    node: node.id.clone(),
                    message: format!("the score of unit {} overflows", ids[u]),
                    hint: Some(
                        "rescale the indicators (normalise them, or divide huge raw values)".into(),
                    ),
                });
            }
            scores[[u, node_i]] = s;
        }
    }
    Ok((scores, unit_weights))
}

/// Refuses one unit's children `values` of node `node_i` when one breaks
/// the node's method's requirement (> 0 or >= 0), naming child and unit.
fn check_requirement(index: &Index, node_i: usize, values: &[f64], unit: &str) -> Result<()> {
    let node = &index.nodes[node_i];
    let req = aggregate::requirement(node.aggregation);
    let Some((c, v)) = node
        .children
        .iter()
        .zip(values)
        .find(|(_, v)| !v.is_nan() && !aggregate::meets(req, **v))
    else {
        return Ok(());
    };
    Err(Error::Method {
        node: node.id.clone(),
        message: format!(
            "{} aggregation needs children {}, but '{}' is {v} for unit {unit}",
            node.aggregation.name(),
            req.bound(),
            index.member_id(*c),
        ),
        hint: Some(
            "move the goalposts so that every value lies strictly inside them, normalise to a positive \
             range (e.g. minmax low = 1), or use aggregation = \"arithmetic\""
                .into(),
        ),
    })
}

/// Checks an index and its data as far as possible, collecting every
/// problem: method combinations, data files, columns, values. Returns the
/// result when everything ran.
pub fn validate(index: &Index, overrides: &DataOverrides) -> (Option<RankResult>, Vec<Error>) {
    let mut problems = Vec::new();
    if let Err(e) = aggregate::check_methods(index) {
        problems.push(e);
    }
    let result = match load_dataset(index, overrides) {
        Err(e) => {
            problems.push(e);
            None
        }
        Ok(data) => {
            if problems.is_empty() {
                match run(index, data) {
                    Ok(r) => Some(r),
                    Err(e) => {
                        problems.push(e);
                        None
                    }
                }
            } else {
                // Still look for data problems (columns, values).
                if let Err(e) = extract::raw_matrix(index, &data) {
                    problems.push(e);
                }
                None
            }
        }
    };
    let flat = problems
        .into_iter()
        .flat_map(|e| match e {
            Error::Many(v) => v,
            e => vec![e],
        })
        .collect();
    (result, flat)
}

/// The warning for goalposts that most reference values lie outside.
fn goalposts_warning(
    ind: &crate::spec::Indicator,
    method: &Normalisation,
    outside: usize,
    total: usize,
) -> Option<Note> {
    let Normalisation::Goalposts {
        lower: Some(l),
        upper: Some(u),
        clip,
        ..
    } = method
    else {
        return None;
    };
    Some(Note::Goalposts(note::GoalpostsWarning {
        indicator: ind.id.clone(),
        outside,
        total,
        bounds: [*l, *u],
        clip: *clip,
        transform: ind.transform.function().map(|_| ind.transform),
        raw_bounds: matches!(
            ind.normalisation,
            Normalisation::Goalposts {
                bounds: crate::spec::GoalpostScale::Raw,
                ..
            }
        ),
    }))
}
