// Command cascade-beam runs a Cascade scenario as an Apache Beam pipeline
// and writes the results directory `cascade run` writes (byte for byte,
// the manifest's timings apart). By default it runs on Prism, Beam's
// portable runner, inside this process; --runner and --endpoint send it to
// a Flink, Spark or Dataflow cluster instead.
//
//	cascade-beam [flags] FILE
//
// Beam's own flags (--runner, --endpoint, --environment_type,
// --environment_config, --job_name, --parallelism, Dataflow's --project,
// --region, --staging_location, ...) are accepted as the Beam Go SDK
// defines them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	blog "github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"github.com/cascade-risk/cascade/beam/pipeline"
	"github.com/cascade-risk/cascade/scenario"
)

// version is set at build time with -ldflags "-X main.version=...", like
// cascade's.
var version = "0.1.0-dev"

// sets collects repeated --set path=value flags.
type sets []string

func (s *sets) String() string { return strings.Join(*s, " ") }

func (s *sets) Set(v string) error {
	if p, _, ok := strings.Cut(v, "="); !ok || p == "" {
		return fmt.Errorf("expected path=value, got %q", v)
	}
	*s = append(*s, v)
	return nil
}

var (
	out     = flag.String("out", "", "results directory (default: out/<scenario name>); on a cluster, a path every worker can reach")
	runs    = flag.Int("runs", 0, "runs per sweep cell (default: the scenario's runs, or 1000)")
	seed    = flag.Uint64("seed", 0, "master seed (default: the scenario's seed)")
	perItem = flag.Int("runs-per-item", pipeline.DefaultRunsPerItem, "most runs of one sweep cell in one work item")
	workers = flag.Int("item-workers", 0, "engine goroutines per work item (default: all cores of the worker); results do not depend on it")
	quiet   = flag.Bool("quiet", false, "no timing on stderr")
	verbose = flag.Bool("verbose", false, "log the runner's and the job's progress (Beam's INFO messages) on stderr")
	set     sets
)

func main() {
	flag.Var(&set, "set", "override a scenario value, as path=value (repeatable)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: cascade-beam [flags] FILE\n\nRuns a Cascade scenario as an Apache Beam pipeline (Prism in this process unless --runner says otherwise).\n\n")
		flag.PrintDefaults()
	}
	// Flags may come before and after FILE.
	flag.Parse()
	var args []string
	for rest := flag.Args(); len(rest) > 0; rest = flag.Args() {
		args = append(args, rest[0])
		if err := flag.CommandLine.Parse(rest[1:]); err != nil {
			os.Exit(2)
		}
	}
	os.Exit(run(args, os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	// Prism and the job client log through slog, set up by beam.Init at
	// Beam's log level; their INFO messages (job submitted, running,
	// done) are noise unless asked for.
	if !*verbose {
		blog.LogLevel = "warn"
	}
	// beam.Init turns this process into a Beam worker when a runner
	// started it as one; then it never returns.
	beam.Init()
	if len(args) != 1 {
		fmt.Fprintf(stderr, "cascade-beam: takes one scenario file, got %d argument(s) (usage: cascade-beam [flags] FILE)\n", len(args))
		return 2
	}
	seen := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { seen[f.Name] = true })
	if seen["runs"] && (*runs < 1 || *runs > scenario.MaxRuns) {
		fmt.Fprintf(stderr, "cascade-beam: --runs %d: expected from 1 to %d runs\n", *runs, scenario.MaxRuns)
		return 2
	}
	if *perItem < 1 || *workers < 0 {
		fmt.Fprintf(stderr, "cascade-beam: --runs-per-item must be at least 1 and --item-workers at least 0\n")
		return 2
	}
	var ov []scenario.Override
	for _, s := range set {
		p, v, _ := strings.Cut(s, "=")
		ov = append(ov, scenario.Override{Path: p, Value: v})
	}
	f, err := scenario.Load(args[0], ov...)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 2
	}
	opt := pipeline.Options{Runs: *runs, RunsPerItem: *perItem, Workers: *workers, Out: *out, Version: version, Commit: commit()}
	if seen["seed"] {
		opt.Seed = seed
	}
	if opt.Out == "" {
		name := f.Cells[0].Scenario.Name
		if err := scenario.CheckName(name); err != nil {
			fmt.Fprintf(stderr, "cascade-beam: %v\n", err)
			return 2
		}
		opt.Out = filepath.Join("out", name)
	}
	p, s := beam.NewPipelineWithRoot()
	if _, err := pipeline.Build(s, f, opt); err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		var list scenario.List
		if errors.As(err, &list) {
			return 2
		}
		return 1
	}
	start := time.Now()
	if err := beamx.Run(context.Background(), p); err != nil {
		// The runner wraps a failed run's message in its execution plan;
		// the message itself comes last.
		msg := err.Error()
		if i := strings.LastIndex(msg, "cascade: scenario "); i >= 0 && !*verbose {
			msg = strings.TrimSpace(msg[i:])
		}
		fmt.Fprintf(stderr, "cascade-beam: the pipeline failed: %s\n", msg)
		return 1
	}
	if !*quiet {
		fmt.Fprintf(stderr, "pipeline finished in %.1fs\n", time.Since(start).Seconds())
	}
	fmt.Fprintf(stdout, "results: %s (read them with: cascade report %s)\n", opt.Out, opt.Out)
	return 0
}

func commit() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return "unknown"
}
