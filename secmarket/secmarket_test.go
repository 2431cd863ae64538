package secmarket

import (
	"math"
	"testing"
)

// Inelastic demand for 3: the asks 5, 1, 4, 2, 3 fill cheapest first and
// the third, 3, is the price all three are paid.
func TestClearKthAsk(t *testing.T) {
	asks := []Ask{{0, 5}, {1, 1}, {2, 4}, {3, 2}, {4, 3}}
	win, price, ok := Clear(asks, infBids(3), 3)
	if !ok || price != 3 || len(win) != 3 || win[0].Validator != 1 || win[1].Validator != 3 || win[2].Validator != 4 {
		t.Fatalf("win %v price %v ok %v", win, price, ok)
	}
	if _, _, ok := Clear([]Ask{{0, 1}, {1, 2}}, infBids(3), 3); ok {
		t.Fatal("two asks filled a demand for three")
	}
	// Ties go to the lower validator index, whatever the order given.
	win, price, _ = Clear([]Ask{{7, 2}, {3, 2}, {5, 1}}, infBids(2), 2)
	if win[0].Validator != 5 || win[1].Validator != 3 || price != 2 {
		t.Fatalf("ties: %v at %v", win, price)
	}
}

// With bids the quantity is where supply meets demand: asks 1…5 against
// bids 6, 5, 3.5, 2, 1 cross after the third (3 ≤ 3.5, 4 > 2); the
// third ask, 3, is the price, below every accepted bid.
func TestClearCrossing(t *testing.T) {
	for _, tc := range []struct {
		bids  []float64
		kmin  int
		k     int
		price float64
	}{
		{[]float64{6, 5, 3.5, 2, 1}, 1, 3, 3},
		{[]float64{6, 5, 3.5, 2, 1}, 3, 3, 3},
		{[]float64{6, 5, 3.5, 2, 1}, 4, 0, 0}, // fewer than it launches with
		{[]float64{10, 10, 10, 10, 10, 10}, 1, 5, 5},
		{[]float64{0.5}, 1, 0, 0},
		{[]float64{2, 2}, 1, 2, 2}, // an ask equal to the bid fills
	} {
		asks := []Ask{{0, 4}, {1, 2}, {2, 5}, {3, 1}, {4, 3}}
		win, price, ok := Clear(asks, tc.bids, tc.kmin)
		if ok != (tc.k > 0) || len(win) != tc.k || price != tc.price {
			t.Errorf("bids %v kmin %d: %d at %v (ok %v), want %d at %v", tc.bids, tc.kmin, len(win), price, ok, tc.k, tc.price)
		}
		for j, a := range win {
			if a.Price > price || price > tc.bids[j] {
				t.Errorf("bids %v: ask %v, price %v, bid %v", tc.bids, a.Price, price, tc.bids[j])
			}
		}
	}
}

