package experiment

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/cascade-risk/cascade/boundary"
	"github.com/cascade-risk/cascade/design"
	"github.com/cascade-risk/cascade/scenario"
)

// BoundaryResult is an adaptive search for the edge of the safe region
// along one parameter, and the safe box it certifies.
type BoundaryResult struct {
	Along string `json:"along"`
	// Increasing is true when failure lies at the high end of the lines.
	Increasing bool         `json:"increasing"`
	P0         float64      `json:"max_failure"`
	Confidence float64      `json:"confidence"`
	Resolution int          `json:"resolution"`
	MaxRuns    int          `json:"max_runs"`
	Batch      int          `json:"batch"`
	Lines      []LineResult `json:"lines"`
	// Points and Simulations are what the search evaluated and ran;
	// GridPoints is the size of a grid of the same resolution over the
	// same lines, and GridSimulations its cost at MaxRuns per point.
	Points          int `json:"points"`
	Simulations     int `json:"simulations"`
	GridPoints      int `json:"grid_points"`
	GridSimulations int `json:"grid_simulations"`
	// CertifySimulations are the fresh runs spent certifying the box.
	CertifySimulations int `json:"certify_simulations"`
	// Box is the certified-safe box, nil when no line is safe anywhere
	// or the lines disagree on the direction of failure.
	Box *CertifiedBox `json:"certified_box,omitempty"`
	// Assumption states what the search and the certificate rely on.
	Assumption string `json:"assumption"`
}

// LineResult is the search along one line.
type LineResult struct {
	// Others are the other parameters' values on the line, as written.
	Others  []string `json:"others"`
	Outcome string   `json:"outcome"`
	// Safe and Unsafe are the neighbouring grid values that bracket the
	// boundary (written units); Estimate is their midpoint and HalfWidth
	// half their distance.
	Safe   float64 `json:"safe"`
	Unsafe float64 `json:"unsafe"`
	// SafeLabel and UnsafeLabel are Safe and Unsafe as written.
	SafeLabel   string  `json:"safe_label"`
	UnsafeLabel string  `json:"unsafe_label"`
	Estimate    float64 `json:"estimate"`
	HalfWidth   float64 `json:"half_width"`
	Points      int     `json:"points"`
	Runs        int     `json:"runs"`
}

// CertifiedBox is a box declared safe with an upper confidence bound on
// the failure probability at its edge on every line.
type CertifiedBox struct {
	Describe string  `json:"box"`
	Lo       float64 `json:"lo"`
	Hi       float64 `json:"hi"`
	// Bound is the largest of the lines' one-sided Clopper–Pearson upper
	// bounds at the box edge, each at confidence 1 − (1−Confidence)/lines,
	// so that all hold together at Confidence.
	Bound      float64 `json:"bound"`
	Confidence float64 `json:"confidence"`
	// RunsPerLine fresh runs (never used by the search) at the edge of
	// each line, FirstRun the index of the first, and Failures per line.
	RunsPerLine int   `json:"runs_per_line"`
	FirstRun    int   `json:"first_run"`
	Failures    []int `json:"failures"`
	// Tries is the certification attempt that produced the box.
	Tries     int    `json:"tries"`
	Statement string `json:"statement"`
}

// gridValue returns grid value i of r along a range, in written units.
func gridValue(rg design.Range, i, r int) float64 {
	f := float64(i) / float64(r-1)
	var v float64
	switch {
	case rg.Log:
		v = rg.Lo * math.Pow(rg.Hi/rg.Lo, f)
	default:
		v = rg.Lo + f*(rg.Hi-rg.Lo)
	}
	if i == r-1 {
		v = rg.Hi
	}
	if rg.Integer {
		v = math.Round(v)
	}
	return v
}

// certifyTries bounds the attempts at certifying a box.
const certifyTries = 4

type searchPoint struct {
	line, idx, id int
	values        scenario.DiscoverPoint
	state         boundary.Point
}

