package pos

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// snapshot deep-copies the state of c, without the scratch buffers.
func snapshot(c *Chain) Chain {
	s := *c
	s.liquid = slices.Clone(c.liquid)
	s.vals = slices.Clone(c.vals)
	for i := range s.vals {
		s.vals[i].dels = slices.Clone(c.vals[i].dels)
	}
	s.first = slices.Clone(c.first)
	s.more = slices.Clone(c.more)
	for i := range s.more {
		s.more[i] = slices.Clone(c.more[i])
	}
	s.queue = slices.Clone(c.queue)
	s.slashings = slices.Clone(c.slashings)
	s.mark, s.reward = nil, nil
	return s
}

func randomConfigs() map[string]Config {
	eth := EthereumConfig(Bellatrix)
	eth.Eth.EpochsPerSlashingsVector = 16
	eth.UnbondingDelay = 5
	electra := EthereumConfig(Electra)
	electra.Eth.EpochsPerSlashingsVector = 8
	electra.UnbondingDelay = 3
	electra.Payout = true
	cosmos := CosmosConfig()
	cosmos.UnbondingDelay = 4
	cosmos.Cosmos.DowntimeJailEpochs = 2
	fixed := CosmosConfig()
	fixed.Issuance = Issuance{Model: FixedRate, Rate: One / 10}
	fixed.Payout = true
	amount := CosmosConfig()
	amount.Issuance = Issuance{Model: FixedAmount, Amount: 1e6}
	amount.UnbondingDelay = 0
	return map[string]Config{"eth-bellatrix": eth, "eth-electra-payout": electra, "cosmos": cosmos, "fixed-rate-payout": fixed, "fixed-amount-nodelay": amount}
}

// Random operations, Check after each; failed operations leave the chain
// exactly as it was.
func TestConservationRandomOps(t *testing.T) {
	for name, cfg := range randomConfigs() {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(len(name))))
			balances := make([]uint64, 12)
			for i := range balances {
				balances[i] = 64e9 + rng.Uint64N(1000e9)
			}
			c, err := New(cfg, balances)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 6 {
				if _, err := c.AddValidator(AccountID(i), rng.Uint64N(One/5), 32e9); err != nil {
					t.Fatal(err)
				}
			}
			counts := map[string][2]int{}
			steps := 4000
			if testing.Short() {
				steps = 1000
			}
			for step := range steps {
				before := snapshot(c)
				op, err := randomOp(c, rng)
				n := counts[op]
				if err != nil {
					n[1]++
					if after := snapshot(c); !reflect.DeepEqual(before, after) {
						t.Fatalf("step %d: failed %s (%v) changed the chain", step, op, err)
					}
				} else {
					n[0]++
				}
				counts[op] = n
				if err := c.Check(); err != nil {
					t.Fatalf("step %d after %s: %v", step, op, err)
				}
				checkAccessors(t, c)
			}
			for op, n := range counts {
				if n[0] == 0 {
					t.Errorf("operation %s never succeeded (%d failures)", op, n[1])
				}
			}
			l := c.Ledger()
			t.Logf("epoch %d, minted %d, burned %d (slash %d, penalty %d, foreclosure %d), ops %v",
				c.Epoch(), l.Minted, l.Burned(), l.BurnedSlash, l.BurnedPenalty, l.BurnedForeclosure, counts)
		})
	}
}

