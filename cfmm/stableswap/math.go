package stableswap

import (
	"errors"
	"math"

	"github.com/holiman/uint256"

	"github.com/cascade-risk/cascade/cfmm"
)

// maxIterations bounds the Newton iterations of GetD, GetY and GetYD, as the
// contract's range(255) loops do.
const maxIterations = 255

// Reverts shared by every operation. The contract's arithmetic reverts carry
// no reason string; these name the condition instead.
var (
	errOverflow     = &cfmm.Revert{Reason: "uint256 overflow"}
	errUnderflow    = &cfmm.Revert{Reason: "uint256 underflow"}
	errDivZero      = &cfmm.Revert{Reason: "division by zero"}
	errDConverge    = &cfmm.Revert{Reason: "get_D did not converge"}
	errYConverge    = &cfmm.Revert{Reason: "get_y did not converge"}
	errSameCoin     = &cfmm.Revert{Reason: "same coin"}
	errIndex        = &cfmm.Revert{Reason: "coin index out of range"}
	errCoinCount    = &cfmm.Revert{Reason: "number of coins out of range"}
	errZeroAmp      = &cfmm.Revert{Reason: "zero amplification"}
	errLengthDiffer = &cfmm.Revert{Reason: "amounts length differs from number of coins"}
	errNilAmount    = errors.New("stableswap: nil amount")
)

// arith performs Vyper's checked uint256 arithmetic. The first overflow,
// underflow or division by zero is remembered in err (the transaction would
// revert there); later operations still run but their results are
// meaningless, so callers check err before using them.
type arith struct{ err error }

func (a *arith) fail(err error) {
	if a.err == nil {
		a.err = err
	}
}

func (a *arith) add(z, x, y *uint256.Int) *uint256.Int {
	if _, o := z.AddOverflow(x, y); o {
		a.fail(errOverflow)
	}
	return z
}

func (a *arith) sub(z, x, y *uint256.Int) *uint256.Int {
	if _, o := z.SubOverflow(x, y); o {
		a.fail(errUnderflow)
	}
	return z
}

func (a *arith) mul(z, x, y *uint256.Int) *uint256.Int {
	if x[2]|x[3]|y[2]|y[3] == 0 {
		mul128(z, x, y)
		return z
	}
	if _, o := z.MulOverflow(x, y); o {
		a.fail(errOverflow)
	}
	return z
}

func (a *arith) mul64(z, x *uint256.Int, y uint64) *uint256.Int {
	if x[3] == 0 {
		mulWord(z, x, y)
		return z
	}
	var t uint256.Int
	t.SetUint64(y)
	return a.mul(z, x, &t)
}

func (a *arith) div(z, x, y *uint256.Int) *uint256.Int {
	switch {
	case y[3]|y[2] != 0:
		return z.Div(x, y)
	case y[1] != 0:
		divTwoWords(z, x, y[1], y[0])
	case y[0] != 0:
		divWord(z, x, y[0])
	default:
		a.fail(errDivZero)
		z.Clear()
	}
	return z
}

func (a *arith) div64(z, x *uint256.Int, y uint64) *uint256.Int {
	if y == 0 {
		a.fail(errDivZero)
		return z.Clear()
	}
	divWord(z, x, y)
	return z
}

// within1 reports whether |x - y| <= 1, the contract's convergence test.
func within1(x, y *uint256.Int) bool {
	var d uint256.Int
	if x.Gt(y) {
		d.Sub(x, y)
	} else {
		d.Sub(y, x)
	}
	return d.LtUint64(2)
}

