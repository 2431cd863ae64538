package report

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/cascade-risk/cascade/metric"
)

// Bootstrap configures the percentile bootstrap behind the confidence
// intervals of a Comparison.
type Bootstrap struct {
	// Resamples is the number of bootstrap resamples; 0 means
	// DefaultResamples.
	Resamples int
	// Seed seeds the PCG generator that draws the resamples, so that a
	// report is the same every time it is made.
	Seed uint64
}

// DefaultResamples is the number of bootstrap resamples a report draws.
const DefaultResamples = 2000

// pcgStream is the PCG stream (increment) of every bootstrap; the seed picks
// the state.
const pcgStream = 0x9E3779B97F4A7C15

// TailDiff is the difference arm − baseline in value-at-risk and
// conditional value-at-risk at one level, each with a bootstrap interval.
type TailDiff struct {
	Level float64
	VaR   metric.Estimate
	CVaR  metric.Estimate
}

// Comparison is the paired comparison of a policy arm with the baseline on
// one metric. Runs are paired by sweep cell and run index: the arms of a
// compare block run on common random numbers, so the pair differs only by
// the policy. Every estimate is of arm minus baseline, in the metric's
// units, except the probabilities, which are shares of runs in [0, 1].
//
// Value-at-risk and conditional value-at-risk are those of the metric
// package on each arm's sample (see metric.Summary.Tail): at level ℓ and n
// runs, the tail is the m = ⌊(1−ℓ)(n−1)⌋ + 1 runs worst in the metric's bad
// direction; VaR is the least bad of them and CVaR their mean.
//
// Confidence intervals are 95% percentile-bootstrap intervals: run indices
// are resampled with replacement (so pairs stay together), every statistic
// is recomputed on each resample, and the interval is the 2.5% and 97.5%
// order statistics of the resampled values; StdErr is their standard
// deviation. The threshold is held fixed across resamples.
type Comparison struct {
	// N is the number of pairs in which both outcomes are finite; pairs
	// with a NaN or infinite outcome are left out of every statistic.
	N int
	// Dropped is the number of pairs left out.
	Dropped int
	// Worse is the metric's bad direction.
	Worse metric.Direction
	// Mean is the mean of the paired differences.
	Mean metric.Estimate
	// Tails are the differences in VaR and CVaR at the report's levels
	// (0.95 and 0.99).
	Tails []TailDiff
	// Threshold is the outcome beyond which a run counts as a loss.
	Threshold float64
	// PBase and PArm are the shares of runs strictly worse than Threshold
	// (below it when lower is worse, above it otherwise) and PDiff is
	// PArm − PBase.
	PBase, PArm, PDiff metric.Estimate
}

// Gain returns x, a difference arm − baseline, as an improvement: positive
// when the arm is better, whichever direction is bad.
func (c *Comparison) Gain(x float64) float64 {
	if c.Worse == metric.HigherIsWorse {
		return -x
	}
	return x
}

// Tail returns the tail difference at level, if the comparison has it.
func (c *Comparison) Tail(level float64) (TailDiff, bool) {
	for _, t := range c.Tails {
		if t.Level == level {
			return t, true
		}
	}
	return TailDiff{}, false
}

// tailLevels are the levels of Comparison.Tails.
var tailLevels = []float64{0.95, 0.99}

// DefaultThreshold returns the loss threshold a report uses for a metric
// unless told otherwise: the baseline's 5% quantile counted from the bad
// end (its VaR at 95%), so that about 5% of baseline runs are beyond it and
// P(arm beyond it) reads as "how often the arm does as badly as the
// baseline's worst 5%". Non-finite values are ignored; with none left the
// result is NaN.
func DefaultThreshold(base []float64, worse metric.Direction) float64 {
	xs := make([]float64, 0, len(base))
	for _, x := range base {
		if isFinite(x) {
			xs = append(xs, x)
		}
	}
	if len(xs) == 0 {
		return math.NaN()
	}
	slices.Sort(xs)
	k := int(tailIndex(0.05, len(xs)))
	if worse == metric.HigherIsWorse {
		return xs[len(xs)-1-k]
	}
	return xs[k]
}

