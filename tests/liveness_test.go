package tests

import (
	"cmp"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/sim"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// monitorOf returns the index of the node that watches victim as its
// first ring successor: its predecessor on the ring of IDs ordered by
// codec.IDHash (see scuttlebutt/doc.go).
func monitorOf(n, victim int) int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		return cmp.Or(cmp.Compare(codec.IDHash(sim.ID(a)), codec.IDHash(sim.ID(b))), cmp.Compare(sim.ID(a), sim.ID(b)))
	})
	p := slices.Index(idx, victim)
	return idx[(p-1+n)%n]
}

// TestOneWayPartitionFromOneMonitor: one monitor's PINGs never reach a
// node (a one-way partition). That monitor's verdict alone is no quorum:
// no node reports the node suspected, and it is never removed.
func TestOneWayPartitionFromOneMonitor(t *testing.T) {
	c, log := detectionCluster(t, 20, 70, 0)
	const victim = 7
	mon := monitorOf(20, victim)
	c.RunRounds(20, func() bool { return false })
	start := c.Net.Now()
	c.Net.SetLink(c.Addrs[mon], c.Addrs[victim], mem.Link{Loss: 1})
	c.RunRounds(240, func() bool { return false }) // two minutes
	suspectedBy := map[int]bool{}
	for _, e := range log.all() {
		if e.Kind == scuttlebutt.EventSuspect && e.Node == sim.ID(victim) && e.at.After(start) {
			suspectedBy[e.observer] = true
		}
	}
	require.Empty(t, suspectedBy, "one monitor is no quorum")
	require.NotZero(t, c.Nodes[mon].Stats().Suspicions, "the cut-off monitor did suspect it")
	require.Zero(t, log.count(scuttlebutt.EventRemove, sim.ID(victim), start))
	for i, n := range c.Nodes {
		if i == mon || i == victim {
			continue
		}
		s, ok := n.NodeState(sim.ID(victim))
		require.True(t, ok)
		require.Equal(t, scuttlebutt.StatusAlive, s.Status, "node-%d", i)
	}
}

// TestLostDeltaRepairedInAQuietCluster: in a cluster gone quiet, one node
// misses an update (everything sent to it is lost while the update
// spreads); once its links are back, anti-entropy (hash comparison, not a
// rumour) repairs it within 3 rounds.
func TestLostDeltaRepairedInAQuietCluster(t *testing.T) {
	c, _ := detectionCluster(t, 30, 80, 0)
	c.Net.SetDefaultLink(mem.Link{}) // no random loss: the one loss is ours
	c.RunRounds(40, func() bool { return false })
	const miss, writer = 11, 3
	quiet := c.Nodes[writer].Stats().QuietRounds
	c.RunRounds(8, func() bool { return false })
	require.Greater(t, c.Nodes[writer].Stats().QuietRounds, quiet, "the cluster is quiet")

	for i := range c.Nodes {
		if i != miss {
			c.Net.SetLink(c.Addrs[i], c.Addrs[miss], mem.Link{Loss: 1})
		}
	}
	require.NoError(t, c.Nodes[writer].UpdateLocal("k", "v"))
	_, ok := c.RunRounds(4, func() bool { return c.Count(writer, "k", "v") == len(c.Nodes)-1 })
	require.True(t, ok, "every other node got the update")
	require.Zero(t, c.Count(writer, "k", "v")-(len(c.Nodes)-1), "the one node missed it")
	for i := range c.Nodes {
		c.Net.ClearLink(c.Addrs[i], c.Addrs[miss])
	}
	rounds, ok := c.RunRounds(3, func() bool { return c.Count(writer, "k", "v") == len(c.Nodes) })
	require.True(t, ok, "repaired within 3 rounds")
	t.Logf("repaired in %d rounds", rounds)
}

