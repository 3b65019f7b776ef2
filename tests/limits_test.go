package tests

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
)

// State limits, enforced on the node's own writes (a clear error) and on
// what peers send (a counted drop, no state change).

// TestLimitsLocal: each limit refuses a local write with a *LimitError
// naming it, and the write changes nothing.
func TestLimitsLocal(t *testing.T) {
	limits := scuttlebutt.Limits{MaxKeysPerNode: 20, MaxKeyLength: 200, MaxValueSize: 100, MaxNodeBytes: 1500}
	c := newMemCluster(t, 1, memOptions{seed: 21, configure: func(b *scuttlebutt.Builder) { b.Limits(limits) }})
	n := c.nodes[0]
	require.NoError(t, n.UpdateLocal("k", "v"))
	for _, tc := range []struct {
		limit, key, value string
	}{
		{"MaxKeyLength", strings.Repeat("k", 201), "v"},
		{"MaxValueSize", "k", strings.Repeat("v", 101)},
	} {
		err := n.UpdateLocal(tc.key, tc.value)
		var le *scuttlebutt.LimitError
		require.True(t, errors.As(err, &le), "%s: %v", tc.limit, err)
		require.Equal(t, tc.limit, le.Limit)
		require.ErrorIs(t, err, scuttlebutt.ErrLimit)
		require.ErrorIs(t, err, scuttlebutt.ErrTooLarge)
		require.Contains(t, err.Error(), "Limits."+tc.limit)
		v, _ := n.Lookup(n.ID(), "k")
		require.Equal(t, "v", v, "unchanged")
	}
	// Keys up to the count limit (the node's reserved keys count too).
	var err error
	i := 0
	for ; err == nil; i++ {
		err = n.UpdateLocal(fmt.Sprintf("key-%02d", i), "x")
	}
	var le *scuttlebutt.LimitError
	require.True(t, errors.As(err, &le), "%v", err)
	require.Equal(t, "MaxKeysPerNode", le.Limit)
	require.Less(t, i, 20)
	_, ok := n.Lookup(n.ID(), fmt.Sprintf("key-%02d", i-1))
	require.False(t, ok, "the refused key is not written")
	// Overwriting a held key never adds one.
	require.NoError(t, n.UpdateLocal("key-00", "y"))
	// Bytes: values of 100 bytes on the held keys run into MaxNodeBytes.
	err = nil
	for j := 0; j < i-1 && err == nil; j++ {
		err = n.UpdateLocal(fmt.Sprintf("key-%02d", j), strings.Repeat("z", 100))
	}
	require.True(t, errors.As(err, &le), "%v", err)
	require.Equal(t, "MaxNodeBytes", le.Limit)
	require.Greater(t, le.Got, le.Max)
}

// heapMiB returns the live heap after a collection.
func heapMiB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

