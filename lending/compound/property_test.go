package compound

import (
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/lending"
)

func randAmount(rng *rand.Rand, lo, hi uint64) *uint256.Int {
	return uint256.NewInt(lo + rng.Uint64N(hi-lo))
}

// TestRandomOperations drives a Comptroller with random operations, blocks
// and prices and checks after every step that
//   - every error is a contract revert and leaves the markets unchanged,
//   - borrow indexes never decrease, and exchange rates never decrease
//     through interest accrual alone,
//   - tokens are conserved between the wallets and the markets' cash, and
//     each cToken supply is the sum of the balances.
func TestRandomOperations(t *testing.T) {
	var succeeded [8]int
	for seed := uint64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 42))
		c := newTestComptroller(t)
		const users = 5
		wallet := make([][2]uint256.Int, users)
		var minted [2]uint256.Int
		for i := range wallet {
			wallet[i][ceth] = *dec(t, "1000000000000000000000")
			wallet[i][cusd] = *u(5_000_000e6)
			minted[ceth].Add(&minted[ceth], &wallet[i][ceth])
			minted[cusd].Add(&minted[cusd], &wallet[i][cusd])
		}
		units := [2]uint64{1e15, 1e6}
		block := uint64(b0)
		var lastIndex [2]uint256.Int
		for step := 0; step < 400; step++ {
			if rng.IntN(4) == 0 {
				block += rng.Uint64N(50_000)
			}
			user, asset := rng.IntN(users), rng.IntN(2)
			w := &wallet[user]
			before := c.Clone()
			var err error
			op := rng.IntN(8)
			switch op {
			case 0, 1:
				amt := randAmount(rng, 1, 10_000)
				amt.Mul(amt, u(units[asset]))
				if amt.Gt(&w[asset]) {
					continue
				}
				if _, err = c.Mint(block, asset, user, amt); err == nil {
					w[asset].Sub(&w[asset], amt)
					if rng.IntN(2) == 0 {
						must(t, c.EnterMarket(asset, user))
					}
				}
			case 2:
				var out uint256.Int
				if rng.IntN(2) == 0 {
					tokens := c.Position(asset, user).Tokens
					tokens.Div(&tokens, u(1+rng.Uint64N(3)))
					out, err = c.Redeem(block, asset, user, &tokens)
				} else {
					amt := randAmount(rng, 1, 10_000)
					amt.Mul(amt, u(units[asset]))
					if _, err = c.RedeemUnderlying(block, asset, user, amt); err == nil {
						out = *amt
					}
				}
				if err == nil {
					w[asset].Add(&w[asset], &out)
				}
			case 3, 4:
				amt := randAmount(rng, 1, 5_000)
				amt.Mul(amt, u(units[asset]))
				if rng.IntN(2) == 0 {
					// 50% to 100% of the remaining liquidity.
					liq, _, lerr := c.AccountLiquidity(user)
					if lerr == nil {
						p := c.Price(asset)
						if err := divExp(amt, &liq, &p); err != nil {
							continue
						}
						amt.Mul(amt, u(50+rng.Uint64N(51)))
						amt.Div(amt, u(100))
					}
				}
				if err = c.Borrow(block, asset, user, amt); err == nil {
					w[asset].Add(&w[asset], amt)
				}
			case 5:
				must(t, c.AccrueInterest(block, asset))
				before = c.Clone() // the accrual above is not part of the operation
				owed, berr := c.BorrowBalanceStored(asset, user)
				must(t, berr)
				if owed.Gt(&w[asset]) {
					continue
				}
				amt := owed
				switch rng.IntN(3) {
				case 0:
					amt.Rsh(&amt, 1)
				case 1:
					amt = maxU256
				}
				var paid uint256.Int
				if paid, err = c.RepayBorrow(block, asset, user, &amt); err == nil {
					w[asset].Sub(&w[asset], &paid)
				}
			case 6:
				p := c.Price(ceth)
				p.Mul(&p, u(70+rng.Uint64N(61)))
				p.Div(&p, u(100))
				must(t, c.SetPrice(ceth, &p))
			case 7:
				victim := rng.IntN(users)
				for v := 0; v < users; v++ {
					if _, s, err := c.AccountLiquidity(v); err == nil && !s.IsZero() && v != user {
						victim = v
					}
				}
				debt, coll := rng.IntN(2), rng.IntN(2)
				must(t, c.AccrueInterest(block, debt))
				bal, berr := c.BorrowBalanceStored(debt, victim)
				must(t, berr)
				var repay uint256.Int
				repay.Mul(&bal, u(1+rng.Uint64N(50)))
				repay.Div(&repay, u(100))
				if repay.Gt(&w[debt]) {
					continue
				}
				before = c.Clone() // the accrual above is not part of the operation
				var res LiquidationResult
				if res, err = c.LiquidateBorrow(block, debt, coll, user, victim, &repay); err == nil {
					w[debt].Sub(&w[debt], &res.Repaid)
				}
			}
			if err == nil {
				succeeded[op]++
			} else {
				if !lending.IsRevert(err) {
					t.Fatalf("seed %d step %d: %v is not a revert", seed, step, err)
				}
				for i := range c.markets {
					if c.markets[i].st != before.markets[i].st {
						t.Fatalf("seed %d step %d: failed op changed market %d: %v", seed, step, i, err)
					}
				}
			}
			for i := 0; i < 2; i++ {
				m := c.Market(i)
				if m.BorrowIndex.Lt(&lastIndex[i]) {
					t.Fatalf("seed %d step %d: borrow index of %d decreased", seed, step, i)
				}
				lastIndex[i] = m.BorrowIndex
				var r0, r1 uint256.Int
				must(t, c.markets[i].exchangeRate(&r0))
				probe := c.markets[i]
				if err := probe.accrueInterest(block + 1000); err == nil {
					must(t, probe.exchangeRate(&r1))
					if r1.Lt(&r0) {
						t.Fatalf("seed %d step %d: accrual lowered the exchange rate of %d", seed, step, i)
					}
				}
				var total, tokens uint256.Int
				total.Set(&m.Cash)
				for k := range wallet {
					total.Add(&total, &wallet[k][i])
				}
				if !total.Eq(&minted[i]) {
					t.Fatalf("seed %d step %d: wallets + cash = %s, minted %s", seed, step, total.Dec(), minted[i].Dec())
				}
				for k := range c.accounts {
					tokens.Add(&tokens, &c.accounts[k].pos[i].tokens)
				}
				if !tokens.Eq(&m.TotalSupply) {
					t.Fatalf("seed %d step %d: balances %s, supply %s", seed, step, tokens.Dec(), m.TotalSupply.Dec())
				}
			}
		}
	}
	t.Logf("successful operations by kind: %v", succeeded)
	for op, n := range succeeded {
		if n == 0 {
			t.Errorf("operation %d never succeeded", op)
		}
	}
}

