//go:build !race

package tests

import (
	"flag"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/sim"
)

var spreadSeeds = flag.Int("spread-seeds", 0, "run TestLargeSpreadTable with this many seeds per row (0 skips it)")

// TestLargeThousandNodesConverge: 1,000 nodes converge within 300 rounds,
// every datagram fits the MTU, and one update then reaches all of them
// within 60 rounds (-large).
func TestLargeThousandNodesConverge(t *testing.T) {
	requireLarge(t)
	start := time.Now()
	c, rounds := converge(t, sim.Config{Nodes: 1000, Seed: 1}, 300)
	msgs, bytes, largest := c.Stats()
	t.Logf("1000 nodes converged in %d rounds: %d datagrams, %d bytes, largest %d bytes (MTU 1400); %v wall",
		rounds, msgs, bytes, largest, time.Since(start).Round(time.Millisecond))
	require.LessOrEqual(t, largest, 1400)

	// One update then reaches all 1,000 within a few rounds.
	require.NoError(t, c.Nodes[500].UpdateLocal("k", "new"))
	r, ok := c.RunRounds(60, func() bool { return c.Count(500, "k", "new") == 1000 })
	require.True(t, ok)
	t.Logf("one update reached all 1000 nodes in %d rounds", r)
}

// spreadRounds measures, for one cluster, the rounds one update takes to
// reach every node once membership has converged: with the defaults (the
// write pushed, and news passed on), or, with push false, by anti-entropy
// alone (DisablePush).
func spreadRounds(t *testing.T, n, fanout int, seed int64, push bool) int {
	c, err := sim.New(sim.Config{Nodes: n, Seed: seed, Fanout: fanout,
		Configure: func(_ int, b *scuttlebutt.Builder) { b.DisablePush(!push) }})
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.JoinAll())
	_, ok := c.RunRounds(1000, c.AllKnowAll)
	require.True(t, ok)
	owner := n / 2
	require.NoError(t, c.Nodes[owner].UpdateLocal("k", "new"))
	r, ok := c.RunRounds(200, func() bool { return c.Count(owner, "k", "new") == n })
	require.True(t, ok)
	return r
}

// TestLargeSpreadTable prints rounds-to-spread against log3(N) + log2(ln N)
// when -spread-seeds is set (-large is not needed):
//
//	go test -run LargeSpreadTable -v -timeout 90m ./tests/ -args -spread-seeds=20
func TestLargeSpreadTable(t *testing.T) {
	if *spreadSeeds == 0 {
		t.Skip("pass -spread-seeds N to measure")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n| N | fanout | median rounds | worst rounds | anti-entropy alone: median | worst | log3(N)+log2(ln N) |\n|---|---|---|---|---|---|---|\n")
	for _, n := range []int{16, 128, 1000} {
		for _, fanout := range []int{1, 3} {
			var rs, ae []int
			for seed := range *spreadSeeds {
				rs = append(rs, spreadRounds(t, n, fanout, int64(seed), true))
				ae = append(ae, spreadRounds(t, n, fanout, int64(seed), false))
			}
			slices.Sort(rs)
			slices.Sort(ae)
			theory := math.Log(float64(n))/math.Log(3) + math.Log2(math.Log(float64(n)))
			fmt.Fprintf(&b, "| %d | %d | %d | %d | %d | %d | %.2f |\n", n, fanout, rs[len(rs)/2], rs[len(rs)-1], ae[len(ae)/2], ae[len(ae)-1], theory)
		}
	}
	t.Log(b.String())
}
