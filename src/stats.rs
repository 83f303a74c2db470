//! Descriptive statistics of one variable: mean, standard deviation,
//! skewness and excess kurtosis (moment estimators with the small-sample
//! corrections used by Excel's SKEW and KURT), quantiles; and of two:
//! Pearson and Spearman correlations.

/// Values that are not NaN.
pub fn present(values: &[f64]) -> Vec<f64> {
    values.iter().copied().filter(|v| !v.is_nan()).collect()
}

/// Arithmetic mean (NaN when empty).
pub fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        f64::NAN
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// Sample standard deviation (n - 1).
pub fn sd(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return f64::NAN;
    }
    let m = mean(v);
    (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
}

/// Sample skewness, adjusted Fisher-Pearson (Excel SKEW):
/// n / ((n-1)(n-2)) * sum ((x - m) / s)^3.
pub fn skewness(v: &[f64]) -> f64 {
    let n = v.len() as f64;
    if n < 3.0 {
        return f64::NAN;
    }
    let (m, s) = (mean(v), sd(v));
    if s == 0.0 {
        return 0.0;
    }
    n / ((n - 1.0) * (n - 2.0)) * v.iter().map(|x| ((x - m) / s).powi(3)).sum::<f64>()
}

/// Sample excess kurtosis (Excel KURT):
/// n(n+1)/((n-1)(n-2)(n-3)) sum((x-m)/s)^4 - 3(n-1)^2/((n-2)(n-3)).
pub fn kurtosis(v: &[f64]) -> f64 {
    let n = v.len() as f64;
    if n < 4.0 {
        return f64::NAN;
    }
    let (m, s) = (mean(v), sd(v));
    if s == 0.0 {
        return 0.0;
    }
    let sum4 = v.iter().map(|x| ((x - m) / s).powi(4)).sum::<f64>();
    n * (n + 1.0) / ((n - 1.0) * (n - 2.0) * (n - 3.0)) * sum4
        - 3.0 * (n - 1.0).powi(2) / ((n - 2.0) * (n - 3.0))
}

/// The JRC outlier test (COINr's `check_SkewKurt`, negated): true when
/// |skewness| >= `skew_threshold` **and** excess kurtosis >= `kurtosis_threshold`.
/// NaN statistics (fewer than 3 or 4 values) never fail.
pub fn jrc_outlier(skew: f64, kurtosis: f64, skew_threshold: f64, kurtosis_threshold: f64) -> bool {
    skew.abs() >= skew_threshold && kurtosis >= kurtosis_threshold
}

/// Linear-interpolation quantile (R type 7, Excel PERCENTILE.INC).
pub fn quantile(v: &[f64], q: f64) -> f64 {
    let mut s = present(v);
    if s.is_empty() {
        return f64::NAN;
    }
    s.sort_by(f64::total_cmp);
    let h = (s.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    s[lo] + (h - lo as f64) * (s[hi] - s[lo])
}

/// Pearson correlation of two vectors.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx == 0.0 || syy == 0.0 {
        return if sxx == syy { 1.0 } else { f64::NAN };
    }
    sxy / (sxx * syy).sqrt()
}

/// Average ranks (1 = smallest; ties share the mean rank).
pub fn average_ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut out = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && x[order[j]] == x[order[i]] {
            j += 1;
        }
        let r = (i + 1 + j) as f64 / 2.0;
        for &o in &order[i..j] {
            out[o] = r;
        }
        i = j;
    }
    out
}

/// Spearman's rho: the Pearson correlation of average ranks.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&average_ranks(x), &average_ranks(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    }

    #[test]
    fn moments_match_excel() {
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        close(mean(&v), 4.0);
        close(sd(&v), 12.5f64.sqrt());
        // Hand: deviations -3,-2,-1,0,6; s = sqrt(12.5).
        let s = 12.5f64.sqrt();
        let m3: f64 = [-3.0f64, -2.0, -1.0, 0.0, 6.0]
            .iter()
            .map(|d| (d / s).powi(3))
            .sum();
        close(skewness(&v), 5.0 / 12.0 * m3);
        let m4: f64 = [-3.0f64, -2.0, -1.0, 0.0, 6.0]
            .iter()
            .map(|d| (d / s).powi(4))
            .sum();
        close(kurtosis(&v), 30.0 / 24.0 * m4 - 3.0 * 16.0 / 6.0);
        close(skewness(&[1.0, 2.0, 3.0]), 0.0);
        // The examples of Microsoft's documentation of SKEW and KURT.
        let x = [3.0, 4.0, 5.0, 2.0, 3.0, 4.0, 5.0, 6.0, 4.0, 7.0];
        assert!((skewness(&x) - 0.359543).abs() < 1e-6, "{}", skewness(&x));
        assert!(
            (kurtosis(&x) + 0.151799637).abs() < 1e-8,
            "{}",
            kurtosis(&x)
        );
    }

    #[test]
    fn quantiles_type_7() {
        let v = [1.0, 2.0, 3.0, 4.0];
        close(quantile(&v, 0.5), 2.5);
        close(quantile(&v, 0.05), 1.15);
        close(quantile(&v, 1.0), 4.0);
    }
}