// TestLiquidityFallsWithCollateralPrice checks on random positions, with
// ETH as the only collateral and USD debt, that the account's liquidity
// minus shortfall never rises as the ETH price falls: each collateral term
// ⌊⌊cf·rate⌋·price⌋·tokens is monotone in the price.
func TestLiquidityFallsWithCollateralPrice(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 13))
	for trial := 0; trial < 200; trial++ {
		c := newTestComptroller(t)
		_, err := c.Mint(b0, cusd, 1, u(100_000_000e6))
		must(t, err)
		coll := randAmount(rng, 1, 1e6)
		coll.Mul(coll, u(1e15))
		_, err = c.Mint(b0, ceth, 2, coll)
		must(t, err)
		must(t, c.EnterMarket(ceth, 2))
		liq, _, err := c.AccountLiquidity(2)
		must(t, err)
		var borrow uint256.Int
		borrow.Div(&liq, u(1e12*(1+rng.Uint64N(4)))) // USD·1e18 to 6-decimal units, ÷ 1–4
		if borrow.IsZero() {
			continue
		}
		must(t, c.Borrow(b0, cusd, 2, &borrow))
		block := b0 + rng.Uint64N(1_000_000)
		must(t, c.AccrueInterest(block, cusd))
		must(t, c.AccrueInterest(block, ceth))
		price := dec(t, "2000000000000000000000")
		var prevL, prevS uint256.Int
		first := true
		for !price.IsZero() {
			must(t, c.SetPrice(ceth, price))
			l, s, err := c.AccountLiquidity(2)
			if isReason(err, "PRICE_ERROR") {
				break
			}
			must(t, err)
			if !first && (l.Gt(&prevL) || s.Lt(&prevS)) {
				t.Fatalf("trial %d: liquidity rose as the price fell to %s", trial, price.Dec())
			}
			prevL, prevS, first = l, s, false
			var step uint256.Int
			step.Div(price, u(2+rng.Uint64N(8)))
			step.AddUint64(&step, 1)
			if step.Gt(price) {
				break
			}
			price.Sub(price, &step)
		}
	}
}

