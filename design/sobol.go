package design

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
)

// joeKuo holds Joe and Kuo's direction numbers for dimensions 2 onwards,
// one row per dimension as "s a m_1 … m_s": s is the degree of the
// primitive polynomial, a encodes its inner coefficients and m_k are the
// initial direction integers. Typed from the published table
// new-joe-kuo-6.21201 (S. Joe and F. Y. Kuo, "Constructing Sobol sequences
// with better two-dimensional projections", SIAM J. Sci. Comput. 30,
// 2635–2654, 2008; https://web.maths.unsw.edu.au/~fkuo/sobol/).
var joeKuo = []string{
	"1 0 1", "2 1 1 3", "3 1 1 3 1", "3 2 1 1 1", "4 1 1 1 3 3", "4 4 1 3 5 13",
	"5 2 1 1 5 5 17", "5 4 1 1 5 5 5", "5 7 1 1 7 11 19", "5 11 1 1 5 1 1",
	"5 13 1 1 1 3 11", "5 14 1 3 5 5 31", "6 1 1 3 3 9 7 49", "6 13 1 1 1 15 21 21",
	"6 16 1 3 1 13 27 49", "6 19 1 1 1 15 7 5", "6 22 1 3 1 15 13 25", "6 25 1 1 5 5 19 61",
	"7 1 1 3 7 11 23 15 103", "7 4 1 3 7 13 13 15 69", "7 7 1 1 3 13 7 35 63",
	"7 8 1 3 5 9 1 25 53", "7 14 1 3 1 13 9 35 107", "7 19 1 3 1 5 27 61 31",
	"7 21 1 1 5 11 19 41 61", "7 28 1 3 5 3 3 13 69", "7 31 1 1 7 13 1 19 1",
	"7 32 1 3 7 5 13 19 59", "7 37 1 1 3 9 25 29 41", "7 41 1 3 5 13 23 1 55",
	"7 42 1 3 7 3 13 59 17", "7 50 1 3 1 3 5 53 69", "7 55 1 1 5 5 23 33 13",
	"7 56 1 1 7 7 1 61 123", "7 59 1 1 7 9 13 61 49", "7 62 1 3 3 5 3 55 33",
	"8 14 1 3 1 15 31 13 49 245", "8 21 1 3 5 15 31 59 63 97", "8 22 1 3 1 11 11 11 77 249",
	"8 38 1 3 1 11 27 43 71 9", "8 47 1 1 7 15 21 11 81 45", "8 49 1 3 7 3 25 31 65 79",
	"8 50 1 3 1 1 19 11 3 205", "8 52 1 1 5 9 19 21 29 157", "8 56 1 3 7 11 1 33 89 185",
	"8 67 1 3 3 3 15 9 79 71", "8 70 1 3 7 11 15 39 119 27", "8 84 1 1 3 1 11 31 97 225",
	"8 97 1 1 1 3 23 43 57 177", "8 103 1 3 7 7 17 17 37 71", "8 115 1 3 1 5 27 63 123 213",
	"8 122 1 1 3 5 11 43 53 133", "9 8 1 3 5 5 29 17 47 173 479", "9 13 1 3 3 11 3 1 109 9 69",
	"9 16 1 1 1 5 17 39 23 5 343", "9 22 1 3 1 5 25 15 31 103 499",
}

// MaxSobolDims is the number of dimensions the typed direction numbers
// cover: the first is van der Corput's, then one per row of the table.
var MaxSobolDims = 1 + len(joeKuo)

// sobolBits is the precision of the sequence: points are multiples of
// 2^−32, and at most 2^32 of them are distinct.
const sobolBits = 32

