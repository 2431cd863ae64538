package history_test

import (
	"fmt"
	"time"

	"github.com/cascade-risk/cascade/history"
)

func Example() {
	s, err := history.Load("testdata/eth_sample.csv", history.Options{
		TimeColumn: "ts_utc",
		Columns:    []string{"close"},
		Comment:    '#',
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// One value per hour; the missing 03:00 close is carried forward.
	h, err := history.Resample(s, s.Times[0], time.Hour, 5)
	if err != nil {
		fmt.Println(err)
		return
	}
	for k, t := range h.Times {
		fmt.Println(t.Format("15:04"), h.Values[0][k])
	}
	r, _ := history.LogReturns(h.Values[0])
	fmt.Printf("first log return %.5f\n", r[0])

	// Asking for more than the record holds is an error, not invented data.
	_, err = history.Resample(s, s.Times[0], time.Hour, 6)
	fmt.Println(err)
	// Output:
	// 00:00 193.37
	// 01:00 184.45
	// 02:00 184.01
	// 03:00 184.01
	// 04:00 181.1
	// first log return -0.04723
	// history: resample end 2020-03-12T05:00:00Z (5 steps of 1h0m0s from 2020-03-12T00:00:00Z) is 1h0m0s after the last observation 2020-03-12T04:00:00Z
}

func ExampleLoad_error() {
	_, err := history.Load("testdata/eth_sample.csv", history.Options{
		TimeColumn: "ts_utc",
		Columns:    []string{"price"},
		Comment:    '#',
	})
	fmt.Println(err)
	// Output:
	// testdata/eth_sample.csv:3: column "price": no such column; available: ts_utc, close
}
