package synth

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/cascade-risk/cascade/pos"
	"github.com/holiman/uint256"
)

func snapshotBook(b *Book) Book {
	s := *b
	s.loans = slices.Clone(b.loans)
	s.terms = slices.Clone(b.terms)
	s.open = slices.Clone(b.open)
	s.openArt = slices.Clone(b.openArt)
	s.bal = slices.Clone(b.bal)
	s.high = maps.Clone(b.high)
	s.window = slices.Clone(b.window)
	s.lent = slices.Clone(b.lent)
	s.startDebt = slices.Clone(b.startDebt)
	s.p.Curve = slices.Clone(b.p.Curve)
	return s
}

// chainView is what a failed book operation must not change in the chain.
func chainView(c *pos.Chain) string {
	var ds []pos.Delegation
	for v := range c.NumValidators() {
		ds = c.Delegations(ds, pos.ValidatorID(v))
	}
	return fmt.Sprint(c.Ledger(), ds)
}

// Random book and chain operations; both Checks after each; a failed book
// operation changes neither the book nor the chain.
func TestRandomOperations(t *testing.T) {
	for _, disp := range []pos.Disposition{pos.Burn, pos.Redistribute, pos.ToTreasury} {
		t.Run(fmt.Sprint(disp), func(t *testing.T) {
			chain, book, rng := randomWorld(t, disp)
			counts := map[string][2]int{}
			for step := range 3000 {
				before, beforeChain := snapshotBook(book), chainView(chain)
				rate, ver := book.Rate(), book.RateVersion()
				op, bookOp, err := randomBookOp(chain, book, rng)
				if book.Rate() != rate && book.RateVersion() == ver {
					t.Fatalf("step %d: %s changed the rate but not its version", step, op)
				}
				n := counts[op]
				if err != nil {
					n[1]++
					if bookOp {
						if after := snapshotBook(book); !reflect.DeepEqual(before, after) {
							t.Fatalf("step %d: failed %s (%v) changed the book", step, op, err)
						}
						if chainView(chain) != beforeChain {
							t.Fatalf("step %d: failed %s (%v) changed the chain", step, op, err)
						}
					}
				} else {
					n[0]++
				}
				counts[op] = n
				if err := chain.Check(); err != nil {
					t.Fatalf("step %d after %s: %v", step, op, err)
				}
				// The pools value shares as SharesValue does (the
				// screen's premise).
				for v := range pos.ValidatorID(chain.NumValidators()) {
					pool, _ := chain.Pool(v)
					mix := uint64(step)*0x9e3779b97f4a7c15 + uint64(v)
					for _, x := range []uint64{0, 1, mix % max(pool.Shares, 1), pool.Shares - 1, pool.Shares, pool.Shares + 1, mix} {
						if got, _ := chain.SharesValue(v, x); pool.Value(x) != got {
							t.Fatalf("step %d: pool %+v values %d shares at %d, SharesValue %d", step, pool, x, pool.Value(x), got)
						}
					}
				}
				if err := book.Check(); err != nil {
					t.Fatalf("step %d after %s: %v", step, op, err)
				}
			}
			for op, n := range counts {
				if n[0] == 0 {
					t.Errorf("%s never succeeded (%d failures)", op, n[1])
				}
			}
			st := book.Stats()
			t.Logf("loans %d: repaid %d, foreclosed %d, recalled %d; ops %v", st.Opened, st.Repaid, st.Foreclosed, st.Recalled, counts)
		})
	}
}

// randomWorld is TestRandomOperations' chain and book, with the random
// generator that built them.
func randomWorld(t *testing.T, disp pos.Disposition) (*pos.Chain, *Book, *rand.Rand) {
	t.Helper()
	rng := rand.New(rand.NewPCG(11, uint64(disp)))
	cfg := pos.EthereumConfig(pos.Bellatrix)
	cfg.Eth.EpochsPerSlashingsVector = 16
	cfg.UnbondingDelay = 4
	balances := make([]uint64, 10)
	for i := range balances {
		balances[i] = 100e9 + rng.Uint64N(100e9)
	}
	chain, err := pos.New(cfg, balances)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		if _, err := chain.AddValidator(pos.AccountID(i), pos.One/10, 32e9+rng.Uint64N(32e9)); err != nil {
			t.Fatal(err)
		}
	}
	for a := 6; a < 10; a++ {
		if _, err := chain.Delegate(pos.ValidatorID(rng.IntN(6)), pos.AccountID(a), 50e9); err != nil {
			t.Fatal(err)
		}
	}
	treasury, _ := chain.NewAccount()
	p := Params{
		CollateralRatio:  Fraction(3, 2),
		LiquidationRatio: Fraction(6, 5),
		Curve: RateCurve{
			{X: Fraction(0, 1), Rate: Fraction(1, 100)},
			{X: Fraction(1, 5), Rate: Fraction(5, 100)},
			{X: Fraction(1, 2), Rate: Fraction(80, 100)},
		},
		EpochsPerYear: 365, Disposition: disp, Treasury: treasury, DefaultWindow: 8,
	}
	policy := Enshrined{
		HaltDiscount: Fraction(10, 100), RaiseDefaultRate: Fraction(5, 100), Premium: Fraction(20, 100),
		RecallDiscount: Fraction(25, 100), RecallWindow: 5,
	}
	book, err := New(chain, p, policy, 0)
	if err != nil {
		t.Fatal(err)
	}
	return chain, book, rng
}