// boundarySearch bisects lines along the boundary parameter and certifies
// a safe box.
func (e *evaluator) boundarySearch(ctx context.Context) error {
	b := e.d.Boundary
	if len(e.res.Arms) > 1 {
		return fmt.Errorf("%s: a boundary search runs one policy at a time; remove compare: or run each arm's settings with --set", e.f.Path)
	}
	along := slices.Index(e.space.Names(), b.Along)
	rg := e.space[along]
	res := &BoundaryResult{Along: b.Along, P0: float64(b.MaxFailure), Confidence: e.d.ConfidenceLevel(),
		Resolution: b.Resolution, MaxRuns: b.MaxRuns, Batch: b.Batch}
	if res.Resolution == 0 {
		res.Resolution = 64
	}
	if rg.Integer {
		res.Resolution = min(res.Resolution, int(rg.Hi-rg.Lo)+1)
	}
	if res.MaxRuns == 0 {
		res.MaxRuns = 2000
	}
	if res.Batch == 0 {
		res.Batch = min(20, res.MaxRuns)
	}
	test := boundary.Test{P0: res.P0, Alpha: 1 - res.Confidence, Batch: res.Batch, MaxRuns: res.MaxRuns}
	if err := test.Check(); err != nil {
		return fmt.Errorf("%s: discover.boundary: %v", e.f.Path, err)
	}
	r := res.Resolution
	// Lines: scrambled Sobol points of the other parameters.
	var others []int
	for j := range e.space {
		if j != along {
			others = append(others, j)
		}
	}
	nLines := 1
	var lineAt [][]float64
	if len(others) > 0 {
		nLines = b.Lines
		if nLines == 0 {
			nLines = 8
		}
		us, err := design.SobolPoints(nLines, len(others), design.RNG(e.res.DesignSeed))
		if err != nil {
			return err
		}
		lineAt = us
	}
	pointAt := func(line, idx int) scenario.DiscoverPoint {
		p := make(scenario.DiscoverPoint, len(e.space))
		for k, j := range others {
			p[j] = e.space[j].Map(lineAt[line][k])
		}
		p[along] = gridValue(rg, idx, r)
		return p
	}
	lines := make([]*boundary.Line, nLines)
	for k := range lines {
		lines[k] = boundary.NewLine(r)
	}
	res.GridPoints = r * nLines
	res.GridSimulations = res.GridPoints * res.MaxRuns
	e.total = res.GridPoints * test.MinSafeRuns() / 4 // a rough scale for the progress bar
	points := map[[2]int]*searchPoint{}
	var order []*searchPoint
	for {
		var pending []*searchPoint
		for l, line := range lines {
			for {
				idx, ok := line.Next()
				if !ok {
					break
				}
				p := points[[2]int{l, idx}]
				if p == nil {
					p = &searchPoint{line: l, idx: idx, id: len(order), values: pointAt(l, idx)}
					points[[2]int{l, idx}] = p
					order = append(order, p)
				}
				if p.state.NextRuns(test) > 0 {
					pending = append(pending, p)
					break
				}
				line.Record(idx, p.state.Verdict)
			}
		}
		if len(pending) == 0 {
			break
		}
		// Points at the same run count go together; their next runs are
		// numbered from that count, so no run is repeated (common random
		// numbers: run k is the same path at every point).
		slices.SortStableFunc(pending, func(a, b *searchPoint) int { return a.state.Runs - b.state.Runs })
		for start := 0; start < len(pending); {
			end := start
			for end < len(pending) && pending[end].state.Runs == pending[start].state.Runs {
				end++
			}
			group := pending[start:end]
			n := group[0].state.NextRuns(test)
			pts := make([]scenario.DiscoverPoint, len(group))
			ids := make([]int, len(group))
			for k, p := range group {
				pts[k], ids[k] = p.values, p.id
			}
			_, fails, _, err := e.evalBatch(ctx, pts, ids, group[0].state.Runs, n)
			if err != nil {
				return err
			}
			for k, p := range group {
				p.state.Add(test, fails[k], n)
			}
			start = end
		}
	}
	res.Points = len(order)
	res.Simulations = e.res.Simulations
	for _, p := range order {
		pr := PointResult{Point: p.id, Values: p.values, Runs: p.state.Runs, Fails: p.state.Fails, Safe: p.state.Verdict == boundary.Safe}
		for j, v := range p.values {
			pr.Labels = append(pr.Labels, e.d.Parameters[j].Value.Label(v))
		}
		e.res.Points = append(e.res.Points, pr)
	}
	label := func(j int, v float64) string { return e.d.Parameters[j].Value.Label(v) }
	// Lines' brackets and the direction of failure.
	inc, dec := 0, 0
	edge := -1 // the box's edge index along the line
	allUnsafe := false
	for l, line := range lines {
		o, s, u := line.Result()
		lr := LineResult{Outcome: o.String(), Points: line.Evaluated()}
		for k, j := range others {
			lr.Others = append(lr.Others, e.space.Names()[j]+"="+e.d.Parameters[j].Value.Short(e.space[j].Map(lineAt[l][k])))
		}
		for idx := range line.Verdicts() {
			lr.Runs += points[[2]int{l, idx}].state.Runs
		}
		switch o {
		case boundary.Crossing:
			lr.Safe, lr.Unsafe = gridValue(rg, s, r), gridValue(rg, u, r)
			lr.SafeLabel, lr.UnsafeLabel = e.d.Parameters[along].Value.Short(lr.Safe), e.d.Parameters[along].Value.Short(lr.Unsafe)
			lr.Estimate, lr.HalfWidth = (lr.Safe+lr.Unsafe)/2, math.Abs(lr.Unsafe-lr.Safe)/2
			if line.Increasing() {
				inc++
				if edge < 0 || s < edge {
					edge = s
				}
			} else {
				dec++
				if s > edge {
					edge = s
				}
			}
		case boundary.AllUnsafe:
			allUnsafe = true
		}
		res.Lines = append(res.Lines, lr)
	}
	res.Increasing = dec == 0
	where := fmt.Sprintf("the %d sampled lines and %d grid values", nLines, r)
	if len(others) == 0 {
		where = fmt.Sprintf("the %d grid values", r)
	}
	res.Assumption = fmt.Sprintf("the probability of failing %q is monotone along %s on each line (it rises toward the unsafe end); "+
		"each verdict is a Clopper–Pearson test at %.3g%% confidence with the error split over %d looks; the map holds at %s, not between them",
		e.d.Safe, b.Along, 100*res.Confidence, test.Looks(), where)
	e.res.Boundary = res
	switch {
	case allUnsafe || inc > 0 && dec > 0:
		return nil
	case inc+dec == 0: // every line safe end to end
		edge = r - 1
	}
	// Certify: fresh runs at the box edge of every line. If the bound does
	// not fall below p0, the edge moves an eighth of the way toward the safe end and the
	// box is certified again with fresh runs, at most certifyTries times;
	// the error is split over lines and tries.
	safeEnd := 0
	if dec > 0 {
		safeEnd = r - 1
	}
	conf := 1 - (1-res.Confidence)/float64(nLines*certifyTries)
	var box *CertifiedBox
	for try := range certifyTries {
		lo, hi := gridValue(rg, 0, r), gridValue(rg, edge, r)
		if dec > 0 {
			lo, hi = gridValue(rg, edge, r), gridValue(rg, r-1, r)
		}
		box = &CertifiedBox{Lo: lo, Hi: hi, Confidence: res.Confidence, RunsPerLine: res.MaxRuns, FirstRun: res.MaxRuns * (1 + try), Tries: try + 1}
		box.Describe = fmt.Sprintf("%s in [%s, %s]", b.Along, label(along, lo), label(along, hi))
		if len(others) > 0 {
			box.Describe += fmt.Sprintf(" on the %d sampled lines of %v", nLines, namesOf(e.space, others))
		}
		pts := make([]scenario.DiscoverPoint, nLines)
		ids := make([]int, nLines)
		for l := range lines {
			pts[l], ids[l] = pointAt(l, edge), len(order)+try*nLines+l
		}
		_, fails, _, err := e.evalBatch(ctx, pts, ids, box.FirstRun, box.RunsPerLine)
		if err != nil {
			return err
		}
		for l := range lines {
			box.Failures = append(box.Failures, fails[l])
			box.Bound = max(box.Bound, boundary.UpperBound(fails[l], box.RunsPerLine, conf))
			pr := PointResult{Point: ids[l], Values: pts[l], Runs: box.RunsPerLine, Fails: fails[l]}
			for j, v := range pts[l] {
				pr.Labels = append(pr.Labels, label(j, v))
			}
			e.res.Points = append(e.res.Points, pr)
		}
		if box.Bound < res.P0 || edge == safeEnd {
			break
		}
		// Step an eighth of the way (at least one grid value) inward.
		step := max(1, abs(edge-safeEnd)/8)
		if dec > 0 {
			edge += step
		} else {
			edge -= step
		}
	}
	res.CertifySimulations = e.res.Simulations - res.Simulations
	onLines := " on every sampled line"
	if len(others) == 0 {
		onLines = ""
	}
	box.Statement = fmt.Sprintf("P(fail %s) ≤ %.3g at every grid value of the box%s, with %.3g%% confidence, "+
		"from %d fresh runs at the box edge of each line (attempt %d of at most %d) and the monotonicity assumption (the edge is each line's worst point in the box)",
		e.d.Safe, box.Bound, onLines, 100*res.Confidence, box.RunsPerLine, box.Tries, certifyTries)
	res.Box = box
	return nil
}

func namesOf(s design.Space, idx []int) []string {
	out := make([]string, len(idx))
	for k, j := range idx {
		out[k] = s[j].Name
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
