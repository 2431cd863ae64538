package pos

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
