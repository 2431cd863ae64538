package pos

import (
	"math/rand/v2"
	"testing"
)

// benchChain returns a chain of 1,000 validators of 32 ETH, each with a
// second delegator, ready for epoch processing.
func benchChain(b *testing.B, cfg Config) *Chain {
	b.Helper()
	const n = 1000
	balances := make([]uint64, 2*n)
	for i := range balances {
		balances[i] = 64e9
	}
	c, err := New(cfg, balances)
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		v, err := c.AddValidator(AccountID(i), One/20, 24e9)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Delegate(v, AccountID(n+i), 8e9); err != nil {
			b.Fatal(err)
		}
	}
	return c
}

// benchEpochs is how many epochs a benchmark processes on one chain.
const benchEpochs = 4096

func BenchmarkProcessEpoch1000(b *testing.B) {
	eth := EthereumConfig(Electra)
	payout := EthereumConfig(Electra)
	payout.Payout = true
	fixed := CosmosConfig()
	fixed.Issuance = Issuance{Model: FixedRate, Rate: One / 20}
	for _, bc := range []struct {
		name string
		cfg  Config
	}{
		{"eth", eth},
		{"eth-payout", payout},
		{"cosmos", CosmosConfig()},
		{"fixed-rate", fixed},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := benchChain(b, bc.cfg)
			offline := []ValidatorID{3, 77, 500}
			b.ReportAllocs()
			for i := 1; b.Loop(); i++ {
				// Issuance compounds: a chain run for a few hundred
				// thousand epochs outgrows uint64, so the benchmark
				// starts again from a fresh chain every benchEpochs.
				if i%benchEpochs == 0 {
					b.StopTimer()
					c = benchChain(b, bc.cfg)
					b.StartTimer()
				}
				if _, err := c.ProcessEpoch(c.Epoch(), offline); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkReward(b *testing.B) {
	c := benchChain(b, EthereumConfig(Electra))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := c.Reward(ValidatorID(i%1000), 1e7); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkCheck1000(b *testing.B) {
	c := benchChain(b, EthereumConfig(Electra))
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Check(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckSmall checks a chain of pos_small's size: 537 accounts,
// 211 validators whose operators are accounts in random order, and ten
// more delegations, so the index entries Check looks up are scattered as
// in a run (BenchmarkCheck1000 meets them in account order).
func BenchmarkCheckSmall(b *testing.B) {
	const accts, vals = 537, 211
	balances := make([]uint64, accts)
	for i := range balances {
		balances[i] = 64e9
	}
	c, err := New(CosmosConfig(), balances)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	perm := rng.Perm(accts)
	for i := range vals {
		if _, err := c.AddValidator(AccountID(perm[i]), One/20, 24e9); err != nil {
			b.Fatal(err)
		}
	}
	for range 10 {
		if _, err := c.Delegate(ValidatorID(rng.IntN(vals)), AccountID(perm[vals+rng.IntN(accts-vals)]), 1e9); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		if err := c.Check(); err != nil {
			b.Fatal(err)
		}
	}
}