// GetD returns the StableSwap invariant D of the normalized balances xp
// (each balance times its rate over 1e18) at amplification amp, given as
// A·APrecision. D solves
//
//	Ann·S + D = Ann·D + D^(n+1) / (n^n·∏xp),   Ann = A·n, S = Σxp
//
// by Newton's iteration from D = S,
//
//	D_P = D^(n+1) / (n^n·∏xp)          (one floored step per coin)
//	D'  = (Ann·S/100 + n·D_P)·D / ((Ann−100)·D/100 + (n+1)·D_P)
//
// with Ann = amp·n, stopping when |D' − D| <= 1 and reverting after 255
// iterations, as the pool templates' _get_D does. Every division floors.
// For amp = 100·A this gives exactly the integers of the 3pool-era form
// (Ann = A·n, no A_PRECISION), since 100·k/100 and ⌊100·u/(100·v)⌋ = ⌊u/v⌋
// are exact. The result is 0 when every balance is 0; a zero balance among
// nonzero ones reverts with division by zero, as in the contract.
func GetD(xp []uint256.Int, amp uint64) (uint256.Int, error) {
	var d uint256.Int
	n := uint64(len(xp))
	if n < 2 || n > MaxCoins {
		return d, errCoinCount
	}
	if amp == 0 {
		return d, errZeroAmp
	}
	var a arith
	var s uint256.Int
	for k := range xp {
		a.add(&s, &s, &xp[k])
	}
	if a.err != nil {
		return d, a.err
	}
	if s.IsZero() {
		return d, nil
	}
	var ann, annS, annM uint256.Int
	ann.SetUint64(amp)
	a.mul64(&ann, &ann, n)
	// Ann·S/100 and (Ann − 100) do not change between iterations.
	a.mul(&annS, &ann, &s)
	a.div64(&annS, &annS, APrecision)
	var prec uint256.Int
	prec.SetUint64(APrecision)
	a.sub(&annM, &ann, &prec)
	if a.err != nil {
		return d, a.err
	}
	// The divisors xp_k·n do not change between iterations either; those
	// of two words are prepared for division once.
	var nx [MaxCoins]uint256.Int
	var dv [MaxCoins]divisor
	for k := range xp {
		a.mul64(&nx[k], &xp[k], n)
		if nx[k][3]|nx[k][2] == 0 && nx[k][1] != 0 {
			dv[k] = newDivisor(nx[k][1], nx[k][0])
		}
	}
	d = s
	var dp, prev, t, num, den uint256.Int
	for range maxIterations {
		dp = d
		for k := range xp {
			a.mul(&dp, &dp, &d)
			if dv[k].v1 != 0 {
				dv[k].div(&dp, &dp)
			} else {
				a.div(&dp, &dp, &nx[k])
			}
		}
		prev = d
		a.mul64(&t, &dp, n)
		a.add(&num, &annS, &t)
		a.mul(&num, &num, &d)
		a.mul(&den, &annM, &d)
		a.div64(&den, &den, APrecision)
		a.mul64(&t, &dp, n+1)
		a.add(&den, &den, &t)
		a.div(&d, &num, &den)
		if a.err != nil {
			return uint256.Int{}, a.err
		}
		if within1(&d, &prev) {
			return d, nil
		}
	}
	return uint256.Int{}, errDConverge
}

// GetY returns the new normalized balance of coin j that keeps the
// invariant when coin i's normalized balance becomes x, the other balances
// being xp. As in the contract's _get_y, D is first computed from xp with
// GetD; then y solves y² + (b − D)·y = c with
//
//	c = D^(n+1)·100 / (n^n·∏'x·Ann),   b = S' + D·100/Ann
//
// (∏' and S' over the coins other than j, with x in place of xp[i],
// Ann = amp·n), by the iteration y' = (y² + c) / (2y + b − D) from y = D
// until |y' − y| <= 1, reverting after 255 iterations. Divisions floor, in
// the contract's order.
func GetY(i, j int, x *uint256.Int, xp []uint256.Int, amp uint64) (uint256.Int, error) {
	n := len(xp)
	if n < 2 || n > MaxCoins {
		return uint256.Int{}, errCoinCount
	}
	if i == j {
		return uint256.Int{}, errSameCoin
	}
	if i < 0 || i >= n || j < 0 || j >= n {
		return uint256.Int{}, errIndex
	}
	if x == nil {
		return uint256.Int{}, errNilAmount
	}
	d, err := GetD(xp, amp)
	if err != nil {
		return uint256.Int{}, err
	}
	return solveY(i, j, x, xp, &d, amp)
}

