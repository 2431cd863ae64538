package pos_test

import (
	"fmt"

	"github.com/cascade-risk/cascade/pos"
)

// A small Ethereum-like chain: three validators, one epoch of issuance, a
// slashing, and the ledger's conservation check.
func Example() {
	cfg := pos.EthereumConfig(pos.Bellatrix)
	c, err := pos.New(cfg, []uint64{32e9, 32e9, 64e9, 10e9})
	if err != nil {
		fmt.Println(err)
		return
	}
	a, _ := c.AddValidator(0, 0, 32e9)
	b, _ := c.AddValidator(1, pos.One/10, 32e9) // 10% commission
	p, _ := c.AddValidator(2, 0, 64e9)
	_, _ = c.Delegate(b, 3, 10e9) // account 3 delegates 10 ETH to b

	rep, _ := c.ProcessEpoch(0, nil)
	fmt.Println("minted in epoch 0:", rep.Minted, "Gwei")

	s, _ := c.Slash(pos.EthSlashing, a, 0, p)
	fmt.Println("initial penalty:", s.FromBonded, "whistleblower reward:", s.Whistleblower)

	l := c.Ledger()
	fmt.Println("supply:", l.Supply(), "=", l.Initial, "+", l.Minted, "-", l.Burned())
	fmt.Println("check:", c.Check())
	// Output:
	// minted in epoch 0: 19829664 Gwei
	// initial penalty: 1000000000 whistleblower reward: 62500000
	// supply: 137082329664 = 138000000000 + 82329664 - 1000000000
	// check: <nil>
}

// The correlation penalty of a 32 ETH validator when 1% of all stake was
// slashed in the window, under Bellatrix and Electra rules.
func ExampleEthRules_CorrelationPenalty() {
	const total = 31_250_000e9 // Gwei
	for _, f := range []pos.Fork{pos.Bellatrix, pos.Electra} {
		r := pos.Mainnet(f)
		fmt.Println(f, r.CorrelationPenalty(32e9, total/100, total))
	}
	// Output:
	// bellatrix 0
	// electra 960000000
}

func ExampleGini() {
	fmt.Println(pos.Gini([]uint64{1, 2, 3, 4}))
	fmt.Println(pos.Gini([]uint64{0, 0, 0, 100}))
	// Output:
	// 0.25
	// 0.75
}
