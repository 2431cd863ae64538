package pos

import (
	"math"
	"math/bits"
)

// InitialPenalty returns the penalty slash_validator deducts at once:
// eff / MIN_SLASHING_PENALTY_QUOTIENT, rounded down. A zero quotient gives 0.
func (r EthRules) InitialPenalty(eff uint64) uint64 {
	if r.MinSlashingPenaltyQuotient == 0 {
		return 0
	}
	return eff / r.MinSlashingPenaltyQuotient
}

// WhistleblowerReward returns the reward slash_validator mints,
// total = eff / WHISTLEBLOWER_REWARD_QUOTIENT, and the proposer's part of
// it: total / PROPOSER_REWARD_QUOTIENT in phase0,
// total·PROPOSER_WEIGHT / WEIGHT_DENOMINATOR from Altair on (both rounded
// down). The whistleblower receives total − proposer; when no separate
// whistleblower is named the proposer receives both.
func (r EthRules) WhistleblowerReward(eff uint64) (total, proposer uint64) {
	if r.WhistleblowerRewardQuotient == 0 {
		return 0, 0
	}
	total = eff / r.WhistleblowerRewardQuotient
	if r.Fork == Phase0 {
		if r.ProposerRewardQuotient != 0 {
			proposer = total / r.ProposerRewardQuotient
		}
		return total, proposer
	}
	if r.WeightDenominator != 0 {
		proposer, _ = mulDiv(total, r.ProposerWeight, r.WeightDenominator)
	}
	return total, proposer
}

// CorrelationPenalty returns the penalty process_slashings applies at the
// halfway point of the slashings window to a slashed validator with
// effective balance eff, given the sum of the slashings vector and the
// total active balance (taken as at least one increment, as
// get_total_balance does). With
// adjusted = min(slashings·PROPORTIONAL_SLASHING_MULTIPLIER, total):
//
//	phase0–Deneb: (eff/INCREMENT·adjusted) / total · INCREMENT
//	Electra+:     adjusted / (total/INCREMENT) · (eff/INCREMENT)
//
// Every division rounds down, in exactly this order; products are computed
// in 128 bits, so they cannot wrap as a uint64 would.
func (r EthRules) CorrelationPenalty(eff, slashings, totalActive uint64) uint64 {
	inc := r.EffectiveBalanceIncrement
	if inc == 0 {
		return 0
	}
	total := max(totalActive, inc)
	adjusted := total
	if hi, lo := bits.Mul64(slashings, r.ProportionalSlashingMultiplier); hi == 0 && lo < total {
		adjusted = lo
	}
	if r.Fork >= Electra {
		perIncrement := adjusted / (total / inc)
		return satMul(perIncrement, eff/inc)
	}
	q, ok := mulDiv(eff/inc, adjusted, total)
	if !ok {
		return math.MaxUint64
	}
	return satMul(q, inc)
}

// InitialEffectiveBalance returns the effective balance of a new deposit:
// min(balance − balance mod INCREMENT, MAX_EFFECTIVE_BALANCE).
func (r EthRules) InitialEffectiveBalance(balance uint64) uint64 {
	// balance%1 is 0: Cosmos-like configs (an increment of 1) update every
	// validator's effective balance every epoch, and skip the division.
	e := balance
	if inc := r.EffectiveBalanceIncrement; inc > 1 {
		e -= balance % inc
	}
	if r.MaxEffectiveBalance != 0 {
		e = min(e, r.MaxEffectiveBalance)
	}
	return e
}

// NextEffectiveBalance applies process_effective_balance_updates to one
// validator: with h = INCREMENT/HYSTERESIS_QUOTIENT, when
// balance + h·DOWNWARD < eff or eff + h·UPWARD < balance the effective
// balance becomes InitialEffectiveBalance(balance); otherwise it is kept.
func (r EthRules) NextEffectiveBalance(balance, eff uint64) uint64 {
	down, up := r.hysteresis()
	return r.nextEff(balance, eff, down, up)
}

// hysteresis returns the downward and upward thresholds.
func (r EthRules) hysteresis() (down, up uint64) {
	h := max(r.EffectiveBalanceIncrement, 1) / max(r.HysteresisQuotient, 1)
	return satMul(h, r.HysteresisDownwardMultiplier), satMul(h, r.HysteresisUpwardMultiplier)
}

func (r *EthRules) nextEff(balance, eff, down, up uint64) uint64 {
	// balance+down < eff and eff+up < balance, written so nothing wraps.
	if (eff > down && balance < eff-down) || (balance > up && eff < balance-up) {
		return r.InitialEffectiveBalance(balance)
	}
	return eff
}

// BaseRewardPerIncrement returns the Altair get_base_reward_per_increment:
// INCREMENT·BASE_REWARD_FACTOR / isqrt(max(INCREMENT, totalActive)),
// rounded down (saturating if the product exceeds 2^64−1).
func (r EthRules) BaseRewardPerIncrement(totalActive uint64) uint64 {
	inc := max(r.EffectiveBalanceIncrement, 1)
	return satMul(inc, r.BaseRewardFactor) / ISqrt(max(totalActive, inc))
}

// ISqrt is the spec's integer_squareroot: the largest x with x·x ≤ n.
func ISqrt(n uint64) uint64 {
	if n < 2 {
		return n
	}
	// Newton's iteration decreases monotonically to floor(√n) from any
	// start at or above it; 2^ceil(len/2) is one.
	x := uint64(1) << ((bits.Len64(n) + 1) / 2)
	for {
		y := (x + n/x) / 2
		if y >= x {
			return x
		}
		x = y
	}
}

// mulDiv returns a·b/d rounded down, computed in 128 bits, and false when
// d is 0 or the quotient does not fit in 64 bits.
func mulDiv(a, b, d uint64) (uint64, bool) {
	if d == 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(a, b)
	if hi == 0 {
		return lo / d, true // a 64-bit division is much cheaper
	}
	if hi >= d {
		return 0, false
	}
	q, _ := bits.Div64(hi, lo, d)
	return q, true
}

// mulDivFloor is mulDiv for operands with b ≤ d, whose quotient always
// fits; d = 0 gives 0.
func mulDivFloor(a, b, d uint64) uint64 {
	q, _ := mulDiv(a, b, d)
	return q
}

// satMul returns a·b, or 2^64−1 if the product overflows.
func satMul(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return math.MaxUint64
	}
	return lo
}
