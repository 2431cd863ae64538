package pos

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// vectorFile holds the consensus-spec slashing vectors (origin in
// testdata/PROVENANCE.md).
var vectorFile = filepath.Join("testdata", "slashing_constants_and_examples.json")

type slashingVectors struct {
	Constants map[string]json.RawMessage `json:"constants_mainnet"`
	Minimal   map[string]json.RawMessage `json:"constants_minimal_preset_differences"`
	PerFork   map[string]map[string]any  `json:"per_fork_mainnet"`
	Examples  []struct {
		Case          string            `json:"case"`
		Eff           uint64            `json:"effective_balance_gwei"`
		Slashings     uint64            `json:"sum_state_slashings_gwei"`
		TotalActive   uint64            `json:"total_active_balance_gwei"`
		Phase0        uint64            `json:"phase0_mult1"`
		Altair        uint64            `json:"altair_mult2"`
		Bellatrix     uint64            `json:"bellatrix_mult3"`
		Electra       uint64            `json:"electra_mult3"`
		Initial       map[string]uint64 `json:"initial_penalty_gwei"`
		Whistleblower map[string]uint64 `json:"whistleblower_reward_total_gwei"`
		Proposer      map[string]uint64 `json:"proposer_share_gwei"`
	} `json:"derived_examples_NOT_from_source"`
}

func loadVectors(t *testing.T) slashingVectors {
	t.Helper()
	b, err := os.ReadFile(vectorFile)
	if err != nil {
		t.Fatalf("reference vectors missing: %v", err)
	}
	var v slashingVectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Examples) != 5 {
		t.Fatalf("%d examples, want 5", len(v.Examples))
	}
	return v
}

var forks = []struct {
	name string
	fork Fork
	key  string // per_fork_mainnet key
}{
	{"phase0", Phase0, "phase0"},
	{"altair", Altair, "altair"},
	{"bellatrix", Bellatrix, "bellatrix/capella/deneb"},
	{"electra", Electra, "electra/fulu"},
}

// The presets match the constants file.
func TestVectorConstants(t *testing.T) {
	v := loadVectors(t)
	num := func(m map[string]json.RawMessage, k string) uint64 {
		var x uint64
		if err := json.Unmarshal(m[k], &x); err != nil {
			t.Fatalf("constant %s: %v", k, err)
		}
		return x
	}
	for _, f := range forks {
		r := Mainnet(f.fork)
		c := v.PerFork[f.key]
		if c == nil {
			t.Fatalf("no per-fork constants for %s", f.key)
		}
		for _, x := range []struct {
			name string
			got  uint64
		}{
			{"MIN_SLASHING_PENALTY_QUOTIENT", r.MinSlashingPenaltyQuotient},
			{"PROPORTIONAL_SLASHING_MULTIPLIER", r.ProportionalSlashingMultiplier},
			{"WHISTLEBLOWER_REWARD_QUOTIENT", r.WhistleblowerRewardQuotient},
		} {
			if want := uint64(c[x.name].(float64)); x.got != want {
				t.Errorf("%s %s = %d, want %d", f.name, x.name, x.got, want)
			}
		}
		for _, x := range []struct {
			name string
			got  uint64
		}{
			{"EFFECTIVE_BALANCE_INCREMENT", r.EffectiveBalanceIncrement},
			{"EPOCHS_PER_SLASHINGS_VECTOR", r.EpochsPerSlashingsVector},
			{"PROPOSER_REWARD_QUOTIENT", r.ProposerRewardQuotient},
			{"PROPOSER_WEIGHT", r.ProposerWeight},
			{"WEIGHT_DENOMINATOR", r.WeightDenominator},
			{"HYSTERESIS_QUOTIENT", r.HysteresisQuotient},
			{"HYSTERESIS_DOWNWARD_MULTIPLIER", r.HysteresisDownwardMultiplier},
			{"HYSTERESIS_UPWARD_MULTIPLIER", r.HysteresisUpwardMultiplier},
			{"BASE_REWARD_FACTOR", r.BaseRewardFactor},
		} {
			if want := num(v.Constants, x.name); x.got != want {
				t.Errorf("%s %s = %d, want %d", f.name, x.name, x.got, want)
			}
		}
		wantMax := num(v.Constants, "MAX_EFFECTIVE_BALANCE")
		if f.fork == Electra {
			wantMax = num(v.Constants, "MAX_EFFECTIVE_BALANCE_ELECTRA")
		}
		if r.MaxEffectiveBalance != wantMax {
			t.Errorf("%s MaxEffectiveBalance = %d, want %d", f.name, r.MaxEffectiveBalance, wantMax)
		}
		m := Minimal(f.fork)
		if want := num(v.Minimal, "EPOCHS_PER_SLASHINGS_VECTOR"); m.EpochsPerSlashingsVector != want {
			t.Errorf("minimal %s EPOCHS_PER_SLASHINGS_VECTOR = %d, want %d", f.name, m.EpochsPerSlashingsVector, want)
		}
		wantQ, wantM := r.MinSlashingPenaltyQuotient, r.ProportionalSlashingMultiplier
		if f.fork == Phase0 {
			wantQ = num(v.Minimal, "phase0 MIN_SLASHING_PENALTY_QUOTIENT")
			wantM = num(v.Minimal, "phase0 PROPORTIONAL_SLASHING_MULTIPLIER")
		}
		if m.MinSlashingPenaltyQuotient != wantQ || m.ProportionalSlashingMultiplier != wantM {
			t.Errorf("minimal %s quotient, multiplier = %d, %d, want %d, %d", f.name,
				m.MinSlashingPenaltyQuotient, m.ProportionalSlashingMultiplier, wantQ, wantM)
		}
	}
}

