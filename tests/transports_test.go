package tests

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
)

// TestTransports runs the same whole-cluster scenarios over UDP, TCP and
// QUIC on 127.0.0.1, in real time with a 20 ms gossip interval.
//
//	go test -race -count=3 -run Transports -v ./tests/
func TestTransports(t *testing.T) {
	scenarios := []struct {
		name string
		// streams: the scenario needs transport.Streamer.
		streams bool
		run     func(t *testing.T, lt liveTransport)
	}{
		{name: "propagation", run: scenarioPropagation},
		{name: "discovery", run: scenarioDiscovery},
		{name: "leave", run: scenarioLeave},
		{name: "crash", run: scenarioCrash},
		{name: "large-state", streams: true, run: scenarioLargeState},
	}
	for _, lt := range liveTransports {
		t.Run(lt.name, func(t *testing.T) {
			for _, sc := range scenarios {
				t.Run(sc.name, func(t *testing.T) {
					if sc.streams && !lt.streams {
						t.Skipf("%s has no stream capability", lt.name)
					}
					start := time.Now()
					sc.run(t, lt)
					t.Logf("%s/%s: %v", lt.name, sc.name, time.Since(start).Round(time.Millisecond))
				})
			}
		})
	}
}

// scenarioPropagation: four nodes joined as a chain (each through the
// previous one) each publish keys, before and after joining; every node
// sees every other node's keys, as events and through Lookup; an update
// and a delete after convergence reach everyone.
func scenarioPropagation(t *testing.T, lt liveTransport) {
	c := startLive(t, lt, 4, nil)
	for i, n := range c.nodes {
		require.NoError(t, n.UpdateLocal("owner", c.ids[i]))
		require.NoError(t, n.UpdateLocal("color", fmt.Sprint("red-", i)))
	}
	for i := 1; i < len(c.nodes); i++ {
		require.NoError(t, c.nodes[i].Join([]string{c.nodes[i-1].Addr()}))
	}
	for i, n := range c.nodes {
		require.NoError(t, n.UpdateLocal("zone", fmt.Sprint("z", i)), "a write while gossiping")
	}

	want := func(j int) map[string]string {
		return map[string]string{"owner": c.ids[j], "color": fmt.Sprint("red-", j), "zone": fmt.Sprint("z", j)}
	}
	for i := range c.nodes {
		for _, j := range c.others(i) {
			for k, v := range want(j) {
				c.eventually(func() bool { return c.recs[i].has(scuttlebutt.EventUpdate, c.ids[j], k, v) },
					"node-%d never got the update %s=%s of node-%d", i, k, v, j)
				got, ok := c.nodes[i].Lookup(c.ids[j], k)
				require.True(t, ok, "node-%d Lookup(node-%d, %s)", i, j, k)
				require.Equal(t, v, got)
			}
			s, ok := c.nodes[i].NodeState(c.ids[j])
			require.True(t, ok)
			require.Equal(t, want(j), s.Keys, "node-%d's copy of node-%d", i, j)
			require.Equal(t, c.nodes[j].Addr(), s.Addr, "node-%d knows node-%d's address", i, j)
		}
	}

	// After convergence, an update and a delete reach everyone.
	require.NoError(t, c.nodes[2].UpdateLocal("color", "blue"))
	require.NoError(t, c.nodes[3].DeleteLocal("zone"))
	for _, i := range c.others(2) {
		c.eventually(func() bool { return c.recs[i].has(scuttlebutt.EventUpdate, "node-2", "color", "blue") },
			"node-%d never got node-2's new color", i)
		got, ok := c.nodes[i].Lookup("node-2", "color")
		require.True(t, ok)
		require.Equal(t, "blue", got)
	}
	for _, i := range c.others(3) {
		c.eventually(func() bool { return c.recs[i].has(scuttlebutt.EventDelete, "node-3", "zone", "") },
			"node-%d never got node-3's delete", i)
		_, ok := c.nodes[i].Lookup("node-3", "zone")
		require.False(t, ok, "node-%d still holds node-3's deleted key", i)
	}
}

