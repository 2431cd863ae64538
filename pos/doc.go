// Package pos is a Proof-of-Stake ledger as a pure, deterministic state
// machine: validators with self-stake and delegations, issuance, an
// unbonding queue, slashing by offence (Ethereum's rules per fork and Cosmos'
// fixed fractions with jailing) and conservation accounting.
//
// The package has no clock, no randomness and no I/O. The chain's epoch is
// state advanced only by ProcessEpoch; every random draw (which validator
// proposes, which validators fault, which are offline) is made by the caller
// and passed in. An operation that fails returns an error and leaves the
// Chain unchanged.
//
// # Units
//
// Token amounts are uint64 in the chain's smallest unit: Gwei for Ethereum
// (1 ETH = 1e9 Gwei), uatom-style micro-units for Cosmos chains. The whole
// supply must stay below 2^64; an operation that would mint past it returns
// ErrOverflow. Fractions (commission, slash fractions, inflation, rates) are
// uint64 fixed-point with One = 1e18 representing 1. Intermediate products
// use 128 bits (math/bits), so a·b/d never overflows before the division.
// Every division rounds down (toward zero) unless stated otherwise.
//
// # Stake and delegator shares
//
// A validator holds Tokens (bonded stake) owned by delegations through
// Shares; the operator's self-stake is the operator's own delegation.
// Delegating x tokens to a validator with T tokens and S shares mints
// x·S/T shares (rounded down; x shares when S = 0) and adds x to T.
// Unbonding s shares removes s·T/S tokens (rounded down; all T when s = S,
// so no dust is stranded). Rewards added to T raise the value of every
// share (compounding); slashing lowers it. A delegation's locked shares
// (collateral of a loan, see package synth) cannot be unbonded, only
// unlocked or seized.
//
// # Effective balance
//
// Each validator has an effective balance, updated at the end of every
// epoch by the Ethereum rule (process_effective_balance_updates): with
// HYSTERESIS_INCREMENT = EFFECTIVE_BALANCE_INCREMENT / HYSTERESIS_QUOTIENT,
// if balance + HYSTERESIS_INCREMENT·DOWNWARD < eff or
// eff + HYSTERESIS_INCREMENT·UPWARD < balance then
// eff = min(balance − balance mod INCREMENT, MAX_EFFECTIVE_BALANCE).
// The balance is the validator's Tokens. A new validator starts with
// eff = min(balance − balance mod INCREMENT, MAX) as at deposit. With
// INCREMENT = 1 and no cap (MaxEffectiveBalance = 0, as in CosmosSDK) the
// effective balance equals the tokens at each epoch boundary.
//
// # Issuance (per epoch, in ProcessEpoch)
//
// Eligible validators are those neither jailed nor Ethereum-slashed and
// with shares; offline ones (passed by the caller) earn nothing.
//
//   - EthIssuance (Altair base reward, BASE_REWARD_FACTOR = 64 on mainnet):
//     total = max(INCREMENT, Σ eff over eligible validators);
//     per_increment = INCREMENT·BASE_REWARD_FACTOR / isqrt(total);
//     base_v = (eff_v / INCREMENT)·per_increment. An online validator earns
//     base_v·online_increments / active_increments (the Altair
//     participation scaling, all flags merged into one division, with the
//     proposer and sync weights paid in expectation rather than to a random
//     proposer); an offline one is penalised
//     base_v·(TIMELY_SOURCE_WEIGHT + TIMELY_TARGET_WEIGHT)/WEIGHT_DENOMINATOR,
//     burned. Hence the reward per unit of stake is ∝ 1/√total and total
//     issuance per epoch ∝ √total.
//   - CosmosInflation (x/mint): bonded ratio b = active_tokens·One/supply;
//     q = b·One/GoalBonded; the inflation rate moves by
//     (One − q)·InflationRateChange/One/EpochsPerYear per epoch (up when
//     below goal, down when above), clamped to [InflationMin,
//     InflationMax]; the epoch's provision is
//     inflation·supply/One/EpochsPerYear, shared among online eligible
//     validators pro rata to tokens: floor(provision·T_v/ΣT).
//   - FixedRate: each online eligible validator earns
//     T_v·Rate/One/EpochsPerYear.
//   - FixedAmount: Amount per epoch, shared pro rata to tokens as above.
//
// Only what is paid is minted: the rounding remainder of a pro-rata split
// is never created. Reward (a block reward to one validator, e.g. the
// proposer the caller drew) follows the same split.
//
// # Reward split
//
// A reward r to validator v pays commission c = r·commission/One to the
// operator's liquid balance and leaves r − c to the delegators: added to T
// (Config.Payout false: compounding, every share gains pro rata) or paid to
// each delegation's liquid balance as (r − c)·s/S (Payout true; the
// remainder is not minted).
//
// # Unbonding
//
// Unbonding at epoch e creates an entry released (made liquid) when the
// chain enters epoch e + UnbondingDelay, i.e. at the end of
// ProcessEpoch(e + UnbondingDelay − 1). Until then the entry stays
// slashable: it is slashed with its validator when the infraction epoch is
// ≤ the entry's creation epoch (the stake was still bonded when the offence
// happened), as in the Cosmos SDK.
//
// # Slashing
//
// EthSlashing follows slash_validator and process_slashings of the
// consensus specs for the configured fork (see EthRules):
// initial penalty = eff / MIN_SLASHING_PENALTY_QUOTIENT; eff is added to
// slashings[epoch mod EPOCHS_PER_SLASHINGS_VECTOR]; withdrawable epoch =
// max(withdrawable, epoch + EPOCHS_PER_SLASHINGS_VECTOR); whistleblower
// reward = eff / WHISTLEBLOWER_REWARD_QUOTIENT, minted to the proposer passed
// by the caller (proposer share = reward / PROPOSER_REWARD_QUOTIENT in
// phase0, reward·PROPOSER_WEIGHT/WEIGHT_DENOMINATOR from Altair; the
// whistleblower defaults to the proposer, so the proposer validator receives
// the whole reward). At the end of epoch e with
// e + EPOCHS_PER_SLASHINGS_VECTOR/2 = withdrawable (the halfway point) the
// correlation penalty applies, with adjusted =
// min(Σ slashings · PROPORTIONAL_SLASHING_MULTIPLIER, total_active): before
// Electra (eff/INCREMENT·adjusted)/total_active·INCREMENT, from Electra
// adjusted/(total_active/INCREMENT)·(eff/INCREMENT). A slashed validator is
// inactive for good and its delegations cannot unbond before its
// withdrawable epoch. Penalties reduce the balance, saturating at zero.
// Slashable unbonding entries of the validator lose
// floor(entry_initial·penalty/eff), capped at the entry's balance.
//
// DoubleSign and Downtime use Cosmos fixed fractions f: the validator loses
// floor(T·f/One) and each slashable unbonding entry floor(initial·f/One),
// capped at its balance. Double signing tombstones the validator (jailed
// for ever); downtime jails it for DowntimeJailEpochs, after which Unjail
// restores it. A jailed validator stays bonded (its tokens count in Bonded)
// but earns nothing and accepts no new delegations.
//
// SlashMany applies one offence to a set of validators at once (a
// correlated incident, e.g. one operator's fault); for EthSlashing all
// their effective balances enter the slashings vector in the same epoch,
// so their correlation penalties see each other.
//
// # Not modelled
//
// Activation and exit churn limits, the inactivity leak, redelegation,
// evidence age limits and the Cosmos active-set size; a jailed validator's
// stake is not moved to a not-bonded pool. Proposer and sync-committee
// rewards are paid in expectation (see EthIssuance); a caller that wants
// the lottery draws the proposer and calls Reward.
//
// # Conservation
//
// Ledger holds the totals; Check verifies exactly that
// liquid + bonded + unbonding = initial + minted − burned, that each total
// equals the sum of its parts (accounts, validators, queue entries), that
// Σ per-validator minted and burned equal the totals, and that shares are
// consistent. Seize removes locked collateral for package synth: burned
// (counted as foreclosure burn), redistributed to all staking pools pro rata
// to their tokens (remainder burned), or transferred as shares to a
// treasury account.
package pos
