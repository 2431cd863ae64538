package aave

import (
	"math/rand/v2"
	"testing"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/lending"
)

// randAmount returns a uniformly random amount in [lo, hi).
func randAmount(rng *rand.Rand, lo, hi uint64) *uint256.Int {
	return uint256.NewInt(lo + rng.Uint64N(hi-lo))
}

// wallets tracks the users' token balances outside the pool, so the tests
// can check that operations move tokens without creating or destroying any.
type wallets map[int]*[2]uint256.Int

func (w wallets) of(user int) *[2]uint256.Int {
	if w[user] == nil {
		w[user] = new([2]uint256.Int)
	}
	return w[user]
}

// checkBooks verifies that per asset the wallets plus the pool's cash equal
// what was minted into the wallets, and that each token's scaled total is
// the sum of the holders' scaled balances.
func checkBooks(t *testing.T, p *Pool, w wallets, minted [2]uint256.Int, step int) {
	t.Helper()
	for i := 0; i < 2; i++ {
		var total, supply, debt uint256.Int
		r := p.Reserve(i)
		total.Set(&r.Cash)
		for _, b := range w {
			total.Add(&total, &b[i])
		}
		if !total.Eq(&minted[i]) {
			t.Fatalf("step %d asset %d: wallets + cash = %s, minted %s", step, i, total.Dec(), minted[i].Dec())
		}
		supply.Set(&r.TreasuryScaled)
		for k := range p.accounts {
			supply.Add(&supply, &p.accounts[k].pos[i].supply)
			debt.Add(&debt, &p.accounts[k].pos[i].debt)
		}
		if !supply.Eq(&r.ScaledSupply) || !debt.Eq(&r.ScaledVariableDebt) {
			t.Fatalf("step %d asset %d: scaled supply %s vs %s, debt %s vs %s", step, i,
				supply.Dec(), r.ScaledSupply.Dec(), debt.Dec(), r.ScaledVariableDebt.Dec())
		}
	}
}

