package core

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/codec/binary"
	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// holder returns a core that holds the state of nodes given as id → number
// of keys, each key with a 20-byte value, learnt through deltas.
func holder(t *testing.T, id string, mtu int, nodes map[string]int) *Core {
	c := newCore(t, id, func(cfg *Config) { cfg.MTU = mtu })
	for nid, keys := range nodes {
		entries := []store.Entry{{Key: KeyAddr, Value: nid + "-addr", Version: 1}}
		for k := range keys {
			entries = append(entries, store.Entry{Key: fmt.Sprintf("key-%03d", k), Value: strings.Repeat("x", 20), Version: uint64(k + 2)})
		}
		seedNode(t, c, nid, entries)
	}
	return c
}

func encodedSize(t *testing.T, m *codec.Message) int {
	b, err := binary.Codec{}.Append(nil, m)
	require.NoError(t, err)
	return len(b)
}

// TestSynAckFitsMTUAndCutsAsPrefix: a peer that knows nothing exchanges
// with a node with far more state than one datagram holds. Every message
// fits the MTU, each node's deltas are a prefix, and repeated exchanges
// complete it.
func TestSynAckFitsMTUAndCutsAsPrefix(t *testing.T) {
	for _, ordering := range []Ordering{ScuttleDepth, ScuttleBreadth} {
		t.Run(fmt.Sprint("ordering ", ordering), func(t *testing.T) {
			const mtu = 600
			b := holder(t, "b", mtu, map[string]int{"x": 40, "y": 25, "z": 3})
			b.cfg.Ordering = ordering
			a := newCore(t, "a", func(cfg *Config) { cfg.MTU = mtu; cfg.Ordering = ordering })
			clear(deltaMessages)
			rounds := 0
			for ; rounds < 50 && !done(a, b); rounds++ {
				exchange(t, a, b, t0) // checks the MTU and prefixes
			}
			require.True(t, done(a, b))
			// 71 entries of 31 bytes (binary) in 600-byte datagrams: at least 4.
			require.GreaterOrEqual(t, deltaMessages["b"], 4)
			require.Less(t, rounds, 10)
		})
	}
}

func done(a, b *Core) bool {
	for _, id := range []string{"x", "y", "z"} {
		na, _ := a.st.Node(id)
		nb, _ := b.st.Node(id)
		if na.MaxVersion != nb.MaxVersion {
			return false
		}
	}
	return true
}

// firstDeltas runs an exchange opened by a and returns the IDs of the
// deltas in the first message b sends that carries any.
func firstDeltas(t *testing.T, a, b *Core) []string {
	t.Helper()
	var ids []string
	msgs := []*codec.Message{a.synMessage()}
	to, from := b, a
	for hop := 0; len(msgs) > 0 && ids == nil; hop++ {
		require.Less(t, hop, 20)
		for _, m := range msgs {
			to.Step(t0, from.cfg.Addr, roundTrip(t, m))
		}
		out, _ := to.Ready()
		msgs = msgs[:0]
		for _, o := range out {
			if o.To != from.cfg.Addr {
				continue
			}
			msgs = append(msgs, o.Msg)
			if to == b && ids == nil {
				for _, d := range o.Msg.Deltas {
					ids = append(ids, d.ID)
				}
			}
		}
		to, from = from, to
	}
	return ids
}

// TestNeverHeardOfFirst: nodes the receiver has never heard of go ahead of
// another node's bulk, whatever the ordering.
func TestNeverHeardOfFirst(t *testing.T) {
	b := holder(t, "b", 700, map[string]int{"big": 60, "new": 1})
	a := holder(t, "a", 700, map[string]int{"big": 1})
	ids := firstDeltas(t, a, b)
	require.GreaterOrEqual(t, len(ids), 3, "the two unknown nodes and some of big's bulk")
	require.ElementsMatch(t, []string{"b", "new"}, ids[:2])
	require.Equal(t, "big", ids[2])
}

// TestDepthSendsMostStaleFirst: with scuttle-depth, among nodes the
// receiver knows, the one with the most deltas goes first.
func TestDepthSendsMostStaleFirst(t *testing.T) {
	b := holder(t, "b", 4000, map[string]int{"p": 5, "q": 12, "r": 2})
	a := holder(t, "a", 1400, map[string]int{"p": 0, "q": 0, "r": 0})
	// b itself is new to a, so it goes first; then the most stale.
	require.Equal(t, []string{"b", "q", "p", "r"}, firstDeltas(t, a, b))
}

// TestEqualStateCostsOneSmallMessage: two nodes that hold the same state of
// 200 nodes exchange one SYN of a few dozen bytes, and no answer.
func TestEqualStateCostsOneSmallMessage(t *testing.T) {
	nodes := map[string]int{}
	for i := range 200 {
		nodes[fmt.Sprintf("node-%03d", i)] = 2
	}
	a, b := holder(t, "a", 1400, nodes), holder(t, "b", 1400, nodes)
	exchange(t, a, b, t0) // each learns the other
	exchange(t, b, a, t0)
	for range 5 { // age the recent changes out
		a.Tick(t0)
		b.Tick(t0)
	}
	a.Ready()
	b.Ready()
	require.Equal(t, a.rootHash(), b.rootHash())
	syn := a.synMessage()
	require.Empty(t, syn.Digest.Entries)
	require.LessOrEqual(t, encodedSize(t, syn), 32)
	b.Step(t0, "a-addr", roundTrip(t, syn))
	out, _ := b.Ready()
	require.Empty(t, out)
	require.EqualValues(t, 1, b.Stats().ExchangesEqual)
}

// TestWalkFindsOneDifference: two nodes holding 1,000 nodes alike but one,
// and no recent change to point at it, find and repair the difference in
// one exchange whose bytes are a small fraction of a full digest.
func TestWalkFindsOneDifference(t *testing.T) {
	nodes := map[string]int{}
	for i := range 1000 {
		nodes[fmt.Sprintf("node-%04d", i)] = 1
	}
	a, b := holder(t, "a", 1400, nodes), holder(t, "b", 1400, nodes)
	exchange(t, a, b, t0)
	exchange(t, b, a, t0)
	seedNode(t, b, "node-0500", []store.Entry{{Key: KeyAddr, Value: "x", Version: 1},
		{Key: "key-000", Value: "changed", Version: 5}})
	b.touch("node-0500")
	for range 5 {
		a.Tick(t0)
		b.Tick(t0)
	}
	a.Ready()
	b.Ready()
	require.NotEqual(t, a.rootHash(), b.rootHash())
	bytes := 0
	msgs := []*codec.Message{a.synMessage()}
	to, from := b, a
	for hop := 0; len(msgs) > 0; hop++ {
		require.Less(t, hop, 12)
		for _, m := range msgs {
			bytes += encodedSize(t, m)
			to.Step(t0, from.cfg.Addr, roundTrip(t, m))
		}
		out, _ := to.Ready()
		msgs = msgs[:0]
		for _, o := range out {
			if o.To == from.cfg.Addr {
				msgs = append(msgs, o.Msg)
			}
		}
		to, from = from, to
	}
	require.Equal(t, a.rootHash(), b.rootHash(), "repaired")
	require.EqualValues(t, 1, a.Stats().Walks)
	// A full digest of 1,000 entries is about 15 KB.
	require.Less(t, bytes, 1200, "the walk costs O(log N) buckets, not N entries")
	t.Logf("one difference among 1,000 nodes: %d bytes", bytes)
}