func randomOp(c *Chain, rng *rand.Rand) (string, error) {
	// Mostly the funded genesis accounts, sometimes any, sometimes unknown.
	acct := func() AccountID {
		if rng.IntN(4) != 0 {
			return AccountID(rng.IntN(12))
		}
		return AccountID(rng.IntN(c.NumAccounts() + 1))
	}
	val := func() ValidatorID { return ValidatorID(rng.IntN(c.NumValidators() + 1)) }
	amount := func() uint64 {
		switch rng.IntN(4) {
		case 0:
			return 0
		case 1:
			return rng.Uint64N(1000)
		}
		return rng.Uint64N(80e9)
	}
	// A random existing delegation, for operations that need one.
	del := func() (ValidatorID, AccountID, Delegation) {
		v := ValidatorID(rng.IntN(c.NumValidators()))
		ds := c.Delegations(nil, v)
		if len(ds) == 0 {
			return v, acct(), Delegation{}
		}
		d := ds[rng.IntN(len(ds))]
		return v, d.Account, d
	}
	fraction := func(x uint64) uint64 {
		if x == 0 {
			return rng.Uint64N(3)
		}
		return 1 + rng.Uint64N(x+x/8)
	}
	switch rng.IntN(16) {
	case 0:
		if rng.IntN(10) != 0 {
			return "transfer", c.Transfer(acct(), acct(), amount())
		}
		_, err := c.NewAccount()
		return "new-account", err
	case 1:
		return "transfer", c.Transfer(acct(), acct(), amount())
	case 2:
		_, err := c.AddValidator(acct(), rng.Uint64N(One/2), amount())
		return "add-validator", err
	case 3, 4:
		_, err := c.Delegate(val(), acct(), amount())
		return "delegate", err
	case 5:
		v, a, d := del()
		_, err := c.Unbond(v, a, fraction(d.Shares-d.Locked))
		return "unbond", err
	case 6:
		v, a, d := del()
		return "lock", c.Lock(v, a, fraction(d.Shares-d.Locked))
	case 7:
		v, a, d := del()
		return "unlock", c.Unlock(v, a, fraction(d.Locked))
	case 8:
		v, a, d := del()
		disp := Disposition(rng.IntN(4))
		_, err := c.Seize(v, a, fraction(d.Locked), disp, acct())
		return "seize", err
	case 9:
		return "reward", c.Reward(val(), amount())
	case 10:
		o := Offence(rng.IntN(3))
		k := 1 + rng.IntN(3)
		vs := make([]ValidatorID, k)
		for i := range vs {
			vs[i] = val()
		}
		proposer := NoValidator
		if rng.IntN(2) == 0 {
			proposer = val()
		}
		infraction := c.Epoch() - min(c.Epoch(), rng.Uint64N(4))
		if rng.IntN(20) == 0 {
			infraction = c.Epoch() + 1
		}
		_, err := c.SlashMany(o, vs, infraction, proposer)
		return "slash", err
	case 11:
		return "unjail", c.Unjail(val())
	case 12:
		return "set-commission", c.SetCommission(val(), rng.Uint64N(One+One/10))
	default:
		var off []ValidatorID
		for v := range c.NumValidators() {
			if rng.IntN(8) == 0 {
				off = append(off, ValidatorID(v))
			}
		}
		e := c.Epoch()
		if rng.IntN(30) == 0 {
			e++
		}
		_, err := c.ProcessEpoch(e, off)
		return "epoch", err
	}
}