// Capacity binds: validator 0 (capacity 1) wins chain A and cannot serve
// B, which clears at a higher price without it; when A leaves it unbonds
// and validator 0 fills the next order.
func TestAuctionCapacityAndLeave(t *testing.T) {
	m, _ := New(Config{Design: Auction, Threshold: 1.0 / 3})
	for _, st := range []struct {
		stake float64
		cap   int
	}{{100, 1}, {50, 2}, {50, 2}, {300, 2}} {
		if _, err := m.AddValidator(st.stake, st.cap); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := m.Arrive(Consumer{K: 2, OwnStake: 90})
	b, _ := m.Arrive(Consumer{K: 2})
	for c, prices := range map[int][]float64{a: {10, 20, 30, 40}, b: {10, 25, 35, 45}} {
		for v, p := range prices {
			if err := m.Ask(c, v, p); err != nil {
				t.Fatal(err)
			}
		}
	}
	m.Advance()
	sa, sb := m.State(a), m.State(b)
	if !m.Live(a) || !m.Live(b) || sa.Price != 20 || sa.Bond != 40 || sb.Price != 35 || sb.Bond != 70 {
		t.Fatalf("A %+v B %+v", sa, sb)
	}
	if !m.Serves(0, a) || m.Serves(0, b) || m.Spare(0) != 0 || m.Spare(1) != 0 {
		t.Fatal("capacity not respected")
	}
	// A's validators are 0 (100) and 1 (50): a third of 150 needs the
	// smaller one; sovereign, a third of 90.
	if sa.Secured != 150 || sa.AttackCost != 50 || sa.OwnCost != 30 || sa.Wait != 1 {
		t.Fatalf("A %+v", sa)
	}
	c, _ := m.Arrive(Consumer{K: 1})
	_ = m.Ask(c, 0, 1)
	m.Advance()
	if !m.Waiting(c) {
		t.Fatal("a validator over capacity filled an order")
	}
	if err := m.Leave(a); err != nil {
		t.Fatal(err)
	}
	if m.Unbonded != 40 || m.Bonded() != 70 {
		t.Fatalf("unbonded %v, bonded %v", m.Unbonded, m.Bonded())
	}
	m.Advance()
	if !m.Live(c) || !m.Serves(0, c) || m.State(c).Wait != 2 {
		t.Fatal("the freed validator did not fill the next order")
	}
	if err := m.Check(); err != nil {
		t.Fatal(err)
	}
	if m.Ask(a, 1, 5) == nil || m.Leave(a) == nil {
		t.Fatal("a departed chain took an ask or left twice")
	}
}

// Governance: a chain launches after the delay with every validator;
// those whose capacity it exceeds are over budget; security is the whole
// provider set's.
func TestGovernance(t *testing.T) {
	m, _ := New(Config{Design: Governance, Delay: 14, Threshold: 1.0 / 3})
	for k, st := range []float64{1, 1, 1, 6} {
		_, _ = m.AddValidator(st, k%2)
	}
	c, _ := m.Arrive(Consumer{K: 1})
	for range 13 {
		m.Advance()
	}
	if !m.Waiting(c) {
		t.Fatal("launched before the delay")
	}
	m.Advance()
	s := m.State(c)
	if !m.Live(c) || s.Validators != 4 || s.Wait != 14 || s.Price != 0 || s.Bond != 0 {
		t.Fatalf("%+v", s)
	}
	// Total 9; a third is 3: the three stakes of 1.
	if s.Secured != 9 || s.AttackCost != 3 {
		t.Fatalf("secured %v attack cost %v", s.Secured, s.AttackCost)
	}
	if m.Overloaded() != 2 {
		t.Fatalf("%d overloaded, want the two of capacity 0", m.Overloaded())
	}
	if err := m.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestCheapestCoalition(t *testing.T) {
	for _, tc := range []struct {
		stakes []float64
		share  float64
		want   float64
	}{
		{[]float64{1, 1, 1}, 1.0 / 3, 1},
		{[]float64{10, 1, 1, 1}, 1.0 / 3, 13}, // 3 < 13/3: the big one too
		{[]float64{5, 5, 5, 5, 5, 5}, 2.0 / 3, 20},
		{nil, 1.0 / 3, 0},
	} {
		if got := cheapestCoalition(append([]float64(nil), tc.stakes...), tc.share); got != tc.want {
			t.Errorf("%v %v: %v, want %v", tc.stakes, tc.share, got, tc.want)
		}
	}
}

func TestInvalid(t *testing.T) {
	if _, err := New(Config{Threshold: 0}); err == nil {
		t.Fatal("threshold 0 accepted")
	}
	m, _ := New(Config{Threshold: 0.5})
	if _, err := m.AddValidator(-1, 1); err == nil {
		t.Fatal("negative stake accepted")
	}
	for _, c := range []Consumer{{K: 0}, {Bids: []float64{1, 2}, Kmin: 1}, {Bids: []float64{2, 1}, Kmin: 3}, {K: 1, OwnStake: math.NaN()}} {
		if _, err := m.Arrive(c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	v, _ := m.AddValidator(1, 1)
	c, _ := m.Arrive(Consumer{K: 1})
	if m.Ask(c, v, -1) == nil {
		t.Fatal("negative ask accepted")
	}
	_ = m.Ask(c, v, 1)
	_ = m.Ask(c, v, math.Inf(1)) // withdrawn
	m.Advance()
	if !m.Waiting(c) {
		t.Fatal("a withdrawn ask filled")
	}
	m.vals[v].serving = 1 // tamper
	if m.Check() == nil {
		t.Fatal("Check missed a miscount")
	}
}