// GetYD returns the normalized balance of coin i that gives invariant d when
// the other normalized balances are xp (xp[i] is ignored): the contract's
// _get_y_D, the same iteration as GetY with D given instead of computed.
func GetYD(i int, xp []uint256.Int, d *uint256.Int, amp uint64) (uint256.Int, error) {
	n := len(xp)
	if n < 2 || n > MaxCoins {
		return uint256.Int{}, errCoinCount
	}
	if i < 0 || i >= n {
		return uint256.Int{}, errIndex
	}
	if amp == 0 {
		return uint256.Int{}, errZeroAmp
	}
	if d == nil {
		return uint256.Int{}, errNilAmount
	}
	return solveY(-1, i, nil, xp, d, amp)
}

// solveY runs the shared y iteration: coin j is solved for, coin i (if
// i >= 0) takes the value x and every other coin its xp value.
func solveY(i, j int, x *uint256.Int, xp []uint256.Int, d *uint256.Int, amp uint64) (uint256.Int, error) {
	b, c, err := yCoefficients(i, j, x, xp, d, amp)
	if err != nil {
		return uint256.Int{}, err
	}
	if y, ok := quadraticFloor(&b, &c, d); ok {
		return y, nil
	}
	return iterateY(&b, &c, d)
}

// yCoefficients returns b and c of the y equation y² + (b − D)·y = c (see
// GetY), computed in the contract's order with its floored divisions.
func yCoefficients(i, j int, x *uint256.Int, xp []uint256.Int, d *uint256.Int, amp uint64) (b, c uint256.Int, err error) {
	n := uint64(len(xp))
	var a arith
	var ann, s, t uint256.Int
	ann.SetUint64(amp)
	a.mul64(&ann, &ann, n)
	c = *d
	for k := range xp {
		var xk *uint256.Int
		switch k {
		case i:
			xk = x
		case j:
			continue
		default:
			xk = &xp[k]
		}
		a.add(&s, &s, xk)
		a.mul(&c, &c, d)
		a.mul64(&t, xk, n)
		a.div(&c, &c, &t)
	}
	a.mul(&c, &c, d)
	a.mul64(&c, &c, APrecision)
	a.mul64(&t, &ann, n)
	a.div(&c, &c, &t)
	a.mul64(&b, d, APrecision)
	a.div(&b, &b, &ann)
	a.add(&b, &b, &s)
	return b, c, a.err
}

// iterateY is the contract's loop: y' = (y² + c)/(2y + b − D) from y = D
// until |y' − y| <= 1, reverting after 255 iterations.
func iterateY(b, c, d *uint256.Int) (uint256.Int, error) {
	var a arith
	y := *d
	var prev, num, den uint256.Int
	for range maxIterations {
		prev = y
		a.mul(&num, &y, &y)
		a.add(&num, &num, c)
		a.mul64(&den, &y, 2)
		a.add(&den, &den, b)
		a.sub(&den, &den, d)
		a.div(&y, &num, &den)
		if a.err != nil {
			return uint256.Int{}, a.err
		}
		if within1(&y, &prev) {
			return y, nil
		}
	}
	return uint256.Int{}, errYConverge
}