// Each perturbation of the state makes Check fail naming the identity.
func TestCheckDetectsPerturbation(t *testing.T) {
	cfg := EthereumConfig(Altair)
	cfg.Eth.EpochsPerSlashingsVector = 16
	base := func(t *testing.T) *Chain {
		c, err := New(cfg, []uint64{100e9, 100e9, 100e9})
		if err != nil {
			t.Fatal(err)
		}
		v0 := mustValidator(t, c, 0, 32e9)
		v1 := mustValidator(t, c, 1, 32e9)
		if _, err := c.Delegate(v0, 2, 10e9); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Unbond(v0, 2, 4e9); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Unbond(v1, 1, 1e9); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Slash(EthSlashing, v1, 0, v0); err != nil {
			t.Fatal(err)
		}
		if _, err := c.ProcessEpoch(0, nil); err != nil {
			t.Fatal(err)
		}
		if err := c.Check(); err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		identity string
		perturb  func(c *Chain)
	}{
		{"supply", func(c *Chain) { c.ledger.Minted++ }},
		{"supply", func(c *Chain) { c.ledger.BurnedSlash-- }},
		{"liquid", func(c *Chain) { c.liquid[2]++; c.ledger.Liquid--; c.ledger.Bonded++ }},
		{"bonded", func(c *Chain) { c.vals[0].tokens++ }},
		{"unbonding", func(c *Chain) { c.queue[0].balance-- }},
		{"minted", func(c *Chain) { c.vals[0].minted++ }},
		{"burned", func(c *Chain) { c.vals[1].burned-- }},
		{"shares", func(c *Chain) { c.vals[0].dels[0].shares++ }},
		{"locked", func(c *Chain) { c.vals[0].dels[0].locked = c.vals[0].dels[0].shares + 1 }},
		{"empty pool", func(c *Chain) {
			c.vals = append(c.vals, validator{tokens: 1})
			c.vals[0].tokens--
		}},
		{"index", func(c *Chain) { l := lists(c); l[2] = l[2][1:]; setLists(c, l, false) }},
		{"index", func(c *Chain) { l := lists(c); l[2][0].idx++; setLists(c, l, false) }},
		{"index", func(c *Chain) { l := lists(c); l[2][0].idx++; setLists(c, l, true) }},
		{"index", func(c *Chain) {
			// A second, empty delegation of account 2 to validator 0, its
			// entry a copy of the first: as many entries as delegations.
			c.vals[0].dels = append(c.vals[0].dels, delegation{acct: 2})
			l := lists(c)
			l[2] = append(l[2], l[2][0])
			setLists(c, l, false)
		}},
		{"queue", func(c *Chain) { c.queue[0].initial = c.queue[0].balance - 1 }},
		{"queue", func(c *Chain) { c.queue[0].release, c.queue[1].release = c.queue[1].release+1, c.queue[0].release }},
		{"slashings", func(c *Chain) { c.slashings[3]++ }},
	} {
		t.Run(tc.identity, func(t *testing.T) {
			c := base(t)
			tc.perturb(c)
			err := c.Check()
			if err == nil {
				t.Fatal("Check passed a perturbed chain")
			}
			if !errors.Is(err, ErrIdentity) || !strings.Contains(err.Error(), ": "+tc.identity+": ") {
				t.Fatalf("error %q does not name identity %q", err, tc.identity)
			}
			t.Log(err)
		})
	}
}

// checkAccessors compares the one-field accessors with Validator's view,
// for every validator and one past the last.
func checkAccessors(t *testing.T, c *Chain) {
	t.Helper()
	for k := range c.NumValidators() + 1 {
		v := ValidatorID(k)
		info, err := c.Validator(v)
		if err != nil && k < c.NumValidators() {
			t.Fatal(err)
		}
		st := Status{info.Jailed, info.Tombstoned, info.Slashed, info.JailedUntil}
		if c.Tokens(v) != info.Tokens || c.Burned(v) != info.Burned || c.Status(v) != st ||
			c.Dead(v) != (info.Tombstoned || info.Slashed) ||
			c.Delegable(v) != (info.Shares != 0 && !info.Jailed && !info.Tombstoned && !info.Slashed) {
			t.Fatalf("validator %d: accessors disagree with %+v", k, info)
		}
	}
	// StakeIn is Σ Delegation(v, a).Value over the validators listed, for
	// every validator, the odd ones, and none (an unknown id included).
	var all, odd []ValidatorID
	for k := range c.NumValidators() + 1 {
		all = append(all, ValidatorID(k))
		if k%2 == 1 {
			odd = append(odd, ValidatorID(k))
		}
	}
	for a := range c.NumAccounts() + 1 {
		for _, vals := range [][]ValidatorID{all, odd, nil} {
			var want uint64
			for _, v := range vals {
				if d, ok := c.Delegation(v, AccountID(a)); ok {
					want += d.Value
				}
			}
			if got := c.StakeIn(AccountID(a), vals); got != want {
				t.Fatalf("account %d: StakeIn(%v) = %d, Σ delegations %d", a, vals, got, want)
			}
		}
	}
}

