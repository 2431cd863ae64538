// Package qf runs funding rounds with quadratic-funding matching: donors
// give to projects during a round, and at its close a matching pool is
// split among the projects in proportion to each one's quadratic-funding
// match,
//
//	M_p = (Σ_i √c_ip)² − Σ_i c_ip,
//
// c_ip being donor i's total gift to project p in the round, over the
// donors whose credential score reaches the program's threshold (the
// others' gifts reach the project but are not matched). With a cap, no
// project receives more than Cap × pool: the excess is split again among
// the others in proportion to their M_p, until none is over.
//
// Projects funded in a round must show results before the next round
// closes; one that does not is excluded from matching at that close and
// cannot receive gifts for Suspend rounds after it (for ever when Suspend
// is 0). Program is a pure state machine: agents give and report
// results; the world closes rounds.
package qf

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Config is a program's rules.
type Config struct {
	// Pool is the matching pool of each round, in the numeraire.
	Pool float64
	// Cap is the largest share of a round's pool one project may receive;
	// 0 is no cap.
	Cap float64
	// Threshold is the credential score a donor needs to be matched.
	Threshold float64
	// Results makes projects funded in a round show results before the
	// next round closes to stay eligible.
	Results bool
	// Suspend is the number of rounds a project without results stays
	// ineligible; 0 is for ever.
	Suspend int
}

// Validate reports rules that make no sense.
func (c *Config) Validate() error {
	switch {
	case !(c.Pool >= 0) || math.IsInf(c.Pool, 0):
		return fmt.Errorf("matching pool %g is not a non-negative amount", c.Pool)
	case !(c.Cap >= 0 && c.Cap <= 1):
		return fmt.Errorf("cap %g outside [0, 1]", c.Cap)
	case !(c.Threshold >= 0) || math.IsInf(c.Threshold, 0):
		return fmt.Errorf("threshold %g is not a non-negative score", c.Threshold)
	case c.Suspend < 0:
		return fmt.Errorf("negative suspension %d", c.Suspend)
	}
	return nil
}

type gift struct{ donor, project int }

// Program is a funding program: its projects, donors and open round.
type Program struct {
	Config Config
	// Round is the number of rounds closed.
	Round int

	scores []float64
	// by project
	banned    []int  // round from which eligible again; −1 for ever
	owing     []bool // funded in the last closed round, results not shown
	sumSqrt   []float64
	sum       []float64 // matched donors' gifts
	raised    []float64 // all gifts this round
	received  []float64 // matching received, all rounds
	donations []float64 // gifts received, all rounds
	given     map[gift]float64
	// Totals over closed rounds.
	Matched, Donated, Unmatched float64
}

// New returns a program with no projects or donors and round 1 open.
func New(c Config) (*Program, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &Program{Config: c, given: map[gift]float64{}}, nil
}

// AddProject registers an eligible project and returns its id, from 0.
func (p *Program) AddProject() int {
	p.banned = append(p.banned, 0)
	p.owing = append(p.owing, false)
	p.sumSqrt = append(p.sumSqrt, 0)
	p.sum = append(p.sum, 0)
	p.raised = append(p.raised, 0)
	p.received = append(p.received, 0)
	p.donations = append(p.donations, 0)
	return len(p.banned) - 1
}

// AddDonor registers a donor with a credential score and returns its id.
func (p *Program) AddDonor(score float64) int {
	p.scores = append(p.scores, score)
	return len(p.scores) - 1
}

// Projects returns the number of projects.
func (p *Program) Projects() int { return len(p.banned) }

// Counts reports whether a donor's gifts are matched.
func (p *Program) Counts(donor int) bool { return p.scores[donor] >= p.Config.Threshold }

// Eligible reports whether a project may receive gifts in the open round.
func (p *Program) Eligible(project int) bool {
	b := p.banned[project]
	return b >= 0 && p.Round+1 >= b
}

// Owing reports whether a project funded in the last closed round has yet
// to show results.
func (p *Program) Owing(project int) bool { return p.owing[project] }

// Received returns the matching a project has received in closed rounds.
func (p *Program) Received(project int) float64 { return p.received[project] }

// Raised returns the gifts a project has received in the open round.
func (p *Program) Raised(project int) float64 { return p.raised[project] }

// Give records a gift of amount from donor to project in the open round.
func (p *Program) Give(donor, project int, amount float64) error {
	switch {
	case donor < 0 || donor >= len(p.scores) || project < 0 || project >= len(p.banned):
		return fmt.Errorf("no donor %d or project %d", donor, project)
	case !(amount > 0) || math.IsInf(amount, 0):
		return fmt.Errorf("gift %g is not a positive amount", amount)
	case !p.Eligible(project):
		return fmt.Errorf("project %d is not eligible", project)
	}
	p.raised[project] += amount
	if !p.Counts(donor) {
		return nil
	}
	k := gift{donor, project}
	old := p.given[k]
	p.given[k] = old + amount
	p.sumSqrt[project] += math.Sqrt(old+amount) - math.Sqrt(old)
	p.sum[project] += amount
	return nil
}

// Report records that a project showed results for its last funding.
func (p *Program) Report(project int) { p.owing[project] = false }

// Ideal returns the quadratic-funding match of a sum of square roots of
// donors' totals and their sum: (Σ√c)² − Σc, never negative.
func Ideal(sumSqrt, sum float64) float64 { return max(0, sumSqrt*sumSqrt-sum) }

