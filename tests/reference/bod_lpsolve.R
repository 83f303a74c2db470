# Benefit of the Doubt scores for the seven units of tests/suite/weightings.rs
# (BOD_DATA) under six sets of bounds, with R's lpSolve (5.6.18): per unit,
# max sum w_j y_cj over its present children, s.t. every unit's sum <= 1 (a
# missing value counts 0), share and weight bounds as docs/methods.md states.
#
#   Rscript tests/reference/bod_lpsolve.R
library(lpSolve)
Y <- rbind(c(0.9, 0.2, 0.5), c(0.4, 0.8, 0.3), c(0.6, 0.6, 0.6), c(0.1, 0.3, 0.9),
           c(0.5, 0.4, 0.2), c(0.3, 0.1, 0.4), c(0.7, 0.5, NA))
bod <- function(minsh = 0, maxsh = 1, minw = 0, maxw = Inf) {
  sapply(seq_len(nrow(Y)), function(c) {
    P <- which(!is.na(Y[c, ]))
    y <- Y[c, P]; k <- length(P)
    A <- Y[, P, drop = FALSE]; A[is.na(A)] <- 0
    con <- A; dir <- rep("<=", nrow(A)); rhs <- rep(1, nrow(A))
    for (a in seq_len(k)) {
      e <- diag(k)[a, ] * y
      if (minsh > 0) { con <- rbind(con, e - minsh * y); dir <- c(dir, ">="); rhs <- c(rhs, 0) }
      if (maxsh < 1) { con <- rbind(con, e - maxsh * y); dir <- c(dir, "<="); rhs <- c(rhs, 0) }
    }
    if (minw > 0) { con <- rbind(con, diag(k)); dir <- c(dir, rep(">=", k)); rhs <- c(rhs, rep(minw, k)) }
    if (is.finite(maxw)) { con <- rbind(con, diag(k)); dir <- c(dir, rep("<=", k)); rhs <- c(rhs, rep(maxw, k)) }
    lp("max", y, con, dir, rhs)$objval
  })
}
for (a in list(list(), list(minsh = 0.1), list(maxsh = 0.6), list(minw = 0.2),
               list(maxw = 0.8), list(minsh = 0.2, maxsh = 0.5)))
  print(do.call(bod, a), digits = 16)
