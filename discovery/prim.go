package discovery

import (
	"fmt"
	"math"
	"slices"
)

// PRIMOptions tune the Patient Rule Induction Method.
type PRIMOptions struct {
	// Alpha is the share of the box's points each peel removes (0.05).
	Alpha float64
	// MinMass is the smallest box, as a share of all points (0.05).
	MinMass float64
	// MinDensity, if positive, selects the box of largest coverage whose
	// density reaches it; otherwise the box maximizing the harmonic mean of
	// coverage and density, 2·c·d/(c+d), is selected.
	MinDensity float64
	// Level is the confidence level of the intervals (0.95).
	Level float64
}

func (o *PRIMOptions) defaults() {
	if o.Alpha <= 0 {
		o.Alpha = 0.05
	}
	if o.MinMass <= 0 {
		o.MinMass = 0.05
	}
	if o.Level <= 0 {
		o.Level = 0.95
	}
}

// PRIMResult is one PRIM box and the peeling trajectory it was chosen
// from.
type PRIMResult struct {
	Box Box
	// Trajectory lists the boxes of the peeling, from the whole space to
	// the smallest, each after pasting: the coverage–density trade-off.
	Trajectory []Box
	// Chosen indexes Box in Trajectory.
	Chosen int
}

// PRIM finds a box where y is mostly true by peeling and pasting.
//
// Peeling: starting from the whole space, each step considers, for every
// dimension, removing the points below the α-quantile or above the
// (1−α)-quantile of that dimension within the box (all points sharing the
// boundary value go together, so integer parameters peel whole levels),
// and keeps the peel that leaves the highest density; it stops when the
// box would hold fewer than MinMass·n points or its density is 1.
// Pasting: each box on the trajectory is then grown, one side at a time, by
// about α of its points along the side whose growth raises density most,
// while density rises.
func PRIM(x [][]float64, y []bool, opt PRIMOptions) (*PRIMResult, error) {
	opt.defaults()
	if len(x) == 0 || len(x) != len(y) {
		return nil, fmt.Errorf("PRIM needs as many labels as points and at least one point, got %d and %d", len(x), len(y))
	}
	d := len(x[0])
	minIn := max(1, int(math.Ceil(opt.MinMass*float64(len(x)))))
	box := Unbounded(d)
	in := make([]int, len(x))
	for k := range in {
		in[k] = k
	}
	var traj []Box
	record := func(b Box) {
		pasted := paste(x, y, b, opt.Alpha)
		pasted.Stats = pasted.Evaluate(x, y, opt.Level)
		traj = append(traj, pasted)
	}
	record(box)
	for {
		if dens(y, in) == 1 {
			break
		}
		bestDens, bestJ, bestLow := -1.0, -1, false
		var bestIn []int
		for j := range d {
			vals := make([]float64, len(in))
			for k, i := range in {
				vals[k] = x[i][j]
			}
			slices.Sort(vals)
			if vals[0] == vals[len(vals)-1] {
				continue
			}
			m := max(1, int(opt.Alpha*float64(len(vals))))
			// Lower peel removes every point ≤ vals[m−1]; upper peel
			// removes every point ≥ vals[len−m].
			for _, low := range []bool{true, false} {
				cut := vals[m-1]
				if !low {
					cut = vals[len(vals)-m]
				}
				var keep []int
				for _, i := range in {
					if low && x[i][j] > cut || !low && x[i][j] < cut {
						keep = append(keep, i)
					}
				}
				if len(keep) < minIn || len(keep) == len(in) {
					continue
				}
				if dd := dens(y, keep); dd > bestDens {
					bestDens, bestJ, bestLow, bestIn = dd, j, low, keep
				}
			}
		}
		if bestJ < 0 {
			break
		}
		// The new bound sits at the first kept value, so it reads as a
		// value of the parameter that was sampled.
		edge := math.Inf(1)
		if !bestLow {
			edge = math.Inf(-1)
		}
		for _, i := range bestIn {
			if bestLow {
				edge = min(edge, x[i][bestJ])
			} else {
				edge = max(edge, x[i][bestJ])
			}
		}
		box = cloneBox(box)
		if bestLow {
			box.Lo[bestJ] = edge
		} else {
			box.Hi[bestJ] = edge
		}
		in = bestIn
		record(box)
	}
	res := &PRIMResult{Trajectory: traj}
	best := -1.0
	for k, b := range traj {
		s := b.Stats
		var score float64
		if opt.MinDensity > 0 {
			if s.Density < opt.MinDensity {
				continue
			}
			score = s.Coverage
		} else if s.Coverage+s.Density > 0 {
			score = 2 * s.Coverage * s.Density / (s.Coverage + s.Density)
		}
		if score > best {
			best, res.Chosen = score, k
		}
	}
	res.Box = traj[res.Chosen]
	return res, nil
}

func dens(y []bool, in []int) float64 {
	if len(in) == 0 {
		return 0
	}
	c := 0
	for _, i := range in {
		if y[i] {
			c++
		}
	}
	return float64(c) / float64(len(in))
}

func cloneBox(b Box) Box {
	return Box{Lo: slices.Clone(b.Lo), Hi: slices.Clone(b.Hi), Stats: b.Stats}
}

// paste grows b while some side's growth by about α·(points in b) raises
// density.
func paste(x [][]float64, y []bool, b Box, alpha float64) Box {
	b = cloneBox(b)
	inside := func(bx Box) []int {
		var out []int
		for k := range x {
			if bx.Contains(x[k]) {
				out = append(out, k)
			}
		}
		return out
	}
	cur := inside(b)
	for range 100 {
		curDens := dens(y, cur)
		bestDens, var0 := curDens, Box{}
		var bestIn []int
		m := max(1, int(alpha*float64(len(cur))))
		for j := range b.Lo {
			for _, low := range []bool{true, false} {
				if low && math.IsInf(b.Lo[j], -1) || !low && math.IsInf(b.Hi[j], 1) {
					continue
				}
				// Candidate points just outside this side, inside the
				// other bounds.
				var outside []float64
				for k := range x {
					v := x[k][j]
					if low && v >= b.Lo[j] || !low && v <= b.Hi[j] {
						continue
					}
					if b.containsExcept(x[k], j) {
						outside = append(outside, v)
					}
				}
				if len(outside) == 0 {
					continue
				}
				slices.Sort(outside)
				nb := cloneBox(b)
				if low {
					nb.Lo[j] = outside[max(0, len(outside)-m)]
					if len(outside) <= m {
						nb.Lo[j] = math.Inf(-1)
					}
				} else {
					nb.Hi[j] = outside[min(len(outside)-1, m-1)]
					if len(outside) <= m {
						nb.Hi[j] = math.Inf(1)
					}
				}
				ni := inside(nb)
				if dd := dens(y, ni); dd > bestDens {
					bestDens, var0, bestIn = dd, nb, ni
				}
			}
		}
		if bestIn == nil {
			break
		}
		b, cur = var0, bestIn
	}
	return b
}