// scenarioDiscovery: five nodes that know only node-0 end up knowing each
// other, with a join event for each and the right addresses.
func scenarioDiscovery(t *testing.T, lt liveTransport) {
	c := startLive(t, lt, 5, nil)
	c.joinAll(0)
	c.waitMembers(c.all(), c.ids)
	for i := range c.nodes {
		for _, j := range c.others(i) {
			// Events are delivered just after the state changes.
			c.eventually(func() bool { return c.recs[i].count(scuttlebutt.EventJoin, c.ids[j]) > 0 },
				"node-%d never got a join event for node-%d", i, j)
			require.Equal(t, 1, c.recs[i].count(scuttlebutt.EventJoin, c.ids[j]), "node-%d: one join event for node-%d", i, j)
			s, ok := c.nodes[i].NodeState(c.ids[j])
			require.True(t, ok)
			require.Equal(t, c.nodes[j].Addr(), s.Addr, "node-%d knows node-%d's address", i, j)
			require.Equal(t, c.nodes[j].Generation(), s.Generation)
		}
	}
}

// scenarioLeave: a node leaves gracefully; every other node reports it
// left, shows StatusLeft and drops it from Members; once it is closed, it
// stays left and is not suspected afterwards.
func scenarioLeave(t *testing.T, lt liveTransport) {
	c := startLive(t, lt, 4, nil)
	c.joinAll(0)
	c.waitMembers(c.all(), c.ids)

	const leaver = 3
	id := c.ids[leaver]
	ctx, cancel := context.WithTimeout(context.Background(), liveWait)
	defer cancel()
	require.NoError(t, c.nodes[leaver].Leave(ctx))
	st, ok := c.status(leaver, id)
	require.True(t, ok)
	require.Equal(t, scuttlebutt.StatusLeft, st, "the leaver sees itself as left")
	require.ErrorIs(t, c.nodes[leaver].UpdateLocal("after", "leave"), scuttlebutt.ErrLeft, "a node that left accepts no writes")

	rest := c.others(leaver)
	for _, i := range rest {
		c.eventually(func() bool { return c.recs[i].has(scuttlebutt.EventLeave, id, "", "") },
			"node-%d never got the leave of %s", i, id)
		c.eventually(func() bool { st, ok := c.status(i, id); return ok && st == scuttlebutt.StatusLeft },
			"node-%d's snapshot never showed %s as left", i, id)
	}
	c.waitMembers(rest, c.ids[:leaver])

	// The leaver goes away; the others gossip on for 25 more rounds, and
	// node-3 stays left, never suspected.
	require.NoError(t, c.nodes[leaver].Close())
	r0 := c.nodes[1].Stats().Rounds
	c.eventually(func() bool { return c.nodes[1].Stats().Rounds >= r0+25 }, "node-1 stopped gossiping")
	for _, i := range rest {
		st, ok := c.status(i, id)
		require.True(t, ok, "node-%d dropped %s before RemoveAfter", i, id)
		require.Equal(t, scuttlebutt.StatusLeft, st)
		// A suspicion before the leave is a false alarm of the start-up
		// (QUIC handshakes under -race can outlast a few heartbeats);
		// after the leave, none is allowed.
		require.Equal(t, scuttlebutt.EventLeave, c.recs[i].lastStatusEvent(id),
			"node-%d changed its mind about %s after the leave: %v", i, id, c.recs[i].about(id))
		require.Equal(t, 1, c.recs[i].count(scuttlebutt.EventLeave, id), "node-%d: one leave event", i)
	}
}

