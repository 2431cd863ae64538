package maker_test

import (
	"fmt"
	"strings"

	"github.com/cascade-risk/cascade/maker"
	"github.com/holiman/uint256"
)

// fixed returns the decimal n in fixed point with the given number of
// decimals (18 for a wad, 27 for a ray, 45 for a rad).
func fixed(n string, decimals int) uint256.Int {
	whole, frac, _ := strings.Cut(n, ".")
	return *uint256.MustFromDecimal(whole + frac + strings.Repeat("0", decimals-len(frac)))
}

// ptr returns a pointer to a copy of x, for arguments.
func ptr(x uint256.Int) *uint256.Int { return &x }

// A vault of 40 units of collateral owing 100 DAI becomes unsafe when the
// price falls from 5 to 4 with a 200% liquidation ratio. The Dog auctions it
// with a 10% penalty, starting at 1.25 × 4 = 5 DAI and falling 1% a second;
// a keeper buys everything 60 seconds later (the dss clip.t.sol scenario).
func Example() {
	const now = 1_700_000_000
	s, _ := maker.New(maker.Config{Vow: "vow", Line: fixed("1000000", 45), Hole: fixed("1000", 45), Par: fixed("1", 27)})
	err := s.AddIlk("gold", maker.IlkConfig{
		Line: fixed("1000000", 45), Dust: fixed("20", 45), Duty: fixed("1", 27),
		Mat: fixed("2", 27), Chop: fixed("1.1", 18), Hole: fixed("1000", 45),
		Buf: fixed("1.25", 27), Tail: 3600, Cusp: fixed("0.3", 27),
		Calc: maker.StairstepExponentialDecrease{Step: 1, Cut: fixed("0.99", 27)},
	}, now)
	if err != nil {
		panic(err)
	}
	_ = s.Poke("gold", ptr(fixed("5", 18)))
	_ = s.Slip("gold", "me", ptr(fixed("40", 18)))
	_ = s.Frob("gold", "me", ptr(fixed("40", 18)), ptr(fixed("100", 18)))
	_ = s.Poke("gold", ptr(fixed("4", 18)))

	id, err := s.Bark("gold", "me", "keeper", now)
	sale, _ := s.Sale("gold", id)
	fmt.Println("auction", id, err, "tab", sale.Tab.Dec(), "top", sale.Top.Dec())

	_ = s.Suck("vow", "ali", ptr(fixed("1000", 45)))
	p, err := s.Take("gold", id, ptr(fixed("40", 18)), ptr(fixed("2.8", 27)), "ali", now+60)
	fmt.Println("price", p.Price.Dec(), err)
	fmt.Println("paid", p.Owe.Dec(), "for", p.Slice.Dec(), "done", p.Done)
	// Output:
	// auction 1 <nil> tab 110000000000000000000000000000000000000000000000 top 5000000000000000000000000000
	// price 2735783211953807380973706855 <nil>
	// paid 109431328478152295238948274200000000000000000000 for 40000000000000000000 done true
}

// The three abaci price curves from a top of 4 DAI, 900 seconds in.
func ExampleCalc() {
	top := fixed("4", 27)
	for _, c := range []maker.Calc{
		maker.LinearDecrease{Tau: 3600},
		maker.StairstepExponentialDecrease{Step: 90, Cut: fixed("0.99", 27)},
		maker.ExponentialDecrease{Cut: fixed("0.999230132966", 27)},
	} {
		p, _ := c.Price(top, 900)
		fmt.Printf("%T %s\n", c, p.Dec())
	}
	// Output:
	// maker.LinearDecrease 3000000000000000000000000000
	// maker.StairstepExponentialDecrease 3617528300035217960040000000
	// maker.ExponentialDecrease 2000000000258757259554676144
}
