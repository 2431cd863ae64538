package pos

import (
	"errors"
	"fmt"
)

// One is the fixed-point unit of fractions and rates: 1e18 represents 1.
const One uint64 = 1e18

// Fork selects the Ethereum consensus rules for slashing.
type Fork uint8

// Forks whose slashing rules differ. Capella, Deneb use Bellatrix' rules;
// Fulu uses Electra's.
const (
	Phase0 Fork = iota
	Altair
	Bellatrix
	Electra
)

// String returns the fork's name in the consensus specs.
func (f Fork) String() string {
	switch f {
	case Phase0:
		return "phase0"
	case Altair:
		return "altair"
	case Bellatrix:
		return "bellatrix"
	case Electra:
		return "electra"
	}
	return fmt.Sprintf("Fork(%d)", uint8(f))
}

// EthRules are the Ethereum consensus constants the chain uses for
// effective balances, the base reward and EthSlashing. Amounts are in Gwei.
type EthRules struct {
	Fork Fork
	// EffectiveBalanceIncrement is EFFECTIVE_BALANCE_INCREMENT (1e9 Gwei).
	EffectiveBalanceIncrement uint64
	// MaxEffectiveBalance caps the effective balance (32e9 Gwei; 2048e9 for
	// Electra compounding validators); 0 means no cap.
	MaxEffectiveBalance uint64
	// HysteresisQuotient, HysteresisDownwardMultiplier and
	// HysteresisUpwardMultiplier set the effective-balance hysteresis
	// (4, 1, 5 on mainnet).
	HysteresisQuotient           uint64
	HysteresisDownwardMultiplier uint64
	HysteresisUpwardMultiplier   uint64
	// EpochsPerSlashingsVector is the length of the slashings window (8192
	// on mainnet, 64 in the minimal preset); 0 disables EthSlashing.
	EpochsPerSlashingsVector uint64
	// MinSlashingPenaltyQuotient divides eff into the initial penalty.
	MinSlashingPenaltyQuotient uint64
	// ProportionalSlashingMultiplier scales the window's slashings into the
	// correlation penalty.
	ProportionalSlashingMultiplier uint64
	// WhistleblowerRewardQuotient divides eff into the whistleblower reward.
	WhistleblowerRewardQuotient uint64
	// ProposerRewardQuotient (8) gives the proposer's share in phase0.
	ProposerRewardQuotient uint64
	// ProposerWeight (8), TimelySourceWeight (14), TimelyTargetWeight (26)
	// and WeightDenominator (64) are the Altair reward weights.
	ProposerWeight     uint64
	TimelySourceWeight uint64
	TimelyTargetWeight uint64
	WeightDenominator  uint64
	// BaseRewardFactor is BASE_REWARD_FACTOR (64).
	BaseRewardFactor uint64
}

// Mainnet returns the mainnet preset rules of a fork (consensus-specs
// presets/mainnet). Electra's MaxEffectiveBalance is
// MAX_EFFECTIVE_BALANCE_ELECTRA (2048 ETH): every validator is modelled as
// having compounding credentials; set 32e9 for 0x01 validators.
func Mainnet(f Fork) EthRules {
	r := EthRules{
		Fork:                         f,
		EffectiveBalanceIncrement:    1e9,
		MaxEffectiveBalance:          32e9,
		HysteresisQuotient:           4,
		HysteresisDownwardMultiplier: 1,
		HysteresisUpwardMultiplier:   5,
		EpochsPerSlashingsVector:     8192,
		WhistleblowerRewardQuotient:  512,
		ProposerRewardQuotient:       8,
		ProposerWeight:               8,
		TimelySourceWeight:           14,
		TimelyTargetWeight:           26,
		WeightDenominator:            64,
		BaseRewardFactor:             64,
	}
	switch f {
	case Phase0:
		r.MinSlashingPenaltyQuotient, r.ProportionalSlashingMultiplier = 128, 1
	case Altair:
		r.MinSlashingPenaltyQuotient, r.ProportionalSlashingMultiplier = 64, 2
	case Bellatrix:
		r.MinSlashingPenaltyQuotient, r.ProportionalSlashingMultiplier = 32, 3
	default:
		r.Fork = Electra
		r.MinSlashingPenaltyQuotient, r.ProportionalSlashingMultiplier = 4096, 3
		r.WhistleblowerRewardQuotient = 4096
		r.MaxEffectiveBalance = 2048e9
	}
	return r
}

