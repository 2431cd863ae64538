// Package secmarket is a market for shared (interchain) security: the
// validators of a provider chain sell their service to consumer chains,
// against the baseline where a governance vote admits a consumer chain and
// every validator must serve it.
//
// In the market design a validator posts, per consumer chain it opts into,
// an ask: "for x provider tokens bonded to me, I run one validator on your
// chain". A consumer chain needs K validators (inelastic demand), or posts
// bids b₁ ≥ b₂ ≥ … for its first, second, … validator and launches with at
// least Kmin. At each epoch the waiting chains clear in arrival order
// against the asks of validators with spare capacity: asks are filled
// cheapest first, and the k*-th ask sets one price for all — k* = K when
// demand is inelastic, else the largest k with ask_k ≤ b_k, where supply
// meets demand. The chain bonds price × k* provider tokens, price to each
// of its validators; when it leaves it unbonds them, and its validators'
// capacity fills the next orders.
//
// In the governance design a chain launches Delay epochs after it arrives
// and every validator serves it, whatever its resources: validators with
// more chains than capacity are over their budget.
//
// A consumer chain's voting power is its validators' provider stake. The
// cost of attacking it is the stake of the cheapest coalition holding at
// least Threshold of that power: its smallest validators, taken until
// they reach it.
//
// Market is a pure state machine: agents post asks and bring chains; the
// world advances epochs.
package secmarket

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Design is how consumer chains obtain validators.
type Design int

const (
	// Auction clears asks at a uniform price.
	Auction Design = iota
	// Governance admits a chain after a delay and makes every validator
	// serve it.
	Governance
)

// Config is a market's rules.
type Config struct {
	Design Design
	// Delay is the epochs from a chain's arrival to its launch under
	// governance (the vote and its timelock).
	Delay int
	// Threshold is the share of a chain's voting power an attacker must
	// control: 1/3 to halt it, 2/3 to rewrite it.
	Threshold float64
}

// Ask is a validator's price, in provider tokens bonded, to run one
// validator for a chain.
type Ask struct {
	Validator int
	Price     float64
}

// Clear fills asks cheapest first (ties by validator index) against a
// demand: bids[j] is the most the chain pays for its (j+1)-th validator,
// non-increasing, and kmin the fewest it launches with. It returns the
// winning asks and the uniform price, the k*-th ask, with k* the largest k
// ≤ len(bids) with ask_k ≤ bids[k−1]; ok is false when k* < kmin. Inelastic
// demand for K validators is K bids of +Inf with kmin = K. asks is sorted
// in place.
func Clear(asks []Ask, bids []float64, kmin int) (win []Ask, price float64, ok bool) {
	sort.Slice(asks, func(i, j int) bool {
		if asks[i].Price != asks[j].Price {
			return asks[i].Price < asks[j].Price
		}
		return asks[i].Validator < asks[j].Validator
	})
	k := 0
	for k < len(asks) && k < len(bids) && asks[k].Price <= bids[k] {
		k++
	}
	if k < max(1, kmin) {
		return nil, 0, false
	}
	return asks[:k], asks[k-1].Price, true
}

// Consumer is a consumer chain's demand.
type Consumer struct {
	// K is the number of validators it needs; with Bids it is ignored.
	K int
	// Bids, when set, are its non-increasing bids per validator, in
	// provider tokens, and Kmin the fewest validators it launches with.
	Bids []float64
	Kmin int
	// OwnStake is the stake of its own token securing it were it
	// sovereign, in provider-token value: its attack cost then is
	// Threshold × OwnStake.
	OwnStake float64
}

type validator struct {
	stake    float64
	capacity int
	serving  int
}

type chain struct {
	Consumer
	arrived, launched int // epochs; launched −1 while waiting
	left              bool
	vals              []int
	won               []float64 // the winning asks
	price             float64
	asks              map[int]float64
}

// Market is the provider's validators and the consumer chains.
type Market struct {
	Config Config
	// Epoch is the number of epochs advanced.
	Epoch int
	// Launched and Left count chains; Wait sums launched chains' epochs
	// from arrival to launch; Unbonded sums the bonds of chains that left.
	Launched, Left int
	Wait           int
	Unbonded       float64

	vals   []validator
	chains []chain
	scr    []Ask
}

// New returns an empty market.
func New(c Config) (*Market, error) {
	if !(c.Threshold > 0 && c.Threshold < 1) {
		return nil, fmt.Errorf("attack threshold %g outside (0, 1)", c.Threshold)
	}
	if c.Delay < 0 {
		return nil, fmt.Errorf("negative governance delay %d", c.Delay)
	}
	if c.Design != Auction && c.Design != Governance {
		return nil, fmt.Errorf("unknown design %d", c.Design)
	}
	return &Market{Config: c}, nil
}

