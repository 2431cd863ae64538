package report

import (
	"encoding/json"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cascade-risk/cascade/experiment"
)

// Sweep axes are numeric: values sit at their own positions, cells reach
// halfway to their neighbours, and log-spaced values get a log axis.
func TestGridAxis(t *testing.T) {
	for _, tt := range []struct {
		name   string
		values []float64
		log    bool
		edges  []float64
	}{
		{"linear", []float64{2, 5, 8}, false, []float64{0.5, 3.5, 6.5, 9.5}},
		{"uneven linear", []float64{2, 5, 15, 30}, true, nil}, // gaps 3, 10, 15: more even in log
		{"fees", []float64{0.0005, 0.003, 0.01}, true, nil},
		{"one value", []float64{3}, false, []float64{1.5, 4.5}},
		{"collateral", []float64{1.25, 1.5, 2, 3}, true, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			labels := make([]string, len(tt.values))
			a := newGridAxis("p", tt.values, labels)
			if a.log != tt.log {
				t.Fatalf("log = %v, want %v", a.log, tt.log)
			}
			if len(a.edges) != len(tt.values)+1 || len(a.centers) != len(tt.values) {
				t.Fatalf("%d edges and %d centres for %d values", len(a.edges), len(a.centers), len(tt.values))
			}
			for i, v := range tt.values {
				if !(a.edges[i] < v && v < a.edges[i+1]) {
					t.Errorf("value %g outside its cell [%g, %g]", v, a.edges[i], a.edges[i+1])
				}
				if i > 0 {
					// The shared edge is halfway between neighbours in the
					// scale's space.
					mid := (a.toScale(tt.values[i-1]) + a.toScale(v)) / 2
					if math.Abs(a.toScale(a.edges[i])-mid) > 1e-12 {
						t.Errorf("edge %d at %g, want halfway", i, a.edges[i])
					}
				}
			}
			for i, e := range tt.edges {
				if math.Abs(a.edges[i]-e) > 1e-12 {
					t.Errorf("edge %d = %g, want %g", i, a.edges[i], e)
				}
			}
		})
	}
}

// A boundary runs between neighbouring cells whose verdicts differ, and
// only cells with an uncertain verdict are hatched.
func TestMapGeometry(t *testing.T) {
	x := newGridAxis("x", []float64{1, 2, 3}, []string{"1", "2", "3"})
	y := newGridAxis("y", []float64{10, 20}, []string{"10", "20"})
	p := newMapPanel("", 3, 2)
	yes, no, unsure := verdict{in: true, sure: true, known: true}, verdict{sure: true, known: true}, verdict{in: true, known: true}
	// y=10: yes yes no; y=20: yes unsure no
	p.in = [][]verdict{{yes, yes, no}, {yes, unsure, no}}
	mapGeometry(&p, &x, &y)
	want := []segment{
		{2.5, 5, 2.5, 15},  // between (2,10) in and (3,10) out
		{2.5, 15, 2.5, 25}, // between (2,20) in and (3,20) out
	}
	if len(p.bounds) != len(want) {
		t.Fatalf("bounds %v, want %v", p.bounds, want)
	}
	for i, s := range want {
		if p.bounds[i] != s {
			t.Errorf("bound %d = %v, want %v", i, p.bounds[i], s)
		}
	}
	if len(p.hatch) == 0 {
		t.Fatal("the uncertain cell is not hatched")
	}
	for _, s := range p.hatch {
		for _, pt := range [][2]float64{{s.x0, s.y0}, {s.x1, s.y1}} {
			if pt[0] < 1.5-1e-9 || pt[0] > 2.5+1e-9 || pt[1] < 15-1e-9 || pt[1] > 25+1e-9 {
				t.Errorf("hatch line %v leaves the uncertain cell", s)
			}
		}
	}
}