// Split divides pool among projects in proportion to their ideal matches,
// none receiving more than cap·pool when cap > 0: a capped project's
// excess is split again among the uncapped in proportion to their ideals.
// What no project can take (every one capped, or no ideal at all) is
// returned as the remainder. Ties and order do not matter: the capped
// set grows monotonically until no share exceeds the cap.
func Split(ideal []float64, pool, cap float64, dst []float64) (remainder float64) {
	for k := range dst {
		dst[k] = 0
	}
	limit := math.Inf(1)
	if cap > 0 {
		limit = cap * pool
	}
	capped := make([]bool, len(ideal))
	left := pool
	for {
		var total float64
		for k, v := range ideal {
			if !capped[k] {
				total += v
			}
		}
		if total <= 0 || left <= 0 {
			return left
		}
		over := false
		for k, v := range ideal {
			if !capped[k] && v > 0 && left*v/total > limit {
				capped[k], over = true, true
				dst[k] = limit
			}
		}
		if !over {
			for k, v := range ideal {
				if !capped[k] {
					dst[k] = left * v / total
				}
			}
			return 0
		}
		left = pool
		for k := range ideal {
			if capped[k] {
				left -= dst[k]
			}
		}
	}
}

// ideals writes every project's ideal match in the open round; a project
// owing results when Results applies, or not eligible, has none.
func (p *Program) ideals(dst []float64) {
	for k := range dst {
		dst[k] = 0
		if p.Eligible(k) && !(p.Config.Results && p.owing[k]) {
			dst[k] = Ideal(p.sumSqrt[k], p.sum[k])
		}
	}
}

// MatchIf returns the match project would receive if the round closed now
// with extra further matched gifts to it, each from a new donor.
func (p *Program) MatchIf(project int, extra []float64) float64 {
	id := make([]float64, len(p.banned))
	p.ideals(id)
	if id[project] > 0 || p.Eligible(project) && !(p.Config.Results && p.owing[project]) {
		s, t := p.sumSqrt[project], p.sum[project]
		for _, x := range extra {
			s += math.Sqrt(x)
			t += x
		}
		id[project] = Ideal(s, t)
	}
	out := make([]float64, len(id))
	Split(id, p.Config.Pool, p.Config.Cap, out)
	return out[project]
}

// Result is a closed round.
type Result struct {
	// Match is each project's matching; Raised its gifts.
	Match, Raised []float64
	// Remainder is the part of the pool no project could take.
	Remainder float64
	// Capped counts projects held at the cap; Excluded those denied
	// matching for want of results.
	Capped, Excluded int
}

// Close ends the open round: projects that owed results are excluded and
// suspended, the pool is split, and projects that received matching or
// gifts owe results for the next close. It opens the next round.
func (p *Program) Close() Result {
	n := len(p.banned)
	r := Result{Match: make([]float64, n), Raised: append([]float64(nil), p.raised...)}
	round := p.Round + 1
	if p.Config.Results {
		for k := range n {
			if p.owing[k] && p.Eligible(k) {
				r.Excluded++
				if p.Config.Suspend == 0 {
					p.banned[k] = -1
				} else {
					p.banned[k] = round + 1 + p.Config.Suspend
				}
			}
		}
	}
	id := make([]float64, n)
	p.ideals(id)
	r.Remainder = Split(id, p.Config.Pool, p.Config.Cap, r.Match)
	for k := range n {
		if p.Config.Cap > 0 && r.Match[k] >= p.Config.Cap*p.Config.Pool*(1-1e-12) && r.Match[k] > 0 {
			r.Capped++
		}
		p.received[k] += r.Match[k]
		p.donations[k] += p.raised[k]
		p.Matched += r.Match[k]
		p.Donated += p.raised[k]
		p.Unmatched += p.raised[k] - p.sum[k]
		p.owing[k] = p.Config.Results && (r.Match[k] > 0 || p.raised[k] > 0) && p.banned[k] >= 0 && p.banned[k] <= round
		p.sumSqrt[k], p.sum[k], p.raised[k] = 0, 0, 0
	}
	clear(p.given)
	p.Round = round
	return r
}

// Check verifies the books: matching paid never exceeds the pools, gifts
// matched never exceed gifts made, and every amount is finite and ≥ 0.
func (p *Program) Check() error {
	var rec, don float64
	for k := range p.banned {
		if !(p.received[k] >= 0 && p.donations[k] >= 0 && p.raised[k] >= 0 && p.sum[k] >= 0) {
			return fmt.Errorf("project %d: negative or NaN amount", k)
		}
		if p.sum[k] > p.raised[k]*(1+1e-12) {
			return fmt.Errorf("project %d: matched gifts %g exceed gifts %g", k, p.sum[k], p.raised[k])
		}
		rec += p.received[k]
		don += p.donations[k]
	}
	tol := 1e-9 * max(1, p.Matched)
	if math.Abs(rec-p.Matched) > tol || math.Abs(don-p.Donated) > 1e-9*max(1, p.Donated) {
		return errors.New("project totals differ from the program's")
	}
	if p.Matched > float64(p.Round)*p.Config.Pool+tol {
		return fmt.Errorf("matched %g exceeds %d pools of %g", p.Matched, p.Round, p.Config.Pool)
	}
	return nil
}

// TopShare returns the share of all matching received by the top frac of
// projects (at least one), ranked by what they received.
func (p *Program) TopShare(frac float64) float64 {
	if p.Matched <= 0 || len(p.received) == 0 {
		return 0
	}
	r := append([]float64(nil), p.received...)
	sort.Sort(sort.Reverse(sort.Float64Slice(r)))
	k := max(1, int(math.Ceil(frac*float64(len(r)))))
	var s float64
	for _, x := range r[:k] {
		s += x
	}
	return s / p.Matched
}
