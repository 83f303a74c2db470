//! Normalisation: one function per [`Normalisation`] variant, turning an
//! indicator's (imputed, transformed) raw values into comparable scores where
//! higher is better. Data-driven parameters (min, max, mean, sd, ranks) come
//! from the reference units only. Formulas are in docs/methods.md.

use crate::spec::{ConstantPolicy, GoalpostScale, Normalisation, Transform};

/// What a normalised value (or an aggregate) can be, for refusing methods
/// that need positive inputs before computing anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Sign {
    /// Always > 0.
    Positive,
    /// Depends on the data (fixed bounds, raw values): checked on the values.
    DependsOnData,
    /// >= 0, and 0 occurs (e.g. the worst unit under minmax from 0).
    MayBeZero,
    /// Can be negative (e.g. zscores).
    MayBeNegative,
}

impl Sign {
    /// A short explanation for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Sign::Positive => "always > 0",
            Sign::DependsOnData => "sign depends on the data",
            Sign::MayBeZero => "can be 0",
            Sign::MayBeNegative => "can be negative",
        }
    }
}

fn sign_of_min(min: f64) -> Sign {
    if min > 0.0 {
        Sign::Positive
    } else if min == 0.0 {
        Sign::MayBeZero
    } else {
        Sign::MayBeNegative
    }
}

/// The sign the method's output can take, whatever the data.
pub fn output_sign(method: &Normalisation) -> Sign {
    match method {
        Normalisation::Minmax { low, .. } => sign_of_min(*low),
        // Rescaled to a positive mean (the MPI's 100 +- 10): checked on the data.
        Normalisation::Zscore { mean, .. } if *mean > 0.0 => Sign::DependsOnData,
        Normalisation::Zscore { .. } => Sign::MayBeNegative,
        Normalisation::Goalposts { .. } | Normalisation::None => Sign::DependsOnData,
        Normalisation::Rank => Sign::Positive,
        Normalisation::Percentile { .. } | Normalisation::Distance { .. } => Sign::MayBeZero,
        Normalisation::Bands { thresholds, points } => match points {
            Some(p) => sign_of_min(p.iter().copied().fold(f64::INFINITY, f64::min)),
            None if thresholds.is_empty() => Sign::MayBeZero,
            None => Sign::MayBeZero,
        },
        Normalisation::Categorical { map, .. } => {
            sign_of_min(map.values().copied().fold(f64::INFINITY, f64::min))
        }
    }
}

/// A short description of the method for messages ("minmax 0-100").
pub fn describe(method: &Normalisation) -> String {
    match method {
        Normalisation::Minmax { low, high, .. } => {
            format!("minmax {}-{}", short(*low), short(*high))
        }
        Normalisation::Zscore { mean, sd, .. } => {
            format!("zscore (mean {}, sd {})", short(*mean), short(*sd))
        }
        Normalisation::Goalposts {
            lower,
            upper,
            clip,
            scale,
            ..
        } => format!(
            "goalposts {}-{} x {}{}",
            short(lower.unwrap_or(f64::NAN)),
            short(upper.unwrap_or(f64::NAN)),
            short(*scale),
            if *clip { ", clipped" } else { "" }
        ),
        Normalisation::Rank => "rank".into(),
        Normalisation::Percentile { scale } => format!("percentile rank 0-{scale}"),
        Normalisation::Distance { target, .. } => format!("distance to target {target}"),
        Normalisation::Bands { thresholds, .. } => format!("bands at {thresholds:?}"),
        Normalisation::Categorical { .. } => "categorical".into(),
        Normalisation::None => "none".into(),
    }
}

