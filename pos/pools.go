package pos

// StakePool is a validator's bonded tokens and the shares issued against
// them: SharesValue(v, x) is ⌊x·Tokens/Shares⌋ for x < Shares and Tokens
// for x ≥ Shares.
type StakePool struct{ Tokens, Shares uint64 }

// Pools appends each validator's StakePool, in id order, to dst: what a
// loan book sweeping its loans reads once, where SharesValue would be a
// call and a 128-bit division for each loan.
func (c *Chain) Pools(dst []StakePool) []StakePool {
	for i := range c.vals {
		dst = append(dst, StakePool{c.vals[i].tokens, c.vals[i].shares})
	}
	return dst
}
