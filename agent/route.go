package agent

import (
	"errors"

	"github.com/cascade-risk/cascade/market"
	"github.com/holiman/uint256"
)

// Hop is one swap of a route: on m.Venues[Venue], pool token In for pool
// token Out.
type Hop struct{ Venue, In, Out int }

// Route is a path of swaps from one asset to another across the
// scenario's pools; each hop sells exactly what the previous one paid, in
// the pools' own integers.
type Route []Hop

// Routes returns every route of at most maxHops hops from asset from to
// asset to among m's venues that visits no asset twice, shortest first and
// in venue order within a length, so the choice among equal quotes is
// deterministic.
func Routes(m *market.Market, from, to, maxHops int) []Route {
	var out []Route
	seen := map[int]bool{from: true}
	var walk func(at int, path Route)
	walk = func(at int, path Route) {
		if len(path) == maxHops {
			return
		}
		for vi, v := range m.Venues {
			i := venueIndex(v, at)
			if i < 0 {
				continue
			}
			for j, a := range v.Assets {
				if j == i || seen[a] {
					continue
				}
				next := append(append(Route(nil), path...), Hop{vi, i, j})
				if a == to {
					out = append(out, next)
					continue
				}
				seen[a] = true
				walk(a, next)
				seen[a] = false
			}
		}
	}
	walk(from, nil)
	// Stable sort by length keeps venue order within a length.
	for k := 1; k < len(out); k++ {
		for j := k; j > 0 && len(out[j]) < len(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

var errRoute = errors.New("route: a hop pays nothing")

// Quote returns what selling amount along r would pay, hop by hop with
// each pool's exact Quote, leaving the pools unchanged.
func (r Route) Quote(m *market.Market, amount *uint256.Int) (uint256.Int, error) {
	x := *amount
	for _, h := range r {
		t, err := m.Venues[h.Venue].Pool.Quote(h.In, h.Out, &x)
		if err != nil {
			return uint256.Int{}, err
		}
		if x = t.Out; x.IsZero() {
			return x, errRoute
		}
	}
	return x, nil
}

// Swap sells amount along r, recording every hop on its venue. Quote
// first: a route that quotes executes, since the pools are in the same
// state. If a hop fails anyway, Swap reports the hop and what it held.
func (r Route) Swap(m *market.Market, amount *uint256.Int) (out uint256.Int, failed int, err error) {
	x := *amount
	for k, h := range r {
		t, err := m.Venues[h.Venue].Swap(m, h.In, h.Out, &x)
		if err != nil {
			return x, k, err
		}
		x = t.Out
	}
	return x, -1, nil
}

// BestRoute returns the route among rs that pays most for amount, and what
// it pays; ok is false when none quotes.
func BestRoute(m *market.Market, rs []Route, amount *uint256.Int) (best Route, out uint256.Int, ok bool) {
	for _, r := range rs {
		if o, err := r.Quote(m, amount); err == nil && (!ok || o.Gt(&out)) {
			best, out, ok = r, o, true
		}
	}
	return best, out, ok
}