// Sobol generates a Sobol sequence in [0,1)^d (Sobol' 1967; Bratley and Fox
// 1988, with Joe and Kuo's direction numbers), optionally scrambled.
//
// Direction integers: for a dimension with primitive polynomial
// x^s + a_1 x^(s−1) + … + a_(s−1) x + 1, m_k for k > s is
// 2a_1 m_(k−1) ⊕ 4a_2 m_(k−2) ⊕ … ⊕ 2^(s−1) a_(s−1) m_(k−s+1) ⊕ 2^s m_(k−s) ⊕ m_(k−s),
// and the direction number is V_k = m_k · 2^(32−k). Points follow the Gray
// code: x_(i+1) = x_i ⊕ V_c, c the position of the lowest zero bit of i
// (Antonov and Saleev 1979), so each block of 2^m points is the same set
// as in the natural order.
//
// Scrambling (Matoušek 1998, "linear matrix scrambling" with a digital
// shift): every dimension's direction numbers are multiplied over GF(2) by a
// random lower-triangular binary matrix with unit diagonal, and every point
// is XORed with a random shift. This keeps the (t, m, s)-net structure of
// the sequence, so its equidistribution, while making the points random
// and their average an unbiased estimate.
type Sobol struct {
	v     [][sobolBits]uint32
	x     []uint32
	shift []uint32
	i     uint64
}

// NewSobol returns the d-dimensional sequence; with rng non-nil it is
// scrambled with random numbers drawn from rng.
func NewSobol(d int, rng *rand.Rand) (*Sobol, error) {
	if d < 1 || d > MaxSobolDims {
		return nil, fmt.Errorf("a Sobol sequence here has from 1 to %d dimensions, got %d", MaxSobolDims, d)
	}
	s := &Sobol{v: make([][sobolBits]uint32, d), x: make([]uint32, d), shift: make([]uint32, d)}
	for k := range sobolBits {
		s.v[0][k] = 1 << (sobolBits - 1 - k) // m_k = 1: van der Corput
	}
	for j := 1; j < d; j++ {
		f := strings.Fields(joeKuo[j-1])
		deg, _ := strconv.Atoi(f[0])
		a, _ := strconv.Atoi(f[1])
		m := make([]uint32, sobolBits+1) // m[1..32]
		for k := 1; k <= deg; k++ {
			v, _ := strconv.Atoi(f[1+k])
			m[k] = uint32(v)
		}
		for k := deg + 1; k <= sobolBits; k++ {
			mk := m[k-deg] ^ m[k-deg]<<deg
			for i := 1; i < deg; i++ {
				if a>>(deg-1-i)&1 == 1 {
					mk ^= m[k-i] << i
				}
			}
			m[k] = mk
		}
		for k := 1; k <= sobolBits; k++ {
			s.v[j][k-1] = m[k] << (sobolBits - k)
		}
	}
	if rng != nil {
		for j := range d {
			// rows[r] is row r of L as a mask over bits numbered from the
			// most significant: column c is bit 31−c; L[r][c] for c < r is
			// random, L[r][r] = 1, and L[r][c] = 0 for c > r.
			var rows [sobolBits]uint32
			for r := range sobolBits {
				mask := uint32(0)
				if r > 0 {
					mask = rng.Uint32() &^ (1<<(sobolBits-r) - 1) // keep columns 0..r−1
				}
				rows[r] = mask | 1<<(sobolBits-1-r)
			}
			for k := range sobolBits {
				var out uint32
				for r := range sobolBits {
					out |= uint32(bits.OnesCount32(rows[r]&s.v[j][k])&1) << (sobolBits - 1 - r)
				}
				s.v[j][k] = out
			}
			s.shift[j] = rng.Uint32()
		}
	}
	return s, nil
}

// Next writes the next point into dst (of length d). The first point of an
// unscrambled sequence is the origin.
func (s *Sobol) Next(dst []float64) {
	if s.i > 0 {
		c := bits.TrailingZeros64(^(s.i - 1)) // lowest zero bit of i−1
		for j := range s.x {
			s.x[j] ^= s.v[j][c]
		}
	}
	s.i++
	for j := range s.x {
		dst[j] = float64(s.x[j]^s.shift[j]) / (1 << sobolBits)
	}
}

// SobolPoints returns the first n points of the d-dimensional sequence,
// scrambled with rng unless rng is nil. Balance properties hold for n a
// power of two.
func SobolPoints(n, d int, rng *rand.Rand) ([][]float64, error) {
	s, err := NewSobol(d, rng)
	if err != nil {
		return nil, err
	}
	pts := make([][]float64, n)
	for k := range pts {
		pts[k] = make([]float64, d)
		s.Next(pts[k])
	}
	return pts, nil
}
