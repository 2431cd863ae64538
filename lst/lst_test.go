package lst

import (
	"testing"

	"github.com/holiman/uint256"
)

func eth(n uint64) *uint256.Int { return new(uint256.Int).Mul(uint256.NewInt(n), uint256.NewInt(1e18)) }

func dec(s string) *uint256.Int { return uint256.MustFromDecimal(s) }

// A 10 ETH reward on 1000 ETH and 1000 shares with a 10% fee: the pool
// holds 1010 ETH and the treasury is minted
// ⌊10e18·1000·1000e18 / (1010e18·10⁴ − 10e18·1000)⌋ shares, worth one
// wei short of 1 ETH (rounding down). A 5 ETH deposit then mints
// ⌊5e18 · shares / pooled⌋ shares. Figures computed by hand (Python
// integers).
func TestRewardFeeAndDeposit(t *testing.T) {
	tok, err := New(Config{FeeBP: 1000}, eth(1000), eth(1000))
	if err != nil {
		t.Fatal(err)
	}
	fee := tok.Reward(eth(10))
	if want := dec("991080277502477700"); !fee.Eq(want) {
		t.Fatalf("fee shares %v, want %v", &fee, want)
	}
	tr := tok.Treasury()
	if got := tok.EtherFor(&tr); !got.Eq(dec("999999999999999999")) {
		t.Errorf("treasury worth %v wei, want 1 ETH less a wei", &got)
	}
	s, err := tok.Deposit(eth(5))
	if err != nil || !s.Eq(dec("4955401387512388503")) {
		t.Errorf("deposit minted %v (%v), want 4955401387512388503", &s, err)
	}
	if r := tok.Rate(); !(r > 1.008 && r < 1.0091) {
		t.Errorf("rate %v, want 1010/1000.991", r)
	}
}

// Requests of 40, 40 and 100 ETH against a churn of 50 ETH an epoch:
// capacity builds while they wait and is spent in order, so the payouts
// come in epochs 1, 2 and 4, and capacity does not carry over once the
// queue is empty.
func TestQueueChurn(t *testing.T) {
	tok, _ := New(Config{Withdrawals: true, Churn: *eth(50)}, eth(1000), eth(1000))
	for _, n := range []uint64{40, 40, 100} {
		if _, err := tok.RequestWithdrawal(eth(n)); err != nil {
			t.Fatal(err)
		}
	}
	want := [][]uint64{{40}, {40}, {}, {100}, {}}
	for epoch, w := range want {
		paid := tok.Finalize()
		if len(paid) != len(w) {
			t.Fatalf("epoch %d: %d payouts, want %v", epoch+1, len(paid), w)
		}
		for k := range w {
			if !paid[k].Eq(eth(w[k])) {
				t.Errorf("epoch %d: paid %v, want %d ETH", epoch+1, &paid[k], w[k])
			}
		}
	}
	if p, s := tok.Pooled(), tok.Shares(); !p.Eq(eth(820)) || !s.Eq(eth(820)) || !tok.credit.IsZero() {
		t.Errorf("after the queue: pooled %v, shares %v, credit %v", &p, &s, &tok.credit)
	}
}

// A 10% slash between a request and its finalization is shared by the
// queue (it is paid the lower rate); rewards in between are not (it is
// paid what it locked). Without withdrawals a request fails.
func TestQueueRates(t *testing.T) {
	tok, _ := New(Config{Withdrawals: true}, eth(1000), eth(1000))
	if _, err := tok.RequestWithdrawal(eth(100)); err != nil {
		t.Fatal(err)
	}
	if err := tok.Slash(eth(100)); err != nil {
		t.Fatal(err)
	}
	if paid := tok.Finalize(); len(paid) != 1 || !paid[0].Eq(eth(90)) {
		t.Errorf("after a 10%% slash paid %v, want 90 ETH", paid)
	}
	if _, err := tok.RequestWithdrawal(eth(100)); err != nil {
		t.Fatal(err)
	}
	before := tok.Rate()
	tok.Reward(eth(81))
	if paid := tok.Finalize(); len(paid) != 1 || !paid[0].Eq(eth(90)) {
		t.Errorf("after a reward paid %v, want the 90 ETH locked", paid)
	}
	if !(tok.Rate() > before) {
		t.Errorf("the rate did not rise: %v → %v", before, tok.Rate())
	}
	none, _ := New(Config{}, eth(1), eth(1))
	if _, err := none.RequestWithdrawal(eth(1)); err != ErrNoWithdrawals {
		t.Errorf("without withdrawals: %v", err)
	}
	if err := none.Slash(eth(1)); err != ErrLoss {
		t.Errorf("slashing everything: %v", err)
	}
}
