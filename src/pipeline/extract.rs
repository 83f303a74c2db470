//! Extracting the raw indicator matrix (units x indicators) from the data:
//! numeric parsing with located errors, categorical answers mapped to values,
//! and division by a denominator column (per capita). Transforms (log...) are
//! applied after imputation, in [`apply_transform`].

use super::data::{Dataset, missing_column};
use crate::error::{Error, Result};
use crate::spec::{Index, Normalisation};
use ndarray::Array2;

/// The raw indicator values (NaN = missing), one column per indicator.
pub fn raw_matrix(index: &Index, data: &Dataset) -> Result<Array2<f64>> {
    let table = &data.table;
    let n = table.len();
    let mut out = Array2::from_elem((n, index.indicators.len()), f64::NAN);
    let mut errors = Vec::new();
    for (k, ind) in index.indicators.iter().enumerate() {
        let key = format!("indicator '{}'.column", ind.id);
        let Some(col) = table.column(&ind.column) else {
            errors.push(missing_column(index, table, &key, &ind.column));
            continue;
        };
        let values: Vec<f64> = match &ind.normalisation {
            Normalisation::Categorical { map, ignore_case } => {
                if ind.direction < 0.0 {
                    errors.push(
                        Error::spec(
                            &index.spec_name,
                            format!("indicator '{}'.direction", ind.id),
                            "a categorical mapping gives scores directly; direction = -1 would be ignored",
                        )
                        .with_hint("remove direction and write the map so that better answers get more"),
                    );
                    continue;
                }
                let mut v = vec![f64::NAN; n];
                let mut unknown = Vec::new();
                for (u, slot) in v.iter_mut().enumerate() {
                    if col.positions[u] == 0 && col.values[u].is_nan() && !col.text.contains_key(&u)
                    {
                        continue;
                    }
                    let text = col.text_of(u);
                    if text.is_empty() {
                        continue;
                    }
                    let found = map.iter().find(|(key, _)| {
                        if *ignore_case {
                            key.to_lowercase() == text.to_lowercase()
                        } else {
                            **key == text
                        }
                    });
                    match found {
                        Some((_, value)) => *slot = *value,
                        None => unknown.push(u),
                    }
                }
                if let Some(&u) = unknown.first() {
                    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
                    errors.push(
                        Error::data(
                            col.location(u),
                            format!(
                                "answer '{}' (unit {}) is not in the categorical map{}",
                                col.text_of(u),
                                table.ids[u],
                                if unknown.len() > 1 {
                                    format!(" ({} cells in all)", unknown.len())
                                } else {
                                    String::new()
                                }
                            ),
                        )
                        .with_hint(format!(
                            "add it to indicator '{}'.normalise.map (known answers: {})",
                            ind.id,
                            keys.join(", ")
                        )),
                    );
                    continue;
                }
                v
            }
            _ => match col.numeric(&table.ids) {
                Ok(v) => v.to_vec(),
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            },
        };
        let values = match &ind.denominator {
            None => values,
            Some(d) => {
                let Some(dcol) = table.column(d) else {
                    errors.push(missing_column(
                        index,
                        table,
                        &format!("indicator '{}'.denominator", ind.id),
                        d,
                    ));
                    continue;
                };
                let dv = match dcol.numeric(&table.ids) {
                    Ok(v) => v,
                    Err(e) => {
                        errors.push(e);
                        continue;
                    }
                };
                let mut out = Vec::with_capacity(n);
                let mut bad = None;
                for u in 0..n {
                    let x = values[u];
                    let den = dv[u];
                    if !x.is_nan() && den == 0.0 && bad.is_none() {
                        bad = Some(u);
                    }
                    out.push(x / den * ind.per);
                }
                if let Some(u) = bad {
                    errors.push(
                        Error::data(dcol.location(u), format!("denominator is 0 for unit {}", table.ids[u]))
                            .with_hint("fix the denominator value, or leave it empty to treat the unit's value as missing"),
                    );
                    continue;
                }
                out
            }
        };
        for (u, v) in values.iter().enumerate() {
            if v.is_infinite() {
                errors.push(
                    Error::data(
                        col.location(u),
                        format!("the value for unit {} overflows", table.ids[u]),
                    )
                    .with_hint("check the value and its denominator"),
                );
                break;
            }
            out[[u, k]] = *v;
        }
    }
    Error::collect(errors)?;
    Ok(out)
}

/// Applies each indicator's transform to its column; a value outside the
/// transform's domain is an error naming the unit and the cell.
pub fn apply_transform(
    index: &Index,
    data: &Dataset,
    values: &mut Array2<f64>,
    imputed: &Array2<bool>,
) -> Result<()> {
    let mut errors = Vec::new();
    for (k, ind) in index.indicators.iter().enumerate() {
        let Some((f, domain)) = ind.transform.function() else {
            continue;
        };
        let mut col = values.column_mut(k);
        for u in 0..col.len() {
            let x = col[u];
            if x.is_nan() {
                continue;
            }
            if !domain(x) {
                let location = data
                    .table
                    .column(&ind.column)
                    .map(|c| c.location(u))
                    .unwrap_or_default();
                errors.push(
                    Error::data(
                        location,
                        format!(
                            "indicator '{}': {} of {x} (unit {}{}) is undefined",
                            ind.id,
                            crate::spec::spec_name(&ind.transform),
                            data.table.ids[u],
                            if imputed[[u, k]] {
                                ", an imputed value"
                            } else {
                                ""
                            }
                        ),
                    )
                    .with_hint(
                        "use transform = \"log1p\" for data with zeros, or remove the transform",
                    ),
                );
                break;
            }
            col[u] = f(x);
        }
    }
    Error::collect(errors)
}
