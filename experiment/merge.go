package experiment

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cascade-risk/cascade/results"
	"github.com/cascade-risk/cascade/scenario"
)

// MergeOptions configure Merge.
type MergeOptions struct {
	// Out is the results directory to write.
	Out       string
	Overwrite bool
	// Version and Commit identify the build; they must be those of the
	// build that wrote the shards.
	Version, Commit string
	// Extra files, as for Options.
	Extra func(*Result) (map[string][]byte, error)
}

// Merge combines the partial directories of `cascade run --shard i/N`, one
// per shard, into the results directory the single-process run writes,
// byte for byte except the manifest's timings and its record of the shards.
//
// Every statistic is recomputed from the shards' rows, read in (cell, arm,
// run) order: the runs are the sufficient statistic, and summing them in
// the single-process order is what makes the merged summaries bit-identical
// (merging the shards' running moments would agree only to rounding error).
// Memory stays bounded as in a run: one run is held at a time.
//
// Merge refuses, naming the directories, shards that overlap or are
// missing, and shards of different scenarios (SHA-256), seeds, run counts,
// overrides, shard counts or builds.
func Merge(ctx context.Context, dirs []string, opt MergeOptions) (*Result, error) {
	if len(dirs) == 0 {
		return nil, refuse("merge: no shard directories given")
	}
	shards := make([]results.Manifest, len(dirs))
	for k, d := range dirs {
		m, err := results.ReadManifest(d)
		if err != nil {
			return nil, fmt.Errorf("merge: %s: %w", d, err)
		}
		if m.Shard == nil {
			return nil, refuse("merge: %s is not a shard (written without --shard)", d)
		}
		shards[k] = m
	}
	order, err := checkShards(dirs, shards, opt)
	if err != nil {
		return nil, err
	}
	first := shards[order[0]]
	firstDir := dirs[order[0]]
	src, err := os.ReadFile(filepath.Join(firstDir, first.ScenarioCopy))
	if err != nil {
		return nil, fmt.Errorf("merge: %s: the shard's scenario copy: %w", firstDir, err)
	}
	var overrides []scenario.Override
	for _, o := range first.Overrides {
		p, v, _ := strings.Cut(o, "=")
		overrides = append(overrides, scenario.Override{Path: p, Value: v})
	}
	// The scenario is read under its original path, so that the data files
	// it names resolve as they did for the shards.
	f, err := scenario.LoadBytes(first.ScenarioFile, src, overrides...)
	if err != nil {
		return nil, err
	}
	if f.Hash != first.ScenarioSHA256 {
		return nil, fmt.Errorf("merge: %s: the scenario copy's SHA-256 %s differs from the manifest's %s", firstDir, f.Hash, first.ScenarioSHA256)
	}
	seed := first.Seed
	res, err := newResult(f, Options{Runs: first.Runs, Seed: &seed, Workers: first.Workers, Out: opt.Out})
	if err != nil {
		return nil, err
	}
	res.SeedSet = seed != res.Model.Scenario(0).Seed
	total := res.Runs * len(res.Cells)
	if total != first.Shard.Jobs {
		return nil, fmt.Errorf("merge: %s: the shard counts %d jobs, the scenario has %d", firstDir, first.Shard.Jobs, total)
	}
	index := map[[2]string]int{}
	for k, c := range res.Cells {
		index[[2]string{fmt.Sprint(c.Point), c.Arm}] = k
	}
	w, err := results.Create(opt.Out, layout(res.Model, f), results.Options{Overwrite: opt.Overwrite})
	if err != nil {
		return nil, err
	}
	defer w.Abort()
	res.Started = time.Now()
	next := 0
	var records []results.ShardRecord
	for _, k := range order {
		d, m := dirs[k], shards[k]
		if next != m.Shard.From {
			return nil, fmt.Errorf("merge: internal error: shard %s starts at job %d, expected %d", d, m.Shard.From, next)
		}
		err := results.Scan(d, func(r *results.Run) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			c, ok := index[[2]string{fmt.Sprint(r.Cell), r.Arm}]
			if !ok || c*res.Runs+r.Run != next || next >= m.Shard.To {
				return refuse("merge: %s: row of cell %d arm %q run %d is not job %d of its shard %d/%d", d, r.Cell, r.Arm, r.Run, next, m.Shard.Index, m.Shard.Count)
			}
			for j, fan := range res.Cells[c].Fans {
				if err := fan.Add(r.Series[j]); err != nil {
					return fmt.Errorf("merge: %s: cell %d arm %q run %d: %w", d, r.Cell, r.Arm, r.Run, err)
				}
			}
			next++
			return res.add(w, c, r.Run, r.Seed, r.Scalars, r.Series)
		})
		if err != nil {
			return nil, err
		}
		if next != m.Shard.To {
			return nil, refuse("merge: %s holds jobs %d to %d of shard %d/%d, which should end at %d: the shard is incomplete", d, m.Shard.From, next, m.Shard.Index, m.Shard.Count, m.Shard.To)
		}
		rf, _ := m.File(results.RunsFile)
		records = append(records, results.ShardRecord{ShardInfo: *m.Shard, Dir: d, Workers: m.Workers, WallSeconds: m.WallSeconds, RunsSHA256: rf.SHA256})
	}
	res.Elapsed = time.Since(res.Started)
	man := manifest(res, opt.Version, opt.Commit)
	man.Overrides = first.Overrides
	man.Shards = records
	if err := res.finish(w, man, opt.Extra); err != nil {
		return nil, err
	}
	return res, nil
}

