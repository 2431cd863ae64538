package protocol

import "github.com/cascade-risk/cascade/pos"

// Hooks into a Staking's state for its external tests (package
// protocol_test, which also uses the agents).

func (s *Staking) LendAccount() pos.AccountID             { return s.lendAcct }
func (s *Staking) TamperIssued()                          { s.issued++ }
func (s *Staking) TamperSeized()                          { s.seized++ }
func (s *Staking) LendingState() (cash, borrows uint64)   { return s.cash, s.borrows }
func (s *Staking) LendingRates() (supply, borrow float64) { return s.lendingRates() }
func (s *Staking) Outcomes() (defaults, maxDepth int, seized uint64) {
	return s.defaults, s.maxDepth, s.seized
}
