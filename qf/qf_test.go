package qf

import (
	"math"
	"math/rand/v2"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*max(1, math.Abs(b)) }

// round gives the hand-computed round: project A receives 1, 4 and 9 from
// three donors, (1+2+3)² − 14 = 22; B receives 16 from one, 16 − 16 = 0;
// C receives 4 and 4 from two, (2+2)² − 8 = 8. Donor scores are 10 but
// the 9 to A comes from a donor scored 5.
func round(t *testing.T, c Config) (*Program, [3]int) {
	t.Helper()
	p, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	a, b, cc := p.AddProject(), p.AddProject(), p.AddProject()
	for _, g := range []struct {
		score   float64
		project int
		amount  float64
	}{{10, a, 1}, {10, a, 4}, {5, a, 9}, {10, b, 16}, {10, cc, 4}, {10, cc, 4}} {
		if err := p.Give(p.AddDonor(g.score), g.project, g.amount); err != nil {
			t.Fatal(err)
		}
	}
	return p, [3]int{a, b, cc}
}

func TestHandComputedRound(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want [3]float64
		rem  float64
		capd int
	}{
		// Ideals 22, 0, 8 of a pool of 15: 11, 0, 4.
		{"pool 15", Config{Pool: 15}, [3]float64{11, 0, 4}, 0, 0},
		// The pool is split in full: 300 × 22/30 and 300 × 8/30.
		{"pool 300", Config{Pool: 300}, [3]float64{220, 0, 80}, 0, 0},
		// Cap 60% (9): A is held at 9 and its excess 2 goes to C.
		{"cap 60%", Config{Pool: 15, Cap: 0.6}, [3]float64{9, 0, 6}, 0, 1},
		// Cap 40% (6): A and C both capped; 3 of 15 is left over.
		{"cap 40%", Config{Pool: 15, Cap: 0.4}, [3]float64{6, 0, 6}, 3, 2},
		// Threshold 8 drops the 9 from the score-5 donor: A's ideal is
		// (1+2)² − 5 = 4 against C's 8: 5 and 10.
		{"threshold", Config{Pool: 15, Threshold: 8}, [3]float64{5, 0, 10}, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, id := round(t, tc.cfg)
			for k := range id {
				if got := p.MatchIf(id[k], nil); !near(got, tc.want[k]) {
					t.Errorf("MatchIf(%d) = %v, want %v", k, got, tc.want[k])
				}
			}
			r := p.Close()
			for k := range id {
				if !near(r.Match[id[k]], tc.want[k]) {
					t.Errorf("project %d matched %v, want %v", k, r.Match[id[k]], tc.want[k])
				}
			}
			if !near(r.Remainder, tc.rem) || r.Capped != tc.capd {
				t.Errorf("remainder %v capped %d, want %v %d", r.Remainder, r.Capped, tc.rem, tc.capd)
			}
			if err := p.Check(); err != nil {
				t.Fatal(err)
			}
			if !near(p.Donated, 38) {
				t.Errorf("donated %v, want 38", p.Donated)
			}
		})
	}
}

// A donor's several gifts to one project count as one: 1 then 3 from the
// same donor is a single 4, whose match is zero.
func TestGiftsAggregatePerDonor(t *testing.T) {
	p, _ := New(Config{Pool: 100})
	a, b := p.AddProject(), p.AddProject()
	d, e := p.AddDonor(1), p.AddDonor(1)
	_ = p.Give(d, a, 1)
	_ = p.Give(d, a, 3)
	_ = p.Give(d, b, 1)
	_ = p.Give(e, b, 1)
	r := p.Close()
	if r.Match[a] != 0 || !near(r.Match[b], 100) {
		t.Fatalf("matches %v, want [0 100]", r.Match)
	}
}