// The screen changes nothing: two worlds built alike, one book sweeping
// with the screen and one without (its exact test on every loan), stay
// alike through the same random operations, foreclosures included.
func TestScreenSweepsAsExact(t *testing.T) {
	for _, disp := range []pos.Disposition{pos.Burn, pos.Redistribute, pos.ToTreasury} {
		t.Run(fmt.Sprint(disp), func(t *testing.T) {
			chain, book, rng := randomWorld(t, disp)
			chain2, book2, rng2 := randomWorld(t, disp)
			if book.pooled == nil {
				t.Fatal("pos.Chain does not report its pools")
			}
			book2.pooled = nil
			foreclosed := 0
			for step := range 3000 {
				op, _, err := randomBookOp(chain, book, rng)
				op2, _, err2 := randomBookOp(chain2, book2, rng2)
				if op != op2 || fmt.Sprint(err) != fmt.Sprint(err2) {
					t.Fatalf("step %d: %s (%v) with the screen, %s (%v) without", step, op, err, op2, err2)
				}
				a, b := snapshotBook(book), snapshotBook(book2)
				a.stake, a.pooled, b.stake, b.pooled = nil, nil, nil, nil
				if !reflect.DeepEqual(a, b) || chainView(chain) != chainView(chain2) {
					t.Fatalf("step %d: %s left the worlds apart", step, op)
				}
				foreclosed = book.Stats().Foreclosed
			}
			if foreclosed == 0 {
				t.Fatal("no foreclosure")
			}
			t.Logf("%d foreclosures", foreclosed)
		})
	}
}

func randomBookOp(c *pos.Chain, b *Book, rng *rand.Rand) (op string, bookOp bool, err error) {
	epoch := c.Epoch()
	acct := func() pos.AccountID { return pos.AccountID(rng.IntN(c.NumAccounts())) }
	tokens := func(max uint64) uint256.Int { return u(rng.Uint64N(max + 1)) }
	price := func() uint256.Int {
		if rng.IntN(2) == 0 {
			return RayOne()
		}
		return Fraction(50+rng.Uint64N(80), 100)
	}
	openLoan := func() (LoanID, bool) {
		ids := b.OpenLoans(nil)
		if len(ids) == 0 || rng.IntN(20) == 0 {
			return LoanID(rng.IntN(b.NumLoans() + 1)), len(ids) != 0
		}
		return ids[rng.IntN(len(ids))], true
	}
	switch rng.IntN(15) {
	case 0, 1, 2:
		v := pos.ValidatorID(rng.IntN(c.NumValidators()))
		ds := c.Delegations(nil, v)
		if len(ds) == 0 {
			return "borrow", true, nil
		}
		d := ds[rng.IntN(len(ds))]
		free := d.Shares - d.Locked
		shares := rng.Uint64N(free + 2)
		value, _ := c.SharesValue(v, shares)
		_, err := b.Borrow(epoch, d.Account, v, shares, tokens(value*3/4), price())
		return "borrow", true, err
	case 3, 4:
		id, _ := openLoan()
		info, _ := b.Loan(id)
		// Top up the holder so repayment in full is possible.
		if bal := b.Balance(info.Holder); rng.IntN(2) == 0 && bal.Lt(&info.Debt) {
			var room uint256.Int
			_ = b.Release(info.Holder, *room.Sub(&info.Debt, &bal))
		}
		amount := info.Debt
		switch rng.IntN(3) {
		case 0:
			amount = tokens(info.Debt.Uint64() / 2)
		case 1:
			amount = u(1 << 62)
		}
		_, err := b.Repay(epoch, id, amount)
		return "repay", true, err
	case 5:
		return "transfer", true, b.Transfer(acct(), acct(), tokens(10e9))
	case 6:
		return "buyback", true, b.BuyBack(acct(), tokens(10e9))
	case 7:
		return "release", true, b.Release(acct(), tokens(1e6))
	case 8:
		b.Heal()
		return "heal", true, nil
	case 9:
		id, _ := openLoan()
		return "foreclose", true, b.Foreclose(epoch, id)
	case 10, 11:
		_, err := b.Step(epoch, Observation{PoolDiscount: Fraction(rng.Uint64N(30), 100), Price: price()})
		return "step", true, err
	case 13:
		id, _ := openLoan()
		info, _ := b.Loan(id)
		var free uint64
		if d, ok := c.Delegation(info.Validator, info.Holder); ok {
			free = d.Shares - d.Locked
		}
		shares := rng.Uint64N(free + 2)
		value, _ := c.SharesValue(info.Validator, shares)
		return "topup", true, b.TopUp(epoch, id, shares, tokens(value*3/4+1), price())
	case 12:
		o := pos.Offence(rng.IntN(3))
		_, err := c.Slash(o, pos.ValidatorID(rng.IntN(c.NumValidators())), epoch, pos.ValidatorID(rng.IntN(c.NumValidators())))
		return "slash", false, err
	default:
		if rng.IntN(3) == 0 {
			v := pos.ValidatorID(rng.IntN(c.NumValidators()))
			ds := c.Delegations(nil, v)
			if len(ds) > 0 {
				d := ds[rng.IntN(len(ds))]
				_, err := c.Unbond(v, d.Account, 1+rng.Uint64N(d.Shares))
				return "unbond", false, err
			}
		}
		_, err := c.ProcessEpoch(epoch, nil)
		return "epoch", false, err
	}
}