// TestRandomOperations drives a pool with random operations, times and
// prices and checks after every step that
//   - every error is a contract revert and leaves the pool unchanged,
//   - the liquidity and variable borrow indexes never decrease, and the
//     normalized income and debt a day later are at least the stored indexes,
//   - tokens are conserved between the wallets and the pool, and scaled
//     totals are the sums of the balances.
func TestRandomOperations(t *testing.T) {
	var succeeded [8]int
	for seed := uint64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 99))
		p := newTestPool(t)
		w := wallets{}
		var minted [2]uint256.Int
		const users = 5
		for u := 0; u < users; u++ {
			b := w.of(u)
			b[weth] = *dec(t, "1000000000000000000000") // 1000 WETH
			b[usdc] = *uint256.NewInt(5_000_000e6)
			minted[weth].Add(&minted[weth], &b[weth])
			minted[usdc].Add(&minted[usdc], &b[usdc])
		}
		now := uint64(t0)
		var lastLI, lastVBI [2]uint256.Int
		for i := 0; i < 2; i++ {
			lastLI[i], lastVBI[i] = ray, ray
		}
		for step := 0; step < 400; step++ {
			if rng.IntN(4) == 0 {
				now += rng.Uint64N(10 * day)
			}
			user, asset := rng.IntN(users), rng.IntN(2)
			b := w.of(user)
			unit := uint64(1e6)
			if asset == weth {
				unit = 1e15 // amounts in thousandths of a WETH
			}
			before := p.Clone()
			var err error
			op := rng.IntN(8)
			switch op {
			case 0, 1:
				amt := randAmount(rng, 1, 10_000)
				amt.Mul(amt, uint256.NewInt(unit))
				if amt.Gt(&b[asset]) {
					continue
				}
				if err = p.Supply(now, asset, user, amt); err == nil {
					b[asset].Sub(&b[asset], amt)
				}
			case 2:
				amt := randAmount(rng, 1, 10_000)
				amt.Mul(amt, uint256.NewInt(unit))
				if rng.IntN(3) == 0 {
					amt = &maxU256
				}
				var out uint256.Int
				if out, err = p.Withdraw(now, asset, user, amt); err == nil {
					b[asset].Add(&b[asset], &out)
				}
			case 3, 4:
				amt := randAmount(rng, 1, 5_000)
				amt.Mul(amt, uint256.NewInt(unit))
				if rng.IntN(2) == 0 {
					// Borrow 50% to 100% of the remaining borrowing power,
					// so that price moves make positions liquidatable.
					d, err := p.UserAccountData(now, user)
					must(t, err)
					r := p.reserves[asset]
					amt.Mul(&d.AvailableBorrowsBase, &r.unit)
					amt.Div(amt, &r.price)
					amt.Mul(amt, uint256.NewInt(50+rng.Uint64N(51)))
					amt.Div(amt, uint256.NewInt(100))
				}
				if err = p.Borrow(now, asset, user, amt); err == nil {
					b[asset].Add(&b[asset], amt)
				}
			case 5:
				amt := b[asset]
				if rng.IntN(2) == 0 {
					amt.Rsh(&amt, 1)
				}
				var paid uint256.Int
				if paid, err = p.Repay(now, asset, user, &amt); err == nil {
					b[asset].Sub(&b[asset], &paid)
				}
			case 6:
				// Move the WETH price by up to ±30%.
				price := p.Price(weth)
				f := 70 + rng.Uint64N(61)
				price.Mul(&price, uint256.NewInt(f))
				price.Div(&price, uint256.NewInt(100))
				must(t, p.SetPrice(weth, &price))
			case 7:
				victim := rng.IntN(users)
				for v := 0; v < users; v++ { // prefer an unhealthy victim
					if hf, err := p.HealthFactor(now, v); err == nil && v != user && hf.CmpUint64(Wad) < 0 {
						victim = v
					}
				}
				if victim == user {
					continue
				}
				coll, debt := rng.IntN(2), rng.IntN(2)
				cover := b[debt]
				receive := rng.IntN(2) == 0
				var res lending.Liquidation
				if res, err = p.LiquidationCall(now, coll, debt, victim, user, &cover, receive); err == nil {
					b[debt].Sub(&b[debt], &res.Repaid)
					if !receive {
						b[coll].Add(&b[coll], &res.Seized)
					}
				}
			}
			if err == nil {
				succeeded[op]++
			} else {
				if !lending.IsRevert(err) {
					t.Fatalf("seed %d step %d: %v is not a revert", seed, step, err)
				}
				for i := range p.reserves {
					p.reserves[i].settle()
					before.reserves[i].settle()
					if p.reserves[i].st != before.reserves[i].st {
						t.Fatalf("seed %d step %d: failed op changed reserve %d", seed, step, i)
					}
				}
			}
			for i := 0; i < 2; i++ {
				r := p.Reserve(i)
				if r.LiquidityIndex.Lt(&lastLI[i]) || r.VariableBorrowIndex.Lt(&lastVBI[i]) {
					t.Fatalf("seed %d step %d: index of %d decreased", seed, step, i)
				}
				lastLI[i], lastVBI[i] = r.LiquidityIndex, r.VariableBorrowIndex
				var ni, nd uint256.Int
				if r.LastUpdate > 0 {
					must(t, p.reserves[i].normalizedIncome(&ni, now+day))
					must(t, p.reserves[i].normalizedDebt(&nd, now+day))
					if ni.Lt(&r.LiquidityIndex) || nd.Lt(&r.VariableBorrowIndex) {
						t.Fatalf("seed %d step %d: normalized index below stored", seed, step)
					}
				}
			}
			checkBooks(t, p, w, minted, step)
		}
	}
	t.Logf("successful operations by kind: %v", succeeded)
	for op, n := range succeeded {
		if n == 0 {
			t.Errorf("operation %d never succeeded", op)
		}
	}
}

// TestHealthFactorFallsWithCollateralPrice checks on random positions, with
// one collateral asset and debt in another, that the health factor never
// rises as the collateral's price falls. (With several collateral assets the
// average threshold is truncated, ⌊Σ v_i·LT_i / Σ v_i⌋, and the health
// factor can tick up by a rounding unit when one price falls.)
func TestHealthFactorFallsWithCollateralPrice(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for trial := 0; trial < 200; trial++ {
		p := newTestPool(t)
		must(t, p.Supply(t0, usdc, 1, u(100_000_000e6)))
		coll := randAmount(rng, 1, 1e6) // 0.001 to 1000 WETH
		coll.Mul(coll, uint256.NewInt(1e15))
		must(t, p.Supply(t0, weth, 2, coll))
		d, err := p.UserAccountData(t0, 2)
		must(t, err)
		var maxBorrow uint256.Int
		maxBorrow.Mul(&d.AvailableBorrowsBase, uint256.NewInt(1e6))
		maxBorrow.Div(&maxBorrow, uint256.NewInt(1e8))
		if maxBorrow.IsZero() {
			continue
		}
		amt := new(uint256.Int).Div(&maxBorrow, uint256.NewInt(1+rng.Uint64N(5)))
		if amt.IsZero() {
			continue
		}
		must(t, p.Borrow(t0, usdc, 2, amt))
		now := uint64(t0 + rng.Uint64N(365*day))
		prev := maxU256
		price := uint64(2000e8)
		for price > 0 {
			must(t, p.SetPrice(weth, uint256.NewInt(price)))
			hf, err := p.HealthFactor(now, 2)
			must(t, err)
			if hf.Gt(&prev) {
				t.Fatalf("trial %d: HF rose from %s to %s as price fell to %d", trial, prev.Dec(), hf.Dec(), price)
			}
			prev = hf
			price -= 1 + rng.Uint64N(price/5+1)
			if price > 2000e8 { // wrapped below zero
				break
			}
		}
	}
}

