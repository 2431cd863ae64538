// Package metric aggregates per-run scalar outcomes across Monte Carlo runs
// into point estimates with 95% confidence intervals, in memory that does not
// grow with the number of runs.
//
// A Summary takes one observation per run. It keeps exact moments (count,
// mean and sample standard deviation by Welford's update, exact minimum and
// maximum), the finite observations themselves up to a cap (DefaultExactCap,
// 100,000, for NewSummary), and a DDSketch of the distribution for quantiles
// and tails once the cap is passed. A Fan keeps one Summary per sample point
// of a time series, so that quantile bands of paths can be drawn without
// storing the paths.
//
// # Accuracy
//
// While a Summary has recorded no more finite observations than its exact
// cap, it holds them all (Exact reports true), and quantiles, VaR, CVaR and
// their intervals are computed from the exact sorted sample: a quantile is
// the exact order statistic, interval ends are exact order statistics, and
// Report gives a RelativeAccuracy of 0. This matters for outcomes whose
// spread is small beside their level (a ratio between 0.997 and 0.999), which
// the sketch would put in one bin.
//
// Once the count exceeds the cap, the observations are released for good and
// answers come from the sketch, which is fed throughout: memory stays
// bounded by 8 bytes times the cap plus the sketch's, whatever the number of
// runs. The sketch stores each finite observation x as the representative
// value r of a logarithmic bin, with |r − x| ≤ RelativeAccuracy·|x| (0.5%).
// Every quantile read from the sketch is therefore within 0.5% of the exact
// sample order statistic it stands for, and a tail mean (CVaR) is within
// 0.5% of the mean absolute value of the tail it averages. A bin holds counts
// only, so merging sketches is exact; the kept observations are sorted before
// use; either way the quantiles of a merged Summary do not depend on the
// order of merging. A merged Summary is exact only if every part was and the
// combined count is within the cap of the receiver.
//
// Each sign has at most MaxBins bins (about 70 per doubling). If the
// magnitudes of one sign span more than a factor of about 4·10^17, the bins of
// the smallest magnitudes are collapsed into one, and the 0.5% guarantee is
// lost for those values only: the largest magnitudes, where tails live, keep
// it.
//
// A sketch's memory follows the bins it occupies, not the span between its
// lowest and highest: 8 bytes per occupied bin while they are fewer than two
// thirds of the span, 8 bytes per bin of the span (at most MaxBins per sign)
// once they are more. A sketch of n observations therefore costs at most
// about 8·min(n, MaxBins) bytes per sign, however far the values spread: the
// sketches of a Fan of 1,000 runs cost the same whether the paths span two
// orders of magnitude or thirty. The bins and counts are exactly those of
// sketches-go's collapsing dense store of MaxBins bins, so answers do not
// depend on the form.
//
// # Quantile convention
//
// Of n observations sorted ascending and indexed from 0, the q-quantile is the
// one at index k = ⌊q·(n−1)⌋, the convention of DDSketch. (The product is
// enlarged by one part in 10^12 before rounding down, so that a decimal q such
// as 0.29 lands on the index it denotes in decimal arithmetic.)
//
// # Non-finite observations
//
// NaN observations are counted (NaNs) and otherwise ignored. Infinite
// observations are counted (Infs) and take part in N, Min, Max, Mean and in
// ranks, as the most extreme order statistics, exact or not: a quantile or
// tail whose rank falls among the infinities is infinite. Moments are
// accumulated over the finite observations only; Mean and StdDev report the
// effect of infinities as documented on them. The sketch cannot index
// magnitudes above about 1.26·10^308 (its mapping keeps math.Exp from
// overflowing); such finite values are stored in it as ±1.26·10^308, an
// error of up to 30% once the Summary is no longer exact. The smallest and
// largest finite observations are nonetheless read back exactly, as Min and
// Max are kept exactly.
// Moments are plain float64: the sum of squared deviations overflows to +Inf
// once deviations exceed about 1e154, and the mean once they exceed about
// 1e308; extrema, quantiles and tails are unaffected.
//
// # Determinism
//
// Given the same observations in the same order, every result is identical
// to the last bit on the same platform: products are explicitly rounded
// (float64 conversions) so that the compiler cannot fuse them into FMA
// instructions. The sketch's own bin arithmetic (in sketches-go) carries no
// such guard, so on architectures where Go fuses multiply-adds (arm64,
// ppc64le, s390x) a value at a bin boundary may fall in the neighbouring bin.
// Exact answers involve no sketch arithmetic: they depend only on the
// observations, not on their order, as the sample is sorted in a total order
// (−0 before +0) before use.
package metric