// quadraticFloor returns, where it can prove them equal, the integer the
// contract's iteration y' = ⌊(y² + c)/(2y + b − D)⌋ from y = D stops at,
// without iterating; ok is false otherwise, and the caller iterates.
//
// The iteration is Newton's method with floored steps for the monic
// quadratic g(y) = y² + (b − D)·y − c = (y − y*)(y − y₂), y* its larger
// root and R = y* − y₂ > 0: exactly, (y² + c)/(2y + b − D) = N(y) with
// N(y) − y* = (y − y*)²/g'(y). With Y = ⌊y*⌋ and g'(Y) = 2Y + b − D > 0:
//
//   - every iterate stays ≥ Y (N(y) ≥ y* wherever g' > 0), and one at
//     y ≥ Y+1 > y* decreases;
//   - at y ≥ Y+3 (δ = y − y* > 2) the step g/g' = δ(δ+R)/(2δ+R) exceeds
//     1, since δ(δ+R) − (2δ+R) = δ(δ−2) + R(δ−1) > 0: the next iterate is
//     at least 2 lower, so the loop neither stops there nor enters
//     {Y, Y+1, Y+2} by a step of 1;
//   - from y ∈ {Y, Y+1, Y+2} the next iterate is Y whenever
//     (y − y*)²/g'(y) < Y + 1 − y* =: η. The left side is below 4/g'(Y);
//     g(Y+1) = η(η + R) and R < g'(Y) + 2 give η > g(Y+1)/(g'(Y) + 3), so
//     g'(Y) ≥ 16 and g(Y+1) ≥ 5 suffice. The loop then stops at Y (after
//     Y+2 → Y → Y, Y+1 → Y or Y → Y).
//
// Starting from y = D ≥ Y+3, each step above Y+2 at least halves δ
// (δ' ≤ δ²/(2δ+R)), so D < 2^127 bounds the iterations well below 255, and
// D² + c and 2D + b not overflowing means no later iterate overflows (they
// are smaller). Y is found from the quadratic formula in float64 and
// corrected by exact evaluations of g.
func quadraticFloor(b, c, d *uint256.Int) (uint256.Int, bool) {
	var y uint256.Int
	if d[3]|d[2] != 0 || d[1] >= 1<<63 {
		return y, false
	}
	var t uint256.Int
	mul128(&t, d, d) // D < 2^127
	if _, o := t.AddOverflow(&t, c); o {
		return y, false
	}
	if _, o := t.AddOverflow(d, d); o {
		return y, false
	}
	if _, o := t.AddOverflow(&t, b); o {
		return y, false
	}
	// y* = (D − b + √((b − D)² + 4c))/2, in the form without cancellation.
	bf, cf, df := b.Float64(), c.Float64(), d.Float64()
	e := bf - df
	sq := math.Sqrt(e*e + 4*cf)
	var yf float64
	if e >= 0 {
		yf = 2 * cf / (e + sq)
	} else {
		yf = (sq - e) / 2
	}
	y = cfmm.Amount(yf)
	for range 4 {
		// g(y) = p − q with p = y(y + b), q = yD + c; g'(y) = 2y + b − D.
		p, q, ok := quadraticParts(&y, b, c, d)
		if !ok {
			return y, false
		}
		var gp uint256.Int
		gp.Add(&y, &y)
		if _, o := gp.AddOverflow(&gp, b); o {
			return y, false
		}
		if gp.Lt(d) {
			return y, false
		}
		gp.Sub(&gp, d) // g'(y)
		var g uint256.Int
		if p.Gt(&q) {
			// g(y) > 0: y > y*; step down by ⌈g/g'⌉ at least 1.
			g.Sub(&p, &q)
			step := math.Ceil(g.Float64() / gp.Float64())
			if !(step >= 1 && step < 0x1p62) {
				return y, false
			}
			if _, o := y.SubOverflow(&y, uint256.NewInt(uint64(step))); o {
				return y, false
			}
			continue
		}
		// g(y) ≤ 0: y ≤ y*. g(y+1) = g(y) + g'(y) + 1.
		g.Sub(&q, &p) // −g(y)
		var g1 uint256.Int
		g1.AddUint64(&gp, 1)
		if g1.Gt(&g) {
			// y = ⌊y*⌋. Check the conditions of the proof.
			g1.Sub(&g1, &g) // g(y+1)
			var y3 uint256.Int
			y3.AddUint64(&y, 3)
			if g1.LtUint64(5) || gp.LtUint64(16) || y3.Gt(d) {
				return y, false
			}
			return y, true
		}
		// g(y+1) ≤ 0: y+1 ≤ y*; step up by ⌊−g/g'⌋ at least 1.
		step := math.Floor(g.Float64() / gp.Float64())
		if !(step < 0x1p62) {
			return y, false
		}
		y.AddUint64(&y, uint64(max(1, step)))
	}
	return y, false
}

// quadraticParts returns p = y(y + b) and q = yD + c, so that g(y) = p − q;
// ok is false if either overflows.
func quadraticParts(y, b, c, d *uint256.Int) (p, q uint256.Int, ok bool) {
	if _, o := p.AddOverflow(y, b); o {
		return p, q, false
	}
	if y[2]|y[3]|p[2]|p[3] != 0 || d[2]|d[3] != 0 {
		if _, o := p.MulOverflow(&p, y); o {
			return p, q, false
		}
		if _, o := q.MulOverflow(y, d); o {
			return p, q, false
		}
	} else {
		mul128(&p, &p, y)
		mul128(&q, y, d)
	}
	if _, o := q.AddOverflow(&q, c); o {
		return p, q, false
	}
	return p, q, true
}
