package history

import (
	"os"
	"path/filepath"
	"testing"
)

// One bad tick (line 4: 2,000 → 20,000 → 2,010) is an isolated outlier
// beyond a 50% jump; a crash that stays (line 7: 2,000 → 500 → 480) and a
// spike within the jump are not. Dropping the row keeps the rest, lines
// included.
func TestOutliers(t *testing.T) {
	const csv = "ts_utc,price\n" +
		"2020-01-01T00:00:00Z,2000\n" +
		"2020-01-01T01:00:00Z,2005\n" +
		"2020-01-01T02:00:00Z,20000\n" +
		"2020-01-01T03:00:00Z,2010\n" +
		"2020-01-01T04:00:00Z,2000\n" +
		"2020-01-01T05:00:00Z,500\n" +
		"2020-01-01T06:00:00Z,480\n" +
		"2020-01-01T07:00:00Z,600\n" +
		"2020-01-01T08:00:00Z,470\n"
	path := filepath.Join(t.TempDir(), "p.csv")
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(path, Options{TimeColumn: "ts_utc", Prices: true})
	if err != nil {
		t.Fatal(err)
	}
	out := Outliers(s, 0, 0.5)
	if len(out) != 1 || out[0].Line != 4 || out[0].Index != 2 || out[0].Value != 20000 || out[0].Prev != 2005 || out[0].Next != 2010 {
		t.Fatalf("outliers %+v, want the 20,000 on line 4", out)
	}
	d := Drop(s, []int{out[0].Index})
	if d.Len() != s.Len()-1 || d.Values[0][2] != 2010 || d.Lines[2] != 5 || s.Values[0][2] != 20000 {
		t.Fatalf("after dropping: %v lines %v", d.Values[0], d.Lines)
	}
}
