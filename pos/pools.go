package pos

import "math/bits"

// StakePool is a validator's bonded tokens and the shares issued against
// them: SharesValue(v, x) is ⌊x·Tokens/Shares⌋ for x < Shares and Tokens
// for x ≥ Shares.
type StakePool struct{ Tokens, Shares uint64 }

// Pool returns validator v's StakePool, and false for a validator that
// does not exist: what a loan book reads to screen a loan, where
// SharesValue would divide.
func (c *Chain) Pool(v ValidatorID) (StakePool, bool) {
	if int(v) >= len(c.vals) {
		return StakePool{}, false
	}
	x := &c.vals[v]
	return StakePool{x.tokens, x.shares}, true
}

// Value is what SharesValue gives for x shares of the pool: Tokens for
// x ≥ Shares, else ⌊x·Tokens/Shares⌋, whose 128-bit dividend has its high
// word below Shares (x·Tokens < Shares·2^64), so one division gives it.
func (p StakePool) Value(x uint64) uint64 {
	if x >= p.Shares {
		return p.Tokens
	}
	hi, lo := bits.Mul64(x, p.Tokens)
	q, _ := bits.Div64(hi, lo, p.Shares)
	return q
}
