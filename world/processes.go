package world

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/cascade-risk/cascade/history"
	"github.com/cascade-risk/cascade/process"
	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/unit"
)

type priceParams struct {
	Asset      string     `yaml:"asset" doc:"the asset whose price the process drives (give asset or signal)"`
	Signal     string     `yaml:"signal" doc:"a series other than a price it drives instead, such as gas_price; agents read it by name"`
	Initial    *float64   `yaml:"initial" doc:"starting value; without it, the asset's price: (a signal needs it)" unit:"numeraire per token"`
	Drift      unit.Rate  `yaml:"drift" doc:"drift mu of the log-price (a GBM's expected return is drift)" default:"0%/yr"`
	Volatility *unit.Rate `yaml:"volatility,required" doc:"standard deviation of log-returns, scaled with the square root of time, such as 80%/yr"`
}

type historyParams struct {
	File       string `yaml:"file,required" doc:"CSV file with a time column and value columns, relative to the scenario's directory"`
	TimeColumn string `yaml:"time_column" doc:"header of the time column" default:"ts_utc"`
	TimeFormat string `yaml:"time_format" doc:"rfc3339, unix, unixms or a Go time layout such as 2006-01-02 15:04 (UTC unless zoned)" default:"rfc3339"`
	Column     string `yaml:"column,required" doc:"header of the value column to play"`
	// MaxJump is the largest move of one row that comes back at the next
	// (an isolated outlier) accepted without a decision; 50% for prices,
	// unchecked for signals unless stated; 0 turns the check off.
	MaxJump *unit.Fraction `yaml:"max_jump" doc:"a one-row move that comes back the next row beyond this is an isolated outlier needing outliers:; without it 50% for prices, no check for signals; 0 turns the check off"`
	// Outliers decides what to do with isolated outliers beyond MaxJump:
	// drop the rows or keep them; without a decision they are an error.
	Outliers string `yaml:"outliers" doc:"drop or keep isolated outliers beyond max_jump; without it they are an error listing each"`
}

// defaultMaxJump is the isolated one-row move of a replayed price that
// needs a decision: a tick that doubles or halves a price and comes back.
const defaultMaxJump = 0.5

// maxOutliersListed bounds the outliers an error lists.
const maxOutliersListed = 10

var processTypes = []string{"gbm", "correlated_gbm", "jump_diffusion", "student_t", "replay", "bootstrap"}

