package tests

import (
	"flag"
	"testing"
)

// large selects the long runs: the 1,000-node simulations, the full chaos
// run and the long lifecycle measurements.
//
//	go test -count=1 -run 'Large|Chaos' ./tests/ -args -large
var large = flag.Bool("large", false, "run the long and 1,000-node simulations")

// requireLarge skips t unless -large is set.
func requireLarge(t *testing.T) {
	t.Helper()
	if !*large {
		t.Skip("a long run: pass -args -large to run it")
	}
}
