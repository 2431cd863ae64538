package protocol

import (
	"errors"
	"math"

	"github.com/cascade-risk/cascade/cfmm"
	"github.com/cascade-risk/cascade/lst"
	"github.com/cascade-risk/cascade/market"
	"github.com/cascade-risk/cascade/metric"
	"github.com/holiman/uint256"
)

// LiquidStaking is a liquid-staking token (lst.Token) in the simulation.
// The scenario's token is the share, like wstETH: one token is one share,
// worth the share rate in the underlying. Each step is one epoch:
//
//  1. rewards accrue, ⌊pooled · RewardPerStep⌋ wei, the fee minted to the
//     treasury as shares;
//  2. any slashing stated for the step removes its fraction of the pool;
//  3. the withdrawal queue is finalized up to the churn;
//  4. the token's external price is set to rate × the underlying's, so
//     that a lending market or an agent valuing it sees what a share
//     redeems for (as Aave prices wstETH by its exchange rate).
//
// This runs in the protocol phase, before agents act; a lending market
// listed after it reads the new price in the same step.
type LiquidStaking struct {
	// Initial is the token at the start of every run.
	Initial *lst.Token
	// Asset and Underlying are the asset indices of the token and of what
	// it stakes.
	Asset, Underlying int
	// RewardPerStep is the staking reward per step as a fraction of the
	// pool.
	RewardPerStep float64
	// Slashes are losses at stated steps: fraction of the pool.
	Slashes map[int]float64

	tok                *lst.Token
	owed               map[int]uint256.Int // finalized wei by requester
	owners             []int               // requester of each queued request, in order
	slashed, rewarded  float64             // wei
	minRate, startRate float64
}

var errLSTRequest = errors.New("liquid staking: request refused")

// Reset implements market.Protocol.
func (l *LiquidStaking) Reset(m *market.Market) {
	l.tok = l.Initial.Clone()
	l.owed = map[int]uint256.Int{}
	l.owners = l.owners[:0]
	l.slashed, l.rewarded = 0, 0
	l.startRate = l.tok.Rate()
	l.minRate = l.startRate
	l.setPrice(m)
}

func (l *LiquidStaking) setPrice(m *market.Market) {
	m.Prices[l.Asset] = l.tok.Rate() * m.Prices[l.Underlying]
}

// Token returns the token's current state (read only for callers).
func (l *LiquidStaking) Token() *lst.Token { return l.tok }

// Step implements market.Protocol.
func (l *LiquidStaking) Step(m *market.Market) error {
	pooled := l.tok.Pooled()
	if l.RewardPerStep > 0 {
		r := cfmm.Amount(pooled.Float64() * l.RewardPerStep)
		l.tok.Reward(&r)
		l.rewarded += r.Float64()
	}
	if f, ok := l.Slashes[m.Step]; ok {
		p := l.tok.Pooled()
		loss := cfmm.Amount(p.Float64() * f)
		if err := l.tok.Slash(&loss); err != nil {
			return err
		}
		l.slashed += loss.Float64()
	}
	for _, pay := range l.tok.Finalize() {
		o := l.owners[0]
		l.owners = l.owners[1:]
		v := l.owed[o]
		v.Add(&v, &pay)
		l.owed[o] = v
	}
	l.minRate = math.Min(l.minRate, l.tok.Rate())
	l.setPrice(m)
	return nil
}

// RequestWithdrawal queues shares (raw token units) for withdrawal on
// behalf of requester id; the payout is claimed with Claim once the queue
// reaches it.
func (l *LiquidStaking) RequestWithdrawal(id int, shares *uint256.Int) error {
	if _, err := l.tok.RequestWithdrawal(shares); err != nil {
		return errors.Join(errLSTRequest, err)
	}
	l.owners = append(l.owners, id)
	return nil
}

// Claim returns and clears what the queue has paid requester id, wei.
func (l *LiquidStaking) Claim(id int) uint256.Int {
	v := l.owed[id]
	delete(l.owed, id)
	return v
}

// Check implements market.Protocol: the pool backs a positive rate, and
// the queue's requesters match its requests.
func (l *LiquidStaking) Check() error {
	p, s := l.tok.Pooled(), l.tok.Shares()
	if p.IsZero() || s.IsZero() {
		return errors.New("liquid staking: empty pool")
	}
	if _, n := l.tok.Queued(); n != len(l.owners) {
		return errors.New("liquid staking: queue and requesters disagree")
	}
	return nil
}

// Metrics implements market.Protocol.
func (l *LiquidStaking) Metrics() []metric.Def {
	return []metric.Def{
		{Name: "rate", Unit: "underlying/token", Doc: "share rate: underlying per token", Worse: metric.LowerIsWorse},
		{Name: "rate_change", Unit: "fraction", Doc: "rate over its start, minus 1", Worse: metric.LowerIsWorse},
		{Name: "min_rate", Unit: "underlying/token", Doc: "lowest share rate over the run", Worse: metric.LowerIsWorse},
		{Name: "pooled", Unit: "underlying", Doc: "staked underlying backing the tokens", Worse: metric.Neutral},
		{Name: "supply", Unit: "tokens", Doc: "tokens (shares) outstanding, queued ones included", Worse: metric.Neutral},
		{Name: "queued", Unit: "tokens", Doc: "tokens waiting in the withdrawal queue", Worse: metric.HigherIsWorse},
		{Name: "withdrawn", Unit: "underlying", Doc: "underlying the queue has paid out", Worse: metric.Neutral},
		{Name: "rewards", Unit: "underlying", Doc: "staking rewards accrued", Worse: metric.LowerIsWorse},
		{Name: "slashed", Unit: "underlying", Doc: "losses to slashing", Worse: metric.HigherIsWorse},
	}
}

// Observe implements market.Protocol.
func (l *LiquidStaking) Observe(m *market.Market, dst []float64) {
	p, s := l.tok.Pooled(), l.tok.Shares()
	q, _ := l.tok.Queued()
	f := l.tok.Finalized()
	const wei = 1e-18
	dst[0] = l.tok.Rate()
	dst[1] = l.tok.Rate()/l.startRate - 1
	dst[2] = l.minRate
	dst[3], dst[4], dst[5], dst[6] = p.Float64()*wei, s.Float64()*wei, q.Float64()*wei, f.Float64()*wei
	dst[7], dst[8] = l.rewarded*wei, l.slashed*wei
}