func (b *builder) process(k int, c scenario.Entry[scenario.Component]) (procSpec, bool) {
	step := b.cell.sc.Step.Std()
	spec := procSpec{name: c.Name}
	// initialOf returns a process's starting price: its own initial:, or
	// the asset's price:.
	initialOf := func(a int, initial *float64, key string) (float64, bool) {
		if initial != nil {
			if *initial <= 0 {
				b.errs.At(c.Node.Lookup(key), c.Path+"."+key, "expected a positive initial value, got %g", *initial)
				return 0, false
			}
			return *initial, true
		}
		if a >= 0 && b.cell.price0[a] > 0 {
			return b.cell.price0[a], true
		}
		why := "the asset has no price: either"
		if a < 0 {
			why = "a signal has no other starting value"
		}
		b.errs.At(c.Node, c.Path, "missing required key %q (%s)", key, why)
		return 0, false
	}
	single := func(p *priceParams) (int, float64, float64, float64, bool) {
		a, ok := b.output(c, p.Asset, p.Signal)
		if !ok {
			return 0, 0, 0, 0, false
		}
		s0, ok := initialOf(a, p.Initial, "initial")
		if !ok {
			return 0, 0, 0, 0, false
		}
		if p.Volatility.Value < 0 {
			b.errs.At(c.Node.Get("volatility"), c.Path+".volatility", "expected a non-negative volatility, got %g", p.Volatility.Value)
			return 0, 0, 0, 0, false
		}
		return a, s0, p.Drift.Over(step), p.Volatility.OverSqrt(step), true
	}
	fail := func(err error) (procSpec, bool) {
		b.errs.At(c.Node, c.Path, "%v", err)
		return spec, false
	}
	switch c.Value.Type {
	case "gbm":
		var p priceParams
		if !b.decode(c, &p) {
			return spec, false
		}
		a, s0, mu, sigma, ok := single(&p)
		if !ok {
			return spec, false
		}
		if _, err := process.NewGBM(s0, mu, sigma, 1); err != nil {
			return fail(err)
		}
		spec.outputs = []int{a}
		spec.build = func() (process.Process, error) { return process.NewGBM(s0, mu, sigma, 1) }
	case "jump_diffusion":
		var p struct {
			priceParams `yaml:",inline"`
			JumpRate    unit.Rate `yaml:"jump_rate,required" doc:"Poisson rate of jumps, such as 2/yr"`
			JumpMean    float64   `yaml:"jump_mean" doc:"mean of a jump's log-size (negative for crashes)" default:"0"`
			JumpStdev   float64   `yaml:"jump_stdev" doc:"standard deviation of a jump's log-size" default:"0"`
		}
		if !b.decode(c, &p) {
			return spec, false
		}
		a, s0, mu, sigma, ok := single(&p.priceParams)
		if !ok {
			return spec, false
		}
		j := process.Jumps{Lambda: p.JumpRate.Over(step), Mu: p.JumpMean, Sigma: p.JumpStdev}
		if _, err := process.NewMerton(s0, mu, sigma, j, 1); err != nil {
			return fail(err)
		}
		spec.outputs = []int{a}
		spec.build = func() (process.Process, error) { return process.NewMerton(s0, mu, sigma, j, 1) }
	case "student_t":
		var p struct {
			priceParams `yaml:",inline"`
			DOF         float64 `yaml:"dof,required" doc:"degrees of freedom of Student's t (lower is fatter-tailed; above 2 for a finite variance)"`
		}
		if !b.decode(c, &p) {
			return spec, false
		}
		a, s0, mu, sigma, ok := single(&p.priceParams)
		if !ok {
			return spec, false
		}
		if _, err := process.NewStudentT(s0, mu, sigma, p.DOF, 1); err != nil {
			return fail(err)
		}
		spec.outputs = []int{a}
		spec.build = func() (process.Process, error) { return process.NewStudentT(s0, mu, sigma, p.DOF, 1) }
	case "correlated_gbm":
		var p struct {
			Assets      []string    `yaml:"assets,required" doc:"the assets whose prices it drives"`
			Initial     []float64   `yaml:"initial" doc:"starting prices, one per asset; without it, each asset's price:" unit:"numeraire per token"`
			Drift       []unit.Rate `yaml:"drift" doc:"drift mu of each log-price, one per asset; without it, 0"`
			Volatility  []unit.Rate `yaml:"volatility,required" doc:"standard deviation of each asset's log-returns, one per asset"`
			Correlation [][]float64 `yaml:"correlation,required" doc:"correlation matrix of the log-returns, one row per asset (symmetric, positive definite)"`
		}
		if !b.decode(c, &p) {
			return spec, false
		}
		n := len(p.Assets)
		lengthOK := func(key string, got int, optional bool) bool {
			if got == n || optional && got == 0 {
				return true
			}
			b.errs.At(c.Node.Get(key), c.Path+"."+key, "expected %d values, one per asset, got %d", n, got)
			return false
		}
		if !lengthOK("initial", len(p.Initial), true) || !lengthOK("drift", len(p.Drift), true) ||
			!lengthOK("volatility", len(p.Volatility), false) || !lengthOK("correlation", len(p.Correlation), false) {
			return spec, false
		}
		s0, mu, sigma := make([]float64, n), make([]float64, n), make([]float64, n)
		for k, name := range p.Assets {
			a, ok := b.drivable(name, c.Node.Lookup(fmt.Sprintf("assets.%d", k)), fmt.Sprintf("%s.assets.%d", c.Path, k))
			if !ok {
				return spec, false
			}
			spec.outputs = append(spec.outputs, a)
			var init *float64
			if len(p.Initial) > 0 {
				init = &p.Initial[k]
			}
			if s0[k], ok = initialOf(a, init, "initial"); !ok {
				return spec, false
			}
			if len(p.Drift) > 0 {
				mu[k] = p.Drift[k].Over(step)
			}
			sigma[k] = p.Volatility[k].OverSqrt(step)
		}
		if _, err := process.NewCorrelatedGBM(s0, mu, sigma, p.Correlation, 1); err != nil {
			b.errs.At(c.Node.Get("correlation"), c.Path+".correlation", "%v", err)
			return spec, false
		}
		spec.build = func() (process.Process, error) { return process.NewCorrelatedGBM(s0, mu, sigma, p.Correlation, 1) }
	case "replay", "bootstrap":
		var p struct {
			historyParams `yaml:",inline"`
			Asset         string         `yaml:"asset" doc:"the asset whose price it drives (give asset or signal)"`
			Signal        string         `yaml:"signal" doc:"a series other than a price it drives instead, such as gas_price"`
			Start         string         `yaml:"start" doc:"replay: RFC 3339 time to start from, such as 2020-03-12T00:00:00Z; without it, the first row"`
			Rescale       bool           `yaml:"rescale" doc:"replay: multiply the series so that it starts at initial (or the asset's price:)" default:"false"`
			Initial       *float64       `yaml:"initial" doc:"starting value; for replay only with rescale, for bootstrap without it the asset's price:" unit:"numeraire per token"`
			Block         *unit.Duration `yaml:"block" doc:"bootstrap: length of the resampled blocks of returns, a whole number of steps; without it, one step"`
			Stationary    bool           `yaml:"stationary" doc:"bootstrap: random block lengths of mean block (Politis-Romano) rather than fixed ones" default:"false"`
		}
		if !b.decode(c, &p) {
			return spec, false
		}
		a, ok := b.output(c, p.Asset, p.Signal)
		if !ok {
			return spec, false
		}
		spec.outputs = []int{a}
		series, ok := b.loadHistory(c, p.historyParams, p.Asset != "")
		if !ok {
			return spec, false
		}
		if c.Value.Type == "replay" {
			if p.Block != nil || p.Stationary {
				b.errs.At(c.Node, c.Path, "block and stationary apply to bootstrap, not replay")
				return spec, false
			}
			start := series.Times[0]
			if p.Start != "" {
				t, err := time.Parse(time.RFC3339, p.Start)
				if err != nil {
					b.errs.At(c.Node.Get("start"), c.Path+".start", "expected an RFC 3339 time such as 2020-03-12T00:00:00Z, got %q", p.Start)
					return spec, false
				}
				start = t
			}
			steps := b.cell.steps
			if steps+1 > MaxGridPoints {
				b.errs.At(c.Node.Get("file"), c.Path+".file", "replaying %s at step %s needs %d points; at most %d are supported: use a coarser step or a shorter horizon",
					p.File, b.cell.sc.Step, steps+1, MaxGridPoints)
				return spec, false
			}
			if series, ok = b.screen(c, p.historyParams, series, p.Asset != "", start, start.Add(time.Duration(steps)*step)); !ok {
				return spec, false
			}
			rs, err := history.Resample(series, start, step, steps+1)
			if err != nil {
				return fail(err)
			}
			var s0 []float64
			if p.Rescale {
				init, ok := initialOf(a, p.Initial, "initial")
				if !ok {
					return spec, false
				}
				s0 = []float64{init}
			}
			if _, err := process.NewReplay(rs, steps, s0); err != nil {
				return fail(err)
			}
			spec.build = func() (process.Process, error) { return process.NewReplay(rs, steps, s0) }
			break
		}
		if p.Start != "" || p.Rescale {
			b.errs.At(c.Node, c.Path, "start and rescale apply to replay, not bootstrap")
			return spec, false
		}
		span := series.Times[len(series.Times)-1].Sub(series.Times[0])
		if span/step+1 > MaxGridPoints {
			b.errs.At(c.Node.Get("file"), c.Path+".file", "bootstrapping %s, which spans %s, at step %s needs %d points; at most %d are supported: use a coarser step or a shorter history",
				p.File, span.Round(time.Second), b.cell.sc.Step, span/step+1, MaxGridPoints)
			return spec, false
		}
		if series, ok = b.screen(c, p.historyParams, series, p.Asset != "", series.Times[0], series.Times[len(series.Times)-1]); !ok {
			return spec, false
		}
		span = series.Times[len(series.Times)-1].Sub(series.Times[0])
		n := int(span / step)
		rs, err := history.Resample(series, series.Times[0], step, n+1)
		if err != nil {
			return fail(err)
		}
		returns, err := history.LogReturns(rs.Values[0])
		if err != nil {
			return fail(err)
		}
		init, ok := initialOf(a, p.Initial, "initial")
		if !ok {
			return spec, false
		}
		block := 1
		if p.Block != nil {
			if p.Block.Std()%step != 0 {
				b.errs.At(c.Node.Get("block"), c.Path+".block", "block %s is not a whole number of %s steps", *p.Block, b.cell.sc.Step)
				return spec, false
			}
			block = int(p.Block.Std() / step)
		}
		build := func() (process.Process, error) {
			if p.Stationary {
				return process.NewStationaryBootstrap([][]float64{returns}, []float64{init}, float64(block))
			}
			return process.NewBlockBootstrap([][]float64{returns}, []float64{init}, block)
		}
		if _, err := build(); err != nil {
			return fail(err)
		}
		spec.build = build
	default:
		b.unknownType(c, "process", processTypes)
		return spec, false
	}
	return spec, true
}

