package tests

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/sim"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// converge starts a cluster of n nodes, each publishing "k"="v<i>", joins
// them through node 0 and runs until every node holds every value.
func converge(t *testing.T, cfg sim.Config, maxRounds int) (*sim.Cluster, int) {
	t.Helper()
	c, err := sim.New(cfg)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	for i, n := range c.Nodes {
		require.NoError(t, n.UpdateLocal("k", fmt.Sprint("v", i)))
	}
	require.NoError(t, c.JoinAll())
	rounds, ok := c.RunRounds(maxRounds, func() bool { return allHoldAll(c) })
	require.True(t, ok, "no convergence in %d rounds", maxRounds)
	return c, rounds
}

// allHoldAll reports whether every node holds every node's "k".
func allHoldAll(c *sim.Cluster) bool {
	if !c.AllKnowAll() {
		return false
	}
	for i := range c.Nodes {
		if c.Count(i, "k", fmt.Sprint("v", i)) != len(c.Nodes) {
			return false
		}
	}
	return true
}

func TestHundredNodesConverge(t *testing.T) {
	c, rounds := converge(t, sim.Config{Nodes: 100, Seed: 1}, 100)
	_, _, largest := c.Stats()
	t.Logf("100 nodes converged in %d rounds; largest datagram %d bytes", rounds, largest)
	require.LessOrEqual(t, largest, 1400)
	for _, n := range c.Nodes {
		require.Zero(t, n.Stats().DecodeErrors)
		require.Zero(t, n.Stats().Oversize)
	}
}

func TestConvergesUnderThirtyPercentLoss(t *testing.T) {
	link := mem.Link{Loss: 0.3, Delay: 5 * time.Millisecond, Jitter: 20 * time.Millisecond, Duplicate: 0.05, Reorder: 0.1}
	c, rounds := converge(t, sim.Config{Nodes: 30, Seed: 2, Link: link}, 200)
	t.Logf("30 nodes under 30%% loss converged in %d rounds", rounds)

	// An update still reaches everyone.
	require.NoError(t, c.Nodes[7].UpdateLocal("k", "again"))
	_, ok := c.RunRounds(100, func() bool { return c.Count(7, "k", "again") == 30 })
	require.True(t, ok)
}

func TestPartitionHeals(t *testing.T) {
	c, _ := converge(t, sim.Config{Nodes: 20, Seed: 3}, 100)
	var left, right []string
	for i, a := range c.Addrs {
		if i < 10 {
			left = append(left, a)
		} else {
			right = append(right, a)
		}
	}
	c.Net.Partition(left, right)
	require.NoError(t, c.Nodes[2].UpdateLocal("k", "left side"))
	require.NoError(t, c.Nodes[15].UpdateLocal("k", "right side"))
	c.RunRounds(20, func() bool { return false })
	require.Equal(t, 10, c.Count(2, "k", "left side"), "the update stays on its side")
	require.Equal(t, 10, c.Count(15, "k", "right side"))

	c.Net.Heal()
	_, ok := c.RunRounds(100, func() bool {
		return c.Count(2, "k", "left side") == 20 && c.Count(15, "k", "right side") == 20
	})
	require.True(t, ok, "both updates reach everyone after the heal")
}

func TestSameSeedSameTrace(t *testing.T) {
	run := func(seed int64) string {
		link := mem.Link{Loss: 0.1, Jitter: 30 * time.Millisecond, Duplicate: 0.05, Reorder: 0.2}
		c, err := sim.New(sim.Config{Nodes: 12, Seed: seed, Link: link, Trace: true})
		require.NoError(t, err)
		defer c.Close()
		for i, n := range c.Nodes {
			require.NoError(t, n.UpdateLocal("k", fmt.Sprint("v", i)))
		}
		require.NoError(t, c.JoinAll())
		c.RunRounds(10, func() bool { return false })
		require.NoError(t, c.Nodes[3].DeleteLocal("k"))
		c.RunRounds(10, func() bool { return false })
		return c.Trace()
	}
	a, b := run(42), run(42)
	require.NotEmpty(t, a)
	require.Equal(t, a, b, "same seed, same trace")
	require.NotEqual(t, a, run(43), "another seed, another trace")
}

// TestStreamCarriesLargeState: a node joining a cluster whose state is far
// larger than a datagram gets it whole over the transport's stream
// capability, where datagrams alone take many rounds; both converge.
func TestStreamCarriesLargeState(t *testing.T) {
	rounds := func(streams bool) int {
		c, err := sim.New(sim.Config{Nodes: 2, Seed: 9, Streams: streams})
		require.NoError(t, err)
		defer c.Close()
		// 120 keys: over datagrams alone, a node's key list must fit one
		// datagram (UpdateLocal refuses more with ErrTooLarge).
		for k := range 120 {
			require.NoError(t, c.Nodes[0].UpdateLocal(fmt.Sprintf("k%03d", k), strings.Repeat("v", 100)))
		}
		require.NoError(t, c.Nodes[1].Join([]string{c.Addrs[0]}))
		r, ok := c.RunRounds(100, func() bool {
			s, found := c.Nodes[1].NodeState(sim.ID(0))
			return found && len(s.Keys) == 120
		})
		require.True(t, ok)
		_, _, largest := c.Stats()
		require.LessOrEqual(t, largest, 1400, "datagrams stay within the MTU")
		streamed := c.Nodes[0].Stats().StreamsSent
		if streams {
			require.NotZero(t, streamed)
		} else {
			require.Zero(t, streamed)
		}
		return r
	}
	withStreams, withoutStreams := rounds(true), rounds(false)
	t.Logf("120 keys of 100 bytes: %d rounds over a stream, %d over datagrams", withStreams, withoutStreams)
	require.LessOrEqual(t, withStreams, 2)
	require.Greater(t, withoutStreams, withStreams)
}