// scenarioCrash: a node closes without leaving; every other node suspects
// it (default phi detector, 40 ms heartbeats) and never
// reports it as left.
func scenarioCrash(t *testing.T, lt liveTransport) {
	c := startLive(t, lt, 4, nil)
	c.joinAll(0)
	c.waitMembers(c.all(), c.ids)

	const victim = 2
	id := c.ids[victim]
	rest := c.others(victim)
	// Let the victim's monitors learn its rhythm: 20 PONGs each.
	c.eventually(func() bool { return c.nodes[victim].Stats().Rounds >= 40 },
		"%s never ran 40 rounds", id)
	var early int
	for _, i := range rest {
		early += c.recs[i].count(scuttlebutt.EventSuspect, id)
	}

	crash := time.Now()
	require.NoError(t, c.nodes[victim].Close())
	for _, i := range rest {
		c.eventually(func() bool {
			st, ok := c.status(i, id)
			return ok && st == scuttlebutt.StatusSuspect && c.recs[i].lastStatusEvent(id) == scuttlebutt.EventSuspect
		}, "node-%d never suspected the crashed %s", i, id)
	}
	t.Logf("%s: every node suspected the crash within %v (%d suspicions of %s before the crash)",
		lt.name, time.Since(crash).Round(time.Millisecond), early, id)
	for _, i := range rest {
		require.Zero(t, c.recs[i].count(scuttlebutt.EventLeave, id), "node-%d: a crash is not a leave", i)
	}
	// The survivors still consider each other alive.
	var alive []string
	for _, i := range rest {
		alive = append(alive, c.ids[i])
	}
	c.waitMembers(rest, alive)
}

// Size of the large state: more than any datagram of the run.
const (
	largeKeys  = 300
	largeValue = 200
	largeMTU   = 1400
)

// scenarioLargeState: one node holds 300 keys of 200 bytes, about 60 KB,
// far more than a datagram (the nodes' MTU is 1,400 bytes here, as on
// UDP); all of it reaches both other nodes, and so does an update of one
// key afterwards.
func scenarioLargeState(t *testing.T, lt liveTransport) {
	c := startLive(t, lt, 3, func(_ int, b *scuttlebutt.Builder) { b.MTU(largeMTU) })
	want := map[string]string{}
	for k := range largeKeys {
		key := fmt.Sprintf("big-%03d", k)
		want[key] = fmt.Sprintf("%03d:", k) + strings.Repeat(string(rune('a'+k%26)), largeValue-4)
		require.NoError(t, c.nodes[0].UpdateLocal(key, want[key]))
	}
	require.Greater(t, largeKeys*largeValue, 40*largeMTU)
	c.joinAll(0)

	for _, i := range c.others(0) {
		c.eventually(func() bool {
			s, ok := c.nodes[i].NodeState("node-0")
			return ok && maps.Equal(s.Keys, want)
		}, "node-%d never got node-0's %d keys", i, largeKeys)
		// Events are delivered just after the state changes.
		c.eventually(func() bool { return c.recs[i].count(scuttlebutt.EventUpdate, "node-0") >= largeKeys },
			"node-%d never got an event per key", i)
		require.Equal(t, largeKeys, c.recs[i].count(scuttlebutt.EventUpdate, "node-0"), "node-%d: one event per key", i)
	}
	require.NoError(t, c.nodes[0].UpdateLocal("big-150", "changed"))
	for _, i := range c.others(0) {
		c.eventually(func() bool { return c.recs[i].has(scuttlebutt.EventUpdate, "node-0", "big-150", "changed") },
			"node-%d never got the update after the sync", i)
	}
	s := c.nodes[0].Stats()
	t.Logf("%s: node-0 sent %d messages (%d over streams), %d bytes; largest datagram %d bytes",
		lt.name, s.MessagesSent, s.StreamsSent, s.BytesSent, s.LargestSent)
	require.NotZero(t, s.StreamsSent, "the state went over the transport's stream capability")
	for i, n := range c.nodes {
		require.LessOrEqual(t, n.Stats().LargestSent, largeMTU, "node-%d: every datagram fits the MTU", i)
	}
}
