package world

import (
	"fmt"
	"math/bits"

	"github.com/cascade-risk/cascade/agent"
	"github.com/cascade-risk/cascade/engine"
	"github.com/cascade-risk/cascade/process"
	"github.com/cascade-risk/cascade/variate"
)

// stepAll runs steps 1 to c.steps of a run: processes, protocols, agents in
// turn, accounting checks, and a record every stride steps.
func (s *sim) stepAll(out *engine.Outcome) error {
	c := s.c
	m := &s.market
	untilSample := c.stride
	for step := 1; step <= c.steps; step++ {
		// A plain loop: these slices hold a few prices, and a call to
		// memmove costs more than copying them.
		prev := m.PrevPrices[:len(m.Prices)]
		for a, p := range m.Prices {
			prev[a] = p
		}
		for k, p := range s.procs {
			p.Step(s.procOut[k])
		}
		for _, k := range s.relayed {
			s.deliver(k)
		}
		for a, p := range m.Prices {
			// p-p is 0 for every finite p and NaN for ±Inf and NaN.
			if p-p != 0 || p < 0 {
				return &NonFiniteError{Step: step, What: "the price of " + c.assets[a], Value: p}
			}
		}
		m.Step = step
		for k, p := range m.Protocols {
			if err := p.Step(m); err != nil {
				return fmt.Errorf("step %d: %s: %w", step, c.protocols[k].name, err)
			}
		}
		if s.order != nil {
			s.shuffle()
		}
		for _, a := range s.actors {
			a.Act(m)
		}
		for k, p := range m.Protocols {
			if err := p.Check(); err != nil {
				return fmt.Errorf("step %d: %s: accounting check failed: %w", step, c.protocols[k].name, err)
			}
		}
		// A countdown rather than step%stride: no division per step.
		if untilSample--; untilSample == 0 {
			untilSample = c.stride
			s.record(out, step/c.stride)
			if err := s.checkFinite(step); err != nil {
				return err
			}
		}
	}
	return nil
}

// shuffle orders the actors as rand.Rand.Shuffle on the order's generator:
// Fisher–Yates, its draws IntN(i+1) by Lemire's multiply-and-reject
// (variate.Source.IntN), on 64-bit platforms with the generator's state in
// locals (variate.Shuffle) and written back to it.
func (s *sim) shuffle() {
	if bits.UintSize != 64 {
		src := variate.Source{PCG: &s.orderPCG, Rand: s.order}
		for i := len(s.actors) - 1; i > 0; i-- {
			j := src.IntN(i + 1)
			s.actors[i], s.actors[j] = s.actors[j], s.actors[i]
		}
		return
	}
	hi, lo := variate.Shuffle(s.orderHi, s.orderLo, s.actors)
	s.orderHi, s.orderLo = hi, lo
	s.orderPCG.Seed(hi, lo)
}

// plain reports whether a run's steps need none of stepAll's machinery:
// one process, writing straight into the prices, no protocols, and one
// agent that acts, in the listed order. The reference model is such a
// model, and on it the general loop's bookkeeping cost a sixth of a step.
func (s *sim) plain() bool {
	return len(s.procs) == 1 && len(s.relayed) == 0 && len(s.market.Protocols) == 0 &&
		s.order == nil && len(s.actors) == 1
}

// stepPlain is stepAll for a plain model (see plain), the same steps in the
// same order: the previous prices saved, the process stepped, the prices
// checked, the one actor's turn, a record every stride steps. With no
// protocols nothing else moves a price, so after step 1 only the prices
// the process writes are saved and checked (the others equal their
// previous values, already checked), and the common process and actor are
// called directly rather than through their interfaces.
func (s *sim) stepPlain(out *engine.Outcome) error {
	c := s.c
	m := &s.market
	prices := m.Prices
	prev := m.PrevPrices[:len(prices)]
	proc, pout := s.procs[0], s.procOut[0]
	// moved are the prices the process writes, and was their previous
	// values: pout itself when it writes prices, nothing when signals.
	first, moved := 0, prices[:0]
	if o := s.outputs[0]; len(o) > 0 && o[0] >= 0 {
		first, moved = o[0], prices[o[0]:o[0]+len(pout)]
	}
	was := prev[first : first+len(moved)]
	gbm, _ := proc.(*process.GBM)
	actor := s.actors[0]
	arb, _ := actor.(*agent.Arbitrageur)
	untilSample := c.stride
	for step := 1; step <= c.steps; step++ {
		check, base := moved, first
		if step == 1 {
			check, base = prices, 0
		}
		// Plain loops: these slices hold a few prices, and a call to
		// memmove costs more than copying them. prev already holds the
		// prices of step 0.
		for k, p := range moved {
			was[k] = p
		}
		if gbm != nil {
			gbm.Step(pout)
		} else {
			proc.Step(pout)
		}
		for a, p := range check {
			// p-p is 0 for every finite p and NaN for ±Inf and NaN.
			if p-p != 0 || p < 0 {
				return &NonFiniteError{Step: step, What: "the price of " + c.assets[base+a], Value: p}
			}
		}
		m.Step = step
		if arb != nil {
			arb.Act(m)
		} else {
			actor.Act(m)
		}
		if untilSample--; untilSample == 0 {
			untilSample = c.stride
			s.record(out, step/c.stride)
			if err := s.checkFinite(step); err != nil {
				return err
			}
		}
	}
	return nil
}
