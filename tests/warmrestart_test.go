package tests

import (
	"fmt"
	"maps"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/sim"
	"github.com/scuttlebutt-go/scuttlebutt/store/bolt"
)

// The warm restart measurement: a cluster of warmNodes nodes with warmKeys
// keys each; node warmVictim stops, warmWriters other nodes rewrite a key in
// each of warmDownRounds rounds, and the victim restarts (a new generation)
// and runs until it holds every other node's state as that node does.
const (
	warmNodes      = 100
	warmKeys       = 16
	warmVictim     = 37
	warmWriters    = 10
	warmDownRounds = 3
)

// TestWarmRestartCatchUp measures the bytes a restarted node receives until
// it has caught up: cold (a fresh in-memory store: it must learn every
// node's state again) against warm (its bolt store reopened: it keeps every
// other node's state and needs only what changed while it was down). Over
// five seeded runs (two under -short or -race), warm must cost at most a
// tenth of cold. The warm figure
// is mostly the gossip any node receives (peers' SYNs, about 1,300 bytes
// each with 100 nodes), which arrives until the few missing deltas do.
func TestWarmRestartCatchUp(t *testing.T) {
	seeds := []int64{1, 2, 3, 4, 5}
	if testing.Short() || raceEnabled {
		seeds = seeds[:2] // the race detector slows the runs tenfold
	}
	var cold, warm uint64
	for _, seed := range seeds {
		c, w := catchUp(t, seed, false), catchUp(t, seed, true)
		t.Logf("seed %d: cold restart received %d bytes in %d messages over %v; warm %d bytes in %d messages over %v (%.1f%%)",
			seed, c.bytes, c.messages, c.elapsed, w.bytes, w.messages, w.elapsed, 100*float64(w.bytes)/float64(c.bytes))
		cold += c.bytes
		warm += w.bytes
	}
	t.Logf("%d nodes x %d keys, %d writes while down, %d runs: cold %d bytes, warm %d bytes in all (%.1f%%)",
		warmNodes, warmKeys, warmWriters*warmDownRounds, len(seeds), cold, warm, 100*float64(warm)/float64(cold))
	require.LessOrEqual(t, 10*warm, cold, "a warm restart receives at most a tenth of a cold one")
}

type catchUpResult struct {
	bytes, messages uint64
	elapsed         time.Duration
}

// catchUp runs the scenario once, the victim on a bolt store when durable,
// and returns what the restarted victim received until it caught up.
func catchUp(t *testing.T, seed int64, durable bool) catchUpResult {
	t.Helper()
	path := filepath.Join(t.TempDir(), "victim.db")
	var bs *bolt.Store
	open := func() {
		var err error
		// No fsync: this measures the network, not the disk.
		bs, err = bolt.Open(path, &bolt.Options{NoSync: true})
		require.NoError(t, err)
	}
	if durable {
		open()
	}
	c, err := sim.New(sim.Config{Nodes: warmNodes, Seed: seed, Configure: func(i int, b *scuttlebutt.Builder) {
		if i == warmVictim && durable {
			b.Store(bs)
		}
	}})
	require.NoError(t, err)
	defer func() {
		c.Close()
		if durable {
			require.NoError(t, bs.Check())
			require.NoError(t, bs.Close())
		}
	}()
	require.NoError(t, c.JoinAll())
	for i, n := range c.Nodes {
		for k := range warmKeys {
			require.NoError(t, n.UpdateLocal(fmt.Sprintf("key-%02d", k), fmt.Sprintf("value-%03d-%02d-gen1", i, k)))
		}
	}
	_, ok := c.RunRounds(200, func() bool { return caughtUp(c, nil) })
	require.True(t, ok, "the cluster converges")

	require.NoError(t, c.Nodes[warmVictim].Close())
	if durable {
		require.NoError(t, bs.Close())
	}
	for r := range warmDownRounds {
		for w := range warmWriters {
			i := (warmVictim + 1 + 9*w + r) % warmNodes
			require.NoError(t, c.Nodes[i].UpdateLocal(fmt.Sprintf("key-%02d", r), fmt.Sprintf("value-%03d-%02d-down%d", i, r, r)))
		}
		c.Net.Advance(time.Second) // sim's default gossip interval
	}

	if durable {
		open()
	}
	require.NoError(t, c.Restart(warmVictim, 2, 0))
	// Run event by event, checking after each message the victim receives.
	victim, start, seen := c.Nodes[warmVictim], c.Net.Now(), uint64(0)
	require.Equal(t, uint64(2), victim.Generation())
	if durable {
		require.Len(t, victim.Snapshot(), warmNodes, "the reopened store holds every node")
	}
	ok = c.Net.RunUntil(start.Add(300*time.Second), func() bool {
		n := victim.Stats().MessagesReceived
		if n == seen {
			return false
		}
		seen = n
		return caughtUp(c, []int{warmVictim})
	})
	require.True(t, ok, "the restarted node catches up")
	st := victim.Stats()
	return catchUpResult{bytes: st.BytesReceived, messages: st.MessagesReceived, elapsed: c.Net.Now().Sub(start)}
}

// caughtUp reports whether each node of only (every node if only is nil)
// holds every other node at the generation and with the keys that node
// holds itself.
func caughtUp(c *sim.Cluster, only []int) bool {
	if only == nil {
		only = make([]int, len(c.Nodes))
		for i := range only {
			only[i] = i
		}
	}
	own := make([]scuttlebutt.NodeState, len(c.Nodes))
	for j, n := range c.Nodes {
		own[j], _ = n.NodeState(sim.ID(j))
	}
	for _, i := range only {
		for j := range c.Nodes {
			if i == j {
				continue
			}
			got, ok := c.Nodes[i].NodeState(sim.ID(j))
			if !ok || got.Generation != own[j].Generation || !maps.Equal(got.Keys, own[j].Keys) {
				return false
			}
		}
	}
	return true
}