// indexOKBefore is Check's former test of the index, entry by entry: every
// entry of lists(c)[a] names a delegation of a, no account's entries name a
// validator twice, and there are as many entries as delegations.
func indexOKBefore(c *Chain) bool {
	n, refs := 0, 0
	for i := range c.vals {
		n += len(c.vals[i].dels)
	}
	for a, r := range lists(c) {
		refs += len(r)
		seen := map[ValidatorID]bool{}
		for _, e := range r {
			if int(e.val) >= len(c.vals) || int(e.idx) >= len(c.vals[e.val].dels) || c.vals[e.val].dels[e.idx].acct != AccountID(a) || seen[e.val] {
				return false
			}
			seen[e.val] = true
		}
	}
	return n == refs
}

// lists returns each account's index as one list: its first entry (when
// its val is not NoValidator), then the others.
func lists(c *Chain) [][]delRef {
	l := make([][]delRef, max(len(c.first), len(c.more)))
	for a := range l {
		if a < len(c.first) && c.first[a].val != NoValidator {
			l[a] = append(l[a], c.first[a])
		}
		if a < len(c.more) {
			l[a] = append(l[a], c.more[a]...)
		}
	}
	return l
}

// setLists stores l as the chain's index: the head of each list in first,
// the rest in more, or with allMore every list in more and first empty
// (a layout the chain never makes, but the same lists to find and Check).
func setLists(c *Chain, l [][]delRef, allMore bool) {
	c.first = make([]delRef, len(l))
	c.more = make([][]delRef, len(l))
	for a, r := range l {
		c.first[a] = delRef{NoValidator, 0}
		switch {
		case allMore:
			c.more[a] = slices.Clone(r)
		case len(r) > 0:
			c.first[a] = r[0]
			c.more[a] = slices.Clone(r[1:])
		}
	}
}