// TestLiquidationOutcome liquidates random underwater positions as far as
// one call allows and checks that the call is bounded by exactly what the
// protocol says (the close factor, or the whole collateral), and that it
// repairs the position when the collateral can pay the bonus:
//   - either the collateral is taken in full (and stops being collateral),
//     or the debt repaid is the close-factor maximum;
//   - at a 100% close factor with collateral to spare, the debt is cleared;
//   - when collateral value exceeds debt·bonus, the health factor rises;
//   - at a 50% close factor, HF' = 2·HF − LT·bonus, so a position with
//     2·HF − LT·bonus ≥ 1 ends healthy.
//
// Comparisons near the boundaries keep a relative margin of 1e−6, far above
// the rounding of values of at least 10 USD held in 8-decimal base units.
func TestLiquidationOutcome(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	const victim, liquidator = 2, 3
	checked := [4]int{}
	for trial := 0; trial < 500; trial++ {
		p := newTestPool(t)
		if rng.IntN(2) == 0 { // half the trials without a protocol fee
			c := wethConfig()
			c.LiquidationProtocolFee = 0
			must(t, p.SetReserveConfig(weth, c))
		}
		must(t, p.Supply(t0, usdc, 1, u(100_000_000e6)))
		coll := randAmount(rng, 10, 1e6) // 0.01 to 1000 WETH
		coll.Mul(coll, uint256.NewInt(1e15))
		must(t, p.Supply(t0, weth, victim, coll))
		d, err := p.UserAccountData(t0, victim)
		must(t, err)
		var borrow uint256.Int
		borrow.Mul(&d.AvailableBorrowsBase, uint256.NewInt(1e6))
		borrow.Div(&borrow, uint256.NewInt(1e8))
		if borrow.CmpUint64(10e6) < 0 {
			continue
		}
		must(t, p.Borrow(t0, usdc, victim, &borrow))
		now := uint64(t0 + rng.Uint64N(30*day))
		// Drop the price so the position is underwater: 40% to 99% of it.
		price := 2000e8 * (40 + rng.Uint64N(60)) / 100
		must(t, p.SetPrice(weth, uint256.NewInt(price)))
		before, err := p.UserAccountData(now, victim)
		must(t, err)
		if before.HealthFactor.CmpUint64(Wad) >= 0 {
			continue
		}
		debt, err := p.DebtBalance(now, usdc, victim)
		must(t, err)
		closeFactor := uint64(MaxLiquidationCloseFactor)
		if before.HealthFactor.CmpUint64(CloseFactorHFThreshold) > 0 {
			closeFactor = DefaultLiquidationCloseFactor
		}
		var maxDebt uint256.Int
		must(t, percentMul(&maxDebt, &debt, closeFactor))

		res, err := p.LiquidationCall(now, weth, usdc, victim, liquidator, &maxU256, rng.IntN(2) == 0)
		must(t, err)
		after, err := p.UserAccountData(now, victim)
		must(t, err)
		allSeized := !p.Position(weth, victim).Collateral
		if !allSeized && !res.Repaid.Eq(&maxDebt) {
			t.Fatalf("trial %d: repaid %s, neither all collateral nor the maximum %s", trial, res.Repaid.Dec(), maxDebt.Dec())
		}
		hf0, hf1 := before.HealthFactor.Float64()/1e18, after.HealthFactor.Float64()/1e18
		collValue := before.TotalCollateralBase.Float64()
		debtValue := before.TotalDebtBase.Float64()
		bonus := float64(wethConfig().LiquidationBonus) / 1e4
		lt := float64(wethConfig().LiquidationThreshold) / 1e4
		if allSeized {
			checked[0]++
			continue
		}
		if closeFactor == MaxLiquidationCloseFactor {
			checked[1]++
			if !after.TotalDebtBase.IsZero() {
				t.Fatalf("trial %d: 100%% close factor left debt %s", trial, after.TotalDebtBase.Dec())
			}
			continue
		}
		if collValue > debtValue*bonus*(1+1e-6) {
			checked[2]++
			if !(hf1 > hf0) {
				t.Fatalf("trial %d: HF %v -> %v with collateral %v > debt %v × bonus", trial, hf0, hf1, collValue, debtValue)
			}
		}
		if 2*hf0-lt*bonus >= 1+1e-6 {
			checked[3]++
			if after.HealthFactor.CmpUint64(Wad) < 0 {
				t.Fatalf("trial %d: HF %v -> %v, expected healthy", trial, hf0, hf1)
			}
		}
	}
	for i, n := range checked {
		if n == 0 {
			t.Errorf("branch %d of the property never exercised", i)
		}
	}
}