func (b *builder) loadHistory(c scenario.Entry[scenario.Component], p historyParams, prices bool) (*history.Series, bool) {
	path := p.File
	if !filepath.IsAbs(path) {
		path = filepath.Join(b.dir, path)
	}
	s, err := history.Load(path, history.Options{TimeColumn: p.TimeColumn, TimeFormat: p.TimeFormat, Columns: []string{p.Column}, Prices: prices})
	if err != nil {
		b.errs.At(c.Node.Get("file"), c.Path+".file", "%v", err)
		return nil, false
	}
	return s, true
}

// screen checks the rows of s a process reads — those timed within [from,
// to], and the row before from, which carries into it — for isolated
// outliers beyond the stated jump (see historyParams), and drops them,
// keeps them, or reports each with its file line when the scenario has
// not said which.
func (b *builder) screen(c scenario.Entry[scenario.Component], p historyParams, s *history.Series, prices bool, from, to time.Time) (*history.Series, bool) {
	jump := 0.0
	if prices {
		jump = defaultMaxJump
	}
	if p.MaxJump != nil {
		if jump = float64(*p.MaxJump); jump < 0 || jump > 1000 {
			b.errs.At(c.Node.Get("max_jump"), c.Path+".max_jump", "expected a jump from 0 (no check) to 100000%%, got %g", jump)
			return nil, false
		}
	}
	switch p.Outliers {
	case "", "drop", "keep":
	default:
		b.errs.At(c.Node.Get("outliers"), c.Path+".outliers", "expected drop or keep, got %q", p.Outliers)
		return nil, false
	}
	if jump == 0 {
		return s, true
	}
	if !prices {
		for _, v := range s.Values[0] {
			if !(v > 0) {
				b.errs.At(c.Node.Get("max_jump"), c.Path+".max_jump", "max_jump needs positive values; %s has %g", p.Column, v)
				return nil, false
			}
		}
	}
	var out []history.Outlier
	for _, o := range history.Outliers(s, 0, jump) {
		if t := s.Times[o.Index]; !t.After(to) && (!t.Before(from) || o.Index+1 < len(s.Times) && s.Times[o.Index+1].After(from)) {
			out = append(out, o)
		}
	}
	switch {
	case len(out) == 0 || p.Outliers == "keep":
		return s, true
	case p.Outliers == "drop":
		rows := make([]int, len(out))
		for k, o := range out {
			rows[k] = o.Index
		}
		return history.Drop(s, rows), true
	}
	var list []string
	for _, o := range out[:min(len(out), maxOutliersListed)] {
		list = append(list, fmt.Sprintf("%s:%d: %s %.6g between %.6g and %.6g", p.File, o.Line, p.Column, o.Value, o.Prev, o.Next))
	}
	more := ""
	if len(out) > maxOutliersListed {
		more = fmt.Sprintf("; and %d more", len(out)-maxOutliersListed)
	}
	b.errs.At(c.Node.Get("file"), c.Path+".file", "%d isolated outlier(s) beyond a %g%% jump that come back the next row (%s%s); set outliers: drop to remove those rows or outliers: keep to replay them as recorded, or max_jump: to state another jump",
		len(out), 100*jump, strings.Join(list, "; "), more)
	return nil, false
}