// Sybils: a budget B split across n identities raises a lone project's
// ideal from 0 to (n−1)·B, exactly what MatchIf predicts and Close pays.
func TestSybilSplit(t *testing.T) {
	for _, n := range []int{1, 2, 5, 20} {
		p, _ := New(Config{Pool: 1e6})
		honest, sybil := p.AddProject(), p.AddProject()
		for range 10 {
			_ = p.Give(p.AddDonor(1), honest, 100) // ideal (10·10)² − 1000 = 9000
		}
		B := 1000.0
		extra := make([]float64, n)
		for k := range extra {
			extra[k] = B / float64(n)
		}
		want := 1e6 * float64(n-1) * B / (9000 + float64(n-1)*B)
		if got := p.MatchIf(sybil, extra); !near(got, want) {
			t.Fatalf("n=%d: MatchIf %v, want %v", n, got, want)
		}
		for _, x := range extra {
			_ = p.Give(p.AddDonor(1), sybil, x)
		}
		if got := p.Close().Match[sybil]; !near(got, want) {
			t.Fatalf("n=%d: paid %v, want %v", n, got, want)
		}
	}
}

// Eligibility by results: a project funded in round 1 that shows no
// results is excluded at round 2's close and suspended; one that reports
// keeps its match.
func TestResultsRule(t *testing.T) {
	for _, suspend := range []int{0, 1} {
		p, _ := New(Config{Pool: 10, Results: true, Suspend: suspend})
		good, bad := p.AddProject(), p.AddProject()
		give := func() {
			for _, pr := range []int{good, bad} {
				if !p.Eligible(pr) {
					continue
				}
				for range 2 {
					if err := p.Give(p.AddDonor(1), pr, 1); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		give()
		if r := p.Close(); r.Match[good] != 5 || r.Match[bad] != 5 {
			t.Fatalf("round 1: %v", r.Match)
		}
		if !p.Owing(good) || !p.Owing(bad) {
			t.Fatal("funded projects do not owe results")
		}
		p.Report(good)
		give()
		r := p.Close()
		if r.Match[good] != 10 || r.Match[bad] != 0 || r.Excluded != 1 {
			t.Fatalf("round 2: %v, excluded %d", r.Match, r.Excluded)
		}
		if p.Eligible(bad) || p.Give(0, bad, 1) == nil {
			t.Fatal("an excluded project is eligible")
		}
		p.Report(good)
		p.Close() // round 3
		if got := p.Eligible(bad); got != (suspend == 1) {
			t.Fatalf("suspend %d: eligible in round 4 = %v", suspend, got)
		}
		if err := p.Check(); err != nil {
			t.Fatal(err)
		}
	}
}

// Split never pays more than the pool or more than the cap, pays the whole
// pool when some project is uncapped, and does not depend on order.
func TestSplitProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		n := 1 + rng.IntN(12)
		ideal := make([]float64, n)
		for k := range ideal {
			if rng.IntN(4) > 0 {
				ideal[k] = math.Exp(3 * rng.NormFloat64())
			}
		}
		pool, cap := 1+rng.Float64()*1000, []float64{0, 0.05, 0.2, 0.5, 1}[rng.IntN(5)]
		out := make([]float64, n)
		rem := Split(ideal, pool, cap, out)
		var sum float64
		for k, x := range out {
			sum += x
			if x < 0 || cap > 0 && x > cap*pool*(1+1e-12) || ideal[k] == 0 && x != 0 {
				t.Fatalf("ideal %v pool %v cap %v: %v", ideal, pool, cap, out)
			}
		}
		if !near(sum+rem, pool) || rem < -1e-9 {
			t.Fatalf("paid %v + remainder %v of pool %v", sum, rem, pool)
		}
		rev := make([]float64, n)
		idr := make([]float64, n)
		for k := range ideal {
			idr[n-1-k] = ideal[k]
		}
		Split(idr, pool, cap, rev)
		for k := range out {
			if !near(rev[n-1-k], out[k]) {
				t.Fatalf("order matters: %v vs %v", out, rev)
			}
		}
	}
}

func TestTopShare(t *testing.T) {
	p, _ := New(Config{Pool: 100})
	for range 10 {
		p.AddProject()
	}
	for k, v := range []float64{9, 1, 4} {
		for range 2 {
			_ = p.Give(p.AddDonor(1), k, v)
		}
	}
	p.Close() // ideals 2·9, 2·1, 2·4: 18, 2, 8 of 28
	if got, want := p.TopShare(0.1), 18.0/28; !near(got, want) {
		t.Fatalf("top 10%% share %v, want %v", got, want)
	}
}