// Compare returns the paired comparison of arm with base: base[i] and
// arm[i] are the outcomes of run i under the baseline and under the arm.
// threshold is the loss threshold (see DefaultThreshold). The result
// depends only on its arguments: the bootstrap draws from a PCG generator
// seeded with b.Seed.
func Compare(base, arm []float64, worse metric.Direction, threshold float64, b Bootstrap) (Comparison, error) {
	if len(base) != len(arm) {
		return Comparison{}, errors.New("report: Compare: base and arm differ in length")
	}
	if worse != metric.LowerIsWorse && worse != metric.HigherIsWorse && worse != metric.Neutral {
		return Comparison{}, errors.New("report: Compare: invalid direction")
	}
	if b.Resamples < 0 {
		return Comparison{}, errors.New("report: Compare: negative resample count")
	}
	return compareAll([][]float64{base}, [][]float64{arm}, []metric.Direction{worse}, []float64{threshold}, b)[0], nil
}

// pairedMetric is one metric of a paired comparison, prepared for fast
// evaluation on bootstrap weights.
type pairedMetric struct {
	base, arm []float64
	finite    []int32 // indices of pairs with both outcomes finite
	// worstBase and worstArm list finite indices from the worst outcome
	// inward (ties by index), far enough to cover any resample's tail.
	worstBase, worstArm []int32
	// beyondBase and beyondArm list the indices strictly worse than the
	// threshold.
	beyondBase, beyondArm []int32
	worse                 metric.Direction
}

// nStats is the number of statistics evaluate returns: mean difference,
// then VaR and CVaR differences per tail level, then PBase, PArm, PDiff.
var nStats = 1 + 2*len(tailLevels) + 3

func preparePair(base, arm []float64, worse metric.Direction, threshold float64) *pairedMetric {
	p := &pairedMetric{base: base, arm: arm, worse: worse}
	for i := range base {
		if isFinite(base[i]) && isFinite(arm[i]) {
			p.finite = append(p.finite, int32(i))
		}
	}
	worseThan := func(x, y float64) bool { // x strictly worse than y
		if worse == metric.HigherIsWorse {
			return x > y
		}
		return x < y
	}
	order := func(xs []float64) []int32 {
		idx := slices.Clone(p.finite)
		slices.SortStableFunc(idx, func(a, b int32) int {
			switch {
			case worseThan(xs[a], xs[b]):
				return -1
			case worseThan(xs[b], xs[a]):
				return 1
			}
			return 0
		})
		return idx
	}
	p.worstBase, p.worstArm = order(base), order(arm)
	for _, i := range p.finite {
		if worseThan(base[i], threshold) {
			p.beyondBase = append(p.beyondBase, i)
		}
		if worseThan(arm[i], threshold) {
			p.beyondArm = append(p.beyondArm, i)
		}
	}
	return p
}

// evaluate computes every statistic of p on the resample in which pair i
// appears w[i] times, writing them to out (len nStats).
func (p *pairedMetric) evaluate(w []int32, out []float64) {
	var nf int64
	var sum float64
	for _, i := range p.finite {
		if c := w[i]; c != 0 {
			nf += int64(c)
			sum += float64(c) * (p.arm[i] - p.base[i])
		}
	}
	if nf == 0 {
		for k := range out {
			out[k] = math.NaN()
		}
		return
	}
	out[0] = sum / float64(nf)
	for l, level := range tailLevels {
		m := tailIndex(1-level, int(nf)) + 1
		vb, cb := weightedTail(p.base, p.worstBase, w, m)
		va, ca := weightedTail(p.arm, p.worstArm, w, m)
		out[1+2*l] = va - vb
		out[2+2*l] = ca - cb
	}
	k := 1 + 2*len(tailLevels)
	var bb, ba int64
	for _, i := range p.beyondBase {
		bb += int64(w[i])
	}
	for _, i := range p.beyondArm {
		ba += int64(w[i])
	}
	out[k] = float64(bb) / float64(nf)
	out[k+1] = float64(ba) / float64(nf)
	out[k+2] = out[k+1] - out[k]
}

