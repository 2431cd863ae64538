package protocol_test

import (
	"math/big"
	"testing"

	"github.com/cascade-risk/cascade/pos"
	"github.com/cascade-risk/cascade/protocol/stakingtest"
)

// A genesis whose requests exceed the float asks for a second one, which
// pays every request x ⌊x·F/D⌋ (F the float, D the requests' sum): the
// shares of the agents' wealth stay those of their requests, the total
// fits and the run steps with its accounting intact. Requests that fit
// are paid exactly and ask for nothing.
func TestStakingGenesisScaled(t *testing.T) {
	for _, tc := range []struct {
		name     string
		requests []uint64
		scaled   bool
	}{
		{"fits", []uint64{stakingtest.Tokens(4e6), stakingtest.Tokens(5e6), 1, stakingtest.Tokens(995e3)}, false},
		{"exactly the float", []uint64{stakingtest.Tokens(4e6), stakingtest.Tokens(5e6), stakingtest.Tokens(996e3)}, false},
		{"one unit over", []uint64{stakingtest.Tokens(4e6), stakingtest.Tokens(5e6), stakingtest.Tokens(996e3) + 1}, true},
		{"over at the first", []uint64{stakingtest.Tokens(2e7), 7, stakingtest.Tokens(3e5)}, true},
		{"pareto-like", []uint64{stakingtest.Tokens(6e6), stakingtest.Tokens(3e6), stakingtest.Tokens(1.5e6), 123456789, 1}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, s := stakingtest.Market(t, 1000, nil)
			float := s.Chain().Liquid(s.Public()) // 1e7 − 1000 (pool) − 3000 (LP stake) tokens
			endow := func() []pos.AccountID {
				var accts []pos.AccountID
				for _, x := range tc.requests {
					a, err := s.Endow(x)
					if err != nil {
						t.Fatal(err)
					}
					accts = append(accts, a)
				}
				return accts
			}
			accts := endow()
			if got := s.Regenesis(); got != tc.scaled {
				t.Fatalf("Regenesis = %v, want %v", got, tc.scaled)
			}
			if tc.scaled {
				s.Reset(m)
				accts = endow()
				if s.Regenesis() {
					t.Fatal("the scaled genesis asks again")
				}
			}
			var asked big.Int
			for _, x := range tc.requests {
				asked.Add(&asked, new(big.Int).SetUint64(x))
			}
			var paid uint64
			for k, x := range tc.requests {
				want := x
				if tc.scaled {
					q := new(big.Int).Mul(new(big.Int).SetUint64(x), new(big.Int).SetUint64(float))
					want = q.Quo(q, &asked).Uint64()
				}
				if got := s.Chain().Liquid(accts[k]); got != want || s.Endowment(x) != want {
					t.Errorf("request %d: paid %d (Endowment %d), want %d", x, got, s.Endowment(x), want)
				}
				paid += want
			}
			if paid > float {
				t.Errorf("paid %d from a float of %d", paid, float)
			}
			wantScale := 1.0
			if tc.scaled {
				wantScale = float64(float) / float64(asked.Uint64())
			}
			if g := s.GenesisScale(); g != wantScale {
				t.Errorf("GenesisScale = %v, want %v", g, wantScale)
			}
			dst := make([]float64, len(s.Metrics()))
			s.Observe(m, dst)
			if dst[len(dst)-1] != wantScale {
				t.Errorf("genesis_scale observed %v, want %v", dst[len(dst)-1], wantScale)
			}
			stakingtest.Run(t, m, s, 3)
			// The next run starts unscaled.
			s.Reset(m)
			if s.GenesisScale() != 1 {
				t.Error("the scale carried over to the next run")
			}
		})
	}
}