// Every example, every fork, exactly, from the pure formulas.
func TestVectorExamples(t *testing.T) {
	v := loadVectors(t)
	for _, ex := range v.Examples {
		corr := map[Fork]uint64{Phase0: ex.Phase0, Altair: ex.Altair, Bellatrix: ex.Bellatrix, Electra: ex.Electra}
		for _, f := range forks {
			t.Run(ex.Case+"/"+f.name, func(t *testing.T) {
				r := Mainnet(f.fork)
				if got, want := r.InitialPenalty(ex.Eff), ex.Initial[f.name]; got != want {
					t.Errorf("initial penalty %d, want %d", got, want)
				}
				wb, prop := r.WhistleblowerReward(ex.Eff)
				if want := ex.Whistleblower[f.name]; wb != want {
					t.Errorf("whistleblower reward %d, want %d", wb, want)
				}
				if want := ex.Proposer[f.name]; prop != want {
					t.Errorf("proposer share %d, want %d", prop, want)
				}
				if got, want := r.CorrelationPenalty(ex.Eff, ex.Slashings, ex.TotalActive), corr[f.fork]; got != want {
					t.Errorf("correlation penalty %d, want %d", got, want)
				}
			})
		}
	}
}

// Every example, every fork, exactly, driven through a Chain: slash at
// epoch 0 and read the penalty the chain burns at the halfway epoch. The
// window is shortened to 64 epochs (it does not enter the formulas). The
// chain counts only unslashed, unjailed validators as active, so an
// unslashed filler validator carries the example's total active balance,
// and a second validator slashed in the same epoch brings the slashings
// sum to the example's. The target is topped up by its initial penalty
// so its effective balance stays at the example's value, and the proposer
// is jailed so the whistleblower reward it receives does not change the
// total active balance.
func TestVectorExamplesThroughChain(t *testing.T) {
	v := loadVectors(t)
	for _, ex := range v.Examples {
		corr := map[Fork]uint64{Phase0: ex.Phase0, Altair: ex.Altair, Bellatrix: ex.Bellatrix, Electra: ex.Electra}
		for _, f := range forks {
			t.Run(ex.Case+"/"+f.name, func(t *testing.T) {
				rules := Mainnet(f.fork)
				rules.EpochsPerSlashingsVector = 64
				rules.MaxEffectiveBalance = 0
				cfg := EthereumConfig(f.fork)
				cfg.Eth = rules
				cfg.Issuance = Issuance{}
				balances := []uint64{ex.Eff, ex.TotalActive, 1000, 0}
				if ex.Slashings > ex.Eff {
					balances[3] = ex.Slashings - ex.Eff
				}
				c, err := New(cfg, balances)
				if err != nil {
					t.Fatal(err)
				}
				target := mustValidator(t, c, 0, ex.Eff)
				mustValidator(t, c, 1, ex.TotalActive)
				proposer := mustValidator(t, c, 2, 1000)
				if _, err := c.Slash(Downtime, proposer, 0, NoValidator); err != nil {
					t.Fatal(err)
				}
				rep, err := c.Slash(EthSlashing, target, 0, proposer)
				if err != nil {
					t.Fatal(err)
				}
				if want := ex.Initial[f.name]; rep.FromBonded != want {
					t.Errorf("initial penalty %d, want %d", rep.FromBonded, want)
				}
				if want := ex.Whistleblower[f.name]; rep.Whistleblower != want {
					t.Errorf("whistleblower reward %d, want %d", rep.Whistleblower, want)
				}
				if want := ex.Proposer[f.name]; rep.ProposerShare != want {
					t.Errorf("proposer share %d, want %d", rep.ProposerShare, want)
				}
				if balances[3] != 0 {
					other := mustValidator(t, c, 3, balances[3])
					if _, err := c.Slash(EthSlashing, other, 0, NoValidator); err != nil {
						t.Fatal(err)
					}
				}
				if err := c.Reward(target, rep.FromBonded); err != nil {
					t.Fatal(err)
				}
				for e := uint64(0); e < 32; e++ {
					if _, err := c.ProcessEpoch(e, nil); err != nil {
						t.Fatal(err)
					}
				}
				before, _ := c.Validator(target)
				if before.Tokens != ex.Eff || before.EffectiveBalance != ex.Eff {
					t.Fatalf("before the halfway epoch: tokens %d, eff %d, want %d", before.Tokens, before.EffectiveBalance, ex.Eff)
				}
				if _, err := c.ProcessEpoch(32, nil); err != nil {
					t.Fatal(err)
				}
				after, _ := c.Validator(target)
				if got, want := before.Tokens-after.Tokens, corr[f.fork]; got != want {
					t.Errorf("correlation penalty %d, want %d", got, want)
				}
				if err := c.Check(); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

func mustValidator(t *testing.T, c *Chain, op AccountID, stake uint64) ValidatorID {
	t.Helper()
	v, err := c.AddValidator(op, 0, stake)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
