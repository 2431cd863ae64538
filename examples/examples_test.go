package examples_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/cascade-risk/cascade/examples"
	"github.com/cascade-risk/cascade/experiment"
	"github.com/cascade-risk/cascade/scenario"
)

// Every example validates and runs; each carries the data it needs.
func TestExamplesRun(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) < 5 {
		t.Fatalf("examples: %v %v", files, err)
	}
	for _, path := range files {
		t.Run(path, func(t *testing.T) {
			f, err := scenario.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			res, err := experiment.Run(context.Background(), f, experiment.Options{Runs: 3})
			if err != nil {
				t.Fatal(err)
			}
			if res.Timesteps == 0 || len(res.Model.Metrics) == 0 {
				t.Fatalf("ran %d steps, %d metrics", res.Timesteps, len(res.Model.Metrics))
			}
		})
	}
}

// The embedded quickstart is the file users read.
func TestQuickstartEmbedded(t *testing.T) {
	src, err := os.ReadFile("quickstart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(src, examples.Quickstart) {
		t.Fatal("examples.Quickstart differs from quickstart.yaml")
	}
}