// TestDetectionSoonAfterJoin: 100 nodes on a steady link (0.1 ms), the
// default config; a node crashes 10 s after membership converged, while
// the monitors' detectors hold only a few arrivals, the first of them
// right after the ring settled. Every live node suspects it within 2 s:
// the detector starts at a watched node's first PONG (not a round trip
// after it was seeded), drops its wide bootstrap after 8 arrivals, checks
// four times an interval, and a verdict is forwarded to random peers and
// ring successors, so no node waits for a gossip round to hear it.
func TestDetectionSoonAfterJoin(t *testing.T) {
	for _, victim := range []int{7, 42, 99} {
		c, log := lifecycleCluster(t, 100, int64(victim), 0, func(cfg *sim.Config) {
			cfg.GossipInterval = 500 * time.Millisecond
			cfg.Link = mem.Link{Delay: 100 * time.Microsecond}
		})
		times := detectionTimes(t, c, log, victim, 20)
		last := times[len(times)-1]
		t.Logf("victim %d: last node suspects it after %.2f s", victim, last)
		require.LessOrEqual(t, last, 2.0, "victim %d", victim)
		c.Close()
	}
}

// TestWriteSpreadsInNetworkHops: in a quiet 100-node cluster on a steady
// 0.1 ms link, a write reaches every node within a few milliseconds of
// virtual time, not gossip rounds: the owner pushes it to Fanout peers it
// may send to, and each node passes news on once to Fanout reachable
// peers and to its ring successors.
func TestWriteSpreadsInNetworkHops(t *testing.T) {
	for seed := int64(1); seed <= 4; seed++ {
		got := map[int]time.Duration{}
		var start time.Time
		var net *mem.Network
		c, err := sim.New(sim.Config{Nodes: 100, Seed: seed, GossipInterval: 500 * time.Millisecond,
			Link: mem.Link{Delay: 100 * time.Microsecond},
			Configure: func(i int, b *scuttlebutt.Builder) {
				b.Subscriber(scuttlebutt.EventSubscriberFunc(func(e scuttlebutt.Event) {
					if _, ok := got[i]; !ok && i != 1 && e.Kind == scuttlebutt.EventUpdate && e.Key == "news" {
						got[i] = net.Now().Sub(start)
					}
				}))
			}})
		require.NoError(t, err)
		net = c.Net
		require.NoError(t, c.JoinAll())
		_, ok := c.RunRounds(120, c.AllKnowAll)
		require.True(t, ok, "membership converges")
		c.RunRounds(40, func() bool { return false })
		forwards := func() (n uint64) {
			for _, nd := range c.Nodes {
				n += nd.Stats().Forwards
			}
			return n
		}
		before := forwards()
		start = c.Net.Now()
		require.NoError(t, c.Nodes[1].UpdateLocal("news", "x"))
		c.RunRounds(20, func() bool { return len(got) == 99 })
		require.Len(t, got, 99, "every other node gets the write")
		require.GreaterOrEqual(t, forwards()-before, uint64(3*98), "every receiver passed it on, to 3 peers or more")
		var last time.Duration
		for _, d := range got {
			last = max(last, d)
		}
		t.Logf("seed %d: last node after %v", seed, last)
		require.Less(t, last, 10*time.Millisecond, "seed %d", seed)
		c.Close()
	}
}

// TestForwardsMakeNoHotSpot: 500 nodes that all joined through node 0, so
// that node 0's address is validated everywhere and few others are yet.
// One write reaches every node within 50 ms, and no node receives more
// than 25 datagrams meanwhile (the median is about 6): pushes and forwards
// pick their random peers among validated addresses other than the seeds.
func TestForwardsMakeNoHotSpot(t *testing.T) {
	counting := false
	recv := map[string]int{}
	c, err := sim.New(sim.Config{Nodes: 500, Seed: 3, GossipInterval: 500 * time.Millisecond,
		OnDeliver: func(_, to string, _ []byte) {
			if counting {
				recv[to]++
			}
		}})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	require.NoError(t, c.JoinAll())
	_, ok := c.RunRounds(300, c.AllKnowAll)
	require.True(t, ok, "membership converges")
	c.RunRounds(2, func() bool { return false })
	counting = true
	require.NoError(t, c.Nodes[7].UpdateLocal("x", "y"))
	c.Net.Advance(50 * time.Millisecond)
	counting = false
	require.Equal(t, 500, c.Count(7, "x", "y"), "every node has the write")
	most, at := 0, ""
	for to, n := range recv {
		if n > most {
			most, at = n, to
		}
	}
	t.Logf("most datagrams to one node: %d (%s)", most, at)
	require.LessOrEqual(t, most, 25, "%s is a hot spot", at)
}
