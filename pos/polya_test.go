package pos

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPolyaUrn is the acceptance test of proportional rewards
// (testdata/pos_polya_exact.md): total stake A0, one agent
// with a (share p = a/A0); each block one proposer is drawn with
// probability equal to its current stake share and receives R, compounded
// (commission 0, no slashing). Then exactly
//
//	E[share_n]   = p
//	Var[share_n] = p(1−p)·nR² / ((A0 + nR)(A0 + R)).
//
// The draw is exact: u uniform on [0, A_t) and the agent proposes iff
// u < a_t, so its probability is a_t/A_t with no rounding. With N runs the
// mean must be within 4 standard errors (s/√N) of p. The sample variance
// must be within 5% of the formula and, since that alone says nothing
// about the estimator's precision, also within 4 of its standard errors,
// √((m4 − s⁴)/N) from the sample fourth central moment. At N = 40,000 the
// relative standard error of the variance is about 0.8%, so 5% is about
// six of them: the test can detect a wrong variance, not just pass.
func TestPolyaUrn(t *testing.T) {
	const (
		runs = 40_000
		n    = 200           // blocks per run
		R    = uint64(1e9)   // 1 ETH per block, in Gwei
		A0   = uint64(100e9) // 100 ETH bonded
		a    = uint64(30e9)  // the agent's 30 ETH
		p    = 0.3           // a/A0
		seed = 20240601
	)
	wantVar := p * (1 - p) * n * float64(R) * float64(R) / ((float64(A0) + n*float64(R)) * (float64(A0) + float64(R)))
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	cfg := Config{EpochsPerYear: 1, Eth: EthRules{EffectiveBalanceIncrement: 1, HysteresisQuotient: 1}}
	shares := make([]float64, runs)
	for run := range shares {
		c, err := New(cfg, []uint64{a, A0 - a})
		if err != nil {
			t.Fatal(err)
		}
		agent := mustValidator(t, c, 0, a)
		rest := mustValidator(t, c, 1, A0-a)
		for range n {
			x, _ := c.Validator(agent)
			winner := rest
			if rng.Uint64N(c.Bonded()) < x.Tokens {
				winner = agent
			}
			if err := c.Reward(winner, R); err != nil {
				t.Fatal(err)
			}
		}
		x, _ := c.Validator(agent)
		if c.Bonded() != A0+n*R {
			t.Fatalf("run %d: bonded %d, want %d", run, c.Bonded(), A0+n*R)
		}
		shares[run] = float64(x.Tokens) / float64(c.Bonded())
		if run%1000 == 0 {
			if err := c.Check(); err != nil {
				t.Fatal(err)
			}
		}
	}
	var mean float64
	for _, s := range shares {
		mean += s
	}
	mean /= runs
	var m2, m4 float64
	for _, s := range shares {
		d := (s - mean) * (s - mean)
		m2 += d
		m4 += d * d
	}
	variance := m2 / (runs - 1)
	m4 /= runs
	seMean := math.Sqrt(variance / runs)
	seVar := math.Sqrt((m4 - variance*variance) / runs)
	t.Logf("mean %.6f (p %.6f, %.2f SE); variance %.6g (exact %.6g, %+.2f%%, %.2f SE)",
		mean, p, (mean-p)/seMean, variance, wantVar, 100*(variance/wantVar-1), (variance-wantVar)/seVar)
	if math.Abs(mean-p) > 4*seMean {
		t.Errorf("mean share %.6f differs from %.6f by more than 4 SE (%.2g)", mean, p, seMean)
	}
	if math.Abs(variance-wantVar) > 0.05*wantVar {
		t.Errorf("variance %.6g differs from %.6g by more than 5%%", variance, wantVar)
	}
	if math.Abs(variance-wantVar) > 4*seVar {
		t.Errorf("variance %.6g differs from %.6g by more than 4 SE (%.2g)", variance, wantVar, seVar)
	}
}
