package tests

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/sim"
)

// joinRounds joins n nodes at once through node 0 and returns the rounds
// (of 1 s, sim's default) until every node holds every other.
func joinRounds(t *testing.T, n int, seed int64, streams bool) int {
	t.Helper()
	c, err := sim.New(sim.Config{Nodes: n, Seed: seed, Streams: streams})
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.JoinAll())
	r, ok := c.RunRounds(60, c.AllKnowAll)
	require.True(t, ok, "%d nodes never converged", n)
	return r
}

// TestLargeJoinRoundsAt300 bounds a mass join of 300 nodes, so that a
// regression fails CI: measured 4 rounds over datagrams and 1 with streams
// (`go run ./tests/scale -n 300 [-streams]`); the bounds leave room for
// other seeds. It runs in every run without -race (CI's -large run among
// them: hence the name).
func TestLargeJoinRoundsAt300(t *testing.T) {
	if raceEnabled {
		t.Skip("300 simulated nodes under -race: the default and -large runs check it")
	}
	for _, streams := range []bool{false, true} {
		t.Run(fmt.Sprintf("streams=%v", streams), func(t *testing.T) {
			r := joinRounds(t, 300, 1, streams)
			t.Logf("300 nodes joined in %d rounds", r)
			limit := 8
			if streams {
				limit = 5
			}
			require.LessOrEqual(t, r, limit)
		})
	}
}
