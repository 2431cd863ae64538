package maker

import (
	"testing"

	"github.com/holiman/uint256"
)

func BenchmarkPrice(b *testing.B) {
	top := u(b, "5000000000000000000000000000")
	cut := u(b, "999230132966000000000000000")
	for _, c := range []struct {
		name string
		calc Calc
	}{
		{"Linear", LinearDecrease{Tau: 3600}},
		{"Stairstep", StairstepExponentialDecrease{Step: 90, Cut: cut}},
		{"Exponential", ExponentialDecrease{Cut: cut}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := c.calc.Price(top, uint64(i%3600)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTake measures a small partial purchase, the keeper's hot path.
func BenchmarkTake(b *testing.B) {
	sc := loadScenarios(b)
	s := clipSetup(b, sc, num(b, sc.Setup["clip_buf_ray"]), true)
	amt := uint256.NewInt(1000)
	max := u(b, "5000000000000000000000000000")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Take(gold, 1, amt, &max, ali, t0+1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBark measures a liquidation and auction start.
func BenchmarkBark(b *testing.B) {
	sc := loadScenarios(b)
	base := clipSetup(b, sc, num(b, sc.Setup["clip_buf_ray"]), false)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		s := base.Clone()
		b.StartTimer()
		if _, err := s.Bark(gold, me, bob, t0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRpow(b *testing.B) {
	cut := u(b, "999230132966000000000000000")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Rpow(&cut, 3600, &ray); err != nil {
			b.Fatal(err)
		}
	}
}