/// A number for a message: as written, or in exponent form when huge.
fn short(v: f64) -> String {
    if v.abs() >= 1e15 {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// The first parameter of a method large enough to overflow its arithmetic
/// (|value| > 1e150), named as in the spec: blamed for an overflow instead of
/// the data.
pub fn huge_parameter(method: &Normalisation) -> Option<(&'static str, f64)> {
    let params: Vec<(&'static str, f64)> = match method {
        Normalisation::Minmax { low, high, .. } => vec![("low", *low), ("high", *high)],
        Normalisation::Zscore { mean, sd, .. } => vec![("mean", *mean), ("sd", *sd)],
        Normalisation::Goalposts {
            lower,
            upper,
            scale,
            ..
        } => vec![
            ("lower", lower.unwrap_or(0.0)),
            ("upper", upper.unwrap_or(0.0)),
            ("scale", *scale),
        ],
        Normalisation::Percentile { scale } => vec![("scale", *scale)],
        Normalisation::Distance { target, scale, .. } => {
            vec![("target", *target), ("scale", *scale)]
        }
        _ => Vec::new(),
    };
    params.into_iter().find(|(_, v)| v.abs() > 1e150)
}

/// Why an indicator could not be normalised.
#[derive(Debug, Clone, PartialEq)]
pub enum NormaliseError {
    /// All reference values are equal (minmax/zscore with `if_constant = "error"`).
    Constant(f64),
    /// No reference unit has a value.
    NoData,
}

/// The method with goalposts on the scale of the values it is applied to:
/// bounds written on the raw scale (`bounds = "raw"`) go through the
/// indicator's transform. Other methods are returned as they are. The error
/// names a bound outside the transform's domain.
pub fn on_data_scale(
    method: &Normalisation,
    transform: Transform,
) -> Result<std::borrow::Cow<'_, Normalisation>, String> {
    use std::borrow::Cow;
    let Normalisation::Goalposts {
        lower,
        upper,
        bounds: GoalpostScale::Raw,
        clip,
        scale,
    } = method
    else {
        return Ok(Cow::Borrowed(method));
    };
    let Some((f, domain)) = transform.function() else {
        return Ok(Cow::Borrowed(method));
    };
    let convert = |bound: Option<f64>, name: &str| match bound {
        Some(b) if !domain(b) => Err(format!(
            "the {name} goalpost {b} is on the raw scale (bounds = \"raw\"), but {} of {b} is undefined",
            crate::spec::spec_name(&transform)
        )),
        other => Ok(other.map(f)),
    };
    Ok(Cow::Owned(Normalisation::Goalposts {
        lower: convert(*lower, "lower")?,
        upper: convert(*upper, "upper")?,
        bounds: GoalpostScale::Transformed,
        clip: *clip,
        scale: *scale,
    }))
}

/// Goalposts that most of the data lies outside of: how many reference
/// values fall below `lower` or above `upper` (bounds on the data's scale,
/// from [`on_data_scale`]); `None` when at most half do, or for other methods.
pub fn outside_goalposts(
    method: &Normalisation,
    values: &[f64],
    reference: &[bool],
) -> Option<(usize, usize)> {
    let Normalisation::Goalposts {
        lower: Some(l),
        upper: Some(u),
        ..
    } = method
    else {
        return None;
    };
    let present: Vec<f64> = values
        .iter()
        .zip(reference)
        .filter(|(v, r)| **r && !v.is_nan())
        .map(|(v, _)| *v)
        .collect();
    let outside = present.iter().filter(|v| **v < *l || **v > *u).count();
    (outside * 2 > present.len()).then_some((outside, present.len()))
}

/// Normalises one indicator. `values` holds every unit (NaN = missing);
/// `reference` marks the units whose values define min/max/mean/ranks.
/// Missing stays missing. `direction` is +1 or -1.
pub fn normalise(
    method: &Normalisation,
    direction: f64,
    values: &[f64],
    reference: &[bool],
) -> Result<Vec<f64>, NormaliseError> {
    // Work with direction-adjusted values: higher is always better.
    let x: Vec<f64> = values.iter().map(|v| v * direction).collect();
    let refs: Vec<f64> = x
        .iter()
        .zip(reference)
        .filter(|(v, r)| **r && !v.is_nan())
        .map(|(v, _)| *v)
        .collect();
    let data_driven = !matches!(
        method,
        Normalisation::Goalposts { .. }
            | Normalisation::Bands { .. }
            | Normalisation::Categorical { .. }
            | Normalisation::None
    );
    if data_driven && refs.is_empty() {
        return Err(NormaliseError::NoData);
    }
    let min = refs.iter().copied().fold(f64::INFINITY, f64::min);
    let max = refs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let map = |f: &dyn Fn(f64) -> f64| -> Vec<f64> {
        x.iter()
            .map(|&v| if v.is_nan() { v } else { f(v) })
            .collect()
    };
    Ok(match method {
        Normalisation::Minmax {
            low,
            high,
            if_constant,
        } => {
            if super::rank::nearly_equal(max, min) {
                match if_constant {
                    ConstantPolicy::Error => return Err(NormaliseError::Constant(min * direction)),
                    ConstantPolicy::Midpoint => map(&|_| (low + high) / 2.0),
                }
            } else {
                map(&|v| low + (high - low) * (v - min) / (max - min))
            }
        }
        Normalisation::Zscore {
            mean,
            sd,
            if_constant,
        } => {
            let m = refs.iter().sum::<f64>() / refs.len() as f64;
            let s = if refs.len() > 1 {
                (refs.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (refs.len() - 1) as f64)
                    .sqrt()
            } else {
                0.0
            };
            if s == 0.0 || super::rank::nearly_equal(max, min) {
                match if_constant {
                    ConstantPolicy::Error => return Err(NormaliseError::Constant(min * direction)),
                    ConstantPolicy::Midpoint => map(&|_| *mean),
                }
            } else {
                map(&|v| mean + sd * (v - m) / s)
            }
        }
        Normalisation::Goalposts {
            lower,
            upper,
            clip,
            scale,
            ..
        } => {
            let (l, u) = (lower.unwrap_or(f64::NAN), upper.unwrap_or(f64::NAN));
            // x is direction-adjusted: for direction -1 the worst bound is -upper.
            let (worst, best) = if direction > 0.0 { (l, u) } else { (-u, -l) };
            map(&|v| {
                let z = scale * (v - worst) / (best - worst);
                if *clip { z.clamp(0.0, *scale) } else { z }
            })
        }
        Normalisation::Rank => map(&|v| average_rank(&refs, v)),
        Normalisation::Percentile { scale } => {
            let n = refs.len() as f64;
            map(&|v| {
                if n <= 1.0 {
                    scale / 2.0
                } else {
                    scale * (average_rank(&refs, v) - 1.0) / (n - 1.0)
                }
            })
        }
        Normalisation::Distance { target, cap, scale } => {
            let t = target * direction;
            let worst = min;
            map(&|v| {
                if t <= worst {
                    return *scale; // every reference unit meets the target
                }
                let z = scale * (v - worst) / (t - worst);
                if *cap { z.min(*scale) } else { z }
            })
        }
        Normalisation::Bands { thresholds, points } => {
            // Back to the raw scale: +1 counts thresholds reached from below,
            // -1 counts thresholds not exceeded.
            values
                .iter()
                .map(|&v| {
                    if v.is_nan() {
                        return v;
                    }
                    let band = if direction > 0.0 {
                        thresholds.iter().filter(|&&t| v >= t).count()
                    } else {
                        thresholds.iter().filter(|&&t| v <= t).count()
                    };
                    points.as_ref().map_or(band as f64, |p| p[band])
                })
                .collect()
        }
        Normalisation::Categorical { .. } => values.to_vec(),
        Normalisation::None => x,
    })
}

/// The average rank (1 = lowest) a value would have among `refs`: one plus
/// the number of smaller values plus half the number of other equal values.
fn average_rank(refs: &[f64], v: f64) -> f64 {
    // Values equal up to floating-point noise tie (the tie rule of scores).
    let tied = |r: f64| super::rank::nearly_equal(r, v);
    let less = refs.iter().filter(|&&r| r < v && !tied(r)).count() as f64;
    let equal = refs.iter().filter(|&&r| tied(r)).count() as f64;
    // A reference unit counts itself among the equal values.
    let others = if equal > 0.0 { equal - 1.0 } else { 0.0 };
    1.0 + less + others / 2.0
}

#[cfg(test)]
mod tests {

    /// Values that differ only by floating-point noise are a constant
    /// indicator, not a range to stretch to 0-100.
    #[test]
    fn floating_point_noise_is_constant() {
        let m = Normalisation::Minmax {
            low: 0.0,
            high: 100.0,
            if_constant: ConstantPolicy::Error,
        };
        let v = [0.3, 0.1 + 0.2, 0.3];
        assert_eq!(
            normalise(&m, 1.0, &v, &[true; 3]),
            Err(NormaliseError::Constant(0.3))
        );
        let z = Normalisation::Zscore {
            mean: 0.0,
            sd: 1.0,
            if_constant: ConstantPolicy::Midpoint,
        };
        assert_eq!(normalise(&z, 1.0, &v, &[true; 3]).unwrap(), vec![0.0; 3]);
        // Ranks and percentile ranks tie them too.
        let r = normalise(
            &Normalisation::Rank,
            1.0,
            &[0.3, 0.1 + 0.2, 1.0],
            &[true; 3],
        );
        assert_eq!(r.unwrap(), vec![1.5, 1.5, 3.0]);
    }

    use super::*;
    use std::collections::BTreeMap;

    const NAN: f64 = f64::NAN;

    fn all(n: usize) -> Vec<bool> {
        vec![true; n]
    }

    fn close(a: &[f64], b: &[f64]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!(
                (x.is_nan() && y.is_nan()) || (x - y).abs() < 1e-12,
                "{a:?} vs {b:?}"
            );
        }
    }

    fn minmax() -> Normalisation {
        Normalisation::Minmax {
            low: 0.0,
            high: 100.0,
            if_constant: ConstantPolicy::Error,
        }
    }

    #[test]
    fn minmax_by_hand() {
        let v = [2.0, 4.0, NAN, 10.0];
        close(
            &normalise(&minmax(), 1.0, &v, &all(4)).unwrap(),
            &[0.0, 25.0, NAN, 100.0],
        );
        close(
            &normalise(&minmax(), -1.0, &v, &all(4)).unwrap(),
            &[100.0, 75.0, NAN, 0.0],
        );
        let m = Normalisation::Minmax {
            low: 1.0,
            high: 10.0,
            if_constant: ConstantPolicy::Error,
        };
        close(
            &normalise(&m, 1.0, &[0.0, 1.0, 2.0], &all(3)).unwrap(),
            &[1.0, 5.5, 10.0],
        );
        // Parameters from reference units only; others may fall outside.
        close(
            &normalise(&minmax(), 1.0, &[0.0, 10.0, 20.0], &[true, true, false]).unwrap(),
            &[0.0, 100.0, 200.0],
        );
    }

    #[test]
    fn constant_indicator_is_an_error_or_the_midpoint() {
        assert_eq!(
            normalise(&minmax(), 1.0, &[3.0, 3.0], &all(2)),
            Err(NormaliseError::Constant(3.0))
        );
        let m = Normalisation::Minmax {
            low: 0.0,
            high: 100.0,
            if_constant: ConstantPolicy::Midpoint,
        };
        close(
            &normalise(&m, 1.0, &[3.0, 3.0, NAN], &all(3)).unwrap(),
            &[50.0, 50.0, NAN],
        );
        let z = Normalisation::Zscore {
            mean: 0.0,
            sd: 1.0,
            if_constant: ConstantPolicy::Error,
        };
        assert!(normalise(&z, 1.0, &[3.0, 3.0], &all(2)).is_err());
    }

    #[test]
    fn zscore_by_hand() {
        // mean 4, sample sd sqrt(((−2)^2+0+2^2)/2) = 2
        let z = Normalisation::Zscore {
            mean: 0.0,
            sd: 1.0,
            if_constant: ConstantPolicy::Error,
        };
        close(
            &normalise(&z, 1.0, &[2.0, 4.0, 6.0], &all(3)).unwrap(),
            &[-1.0, 0.0, 1.0],
        );
        close(
            &normalise(&z, -1.0, &[2.0, 4.0, 6.0], &all(3)).unwrap(),
            &[1.0, 0.0, -1.0],
        );
        let z = Normalisation::Zscore {
            mean: 100.0,
            sd: 10.0,
            if_constant: ConstantPolicy::Error,
        };
        close(
            &normalise(&z, 1.0, &[2.0, 4.0, 6.0], &all(3)).unwrap(),
            &[90.0, 100.0, 110.0],
        );
    }

    #[test]
    fn goalposts_by_hand() {
        let g = Normalisation::Goalposts {
            bounds: GoalpostScale::Transformed,
            lower: Some(20.0),
            upper: Some(85.0),
            clip: false,
            scale: 1.0,
        };
        close(
            &normalise(&g, 1.0, &[20.0, 85.0, 52.5, 90.0], &all(4)).unwrap(),
            &[0.0, 1.0, 0.5, 90.0 / 65.0 - 20.0 / 65.0],
        );
        let g = Normalisation::Goalposts {
            bounds: GoalpostScale::Transformed,
            lower: Some(20.0),
            upper: Some(85.0),
            clip: true,
            scale: 100.0,
        };
        close(
            &normalise(&g, 1.0, &[10.0, 90.0, 52.5], &all(3)).unwrap(),
            &[0.0, 100.0, 50.0],
        );
        // Lower is better: 0 at the upper goalpost, scale at the lower.
        let g = Normalisation::Goalposts {
            bounds: GoalpostScale::Transformed,
            lower: Some(0.0),
            upper: Some(50.0),
            clip: false,
            scale: 100.0,
        };
        close(
            &normalise(&g, -1.0, &[0.0, 50.0, 10.0], &all(3)).unwrap(),
            &[100.0, 0.0, 80.0],
        );
    }

    #[test]
    fn rank_and_percentile_by_hand() {
        let v = [10.0, 30.0, 20.0, 30.0, NAN];
        close(
            &normalise(&Normalisation::Rank, 1.0, &v, &all(5)).unwrap(),
            &[1.0, 3.5, 2.0, 3.5, NAN],
        );
        close(
            &normalise(&Normalisation::Rank, -1.0, &v, &all(5)).unwrap(),
            &[4.0, 1.5, 3.0, 1.5, NAN],
        );
        let p = Normalisation::Percentile { scale: 100.0 };
        close(
            &normalise(&p, 1.0, &v, &all(5)).unwrap(),
            &[0.0, 250.0 / 3.0, 100.0 / 3.0, 250.0 / 3.0, NAN],
        );
    }

    #[test]
    fn distance_to_target_by_hand() {
        let d = Normalisation::Distance {
            target: 80.0,
            cap: true,
            scale: 100.0,
        };
        close(
            &normalise(&d, 1.0, &[40.0, 60.0, 90.0], &all(3)).unwrap(),
            &[0.0, 50.0, 100.0],
        );
        let d = Normalisation::Distance {
            target: 80.0,
            cap: false,
            scale: 100.0,
        };
        close(
            &normalise(&d, 1.0, &[40.0, 60.0, 90.0], &all(3)).unwrap(),
            &[0.0, 50.0, 125.0],
        );
        // Lower is better: target 10, worst 50.
        let d = Normalisation::Distance {
            target: 10.0,
            cap: true,
            scale: 100.0,
        };
        close(
            &normalise(&d, -1.0, &[50.0, 30.0, 5.0], &all(3)).unwrap(),
            &[0.0, 50.0, 100.0],
        );
    }

    #[test]
    fn bands_by_hand() {
        let b = Normalisation::Bands {
            thresholds: vec![1.0, 10.0, 50.0],
            points: None,
        };
        close(
            &normalise(&b, 1.0, &[0.0, 1.0, 9.9, 10.0, 140.0, NAN], &all(6)).unwrap(),
            &[0.0, 1.0, 1.0, 2.0, 3.0, NAN],
        );
        let b = Normalisation::Bands {
            thresholds: vec![1.0, 10.0],
            points: Some(vec![0.0, 2.0, 5.0]),
        };
        close(
            &normalise(&b, 1.0, &[0.0, 5.0, 12.0], &all(3)).unwrap(),
            &[0.0, 2.0, 5.0],
        );
        // Lower is better: at most 1 -> 2 bands reached, at most 10 -> 1.
        let b = Normalisation::Bands {
            thresholds: vec![1.0, 10.0],
            points: None,
        };
        close(
            &normalise(&b, -1.0, &[0.5, 5.0, 12.0], &all(3)).unwrap(),
            &[2.0, 1.0, 0.0],
        );
    }

    #[test]
    fn signs() {
        assert_eq!(output_sign(&minmax()), Sign::MayBeZero);
        assert_eq!(
            output_sign(&Normalisation::Minmax {
                low: 1.0,
                high: 100.0,
                if_constant: ConstantPolicy::Error
            }),
            Sign::Positive
        );
        // Rescaled to a positive mean (the MPI's 100 +- 10): checked on the data.
        assert_eq!(
            output_sign(&Normalisation::Zscore {
                mean: 100.0,
                sd: 10.0,
                if_constant: ConstantPolicy::Error
            }),
            Sign::DependsOnData
        );
        assert_eq!(output_sign(&Normalisation::Rank), Sign::Positive);
        let mut map = BTreeMap::new();
        map.insert("ja".to_string(), 2.0);
        map.insert("nej".to_string(), 1.0);
        assert_eq!(
            output_sign(&Normalisation::Categorical {
                map,
                ignore_case: true
            }),
            Sign::Positive
        );
    }
}
