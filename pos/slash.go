package pos

import (
	"fmt"
	"math"
)

// Offence is a slashable fault.
type Offence uint8

// Offences. EthSlashing covers both attester and proposer slashings, which
// the consensus specs penalise alike.
const (
	// EthSlashing applies Ethereum's slash_validator for Config.Eth's fork
	// and schedules the correlation penalty.
	EthSlashing Offence = iota
	// DoubleSign slashes Cosmos.SlashFractionDoubleSign and tombstones.
	DoubleSign
	// Downtime slashes Cosmos.SlashFractionDowntime and jails for
	// Cosmos.DowntimeJailEpochs.
	Downtime
)

// String returns the offence's name.
func (o Offence) String() string {
	switch o {
	case EthSlashing:
		return "eth-slashing"
	case DoubleSign:
		return "double-sign"
	case Downtime:
		return "downtime"
	}
	return fmt.Sprintf("Offence(%d)", uint8(o))
}

// SlashReport summarises a slashing.
type SlashReport struct {
	// Validators is the number of validators slashed.
	Validators int
	// FromBonded and FromUnbonding are the stake burned from validators'
	// tokens and from their slashable unbonding entries.
	FromBonded, FromUnbonding uint64
	// Whistleblower is the EthSlashing whistleblower reward minted to the
	// proposer, ProposerShare the part of it that is the proposer's own
	// (the rest is the whistleblower's, who defaults to the proposer).
	Whistleblower, ProposerShare uint64
}

// Burned returns FromBonded + FromUnbonding.
func (r SlashReport) Burned() uint64 { return r.FromBonded + r.FromUnbonding }

// Slash punishes validator v for an offence committed at epoch infraction
// (≤ Epoch()); see SlashMany.
func (c *Chain) Slash(o Offence, v ValidatorID, infraction uint64, proposer ValidatorID) (SlashReport, error) {
	return c.SlashMany(o, []ValidatorID{v}, infraction, proposer)
}

// SlashMany punishes every validator in vs for one offence committed at
// epoch infraction (≤ Epoch()), as one correlated incident; the rules per
// offence are in the package documentation. Unbonding entries of a
// slashed validator created at or after the infraction epoch are slashed
// with it. proposer receives EthSlashing whistleblower rewards (one per
// slashed validator, split as any reward); NoValidator mints none. The
// whole set is validated first: on error nothing is slashed.
//
// A validator is slashable for EthSlashing unless already Eth-slashed, for
// DoubleSign unless tombstoned, and for Downtime unless jailed or slashed.
func (c *Chain) SlashMany(o Offence, vs []ValidatorID, infraction uint64, proposer ValidatorID) (SlashReport, error) {
	if !c.ok {
		return SlashReport{}, ErrNotInitialized
	}
	if infraction > c.epoch {
		return SlashReport{}, fmt.Errorf("%w: infraction epoch %d is after the current epoch %d", ErrEpoch, infraction, c.epoch)
	}
	switch o {
	case EthSlashing:
		if len(c.slashings) == 0 {
			return SlashReport{}, fmt.Errorf("%w: %v with EpochsPerSlashingsVector = 0", ErrUnsupported, o)
		}
	case DoubleSign, Downtime:
	default:
		return SlashReport{}, fmt.Errorf("%w: %v", ErrUnsupported, o)
	}
	if proposer != NoValidator {
		if err := c.checkValidator(proposer); err != nil {
			return SlashReport{}, err
		}
		if c.vals[proposer].shares == 0 {
			return SlashReport{}, fmt.Errorf("%w: proposer %d has no shares", ErrInactive, proposer)
		}
	}
	c.mark = grow(c.mark, len(c.vals))
	defer clear(c.mark)
	var reward uint64
	for _, v := range vs {
		if err := c.checkValidator(v); err != nil {
			return SlashReport{}, err
		}
		if c.mark[v] {
			return SlashReport{}, fmt.Errorf("%w: %d", ErrDuplicateTarget, v)
		}
		c.mark[v] = true
		val := &c.vals[v]
		switch {
		case o == EthSlashing && val.slashed,
			o == DoubleSign && val.tombstoned,
			o == Downtime && (val.jailed || val.slashed):
			return SlashReport{}, fmt.Errorf("%w: validator %d, %v", ErrNotSlashable, v, o)
		}
		if o == EthSlashing && proposer != NoValidator {
			wb, _ := c.cfg.Eth.WhistleblowerReward(val.eff)
			reward = satAdd(reward, wb)
		}
	}
	if err := c.canMint(reward); err != nil {
		return SlashReport{}, err
	}
	rep := SlashReport{Validators: len(vs)}
	for _, v := range vs {
		val := &c.vals[v]
		var b, u uint64
		switch o {
		case EthSlashing:
			r := &c.cfg.Eth
			n := r.EpochsPerSlashingsVector
			val.slashed = true
			val.infraction = infraction
			val.withdrawable = max(val.withdrawable, satAdd(c.epoch, n))
			c.slashings[c.epoch%n] += val.eff
			c.slashSum += val.eff
			b, u = c.slashValidator(v, infraction, r.InitialPenalty(val.eff), val.eff)
			if proposer != NoValidator {
				wb, prop := r.WhistleblowerReward(val.eff)
				c.pay(proposer, wb)
				rep.Whistleblower += wb
				rep.ProposerShare += prop
			}
		case DoubleSign:
			f := c.cfg.Cosmos.SlashFractionDoubleSign
			b, u = c.slashValidator(v, infraction, mulDivFloor(val.tokens, f, One), 0)
			u = c.slashCosmosEntries(v, infraction, f)
			val.jailed, val.tombstoned, val.jailedUntil = true, true, math.MaxUint64
		case Downtime:
			f := c.cfg.Cosmos.SlashFractionDowntime
			b, u = c.slashValidator(v, infraction, mulDivFloor(val.tokens, f, One), 0)
			u = c.slashCosmosEntries(v, infraction, f)
			val.jailed, val.jailedUntil = true, satAdd(c.epoch, c.cfg.Cosmos.DowntimeJailEpochs)
		}
		rep.FromBonded += b
		rep.FromUnbonding += u
	}
	return rep, nil
}

// slashCosmosEntries burns floor(initial·f/One) of each slashable entry of
// v, charged to v.
func (c *Chain) slashCosmosEntries(v ValidatorID, infraction, f uint64) uint64 {
	u := c.slashEntries(v, infraction, f, One)
	c.burn(v, u, &c.ledger.BurnedSlash)
	return u
}

// Unjail returns a jailed validator to the active set once its jail time
// has passed (Epoch() ≥ JailedUntil). Tombstoned validators stay jailed.
func (c *Chain) Unjail(v ValidatorID) error {
	if err := c.checkValidator(v); err != nil {
		return err
	}
	val := &c.vals[v]
	if !val.jailed {
		return fmt.Errorf("%w: %d", ErrNotJailed, v)
	}
	if val.tombstoned || c.epoch < val.jailedUntil {
		return fmt.Errorf("%w: validator %d until epoch %d (tombstoned %t)", ErrStillJailed, v, val.jailedUntil, val.tombstoned)
	}
	val.jailed = false
	return nil
}