// Minimal returns the minimal preset rules of a fork: as Mainnet but with
// EPOCHS_PER_SLASHINGS_VECTOR = 64 and, in phase0,
// MIN_SLASHING_PENALTY_QUOTIENT = 64 and PROPORTIONAL_SLASHING_MULTIPLIER = 2.
func Minimal(f Fork) EthRules {
	r := Mainnet(f)
	r.EpochsPerSlashingsVector = 64
	if f == Phase0 {
		r.MinSlashingPenaltyQuotient, r.ProportionalSlashingMultiplier = 64, 2
	}
	return r
}

// IssuanceModel selects how ProcessEpoch mints rewards.
type IssuanceModel uint8

// Issuance models; see the package documentation for the formulas.
const (
	NoIssuance IssuanceModel = iota
	EthIssuance
	CosmosInflation
	FixedRate
	FixedAmount
)

// Issuance configures the per-epoch reward. Fractions are in units of One.
type Issuance struct {
	Model IssuanceModel
	// CosmosInflation: the starting inflation rate, its bounds, the maximum
	// yearly change and the bonded-ratio goal (x/mint Params).
	Inflation           uint64
	InflationMin        uint64
	InflationMax        uint64
	InflationRateChange uint64
	GoalBonded          uint64
	// FixedRate: the yearly reward rate on a validator's tokens.
	Rate uint64
	// FixedAmount: the tokens minted per epoch.
	Amount uint64
}

// CosmosRules are the Cosmos x/slashing parameters. Fractions in units of One.
type CosmosRules struct {
	SlashFractionDoubleSign uint64
	SlashFractionDowntime   uint64
	// DowntimeJailEpochs is how long a Downtime offence jails a validator.
	DowntimeJailEpochs uint64
}

// Config is a chain's parameter set.
type Config struct {
	// EpochsPerYear converts yearly rates to per-epoch ones (Ethereum:
	// 82125 = 365 days of 225 epochs).
	EpochsPerYear uint64
	// UnbondingDelay is the number of epochs before unbonded stake is
	// released.
	UnbondingDelay uint64
	// Payout pays the delegators' part of rewards to their liquid balances
	// instead of compounding it into the pool.
	Payout   bool
	Issuance Issuance
	Eth      EthRules
	Cosmos   CosmosRules
}

// EthereumConfig returns an Ethereum-like chain: the fork's mainnet rules,
// EthIssuance, 82125 epochs a year and a withdrawal delay of 256 epochs
// (MIN_VALIDATOR_WITHDRAWABILITY_DELAY; the exit queue is not modelled).
// Cosmos rules are set to the Cosmos SDK defaults so that DoubleSign and
// Downtime remain usable.
func EthereumConfig(f Fork) Config {
	return Config{
		EpochsPerYear:  82125,
		UnbondingDelay: 256,
		Issuance:       Issuance{Model: EthIssuance},
		Eth:            Mainnet(f),
		Cosmos:         cosmosSDKSlashing(),
	}
}

func cosmosSDKSlashing() CosmosRules {
	return CosmosRules{
		SlashFractionDoubleSign: One / 20,
		SlashFractionDowntime:   One / 100,
		DowntimeJailEpochs:      1,
	}
}

