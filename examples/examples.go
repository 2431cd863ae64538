// Package examples ships Cascade's example scenarios inside the binary, so
// that `cascade bench` and the tests have the reference model wherever they
// run. The YAML files beside this one are the examples users read and run.
package examples

import _ "embed"

// Quickstart is the reference model, examples/quickstart.yaml: a 1000 ETH /
// 2,000,000 USDC constant-product pool with a 0.3% fee, ETH a zero-drift
// GBM of 4% daily volatility, arbitraged every daily step.
//
//go:embed quickstart.yaml
var Quickstart []byte
