package synth

import (
	"testing"

	"github.com/cascade-risk/cascade/pos"
)

// benchBook returns a chain of 1,000 validators and a book with one loan
// against each.
func benchBook(b *testing.B) (*pos.Chain, *Book) {
	b.Helper()
	const n = 1000
	stakes := make([]uint64, n)
	for i := range stakes {
		stakes[i] = 32e9
	}
	p := baseParams()
	p.Curve = RateCurve{{Rate: Fraction(2, 100)}, {X: Fraction(1, 2), Rate: Fraction(20, 100)}}
	e := newEnv(b, p, Enshrined{HaltDiscount: Fraction(5, 100)}, stakes...)
	for i := range n {
		if _, err := e.book.Borrow(0, pos.AccountID(i), pos.ValidatorID(i), 31e9, u(6e9), RayOne()); err != nil {
			b.Fatal(err)
		}
	}
	return e.chain, e.book
}

// One epoch of the protocol with 1,000 loans on 1,000 validators: the
// chain's epoch processing, then the book's Step (accrual, signals,
// policy, default sweep).
func BenchmarkEpoch1000(b *testing.B) {
	chain, book := benchBook(b)
	obs := Observation{Price: RayOne()}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if n++; n == benchEpochs {
			b.StopTimer()
			chain, book = renewBenchBook(b, book)
			n = 1
			b.StartTimer()
		}
		e := chain.Epoch()
		if _, err := chain.ProcessEpoch(e, nil); err != nil {
			b.Fatal(err)
		}
		if _, err := book.Step(e+1, obs); err != nil {
			b.Fatal(err)
		}
	}
}

// benchEpochs is how many epochs the benchmarks step one book before a
// fresh one: interest at the curve's rate brings the 1,000 identical
// loans to their liquidation ratio together at epoch 2,756, after which
// a Step would sweep an empty book.
const benchEpochs = 2048

// renewBenchBook fails the benchmark unless every loan of book is still
// open (the epochs measured swept all 1,000), and returns a fresh chain
// and book.
func renewBenchBook(b *testing.B, book *Book) (*pos.Chain, *Book) {
	b.Helper()
	if n := len(book.open); n != 1000 {
		b.Fatalf("%d loans open after %d epochs, want 1000", n, benchEpochs)
	}
	return benchBook(b)
}

// One Step of a book of 1,000 loans on 1,000 validators, none in default.
func BenchmarkStep1000(b *testing.B) {
	_, book := benchBook(b)
	obs := Observation{Price: RayOne()}
	b.ReportAllocs()
	e := uint64(0)
	for b.Loop() {
		if e++; e == benchEpochs {
			b.StopTimer()
			_, book = renewBenchBook(b, book)
			e = 1
			b.StartTimer()
		}
		if _, err := book.Step(e, obs); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBorrowRepay(b *testing.B) {
	_, book := benchBook(b)
	b.ReportAllocs()
	for b.Loop() {
		id, err := book.Borrow(0, 0, 0, 1e6, u(1e3), RayOne())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := book.Repay(0, id, u(1e3)); err != nil {
			b.Fatal(err)
		}
	}
}