// AddValidator registers a validator with its provider stake and the
// number of consumer chains its resources can run.
func (m *Market) AddValidator(stake float64, capacity int) (int, error) {
	if !(stake > 0) || math.IsInf(stake, 0) || capacity < 0 {
		return 0, fmt.Errorf("validator with stake %g and capacity %d", stake, capacity)
	}
	m.vals = append(m.vals, validator{stake: stake, capacity: capacity})
	return len(m.vals) - 1, nil
}

// Arrive registers a consumer chain at the current epoch and returns its
// id.
func (m *Market) Arrive(c Consumer) (int, error) {
	if c.Bids == nil {
		if c.K < 1 {
			return 0, fmt.Errorf("a chain needs at least 1 validator, got %d", c.K)
		}
	} else {
		if len(c.Bids) == 0 || c.Kmin < 1 || c.Kmin > len(c.Bids) {
			return 0, fmt.Errorf("bids for %d validators with a minimum of %d", len(c.Bids), c.Kmin)
		}
		for j := 1; j < len(c.Bids); j++ {
			if c.Bids[j] > c.Bids[j-1] {
				return 0, errors.New("bids must not increase")
			}
		}
	}
	if !(c.OwnStake >= 0) {
		return 0, fmt.Errorf("own stake %g", c.OwnStake)
	}
	m.chains = append(m.chains, chain{Consumer: c, arrived: m.Epoch, launched: -1, asks: map[int]float64{}})
	return len(m.chains) - 1, nil
}

// Chains returns the number of chains that ever arrived.
func (m *Market) Chains() int { return len(m.chains) }

// Validators returns the number of validators.
func (m *Market) Validators() int { return len(m.vals) }

// Waiting reports whether chain c has arrived and not launched or left.
func (m *Market) Waiting(c int) bool { return !m.chains[c].left && m.chains[c].launched < 0 }

// Live reports whether chain c is running.
func (m *Market) Live(c int) bool { return !m.chains[c].left && m.chains[c].launched >= 0 }

// Spare returns how many more chains validator v can run.
func (m *Market) Spare(v int) int { return m.vals[v].capacity - m.vals[v].serving }

// Serving returns the number of live chains validator v runs.
func (m *Market) Serving(v int) int { return m.vals[v].serving }

// Serves reports whether validator v runs chain c.
func (m *Market) Serves(v, c int) bool {
	for _, x := range m.chains[c].vals {
		if x == v {
			return true
		}
	}
	return false
}

// Ask posts (or replaces) validator v's ask for waiting chain c; a price
// of +Inf or NaN withdraws it.
func (m *Market) Ask(c, v int, price float64) error {
	if c < 0 || c >= len(m.chains) || v < 0 || v >= len(m.vals) {
		return fmt.Errorf("no chain %d or validator %d", c, v)
	}
	if !m.Waiting(c) {
		return fmt.Errorf("chain %d is not waiting for validators", c)
	}
	if math.IsNaN(price) || math.IsInf(price, 1) {
		delete(m.chains[c].asks, v)
		return nil
	}
	if price < 0 {
		return fmt.Errorf("negative ask %g", price)
	}
	m.chains[c].asks[v] = price
	return nil
}

// Leave removes chain c: it unbonds what it bonded and frees its
// validators. A waiting chain withdraws.
func (m *Market) Leave(c int) error {
	ch := &m.chains[c]
	if ch.left {
		return fmt.Errorf("chain %d has already left", c)
	}
	ch.left = true
	m.Left++
	if ch.launched >= 0 {
		m.Unbonded += m.bond(ch)
		for _, v := range ch.vals {
			m.vals[v].serving--
		}
	}
	ch.asks = nil
	return nil
}

func (m *Market) bond(ch *chain) float64 { return ch.price * float64(len(ch.vals)) }

