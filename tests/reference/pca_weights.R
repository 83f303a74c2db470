# Handbook 6.1 weights for the TAI data (fixtures/tai/tai.csv), as
# tests/suite/weightings.rs records them: R's eigen() of the correlation
# matrix, stats::varimax (normalize = TRUE, eps = 1e-5) of the first four
# components' loadings, squared loadings scaled to unity sum per factor,
# each indicator on its largest, weighted by the factors' variance shares.
# Also the varimax of the unit test in src/pipeline/weigh.rs.
#
#   Rscript tests/reference/pca_weights.R      (R 4.2.2; psych 2.2.9 optional)
x <- read.csv("fixtures/tai/tai.csv", check.names = FALSE)
m <- as.matrix(x[, -1])
e <- eigen(cor(m))
print(e$values, digits = 15)
L <- e$vectors[, 1:4] %*% diag(sqrt(e$values[1:4]))
v <- unclass(varimax(L)$loadings)
sq <- v^2
ev <- colSums(sq)
s <- sweep(sq, 2, ev, "/")
f <- apply(s, 1, which.max)
w <- sapply(1:8, function(i) s[i, f[i]] * ev[f[i]] / sum(ev))
print(w / sum(w), digits = 16)
t <- matrix(c(0.81152134, 0.7517541, -0.2394141, -0.1027786, 0.29883624,
              0.40178739, 0.27361611, 0.65778483, 0.86714276, 0.64085638), ncol = 2)
print(unclass(varimax(t)$loadings), digits = 16)
if (requireNamespace("psych", quietly = TRUE)) {
  # The same loadings from psych's principal components with varimax.
  print(unclass(psych::principal(m, nfactors = 4, rotate = "varimax")$loadings), digits = 6)
}
