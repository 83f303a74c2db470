//! Imputation of missing raw values (before transforms and normalisation).
//! Statistics come from the reference units (ranked units that passed
//! screening); `exclude` leaves values missing for aggregation to re-weight.

use super::note::Note;
use crate::spec::{GroupFallback, Index, MissingMethod};
use ndarray::Array2;

/// Mean of the finite values (NaN when there are none).
pub fn mean(values: &[f64]) -> f64 {
    let v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        f64::NAN
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// Median of the finite values (mean of the two middle ones for an even count).
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// Fills missing values of `values` (units x indicators) for the units in
/// `scored`; returns which cells were imputed and notes for the output.
pub fn impute(
    index: &Index,
    values: &mut Array2<f64>,
    scored: &[bool],
    reference: &[bool],
    group: Option<&[String]>,
) -> (Array2<bool>, Vec<Note>) {
    let (n, k) = values.dim();
    let mut imputed = Array2::from_elem((n, k), false);
    let mut notes = Vec::new();
    for (j, ind) in index.indicators.iter().enumerate() {
        let col: Vec<f64> = values.column(j).to_vec();
        let observed: Vec<f64> = (0..n).filter(|&u| reference[u]).map(|u| col[u]).collect();
        let fill_all = |v: f64, values: &mut Array2<f64>, imputed: &mut Array2<bool>| {
            for u in 0..n {
                if scored[u] && col[u].is_nan() && !v.is_nan() {
                    values[[u, j]] = v;
                    imputed[[u, j]] = true;
                }
            }
        };
        match ind.missing {
            MissingMethod::Exclude => {}
            MissingMethod::Mean => fill_all(mean(&observed), values, &mut imputed),
            MissingMethod::Median => fill_all(median(&observed), values, &mut imputed),
            MissingMethod::Zero => fill_all(0.0, values, &mut imputed),
            MissingMethod::Worst => {
                let worst = observed
                    .iter()
                    .copied()
                    .filter(|x| !x.is_nan())
                    .map(|x| x * ind.direction)
                    .fold(f64::INFINITY, f64::min)
                    * ind.direction;
                if worst.is_finite() {
                    fill_all(worst, values, &mut imputed);
                }
            }
            MissingMethod::GroupMean => {
                let groups = group.expect("group column checked when the data was loaded");
                let overall = mean(&observed);
                let mut fallback = Vec::new();
                for u in 0..n {
                    if !(scored[u] && col[u].is_nan()) {
                        continue;
                    }
                    let in_group: Vec<f64> = (0..n)
                        .filter(|&o| reference[o] && groups[o] == groups[u])
                        .map(|o| col[o])
                        .collect();
                    let mut v = mean(&in_group);
                    if v.is_nan() {
                        if index.spec.missing.group_fallback == GroupFallback::OverallMean {
                            v = overall;
                        }
                        if !fallback.contains(&groups[u]) {
                            fallback.push(groups[u].clone());
                        }
                    }
                    if !v.is_nan() {
                        values[[u, j]] = v;
                        imputed[[u, j]] = true;
                    }
                }
                if !fallback.is_empty() {
                    notes.push(Note::GroupFallback {
                        indicator: ind.id.clone(),
                        groups: fallback,
                        fallback: index.spec.missing.group_fallback,
                    });
                }
            }
        }
        let count = (0..n).filter(|&u| imputed[[u, j]]).count();
        if count > 0 {
            notes.push(Note::Imputed {
                indicator: ind.id.clone(),
                count,
                method: ind.missing,
            });
        }
    }
    (imputed, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_median_skip_missing() {
        assert_eq!(mean(&[1.0, f64::NAN, 3.0]), 2.0);
        assert_eq!(median(&[5.0, 1.0, f64::NAN, 3.0]), 3.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(mean(&[f64::NAN]).is_nan());
    }
}
