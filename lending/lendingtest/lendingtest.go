// Package lendingtest provides what the lending packages' tests share: a
// source that turns fuzz input into operation choices and amounts, and
// helpers for exact integer expectations.
package lendingtest

import (
	"encoding/binary"
	"testing"

	"github.com/holiman/uint256"
)

// Source turns fuzz input into choices; exhausted input reads as zeros.
type Source []byte

// Byte returns the next input byte.
func (s *Source) Byte() byte {
	if len(*s) == 0 {
		return 0
	}
	b := (*s)[0]
	*s = (*s)[1:]
	return b
}

// Uint64 returns the next eight input bytes, little-endian.
func (s *Source) Uint64() uint64 {
	var buf [8]byte
	for i := range buf {
		buf[i] = s.Byte()
	}
	return binary.LittleEndian.Uint64(buf[:])
}

// Amount favours the edges: zero, one, 2^256−1, 2^128, or a random value
// shifted to any magnitude.
func (s *Source) Amount() *uint256.Int {
	switch s.Byte() % 6 {
	case 0:
		return new(uint256.Int)
	case 1:
		return uint256.NewInt(1)
	case 2:
		return new(uint256.Int).SetAllOne()
	case 3:
		return new(uint256.Int).Lsh(uint256.NewInt(1), 128)
	default:
		z := uint256.NewInt(s.Uint64())
		return z.Lsh(z, uint(s.Byte()))
	}
}

// Num parses a decimal integer, failing the test on a bad one.
func Num(t testing.TB, s string) uint256.Int {
	t.Helper()
	z, err := uint256.FromDecimal(s)
	if err != nil {
		t.Fatalf("bad integer %q: %v", s, err)
	}
	return *z
}

// Dec is Num returning a pointer.
func Dec(t testing.TB, s string) *uint256.Int {
	t.Helper()
	z := Num(t, s)
	return &z
}

// Must fails the test on an error.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Eq reports an error unless got is the decimal integer want.
func Eq(t testing.TB, what string, got uint256.Int, want string) {
	t.Helper()
	if got.Dec() != want {
		t.Errorf("%s = %s, want %s", what, got.Dec(), want)
	}
}