// weightedTail returns VaR and CVaR of the m worst observations of the
// resample with weights w, walking worst (indices, worst first) inward: CVaR
// is their sum accumulated from the worst inward, divided by m, as in the
// metric package.
func weightedTail(xs []float64, worst []int32, w []int32, m int64) (VaR, CVaR float64) {
	var acc int64
	var sum float64
	for _, i := range worst {
		c := int64(w[i])
		if c == 0 {
			continue
		}
		take := min(c, m-acc)
		x := xs[i]
		if take == 1 {
			sum += x
		} else {
			sum += float64(take) * x
		}
		acc += take
		if acc == m {
			return x, sum / float64(m)
		}
	}
	return math.NaN(), math.NaN()
}

// compareAll compares several metrics over the same pairs. All metrics share
// the resamples (the same run indices), so the work of drawing them is done
// once, and each metric's intervals are what Compare alone would give.
func compareAll(base, arm [][]float64, worse []metric.Direction, threshold []float64, b Bootstrap) []Comparison {
	resamples := b.Resamples
	if resamples == 0 {
		resamples = DefaultResamples
	}
	ps := make([]*pairedMetric, len(base))
	n := 0
	for k := range base {
		ps[k] = preparePair(base[k], arm[k], worse[k], threshold[k])
		n = len(base[k])
	}
	w := make([]int32, n)
	for i := range w {
		w[i] = 1
	}
	point := make([][]float64, len(ps))
	for k, p := range ps {
		point[k] = make([]float64, nStats)
		p.evaluate(w, point[k])
	}
	// reps[k][s][r] is statistic s of metric k on resample r.
	reps := make([][][]float64, len(ps))
	for k := range reps {
		reps[k] = make([][]float64, nStats)
		for s := range reps[k] {
			reps[k][s] = make([]float64, resamples)
		}
	}
	rng := rand.New(rand.NewPCG(b.Seed, pcgStream))
	stats := make([]float64, nStats)
	for r := 0; r < resamples && n > 0; r++ {
		clear(w)
		for range n {
			w[rng.IntN(n)]++
		}
		for k, p := range ps {
			p.evaluate(w, stats)
			for s, v := range stats {
				reps[k][s][r] = v
			}
		}
	}
	out := make([]Comparison, len(ps))
	for k, p := range ps {
		est := make([]metric.Estimate, nStats)
		for s := range est {
			est[s] = percentileInterval(point[k][s], reps[k][s])
		}
		c := Comparison{
			N:         len(p.finite),
			Dropped:   n - len(p.finite),
			Worse:     p.worse,
			Mean:      est[0],
			Threshold: threshold[k],
		}
		for l, level := range tailLevels {
			c.Tails = append(c.Tails, TailDiff{Level: level, VaR: est[1+2*l], CVaR: est[2+2*l]})
		}
		j := 1 + 2*len(tailLevels)
		c.PBase, c.PArm, c.PDiff = est[j], est[j+1], est[j+2]
		out[k] = c
	}
	return out
}

// percentileInterval returns the estimate with value v and the 95%
// percentile interval of the replicates: their order statistics at
// ⌊0.025(B−1)⌋ and ⌈0.975(B−1)⌉ (0-based). NaN replicates, which come from
// resamples with no finite pair, are left out. StdErr is the replicates'
// standard deviation.
func percentileInterval(v float64, reps []float64) metric.Estimate {
	xs := make([]float64, 0, len(reps))
	for _, x := range reps {
		if !math.IsNaN(x) {
			xs = append(xs, x)
		}
	}
	if len(xs) < 2 || math.IsNaN(v) {
		return metric.Estimate{Value: v, Lo: math.NaN(), Hi: math.NaN(), StdErr: math.NaN()}
	}
	slices.Sort(xs)
	last := float64(len(xs) - 1)
	lo := xs[int(math.Floor(0.025*last))]
	hi := xs[int(math.Ceil(0.975*last))]
	var mean, ss float64
	for i, x := range xs {
		d := x - mean
		mean += d / float64(i+1)
		ss += d * (x - mean)
	}
	return metric.Estimate{Value: v, Lo: lo, Hi: hi, StdErr: math.Sqrt(ss / last)}
}

// tailIndex returns ⌊q·(n−1)⌋ as the metric package computes it, the factor
// 1 + 1e-12 undoing the binary error of a decimal q.
func tailIndex(q float64, n int) int64 {
	return int64(math.Floor(q * float64(n-1) * (1 + 1e-12)))
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