// MergeRefusal is a set of directories that do not make one run: shards
// overlapping, missing, of different runs or builds, or not shards.
type MergeRefusal struct{ Msg string }

func (e *MergeRefusal) Error() string { return e.Msg }

func refuse(format string, args ...any) error {
	return &MergeRefusal{Msg: fmt.Sprintf(format, args...)}
}

// checkShards verifies that the shards belong together and cover the work
// exactly once, and returns their indices in shard order.
func checkShards(dirs []string, shards []results.Manifest, opt MergeOptions) ([]int, error) {
	a := shards[0]
	for k, m := range shards[1:] {
		d := dirs[k+1]
		diff := func(what string, x, y any) error {
			return refuse("merge: %s and %s are shards of different runs: %s %v and %v", dirs[0], d, what, x, y)
		}
		switch {
		case m.ScenarioSHA256 != a.ScenarioSHA256:
			return nil, diff("scenario SHA-256", a.ScenarioSHA256, m.ScenarioSHA256)
		case m.Seed != a.Seed:
			return nil, diff("seed", a.Seed, m.Seed)
		case m.Runs != a.Runs:
			return nil, diff("runs", a.Runs, m.Runs)
		case !slices.Equal(m.Overrides, a.Overrides):
			return nil, diff("overrides", quoteAll(a.Overrides), quoteAll(m.Overrides))
		case m.Shard.Count != a.Shard.Count:
			return nil, diff("shard count", a.Shard.Count, m.Shard.Count)
		case m.Shard.Jobs != a.Shard.Jobs:
			return nil, diff("jobs", a.Shard.Jobs, m.Shard.Jobs)
		case m.CascadeVersion != a.CascadeVersion || m.GitCommit != a.GitCommit:
			return nil, diff("Cascade build", a.CascadeVersion+" "+a.GitCommit, m.CascadeVersion+" "+m.GitCommit)
		case m.FormatVersion != a.FormatVersion:
			return nil, diff("results format", a.FormatVersion, m.FormatVersion)
		}
	}
	if a.CascadeVersion != opt.Version || a.GitCommit != opt.Commit {
		return nil, refuse("merge: the shards were written by Cascade %s (%s), this is %s (%s): merge with the build that ran them",
			a.CascadeVersion, a.GitCommit, opt.Version, opt.Commit)
	}
	n := a.Shard.Count
	where := make([]int, n)
	for i := range where {
		where[i] = -1
	}
	for k, m := range shards {
		i := m.Shard.Index
		if i < 0 || i >= n {
			return nil, refuse("merge: %s: shard index %d of %d", dirs[k], i, n)
		}
		if where[i] >= 0 {
			return nil, refuse("merge: %s and %s are both shard %d/%d (overlapping shards)", dirs[where[i]], dirs[k], i, n)
		}
		where[i] = k
	}
	var missing []string
	for i, k := range where {
		if k < 0 {
			missing = append(missing, fmt.Sprintf("%d/%d", i, n))
		}
	}
	if len(missing) > 0 {
		return nil, refuse("merge: missing shard(s) %s of %d: rerun them with --shard and merge all %d", strings.Join(missing, ", "), n, n)
	}
	return where, nil
}

func quoteAll(xs []string) string {
	if len(xs) == 0 {
		return "(none)"
	}
	return "[" + strings.Join(xs, " ") + "]"
}
