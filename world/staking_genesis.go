package world

import (
	"math"
	"math/bits"

	"github.com/cascade-risk/cascade/agent"
	"github.com/cascade-risk/cascade/protocol"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/unit"
)

// A staking chain's agents are endowed at genesis from the float its
// supply leaves after the pool's native reserve and its liquidity
// provider's stake (protocol.StakingConfig.GenesisFloat). Draws that ask
// for more in a run are scaled down to fit (protocol.Staking's Genesis
// section, metric genesis_scale); what every run asks at the least — each
// group's count times its smallest endowment, fixed amounts in full — must
// fit, or no run could start as written. stakingAsk checks that here, in
// every cell, before any run.

// stakingAsk adds the least a group of agents of the staking mechanism at
// protocol index k asks at genesis, count endowments of at least least
// raw units, to the mechanism's tally, and reports an error at the
// group's key when the groups so far ask for more than the float.
func (b *builder) stakingAsk(c scenario.Entry[scenario.Component], k int, s *protocol.Staking, key string, count int, least uint64) bool {
	cfg := &s.Config
	vs := b.cell.venues[cfg.Venue]
	nat := 0
	if vs.assets[1] == cfg.Native {
		nat = 1
	}
	float, natRes, lpStake, ok := cfg.GenesisFloat(vs.pool, nat)
	if !ok {
		return true // the mechanism reported it
	}
	if b.asked == nil {
		b.asked = map[int]uint64{}
	}
	before := b.asked[k]
	hi, group := bits.Mul64(uint64(count), least)
	if hi != 0 {
		group = math.MaxUint64
	}
	total := before + group
	if total < before {
		total = math.MaxUint64
	}
	b.asked[k] = total
	if total <= float {
		return true
	}
	if before > float {
		return false // reported at the group that crossed it
	}
	tok := func(raw uint64) string {
		return unit.DecimalOf(float64(raw) / math.Pow10(cfg.Decimals)).String()
	}
	n := c.Node.Get(key)
	if n == nil {
		n = c.Node
	}
	b.errs.At(n, c.Path+"."+key, "the agents ask at least %s tokens at genesis (%d × %s here, %s before), more than the %s the chain's supply of %s leaves after its pool's %s native and its liquidity provider's %s of stake: raise the supply or lower the endowments",
		tok(total), count, tok(least), tok(before), tok(float), tok(cfg.Supply), tok(natRes), tok(lpStake))
	return false
}

// stakingLeast is the smallest endowment a distribution draws: its fixed
// amount, or its Pareto scale (at least one raw unit, as agents draw).
func stakingLeast(d agent.StakeDistribution) uint64 {
	if d.Alpha <= 0 {
		return max(d.Fixed, 1)
	}
	return max(d.Min, 1)
}