// TestLimitsRemote: a peer announcing 100,000 nodes, one node with
// 1,000,000 keys, and one 10 MB value, each over streams, makes a node
// with the default limits hold no more than those limits; each refusal is
// counted, and the real cluster keeps converging.
func TestLimitsRemote(t *testing.T) {
	if testing.Short() {
		t.Skip("sends about 30 MB of hostile state")
	}
	c := hostileCluster(t, 3, memOptions{seed: 22, streams: true})
	attacker := newSink(t, c.net, "10.66.0.9:7946")
	const victim = 0
	send := func(m *codec.Message) {
		t.Helper()
		require.NoError(t, attacker.tr.SendStream(context.Background(), c.addrs[victim], encode(t, m)))
		c.net.Advance(time.Millisecond)
	}
	gen := uint64(c.net.Now().UnixNano())
	before := heapMiB()
	stats := c.nodes[victim].Stats()

	// 1,000,000 keys of one node, 20,000 per message, in version order.
	keys := 0
	for lo := 0; lo < 1_000_000; lo += 20_000 {
		d := codec.NodeDelta{ID: "fat", Generation: gen, From: uint64(lo), Upto: uint64(lo + 20_000)}
		for i := lo; i < lo+20_000; i++ {
			d.Entries = append(d.Entries, codec.Entry{Key: fmt.Sprintf("k%07d", i), Value: "v", Version: uint64(i + 1)})
		}
		send(&codec.Message{Kind: codec.KindAck, From: "evil", Deltas: []codec.NodeDelta{d}})
	}
	// And 5,000 keys at a time, which pass the per-delta check.
	for lo := 0; lo < 1_000_000 && lo < 40_000; lo += 5000 {
		d := codec.NodeDelta{ID: "fat2", Generation: gen, From: uint64(lo), Upto: uint64(lo + 5000)}
		for i := lo; i < lo+5000; i++ {
			d.Entries = append(d.Entries, codec.Entry{Key: fmt.Sprintf("k%07d", i), Value: "v", Version: uint64(i + 1)})
		}
		send(&codec.Message{Kind: codec.KindAck, From: "evil", Deltas: []codec.NodeDelta{d}})
	}
	for _, ns := range c.nodes[victim].Snapshot() {
		if ns.ID == "fat" || ns.ID == "fat2" {
			keys = max(keys, len(ns.Keys))
		}
	}
	t.Logf("1,000,000 keys announced: at most %d held of one node (limit %d); heap %.1f -> %.1f MiB", keys, scuttlebutt.DefaultMaxKeysPerNode, before, heapMiB())
	require.LessOrEqual(t, keys, scuttlebutt.DefaultMaxKeysPerNode)
	require.Greater(t, keys, scuttlebutt.DefaultMaxKeysPerNode/2, "the limit, not something else, stopped them")

	// One 10 MB value.
	big := codec.NodeDelta{ID: memID(2), Generation: gen, Upto: 1,
		Entries: []codec.Entry{{Key: "big", Value: strings.Repeat("x", 10<<20), Version: 1}}}
	send(&codec.Message{Kind: codec.KindAck, From: "evil", Deltas: []codec.NodeDelta{big}})
	_, held := c.nodes[victim].Lookup(memID(2), "big")
	require.False(t, held, "the 10 MB value is refused")
	after := heapMiB()
	require.Less(t, after-before, 32.0, "the node holds no copy of the hostile state beyond its limits")
	t.Logf("after the 10 MB value: heap %.1f MiB (%.1f MiB before any of it)", after, before)

	// 100,000 nodes, 5,000 per message.
	for lo := 0; lo < 100_000; lo += 5000 {
		m := &codec.Message{Kind: codec.KindAck, From: "evil"}
		for i := lo; i < lo+5000; i++ {
			m.Deltas = append(m.Deltas, codec.NodeDelta{ID: fmt.Sprintf("fake-%06d", i), Generation: gen, Upto: 1,
				Entries: []codec.Entry{{Key: "k", Value: "v", Version: 1}}})
		}
		send(m)
	}
	known := len(c.nodes[victim].Snapshot())
	t.Logf("100,000 nodes announced: %d held (limit %d); heap %.1f -> %.1f MiB", known, scuttlebutt.DefaultMaxNodes, after, heapMiB())
	require.LessOrEqual(t, known, scuttlebutt.DefaultMaxNodes)
	require.Greater(t, known, scuttlebutt.DefaultMaxNodes/2, "the limit, not something else, stopped them")

	s := c.nodes[victim].Stats()
	require.Greater(t, s.LimitDrops, stats.LimitDrops)
	t.Logf("limit drops: %d", s.LimitDrops-stats.LimitDrops)
	v, _ := c.nodes[victim].Lookup(memID(2), "role")
	require.Equal(t, "real", v, "the real node's state is untouched")

	// The real nodes still follow each other.
	require.NoError(t, c.nodes[1].UpdateLocal("role", "after"))
	_, ok := c.runUntil(20, func() bool {
		v, _ := c.nodes[victim].Lookup(memID(1), "role")
		return v == "after"
	})
	require.True(t, ok)
}
