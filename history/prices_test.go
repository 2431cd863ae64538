package history

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPricesOutOfRange(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ value, want string }{
		{"-5", `:3: column "close": price "-5" is not from 1e-18 to 1e+18`},
		{"0", `:3: column "close": price "0"`},
		{"1e308", `:3: column "close": price "1e308"`},
		{"1e-320", `:3: column "close": price "1e-320"`},
		{"1e999", `:3: column "close": value "1e999" is not a finite number`},
		{"NaN", `:3: column "close": value "NaN" is not a finite number`},
	} {
		path := filepath.Join(dir, "p.csv")
		src := "ts_utc,close\n2020-01-01T00:00:00Z,100\n2020-01-02T00:00:00Z," + c.value + "\n2020-01-03T00:00:00Z,100\n"
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path, Options{TimeColumn: "ts_utc", Columns: []string{"close"}, Prices: true})
		if err == nil || !strings.Contains(err.Error(), path+c.want) {
			t.Errorf("%s: error %v, want %q", c.value, err, path+c.want)
		}
		if c.value == "-5" {
			if _, err := Load(path, Options{TimeColumn: "ts_utc", Columns: []string{"close"}}); err != nil {
				t.Errorf("a signal may be negative: %v", err)
			}
		}
	}
	if _, err := Load("/dev/zero", Options{TimeColumn: "ts_utc"}); err == nil || !strings.Contains(err.Error(), "not a CSV file") {
		t.Errorf("/dev/zero: %v", err)
	}
}