// Check rejects an index exactly when the former entry-by-entry test did,
// over random changes to the entries and to the delegations' accounts,
// and empty delegations added and removed (which leave every sum as it
// was).
func TestCheckIndexAsBefore(t *testing.T) {
	cfg := CosmosConfig()
	rng := rand.New(rand.NewPCG(3, 5))
	base := func() *Chain {
		c, err := New(cfg, []uint64{100e9, 100e9, 100e9, 100e9, 100e9})
		if err != nil {
			t.Fatal(err)
		}
		var vs []ValidatorID
		for a := range 3 {
			vs = append(vs, mustValidator(t, c, AccountID(a), 10e9))
		}
		for a := range 5 {
			for _, v := range vs {
				if rng.IntN(2) == 0 {
					if _, err := c.Delegate(v, AccountID(a), 1e9); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		if err := c.Check(); err != nil {
			t.Fatal(err)
		}
		return c
	}
	rejected := 0
	for trial := range 20000 {
		c := base()
		byAcct := lists(c)
		for range 1 + rng.IntN(3) {
			a := rng.IntN(len(byAcct))
			v := rng.IntN(len(c.vals))
			switch k := rng.IntN(7); {
			case k == 0 && len(byAcct[a]) > 0:
				byAcct[a][rng.IntN(len(byAcct[a]))].val = ValidatorID(rng.IntN(len(c.vals) + 1))
			case k == 1 && len(byAcct[a]) > 0:
				byAcct[a][rng.IntN(len(byAcct[a]))].idx = uint32(rng.IntN(6))
			case k == 2 && len(byAcct[a]) > 0:
				byAcct[a] = append(byAcct[a], byAcct[a][rng.IntN(len(byAcct[a]))])
			case k == 3 && len(byAcct[a]) > 0:
				i := rng.IntN(len(byAcct[a]))
				byAcct[a] = append(byAcct[a][:i:i], byAcct[a][i+1:]...)
			case k == 4 && len(c.vals[v].dels) > 0:
				c.vals[v].dels[rng.IntN(len(c.vals[v].dels))].acct = AccountID(rng.IntN(len(c.liquid)))
			case k == 5:
				c.vals[v].dels = append(c.vals[v].dels, delegation{acct: AccountID(rng.IntN(len(c.liquid)))})
			case k == 6 && len(byAcct[a]) > 1:
				i, j := rng.IntN(len(byAcct[a])), rng.IntN(len(byAcct[a]))
				byAcct[a][i], byAcct[a][j] = byAcct[a][j], byAcct[a][i]
			}
		}
		setLists(c, byAcct, rng.IntN(2) == 0)
		err := c.Check()
		if err != nil && !strings.Contains(err.Error(), ": index: ") {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if before := indexOKBefore(c); before != (err == nil) {
			t.Fatalf("trial %d: the former test says %v, Check %v", trial, before, err)
		}
		if err != nil {
			rejected++
		}
	}
	if rejected < 5000 || rejected > 19000 {
		t.Fatalf("%d of 20000 perturbed indexes rejected: the perturbations test too little", rejected)
	}
}

// sum128.add and add128 agree with math/big modulo 2^128 over random
// words biased to carry (near 0 and near 2^64), for sums of up to 64 terms.
func TestSum128(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	word := func() uint64 {
		switch rng.IntN(3) {
		case 0:
			return rng.Uint64N(4)
		case 1:
			return ^rng.Uint64N(4)
		}
		return rng.Uint64()
	}
	mod := new(big.Int).Lsh(big.NewInt(1), 128)
	for range 20000 {
		s := sum128{word(), word()}
		want := s.big()
		for range rng.IntN(64) {
			if rng.IntN(2) == 0 {
				x := word()
				s = s.add(x)
				want.Add(want, new(big.Int).SetUint64(x))
			} else {
				x := sum128{word(), word()}
				s = s.add128(x)
				want.Add(want, x.big())
			}
			want.Mod(want, mod)
		}
		if s.big().Cmp(want) != 0 {
			t.Fatalf("sum %s, want %s", fmt.Sprintf("%d·2^64+%d", s.hi, s.lo), want)
		}
	}
}

// Check counts the first index entries in its pass over the balances,
// four accounts at a time: for chains of 1 to 13 accounts, each
// delegating or not, with first as long as the accounts, cut after the
// last delegating one, or longer than the accounts (NoValidator entries
// past the end), Check passes; one entry too many in first or in more,
// anywhere, fails it with the index identity.
func TestCheckCountsFirstEntries(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	for trial := range 3000 {
		n := 1 + rng.IntN(13)
		balances := make([]uint64, n)
		for i := range balances {
			balances[i] = 100e9
		}
		c, err := New(CosmosConfig(), balances)
		if err != nil {
			t.Fatal(err)
		}
		v := mustValidator(t, c, 0, 10e9)
		for a := 1; a < n; a++ {
			if rng.IntN(2) == 0 {
				if _, err := c.Delegate(v, AccountID(a), 1e9); err != nil {
					t.Fatal(err)
				}
			}
		}
		for range rng.IntN(9) {
			c.first = append(c.first, delRef{NoValidator, 0})
		}
		if err := c.Check(); err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		a := rng.IntN(len(c.first) + 3)
		if rng.IntN(2) == 0 && a < len(c.first) && c.first[a].val == NoValidator {
			c.first[a] = delRef{v, 0}
		} else {
			for a >= len(c.more) {
				c.more = append(c.more, nil)
			}
			c.more[a] = append(c.more[a], delRef{v, 0})
		}
		if err := c.Check(); err == nil || !strings.Contains(err.Error(), ": index: ") {
			t.Fatalf("trial %d: an extra entry of account %d passed or failed otherwise: %v", trial, a, err)
		}
	}
}
