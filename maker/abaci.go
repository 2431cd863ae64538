package maker

import "github.com/holiman/uint256"

// Calc is an auction price curve (an abaci.sol contract): Price returns the
// price of collateral dur seconds after an auction started at price top.
// Prices are rays (DAI per unit of collateral times 10^27). top is passed by
// value so that calls through the interface do not allocate.
type Calc interface {
	Price(top uint256.Int, dur uint64) (uint256.Int, error)
}

// LinearDecrease falls linearly from top to zero over Tau seconds:
//
//	price = rmul(top, (Tau−dur)·RAY / Tau)  for dur < Tau, else 0
//
// Both divisions round down, so the price is never above the straight line.
type LinearDecrease struct {
	Tau uint64 // seconds after the start at which the price reaches zero
}

// Price implements Calc.
func (c LinearDecrease) Price(top uint256.Int, dur uint64) (uint256.Int, error) {
	if dur >= c.Tau {
		return uint256.Int{}, nil
	}
	var f uint256.Int
	if _, o := f.MulOverflow(uint256.NewInt(c.Tau-dur), &ray); o {
		return f, errOverflow
	}
	f.Div(&f, uint256.NewInt(c.Tau))
	return rmul(&top, &f)
}

// StairstepExponentialDecrease multiplies the price by Cut once every Step
// seconds:
//
//	price = rmul(top, rpow(Cut, ⌊dur/Step⌋, RAY))
//
// rpow rounds every intermediate product half up (see Rpow); the final rmul
// rounds down. Cut is a ray no greater than RAY; Step must be positive.
type StairstepExponentialDecrease struct {
	Step uint64      // seconds between price drops
	Cut  uint256.Int // per-step multiplicative factor [ray]
}

// Price implements Calc.
func (c StairstepExponentialDecrease) Price(top uint256.Int, dur uint64) (uint256.Int, error) {
	if c.Step == 0 {
		return uint256.Int{}, errDivZero
	}
	if c.Cut.Gt(&ray) {
		return uint256.Int{}, revert("StairstepExponentialDecrease/cut-gt-RAY")
	}
	f, err := Rpow(&c.Cut, dur/c.Step, &ray)
	if err != nil {
		return f, err
	}
	return rmul(&top, &f)
}

// ExponentialDecrease multiplies the price by Cut every second:
//
//	price = rmul(top, rpow(Cut, dur, RAY))
//
// with the rounding of Rpow (half up) and rmul (down). Cut is a ray no
// greater than RAY.
type ExponentialDecrease struct {
	Cut uint256.Int // per-second multiplicative factor [ray]
}

// Price implements Calc.
func (c ExponentialDecrease) Price(top uint256.Int, dur uint64) (uint256.Int, error) {
	if c.Cut.Gt(&ray) {
		return uint256.Int{}, revert("ExponentialDecrease/cut-gt-RAY")
	}
	f, err := Rpow(&c.Cut, dur, &ray)
	if err != nil {
		return f, err
	}
	return rmul(&top, &f)
}
