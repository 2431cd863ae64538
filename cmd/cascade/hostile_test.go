package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cascade-risk/cascade/scenario"
)

// Resource bounds every hostile input must be rejected within.
const (
	hostileMaxRSS  = 256 << 20
	hostileMaxWall = 2 * time.Second
)

// positioned matches a "file:line:col: " or, for CSV files, "file:line: "
// location at the start of a line.
var positioned = regexp.MustCompile(`(?m)^\S+\.(yaml|csv):\d+(:\d+)?: `)

// TestHostileCorpus runs the built binary on every file of
// testdata/hostile, each a scenario that a hostile or careless user could
// write (alias bombs, deep nesting, huge key counts, exploding time grids,
// numeric extremes in every section, malformed CSVs, absurd flags). Its
// header says how to run it:
//
//	# args: validate {}      ({} is the file's path)
//	# kind: positioned | stop | flag | runs
//
// Each must finish within hostileMaxWall and hostileMaxRSS of peak
// resident memory, with no panic or goroutine dump. All but kind runs
// exit with status 2 and say where the problem is: a file:line:col
// (positioned), the run, step and replay command (stop, a value that
// overflowed while running), or the flag (flag). Kind runs is a
// degenerate but well-defined model (a pool of dust) that must complete
// with status 0 and its summary, quickly. The binary runs with CASCADE_MAX_MEMORY at the same bound, so an
// input that would exhaust memory stops with status 3, which fails here.
func TestHostileCorpus(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("peak RSS is read from Linux rusage")
	}
	files, err := filepath.Glob(filepath.Join("testdata", "hostile", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 60 {
		t.Fatalf("the corpus has %d files, want at least 60", len(files))
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "cascade")
	build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// Inputs too big to keep in the repository are made here.
	big := filepath.Join(tmp, "oversize.yaml")
	if err := os.WriteFile(big, bytes.Repeat([]byte("# padding\n"), scenario.MaxFileSize/10+1), 0o644); err != nil {
		t.Fatal(err)
	}
	type hcase struct {
		name, path, args, kind string
		// memory overrides CASCADE_MAX_MEMORY; status is the exit status
		// wanted when not 2.
		memory string
		status int
	}
	quickstart, err := filepath.Abs(filepath.Join("..", "..", "examples", "quickstart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []hcase{
		{name: "oversize", path: big, args: "validate {}", kind: "flag"},
		// Past the memory limit Cascade stops itself with status 3 and
		// says so: never status 2, never a goroutine dump.
		{name: "memory-limit", path: quickstart, args: "run {} --no-results -q --runs 100000", kind: "memory", memory: "16MiB", status: 3},
	}
	for _, f := range files {
		if f, err = filepath.Abs(f); err != nil {
			t.Fatal(err)
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c := hcase{name: strings.TrimSuffix(filepath.Base(f), ".yaml"), path: f, args: "validate {}", kind: "positioned"}
		for _, line := range strings.Split(string(src), "\n") {
			if v, ok := strings.CutPrefix(line, "# args: "); ok {
				c.args = v
			}
			if v, ok := strings.CutPrefix(line, "# kind: "); ok {
				c.kind = v
			}
		}
		cases = append(cases, c)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := strings.Fields(strings.ReplaceAll(c.args, "{}", c.path))
			cmd := exec.Command(bin, args...)
			cmd.Dir = tmp // results, if any were written, land in the temp dir
			cmd.Env = append(os.Environ(), fmt.Sprintf("CASCADE_MAX_MEMORY=%d", hostileMaxRSS))
			if c.memory != "" {
				cmd.Env = append(cmd.Env, "CASCADE_MAX_MEMORY="+c.memory)
			}
			want := 2
			switch {
			case c.status != 0:
				want = c.status
			case c.kind == "runs":
				want = 0
			}
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			start := time.Now()
			err := cmd.Start()
			if err != nil {
				t.Fatal(err)
			}
			timer := time.AfterFunc(10*hostileMaxWall, func() { cmd.Process.Kill() })
			err = cmd.Wait()
			timer.Stop()
			wall := time.Since(start)
			text := out.String()
			status := cmd.ProcessState.ExitCode()
			rss := int64(0)
			if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
				rss = ru.Maxrss << 10 // kilobytes on Linux
			}
			t.Logf("status %d, %v, peak RSS %.1f MiB", status, wall.Round(time.Millisecond), float64(rss)/(1<<20))
			if status != want {
				t.Errorf("exit status %d (%v), want %d; output:\n%s", status, err, want, text)
			}
			if wall > hostileMaxWall {
				t.Errorf("took %v, more than %v", wall, hostileMaxWall)
			}
			if rss > hostileMaxRSS {
				t.Errorf("peak RSS %d MiB, more than %d MiB", rss>>20, hostileMaxRSS>>20)
			}
			for _, bad := range []string{"panic", "goroutine ", "internal error"} {
				if strings.Contains(text, bad) {
					t.Errorf("output holds %q:\n%s", bad, text)
				}
			}
			switch c.kind {
			case "positioned":
				if !positioned.MatchString(text) {
					t.Errorf("no file:line:col in the message:\n%s", text)
				}
			case "stop":
				for _, want := range []string{"seed ", "cell ", "run ", "step ", "replay this run alone with: cascade trace "} {
					if !strings.Contains(text, want) {
						t.Errorf("the stop does not say %q:\n%s", want, text)
					}
				}
			case "runs":
				if !strings.Contains(text, "metric  unit") {
					t.Errorf("no summary:\n%s", text)
				}
			case "memory":
				if !strings.HasPrefix(text, "cascade: out of memory: ") {
					t.Errorf("no clear message:\n%s", text)
				}
			case "flag":
				if !strings.HasPrefix(text, "cascade: ") && !strings.HasPrefix(text, "--") && !strings.HasPrefix(text, args[len(args)-1]+": ") && !strings.HasPrefix(text, c.path+": ") {
					t.Errorf("no clear message:\n%s", text)
				}
			default:
				t.Fatalf("unknown kind %q", c.kind)
			}
		})
	}
}