// CosmosConfig returns a Cosmos-SDK-like chain with one-day epochs: x/mint
// defaults (inflation starts at 13%, bounds 7%–20%, InflationRateChange 13%,
// GoalBonded 67%), x/slashing defaults (double sign 5%, downtime 1%, jail 10
// minutes, rounded up to one epoch), unbonding 21 epochs, effective balance
// equal to tokens (increment 1, no cap) and EthSlashing disabled.
func CosmosConfig() Config {
	return Config{
		EpochsPerYear:  365,
		UnbondingDelay: 21,
		Issuance: Issuance{
			Model:               CosmosInflation,
			Inflation:           One / 100 * 13,
			InflationMin:        One / 100 * 7,
			InflationMax:        One / 100 * 20,
			InflationRateChange: One / 100 * 13,
			GoalBonded:          One / 100 * 67,
		},
		Eth: EthRules{
			EffectiveBalanceIncrement: 1,
			HysteresisQuotient:        1,
		},
		Cosmos: cosmosSDKSlashing(),
	}
}

var errConfig = errors.New("pos: invalid config")

func (c *Config) validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{errConfig}, a...)...)
	}
	e := &c.Eth
	if e.EffectiveBalanceIncrement == 0 {
		return bad("Eth.EffectiveBalanceIncrement must be positive")
	}
	if e.HysteresisQuotient == 0 {
		return bad("Eth.HysteresisQuotient must be positive")
	}
	if e.MaxEffectiveBalance != 0 && e.MaxEffectiveBalance < e.EffectiveBalanceIncrement {
		return bad("Eth.MaxEffectiveBalance %d is below one increment %d", e.MaxEffectiveBalance, e.EffectiveBalanceIncrement)
	}
	if e.EpochsPerSlashingsVector != 0 {
		if e.EpochsPerSlashingsVector < 2 || e.EpochsPerSlashingsVector > 1<<20 {
			return bad("Eth.EpochsPerSlashingsVector %d outside [2, 2^20]", e.EpochsPerSlashingsVector)
		}
		if e.MinSlashingPenaltyQuotient == 0 || e.WhistleblowerRewardQuotient == 0 {
			return bad("Eth slashing quotients must be positive")
		}
		if e.Fork == Phase0 && e.ProposerRewardQuotient == 0 {
			return bad("Eth.ProposerRewardQuotient must be positive in phase0")
		}
		if e.Fork > Electra {
			return bad("unknown fork %v", e.Fork)
		}
	}
	if e.Fork != Phase0 && e.EpochsPerSlashingsVector != 0 && e.WeightDenominator == 0 {
		return bad("Eth.WeightDenominator must be positive")
	}
	is := &c.Issuance
	switch is.Model {
	case NoIssuance, FixedAmount:
	case EthIssuance:
		if e.BaseRewardFactor == 0 || e.WeightDenominator == 0 {
			return bad("EthIssuance needs Eth.BaseRewardFactor and Eth.WeightDenominator")
		}
		if e.TimelySourceWeight+e.TimelyTargetWeight > e.WeightDenominator {
			return bad("Eth timely weights exceed WeightDenominator")
		}
	case CosmosInflation:
		if c.EpochsPerYear == 0 {
			return bad("EpochsPerYear must be positive")
		}
		if is.GoalBonded == 0 || is.GoalBonded > One {
			return bad("Issuance.GoalBonded %d outside (0, One]", is.GoalBonded)
		}
		if is.InflationMin > is.InflationMax || is.InflationMax > One {
			return bad("inflation bounds [%d, %d] invalid", is.InflationMin, is.InflationMax)
		}
		if is.InflationRateChange > One {
			return bad("Issuance.InflationRateChange above One")
		}
	case FixedRate:
		if c.EpochsPerYear == 0 {
			return bad("EpochsPerYear must be positive")
		}
	default:
		return bad("unknown issuance model %d", is.Model)
	}
	if c.Cosmos.SlashFractionDoubleSign > One || c.Cosmos.SlashFractionDowntime > One {
		return bad("Cosmos slash fractions above One")
	}
	return nil
}