// On a fee × volatility sweep with a region on lp.lp_hodl's mean, the
// answer opens with the region's map; the mean's heat map diverges around
// the region's bound (a domain symmetric about 1), draws the boundary
// between cells on either side of it, and hatches exactly the cells whose
// interval straddles it.
func TestHeatMapsDrawRegions(t *testing.T) {
	src := grid + `
regions:
  lp_wins:
    - {metric: lp.lp_hodl, above: 1}
  lp_wins_bad_years:
    - {metric: lp.lp_hodl, stat: p5, above: 0.97}
`
	r, err := New(writeResults(t, src, experiment.Options{}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var region, mean, p5 *figure
	for _, f := range r.figures() {
		switch {
		case strings.HasSuffix(f.id, "region-lp_wins"):
			region = f
		case strings.HasSuffix(f.id, "heat-mean-lp.lp_hodl"):
			mean = f
		case strings.HasSuffix(f.id, "heat-p5-lp.lp_hodl"):
			p5 = f
		}
	}
	if region == nil || mean == nil || p5 == nil {
		t.Fatalf("missing figures: region %v, mean map %v, p5 map %v", region != nil, mean != nil, p5 != nil)
	}
	if !containsFigure(r.sections[0], region) {
		t.Error("the region map is not in the answer section")
	}
	h := mean.heat
	if h.thr == nil || h.thr.value != 1 || h.thr.cond == nil {
		t.Fatalf("mean map threshold %+v, want the region's bound 1", h.thr)
	}
	p := h.panels[0]
	for iy := range p.z {
		for ix, z := range p.z[iy] {
			straddles := p.lo[iy][ix] <= 1 && 1 <= p.hi[iy][ix]
			if got := p.in[iy][ix]; got.in != (z > 1) || got.sure == straddles {
				t.Errorf("cell (%d, %d): mean %g [%g, %g], verdict %+v", ix, iy, z, p.lo[iy][ix], p.hi[iy][ix], got)
			}
		}
	}
	var spec struct {
		Layer []struct {
			Encoding struct {
				Color struct {
					Scale struct {
						Domain []float64 `json:"domain"`
					} `json:"scale"`
				} `json:"color"`
			} `json:"encoding"`
		} `json:"layer"`
	}
	b, err := vegaSpec(mean)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	d := spec.Layer[0].Encoding.Color.Scale.Domain
	if len(d) != 2 || math.Abs((d[0]+d[1])/2-1) > 1e-5 {
		t.Errorf("colour domain %v is not centred on 1", d)
	}
	if p5.heat.thr == nil || p5.heat.thr.value != 0.97 || p5.heat.thr.cond == nil {
		t.Errorf("p5 map threshold %+v, want 0.97", p5.heat.thr)
	}
	// The threshold table counts, per cell, the runs on the failing side of
	// each region bound, with exact intervals.
	var tt *table
	for _, b := range r.sections[r.sectionIndex("tails")].blocks {
		if t, ok := b.(*table); ok && strings.HasPrefix(t.caption, "Share of runs beyond each threshold") {
			tt = t
		}
	}
	if tt == nil {
		t.Fatal("no threshold table")
	}
	if want := []string{"sweep cell", "lp.lp_hodl < 1", "lp.lp_hodl < 0.97"}; !slices.Equal(tt.header, want) {
		t.Errorf("threshold table header %q, want %q", tt.header, want)
	}
	g := r.groups[0]
	var below int
	for _, v := range g.values[r.headline] {
		if v < 1 {
			below++
		}
	}
	if got, want := tt.rows[0][1].text, formatPercent(float64(below)/float64(len(g.values[r.headline]))); got != want || tt.rows[0][1].sub == "" {
		t.Errorf("share below 1 in %s: %s %s, want %s with an interval", g.label(), got, tt.rows[0][1].sub, want)
	}
	// The Markdown version draws the same maps.
	if err := r.WriteMarkdown(filepath.Join(t.TempDir(), "r.md")); err != nil {
		t.Fatal(err)
	}
}

func containsFigure(s *section, f *figure) bool {
	for _, b := range s.blocks {
		if b == f {
			return true
		}
	}
	return false
}

// checkFigures fails unless every figure of r draws something in every
// panel, and its legend lists exactly the series it draws: no series drawn
// without a legend entry, no legend entry with nothing drawn.
func checkFigures(t *testing.T, r *Report) {
	t.Helper()
	for _, f := range r.figures() {
		drawn := map[string]bool{}
		panels := map[string]bool{}
		add := func(facet, series string, n int) {
			if n > 0 {
				drawn[series], panels[facet] = true, true
			}
		}
		switch f.kind {
		case figFan:
			for _, s := range f.fan {
				add(s.facet, s.series, len(s.t))
			}
		case figHist:
			for _, b := range f.hist.bars {
				x, _ := histSteps(b.edges, b.pct)
				add(b.facet, b.series, len(x))
			}
		case figECDF:
			for _, s := range f.ecdf {
				add(s.facet, s.series, len(s.x))
			}
		case figSweepLine:
			for _, l := range f.sweep.lines {
				add("", l.series, len(l.y))
			}
		case figForest:
			for _, p := range f.forest.points {
				add(p.facet, p.series, 1)
			}
		case figPoints:
			if len(f.points.points) == 0 {
				t.Errorf("%s: no points drawn", f.id)
			}
			continue
		case figHeat:
			for _, p := range f.heat.panels {
				for _, zs := range p.z {
					for _, z := range zs {
						if !math.IsNaN(z) {
							panels[p.facet] = true
						}
					}
				}
			}
			continue
		}
		for s := range drawn {
			if !slices.Contains(f.series, s) {
				t.Errorf("%s draws series %q, which its legend does not list (%q)", f.id, s, f.series)
			}
		}
		for _, s := range f.series {
			if !drawn[s] {
				t.Errorf("%s lists %q in its legend but draws nothing for it", f.id, s)
			}
		}
		if f.kind == figSweepLine {
			continue
		}
		want := f.facets
		if len(want) == 0 {
			want = []string{""}
		}
		for _, facet := range want {
			if !panels[facet] {
				t.Errorf("%s: panel %q is empty", f.id, facet)
			}
		}
	}
}

// Reports of a policy comparison over a sweep and of a grid draw no empty
// panel, and their legends list exactly what the charts draw.
func TestFiguresMatchLegends(t *testing.T) {
	for _, src := range []string{compareSweep, grid} {
		r, err := New(writeResults(t, src, experiment.Options{Runs: 40}), Options{})
		if err != nil {
			t.Fatal(err)
		}
		checkFigures(t, r)
	}
}

// sectionIndex returns the index of the section with id, or -1.
func (r *Report) sectionIndex(id string) int {
	for i, s := range r.sections {
		if s.id == id {
			return i
		}
	}
	return -1
}

// A point mass is drawn: on lending_cascade every shallow-DEX run is
// insolvent and no deep-DEX run is, and each arm's ECDF rises from 0 to 1
// at its value and runs on as a level line, not an invisible single point.
func TestPointMassECDF(t *testing.T) {
	if testing.Short() {
		t.Skip("runs lending_cascade")
	}
	r, err := New(writeExample(t, "lending_cascade", 20), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.figures() {
		if !strings.HasSuffix(f.id, "ecdf-lend.insolvent") {
			continue
		}
		want := map[string]float64{"shallow": 1, "deep": 0}
		for _, s := range f.ecdf {
			v, ok := want[s.series]
			if !ok {
				t.Fatalf("unexpected series %q", s.series)
			}
			delete(want, s.series)
			if len(s.x) < 2 || s.x[0] != v || s.f[0] != 0 || s.x[1] != v || s.f[1] != 1 {
				t.Errorf("%s: ECDF %v %v does not step from 0 to 1 at %g", s.series, s.x, s.f, v)
			}
		}
		for _, s := range f.ecdf {
			if s.series == "deep" && (s.x[len(s.x)-1] <= 0 || s.f[len(s.f)-1] != 1) {
				t.Errorf("deep: ECDF %v %v has no level line after its step", s.x, s.f)
			}
		}
		if len(want) > 0 {
			t.Errorf("series missing: %v", want)
		}
		return
	}
	t.Fatal("no ECDF of lend.insolvent")
}

// Faceted maps share the page's width: side by side while each keeps three
// quarters of its natural width, never wider than the page; long x titles
// lose leading path segments to fit a facet.
func TestMapLayout(t *testing.T) {
	for _, tc := range []struct {
		facets, w, h, cols int
	}{
		{4, 308, 224, 4}, // pos_study: four arms of a 4×4 map in one row
		{2, 308, 224, 2},
		{8, 308, 224, 4}, // two rows of four
		{1, 308, 224, 1},
		{4, 560, 224, 2}, // a wide map: two a row
		{3, 200, 100, 3},
	} {
		cols, fw, fh := mapLayout(tc.facets, tc.w, tc.h)
		if cols != tc.cols {
			t.Errorf("%d facets of %d px: %d columns, want %d", tc.facets, tc.w, cols, tc.cols)
		}
		if used := yAxisWidth + cols*fw + (cols-1)*facetGap; used > pageWidth || fw < min(tc.w*3/4, 480) && cols > 1 {
			t.Errorf("%d facets of %d px: %d columns of %d px use %d of %d", tc.facets, tc.w, cols, fw, used, pageWidth)
		}
		if fh < 120 || fh > 320 {
			t.Errorf("%d facets: height %d", tc.facets, fh)
		}
	}
	if got := fitTitle("mechanisms.chain.loans.collateral_ratio", 238); got != "chain.loans.collateral_ratio" {
		t.Errorf("fitTitle: %q", got)
	}
	if got := fitTitle("fee", 10); got != "fee" {
		t.Errorf("fitTitle keeps the last segment: %q", got)
	}
}