// Advance runs one epoch: the waiting chains, in arrival order, launch if
// their demand clears (auction) or their delay has passed (governance).
func (m *Market) Advance() {
	m.Epoch++
	for c := range m.chains {
		ch := &m.chains[c]
		if ch.left || ch.launched >= 0 {
			continue
		}
		switch m.Config.Design {
		case Governance:
			if m.Epoch-ch.arrived < m.Config.Delay {
				continue
			}
			ch.vals = make([]int, len(m.vals))
			for v := range m.vals {
				ch.vals[v] = v
				m.vals[v].serving++
			}
		case Auction:
			m.scr = m.scr[:0]
			for v, p := range ch.asks {
				if m.Spare(v) > 0 {
					m.scr = append(m.scr, Ask{v, p})
				}
			}
			bids, kmin := ch.Bids, ch.Kmin
			if bids == nil {
				bids, kmin = infBids(ch.K), ch.K
			}
			win, price, ok := Clear(m.scr, bids, kmin)
			if !ok {
				continue
			}
			ch.price = price
			ch.vals = make([]int, len(win))
			ch.won = make([]float64, len(win))
			for k, a := range win {
				ch.vals[k], ch.won[k] = a.Validator, a.Price
				m.vals[a.Validator].serving++
			}
			ch.asks = nil
		}
		ch.launched = m.Epoch
		m.Launched++
		m.Wait += m.Epoch - ch.arrived
	}
}

func infBids(k int) []float64 {
	b := make([]float64, k)
	for j := range b {
		b[j] = math.Inf(1)
	}
	return b
}

// ChainState is what a live chain looks like.
type ChainState struct {
	Validators int
	// Price is the uniform price per validator, Bond the provider tokens
	// the chain bonded (price × validators); both 0 under governance.
	Price, Bond float64
	// Secured is its validators' provider stake; AttackCost the stake of
	// the cheapest coalition with Threshold of it; OwnCost what attacking
	// it would cost were it sovereign.
	Secured, AttackCost, OwnCost float64
	// Wait is the epochs from arrival to launch.
	Wait int
}

// State returns the state of live chain c.
func (m *Market) State(c int) ChainState {
	ch := &m.chains[c]
	s := ChainState{Validators: len(ch.vals), Price: ch.price, Bond: m.bond(ch), Wait: ch.launched - ch.arrived,
		OwnCost: m.Config.Threshold * ch.OwnStake}
	st := make([]float64, len(ch.vals))
	for k, v := range ch.vals {
		st[k] = m.vals[v].stake
		s.Secured += st[k]
	}
	s.AttackCost = cheapestCoalition(st, m.Config.Threshold)
	return s
}

// cheapestCoalition returns the least total of values whose sum reaches
// share of the whole: the smallest first. Stakes are sorted in place.
func cheapestCoalition(stakes []float64, share float64) float64 {
	sort.Float64s(stakes)
	var total float64
	for _, s := range stakes {
		total += s
	}
	need := share * total
	var sum float64
	for _, s := range stakes {
		if sum >= need {
			break
		}
		sum += s
	}
	return sum
}

// Overloaded returns the number of validators serving more chains than
// their capacity.
func (m *Market) Overloaded() int {
	n := 0
	for _, v := range m.vals {
		if v.serving > v.capacity {
			n++
		}
	}
	return n
}

// Bonded returns the provider tokens bonded by live chains.
func (m *Market) Bonded() float64 {
	var b float64
	for c := range m.chains {
		if m.Live(c) {
			b += m.bond(&m.chains[c])
		}
	}
	return b
}

// Check verifies the market's invariants: each validator serves exactly
// the live chains listing it; under the auction none is over capacity,
// every live chain has its demand's validators, distinct, at a price no
// lower than any of their asks and no higher than its bid for the last.
func (m *Market) Check() error {
	serving := make([]int, len(m.vals))
	for c := range m.chains {
		ch := &m.chains[c]
		if !m.Live(c) {
			continue
		}
		seen := map[int]bool{}
		for _, v := range ch.vals {
			if seen[v] {
				return fmt.Errorf("chain %d lists validator %d twice", c, v)
			}
			seen[v] = true
			serving[v]++
		}
		if m.Config.Design == Auction {
			k := len(ch.vals)
			switch {
			case ch.Bids == nil && k != ch.K:
				return fmt.Errorf("chain %d runs %d validators, needs %d", c, k, ch.K)
			case ch.Bids != nil && (k < ch.Kmin || k > len(ch.Bids) || ch.price > ch.Bids[k-1]):
				return fmt.Errorf("chain %d: %d validators at %g outside its bids", c, k, ch.price)
			}
			for _, a := range ch.won {
				if a > ch.price {
					return fmt.Errorf("chain %d pays %g to an ask of %g", c, ch.price, a)
				}
			}
		}
	}
	for v, x := range m.vals {
		if x.serving != serving[v] {
			return fmt.Errorf("validator %d counts %d chains, serves %d", v, x.serving, serving[v])
		}
		if m.Config.Design == Auction && x.serving > x.capacity {
			return fmt.Errorf("validator %d serves %d chains, capacity %d", v, x.serving, x.capacity)
		}
	}
	return nil
}
