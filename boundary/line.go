package boundary

// Line bisects one line of R grid values (indices 0 … R−1) for the edge
// between safe and unsafe verdicts. It evaluates both ends first: if they
// agree, the line is all safe or all unsafe at this resolution; otherwise
// the safe end gives the direction, and the bracket [safe, unsafe] halves
// until its ends are neighbours. An Undecided point counts as unsafe, so
// the safe side never includes a point whose failure probability may
// exceed p0.
type Line struct {
	R        int
	verdicts map[int]Verdict
	// s and u bracket the edge: s the nearest index known safe, u the
	// nearest known not safe; -1 until known.
	s, u int
	done bool
}

// Outcome summarises a finished line.
type Outcome int

// Line outcomes.
const (
	Crossing  Outcome = iota // the verdict changes along the line
	AllSafe                  // both ends safe
	AllUnsafe                // both ends not safe
)

func (o Outcome) String() string { return [...]string{"crossing", "all safe", "all unsafe"}[o] }

// NewLine returns the search over r ≥ 2 grid values.
func NewLine(r int) *Line { return &Line{R: r, verdicts: map[int]Verdict{}, s: -1, u: -1} }

// Next returns the grid index to settle next, or ok = false when the line
// is finished.
func (l *Line) Next() (idx int, ok bool) {
	if l.done {
		return 0, false
	}
	if _, seen := l.verdicts[0]; !seen {
		return 0, true
	}
	if _, seen := l.verdicts[l.R-1]; !seen {
		return l.R - 1, true
	}
	return (l.s + l.u) / 2, true
}

// Record stores the settled verdict of index idx (not Pending).
func (l *Line) Record(idx int, v Verdict) {
	l.verdicts[idx] = v
	a, aok := l.verdicts[0]
	b, bok := l.verdicts[l.R-1]
	if !aok || !bok {
		return
	}
	if l.s < 0 && l.u < 0 {
		switch {
		case a == Safe && b == Safe, a != Safe && b != Safe:
			l.done = true
			return
		case a == Safe:
			l.s, l.u = 0, l.R-1
		default:
			l.s, l.u = l.R-1, 0
		}
	} else if idx != 0 && idx != l.R-1 {
		if v == Safe {
			l.s = idx
		} else {
			l.u = idx
		}
	}
	if l.s-l.u == 1 || l.u-l.s == 1 {
		l.done = true
	}
}

// Result returns the line's outcome and, for a crossing, the bracket: safe
// is the last index settled safe and unsafe the first not safe beyond it.
func (l *Line) Result() (o Outcome, safe, unsafe int) {
	switch {
	case l.s >= 0:
		return Crossing, l.s, l.u
	case l.verdicts[0] == Safe:
		return AllSafe, -1, -1
	}
	return AllUnsafe, -1, -1
}

// Increasing reports whether failure lies at the high end of a crossing
// line.
func (l *Line) Increasing() bool { return l.u > l.s }

// Evaluated returns the number of grid points settled.
func (l *Line) Evaluated() int { return len(l.verdicts) }

// Verdicts returns the settled verdicts by grid index.
func (l *Line) Verdicts() map[int]Verdict { return l.verdicts }
