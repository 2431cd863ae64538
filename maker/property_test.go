package maker

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/holiman/uint256"
)

// TestAuctionProperties drives several auctions with a fixed-seed random
// sequence of takes, price moves, waits and resets, and checks after every
// step that
//   - a take never increases tab or lot,
//   - collateral is conserved: free collateral of every account plus the
//     collateral locked in vaults equals what was joined,
//   - the auction price never increases between two resets,
//   - the Vat balances: Debt = Σ dai, Vice = Σ sin, and the Dog's Dirt is
//     the sum of the tabs of the running auctions.
func TestAuctionProperties(t *testing.T) {
	calcs := []Calc{
		StairstepExponentialDecrease{Step: 90, Cut: u(t, "990000000000000000000000000")},
		ExponentialDecrease{Cut: u(t, "999900000000000000000000000")},
		LinearDecrease{Tau: 7200},
	}
	for ci, calc := range calcs {
		rng := rand.New(rand.NewPCG(uint64(ci), 42))
		s, err := New(Config{Vow: vow, Line: u(t, "1"+strings.Repeat("0", 60)), Hole: u(t, "1"+strings.Repeat("0", 57)), Par: ray})
		must(t, err)
		cfg := IlkConfig{
			Line: u(t, "1"+strings.Repeat("0", 60)), Dust: u(t, "20"+strings.Repeat("0", 45)),
			Duty: u(t, "1000000000627937192491029810"), Mat: u(t, "1500000000000000000000000000"),
			Chop: u(t, "1130000000000000000"), Hole: u(t, "1"+strings.Repeat("0", 57)),
			Buf: u(t, "1200000000000000000000000000"), Tail: 6000, Cusp: u(t, "400000000000000000000000000"),
			Chip: u(t, "1000000000000000"), Tip: u(t, "5"+strings.Repeat("0", 45)), Calc: calc,
		}
		now := t0
		must(t, s.AddIlk(gold, cfg, now))
		must(t, s.Poke(gold, wads(3000)))
		owners := []Address{"o1", "o2", "o3", "o4", "o5", "o6"}
		keepers := []Address{ali, bob}
		everyone := append(append(append([]Address{}, owners...), keepers...), vow, ClipperAddress(gold))
		var joined uint256.Int
		for i, o := range owners {
			ink := uint256.NewInt(uint64(i+1) * 1e18)
			joined.Add(&joined, ink)
			must(t, s.Slip(gold, o, ink))
			art := wads(uint64(i+1) * 1900)
			must(t, s.Frob(gold, o, ink, art))
		}
		big := u(t, "1"+strings.Repeat("0", 52))
		for _, k := range keepers {
			must(t, s.Suck(vow, k, &big))
		}
		now += 86400
		_, err = s.Drip(gold, now)
		must(t, err)
		must(t, s.Poke(gold, wads(2500)))
		for _, o := range owners {
			if _, err := s.Bark(gold, o, ali, now); err != nil {
				t.Fatalf("bark %s: %v", o, err)
			}
		}

		lastPrice := map[uint64]uint256.Int{}
		takes, redos, steps, partial := 0, 0, 0, 0
		for step := 0; step < 3000; step++ {
			steps++
			ids := s.Active(gold, nil)
			if len(ids) == 0 {
				break
			}
			id := ids[rng.IntN(len(ids))]
			switch rng.IntN(4) {
			case 0:
				now += uint64(rng.IntN(1500))
			case 1:
				must(t, s.Poke(gold, wads(uint64(1000+rng.IntN(3000)))))
			default:
				st, _, err := s.Status(gold, id, now)
				must(t, err)
				if st.NeedsRedo {
					must(t, s.Redo(gold, id, keepers[rng.IntN(2)], now))
					delete(lastPrice, id)
					redos++
					continue
				}
				before, _ := s.Sale(gold, id)
				amt := uint256.NewInt(uint64(rng.IntN(4e5)) * 1e12)
				p, err := s.Take(gold, id, amt, &st.Price, keepers[rng.IntN(2)], now)
				if err != nil {
					if !IsRevert(err) {
						t.Fatal(err)
					}
					continue
				}
				takes++
				if !p.Done {
					partial++
				}
				if p.Tab.Gt(&before.Tab) || p.Lot.Gt(&before.Lot) {
					t.Fatalf("step %d: take raised tab %s→%s or lot %s→%s", step, before.Tab.Dec(), p.Tab.Dec(), before.Lot.Dec(), p.Lot.Dec())
				}
				var sum uint256.Int
				sum.Add(&p.Slice, &p.Returned)
				sum.Add(&sum, &p.Lot)
				if !sum.Eq(&before.Lot) {
					t.Fatalf("step %d: slice+returned+lot = %s, lot was %s", step, sum.Dec(), before.Lot.Dec())
				}
			}
			for _, id := range s.Active(gold, nil) {
				st, _, err := s.Status(gold, id, now)
				must(t, err)
				if st.NeedsRedo {
					continue
				}
				if last, ok := lastPrice[id]; ok && st.Price.Gt(&last) {
					t.Fatalf("step %d auction %d: price rose from %s to %s without a reset", step, id, last.Dec(), st.Price.Dec())
				}
				lastPrice[id] = st.Price
			}
			checkLedger(t, s, everyone, &joined)
		}
		// The sequence must exercise what the properties are about.
		if len(s.Active(gold, nil)) == len(owners) || takes < 50 || partial == 0 || redos == 0 {
			t.Errorf("calc %d: weak sequence: %d steps, %d takes (%d partial), %d resets, %d auctions left",
				ci, steps, takes, partial, redos, len(s.Active(gold, nil)))
		}
	}
}

// checkLedger verifies conservation of collateral and the Vat's and Dog's
// aggregate identities.
func checkLedger(t *testing.T, s *System, everyone []Address, joined *uint256.Int) {
	t.Helper()
	var gem, dai, sin, tabs uint256.Int
	for _, a := range everyone {
		g, d, x := s.Gem(gold, a), s.Dai(a), s.Sin(a)
		urn := s.Urn(gold, a)
		gem.Add(&gem, &g)
		gem.Add(&gem, &urn.Ink)
		dai.Add(&dai, &d)
		sin.Add(&sin, &x)
	}
	if !gem.Eq(joined) {
		t.Fatalf("collateral %s, joined %s", gem.Dec(), joined.Dec())
	}
	debt, vice := s.Debt(), s.Vice()
	if !dai.Eq(&debt) || !sin.Eq(&vice) {
		t.Fatalf("Σdai %s vs debt %s, Σsin %s vs vice %s", dai.Dec(), debt.Dec(), sin.Dec(), vice.Dec())
	}
	for _, id := range s.Active(gold, nil) {
		sale, _ := s.Sale(gold, id)
		tabs.Add(&tabs, &sale.Tab)
	}
	if d, id := s.Dirt(), s.IlkDirt(gold); !d.Eq(&tabs) || !id.Eq(&tabs) {
		t.Fatalf("Dirt %s, dirt %s, Σtab %s", d.Dec(), id.Dec(), tabs.Dec())
	}
}

// wads returns n·WAD.
func wads(n uint64) *uint256.Int {
	return new(uint256.Int).Mul(uint256.NewInt(n), &wad)
}
