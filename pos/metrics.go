package pos

import (
	"math"
	"math/big"
	"math/bits"
	"slices"
)

// Gini returns the Gini coefficient of the amounts x (stakes or wealths):
//
//	G = Σ_i Σ_j |x_i − x_j| / (2·n·Σ x)
//	  = Σ_i (2i − n − 1)·x_(i) / (n·Σ x)
//
// with x_(1) ≤ … ≤ x_(n) sorted ascending, i from 1. G is 0 when all
// amounts are equal and (n−1)/n when one holds everything; it is 0 for an
// empty or all-zero x. Numerator and denominator are exact integers
// (128-bit) and the quotient is rounded once to the nearest float64. x is
// not modified (a sorted copy is made). It returns NaN if len(x) ≥ 2^31.
func Gini(x []uint64) float64 {
	n := len(x)
	if n == 0 {
		return 0
	}
	if n >= 1<<31 {
		return math.NaN()
	}
	s := slices.Clone(x)
	slices.Sort(s)
	return GiniSorted(s)
}

// GiniSorted is Gini of x already sorted ascending, which it does not
// copy.
func GiniSorted(s []uint64) float64 {
	n := len(s)
	if n == 0 {
		return 0
	}
	if n >= 1<<31 {
		return math.NaN()
	}
	// (2i − n − 1) is negative for the lower half: accumulate the two
	// signs separately, each < 2^31·2^64·2^31 < 2^128.
	var pos, neg, total sum128
	for k, v := range s {
		c := 2*int64(k+1) - int64(n) - 1
		total = total.add(v)
		switch {
		case c > 0:
			hi, lo := bits.Mul64(uint64(c), v)
			pos = pos.add128(sum128{hi, lo})
		case c < 0:
			hi, lo := bits.Mul64(uint64(-c), v)
			neg = neg.add128(sum128{hi, lo})
		}
	}
	if total == (sum128{}) {
		return 0
	}
	num := pos.sub(neg)
	// den = total·n, in 128 bits when it fits (total < 2^128/n).
	dh, dl := bits.Mul64(total.lo, uint64(n))
	th, tl := bits.Mul64(total.hi, uint64(n))
	if dh2, c := bits.Add64(dh, tl, 0); th == 0 && c == 0 && dh2 == 0 && num.hi == 0 {
		if f, ok := quoFloat(num.lo, dl); ok {
			return f
		}
	}
	den := new(big.Int).Mul(total.big(), big.NewInt(int64(n)))
	f, _ := new(big.Rat).SetFrac(num.big(), den).Float64()
	return f
}

// quoFloat returns num/den rounded to the nearest float64 (ties to even),
// what big.Rat's Float64 returns, for 0 ≤ num < den: q = ⌊num·2^k/den⌋
// with k such that 2^63 ≤ q < 2^64 is one division of two words by one,
// a remainder r ≠ 0 sets q's last bit (a sticky bit, 10 places below
// float64's rounding bit, so it breaks exact ties the right way and
// changes nothing else), float64(q) rounds once, and ·2^−k is exact. ok
// is false for num ≥ den.
func quoFloat(num, den uint64) (f float64, ok bool) {
	if num >= den {
		return 0, false
	}
	if num == 0 {
		return 0, true
	}
	// num·2^(63 + lz(num) − lz(den)) lies in [den·2^62, den·2^64): q has 63
	// or 64 bits, so one more place when it has 63.
	k := 63 + bits.LeadingZeros64(num) - bits.LeadingZeros64(den)
	hi, lo := shl128(num, uint(k))
	q, r := bits.Div64(hi, lo, den)
	if q < 1<<63 {
		k++
		hi, lo = shl128(num, uint(k))
		q, r = bits.Div64(hi, lo, den)
	}
	if r != 0 {
		q |= 1
	}
	return math.Ldexp(float64(q), -k), true
}

// shl128 returns x·2^k as two words, for k < 128.
func shl128(x uint64, k uint) (hi, lo uint64) {
	if k >= 64 {
		return x << (k - 64), 0
	}
	if k == 0 {
		return 0, x
	}
	return x >> (64 - k), x << k
}

func (s sum128) big() *big.Int {
	b := new(big.Int).SetUint64(s.hi)
	b.Lsh(b, 64)
	return b.Or(b, new(big.Int).SetUint64(s.lo))
}

// StakingRatio returns bonded/supply as a float64 (0 for a zero supply).
func StakingRatio(l Ledger) float64 {
	s := l.Supply()
	if s == 0 {
		return 0
	}
	return float64(l.Bonded) / float64(s)
}

// SortAgain sorts x ascending and applies the same moves to perm (of the
// same length): an insertion sort, linear in len(x) plus the number of
// pairs out of order, for amounts listed in the order that sorted them
// last time and moved little since. Past 16·len(x) moves it sorts both
// with slices.SortFunc instead.
func SortAgain(x []uint64, perm []int32) {
	budget := 16 * len(x)
	for i := 1; i < len(x); i++ {
		v, p := x[i], perm[i]
		j := i
		for j > 0 && x[j-1] > v {
			x[j], perm[j] = x[j-1], perm[j-1]
			j--
		}
		x[j], perm[j] = v, p
		if budget -= i - j; budget < 0 {
			sortPairs(x, perm)
			return
		}
	}
}

func sortPairs(x []uint64, perm []int32) {
	type pair struct {
		v uint64
		p int32
	}
	ps := make([]pair, len(x))
	for i := range x {
		ps[i] = pair{x[i], perm[i]}
	}
	slices.SortFunc(ps, func(a, b pair) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})
	for i := range ps {
		x[i], perm[i] = ps[i].v, ps[i].p
	}
}

// LargestShare returns max(x)/Σx, the share of the largest holder (0 for
// an empty or all-zero x).
func LargestShare(x []uint64) float64 {
	var total sum128
	var m uint64
	for _, v := range x {
		total = total.add(v)
		m = max(m, v)
	}
	if total == (sum128{}) {
		return 0
	}
	f, _ := new(big.Rat).SetFrac(new(big.Int).SetUint64(m), total.big()).Float64()
	return f
}