// TestLiquidationOutcome liquidates random positions with a shortfall at
// the close factor and checks, with C the raw collateral value, D the debt
// value, cf the collateral factor and R = cf·C/D:
//   - the call reverts with LIQUIDATE_SEIZE_TOO_MUCH exactly when the
//     seizure exceeds the borrower's cTokens;
//   - when C > D·incentive, R rises;
//   - when 2R − cf·incentive ≥ 1 (a 50% close factor), the shortfall is gone.
//
// Comparisons near the boundaries keep a relative margin of 1e−6.
func TestLiquidationOutcome(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 19))
	const borrower, liquidator = 2, 3
	var branches [3]int
	for trial := 0; trial < 500; trial++ {
		c := newTestComptroller(t)
		_, err := c.Mint(b0, cusd, 1, u(100_000_000e6))
		must(t, err)
		coll := randAmount(rng, 10, 1e6)
		coll.Mul(coll, u(1e15))
		_, err = c.Mint(b0, ceth, borrower, coll)
		must(t, err)
		must(t, c.EnterMarket(ceth, borrower))
		liq, _, err := c.AccountLiquidity(borrower)
		must(t, err)
		var borrow uint256.Int
		borrow.Div(&liq, u(1e12))
		if borrow.CmpUint64(10e6) < 0 {
			continue
		}
		must(t, c.Borrow(b0, cusd, borrower, &borrow))
		block := b0 + rng.Uint64N(100_000)
		price := 2000 * (40 + rng.Uint64N(60)) / 100
		p := uint256.NewInt(price)
		p.Mul(p, u(1e18))
		must(t, c.SetPrice(ceth, p))
		must(t, c.AccrueInterest(block, cusd))
		must(t, c.AccrueInterest(block, ceth))
		_, short, err := c.AccountLiquidity(borrower)
		must(t, err)
		if short.IsZero() {
			continue
		}
		debt, err := c.BorrowBalanceStored(cusd, borrower)
		must(t, err)
		var repay uint256.Int
		cf := c.CloseFactor()
		mulExp(&repay, &cf, &debt)
		seize, err := c.LiquidateCalculateSeizeTokens(cusd, ceth, &repay)
		must(t, err)
		before, err := Market{c}.Account(block, borrower)
		must(t, err)
		held := c.Position(ceth, borrower).Tokens
		_, err = c.LiquidateBorrow(block, cusd, ceth, liquidator, borrower, &repay)
		tooMuch := seize.Gt(&held)
		if tooMuch {
			branches[0]++
			if !isReason(err, "LIQUIDATE_SEIZE_TOO_MUCH") {
				t.Fatalf("trial %d: seizing more than the balance: %v", trial, err)
			}
			continue
		}
		must(t, err)
		after, err := Market{c}.Account(block, borrower)
		must(t, err)
		cfg, incentive := c.MarketConfig(ceth), c.LiquidationIncentive()
		collF := cfg.CollateralFactor.Float64() / 1e18
		inc := incentive.Float64() / 1e18
		r0 := before.Collateral.Float64() / before.Debt.Float64()
		r1 := after.Collateral.Float64() / after.Debt.Float64()
		if before.Collateral.Float64()/collF > before.Debt.Float64()*inc*(1+1e-6) {
			branches[1]++
			if !(r1 > r0) {
				t.Fatalf("trial %d: collateral ratio %v -> %v", trial, r0, r1)
			}
		}
		if 2*r0-collF*inc >= 1+1e-6 {
			branches[2]++
			if after.Liquidatable {
				t.Fatalf("trial %d: ratio %v -> %v, shortfall left", trial, r0, r1)
			}
		}
	}
	for i, n := range branches {
		if n == 0 {
			t.Errorf("branch %d of the property never exercised", i)
		}
	}
}
