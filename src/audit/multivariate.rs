//! Multivariate statistics of an index: correlations with pairwise-complete
//! observations, Cronbach's alpha, and principal components (eigenvalues of
//! a correlation matrix).

use crate::stats::{pearson, spearman};

/// Pearson and Spearman correlation over units where both are present.
pub fn correlations(x: &[f64], y: &[f64]) -> (f64, f64, usize) {
    let (a, b): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(a, b)| (*a, *b))
        .unzip();
    if a.len() < 3 {
        return (f64::NAN, f64::NAN, a.len());
    }
    (pearson(&a, &b), spearman(&a, &b), a.len())
}

/// Cronbach's alpha of items (columns) over units with every item present:
/// k / (k - 1) * (1 - sum var(item) / var(sum of items)).
pub fn cronbach_alpha(items: &[Vec<f64>]) -> (f64, usize) {
    let k = items.len();
    if k < 2 {
        return (f64::NAN, 0);
    }
    let n = items[0].len();
    let rows: Vec<usize> = (0..n)
        .filter(|&u| items.iter().all(|c| !c[u].is_nan()))
        .collect();
    if rows.len() < 2 {
        return (f64::NAN, rows.len());
    }
    let var = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64
    };
    let item_vars: f64 = items
        .iter()
        .map(|c| var(&rows.iter().map(|&u| c[u]).collect::<Vec<_>>()))
        .sum();
    let totals: Vec<f64> = rows
        .iter()
        .map(|&u| items.iter().map(|c| c[u]).sum())
        .collect();
    let total_var = var(&totals);
    if total_var == 0.0 {
        return (f64::NAN, rows.len());
    }
    (
        k as f64 / (k as f64 - 1.0) * (1.0 - item_vars / total_var),
        rows.len(),
    )
}

/// Eigenvalues of a symmetric matrix, descending (nalgebra's symmetric
/// eigen-decomposition).
pub fn symmetric_eigenvalues(matrix: &[Vec<f64>]) -> Vec<f64> {
    let n = matrix.len();
    let m = nalgebra::DMatrix::from_fn(n, n, |i, j| matrix[i][j]);
    let mut ev: Vec<f64> = m.symmetric_eigenvalues().iter().copied().collect();
    ev.sort_by(|x, y| y.total_cmp(x));
    ev
}

/// Shares of variance explained by each principal component of the
/// correlation matrix of `items` (complete cases), descending.
pub fn pca_explained(items: &[Vec<f64>]) -> (Vec<f64>, usize) {
    let k = items.len();
    let n = items.first().map_or(0, |c| c.len());
    let rows: Vec<usize> = (0..n)
        .filter(|&u| items.iter().all(|c| !c[u].is_nan()))
        .collect();
    if k < 2 || rows.len() < 3 {
        return (Vec::new(), rows.len());
    }
    let cols: Vec<Vec<f64>> = items
        .iter()
        .map(|c| rows.iter().map(|&u| c[u]).collect())
        .collect();
    let r: Vec<Vec<f64>> = (0..k)
        .map(|i| {
            (0..k)
                .map(|j| {
                    if i == j {
                        1.0
                    } else {
                        pearson(&cols[i], &cols[j])
                    }
                })
                .collect()
        })
        .collect();
    if r.iter().flatten().any(|v| v.is_nan()) {
        return (Vec::new(), rows.len());
    }
    let ev = symmetric_eigenvalues(&r);
    let total: f64 = ev.iter().sum();
    (ev.iter().map(|e| e / total).collect(), rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cronbach_by_hand() {
        // Items a = (1,2,3,4), b = (2,3,4,5): var 5/3 each, sum (3,5,7,9) var 20/3.
        // alpha = 2 * (1 - (10/3) / (20/3)) = 1.
        let (a, n) = cronbach_alpha(&[vec![1.0, 2.0, 3.0, 4.0], vec![2.0, 3.0, 4.0, 5.0]]);
        assert!((a - 1.0).abs() < 1e-12 && n == 4);
        // b = (4,3,2,1): sum constant -> variance 0 -> undefined.
        assert!(
            cronbach_alpha(&[vec![1.0, 2.0, 3.0, 4.0], vec![4.0, 3.0, 2.0, 1.0]])
                .0
                .is_nan()
        );
        // a = (1,2,3,4), b = (1,3,2,4): vars 5/3, 5/3; sums (2,5,5,8) var 6; alpha = 2 (1 - 10/18) = 8/9.
        let (a, _) = cronbach_alpha(&[vec![1.0, 2.0, 3.0, 4.0], vec![1.0, 3.0, 2.0, 4.0]]);
        assert!((a - 8.0 / 9.0).abs() < 1e-12, "{a}");
    }

    #[test]
    fn eigenvalues_by_hand() {
        // [[2,1],[1,2]] has eigenvalues 3 and 1.
        let ev = symmetric_eigenvalues(&[vec![2.0, 1.0], vec![1.0, 2.0]]);
        assert!(
            (ev[0] - 3.0).abs() < 1e-12 && (ev[1] - 1.0).abs() < 1e-12,
            "{ev:?}"
        );
        // A 3x3 correlation matrix with r = 0.5 everywhere: 1 + 2r = 2, then 0.5 twice.
        let m = vec![
            vec![1.0, 0.5, 0.5],
            vec![0.5, 1.0, 0.5],
            vec![0.5, 0.5, 1.0],
        ];
        let ev = symmetric_eigenvalues(&m);
        assert!(
            (ev[0] - 2.0).abs() < 1e-10
                && (ev[1] - 0.5).abs() < 1e-10
                && (ev[2] - 0.5).abs() < 1e-10,
            "{ev:?}"
        );
    }

    #[test]
    fn pairwise_complete_correlations() {
        let (p, s, n) = correlations(
            &[1.0, 2.0, f64::NAN, 4.0, 5.0],
            &[2.0, 4.0, 1.0, 8.0, f64::NAN],
        );
        assert_eq!(n, 3);
        assert!((p - 1.0).abs() < 1e-12 && (s - 1.0).abs() < 1e-12);
    }
}
