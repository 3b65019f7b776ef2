package core

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/codec/json"
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
	b, err := json.Codec{}.Append(nil, m)
	require.NoError(t, err)
	return len(b)
}

// TestSynAckFitsMTUAndCutsAsPrefix: a peer that knows nothing asks a node
// with far more state than one datagram holds. Every SYNACK fits the MTU,
// each node's deltas are a prefix, and repeated exchanges complete it.
func TestSynAckFitsMTUAndCutsAsPrefix(t *testing.T) {
	for _, ordering := range []Ordering{ScuttleDepth, ScuttleBreadth} {
		t.Run(fmt.Sprint("ordering ", ordering), func(t *testing.T) {
			const mtu = 600
			b := holder(t, "b", mtu, map[string]int{"x": 40, "y": 25, "z": 3})
			b.cfg.Ordering = ordering
			a := newCore(t, "a", func(cfg *Config) { cfg.MTU = mtu; cfg.Ordering = ordering })
			rounds := 0
			for ; rounds < 50; rounds++ {
				b.Step(t0, "a-addr", roundTrip(t, a.synMessage()))
				out, _ := b.Ready()
				require.Len(t, out, 1)
				require.LessOrEqual(t, encodedSize(t, out[0].Msg), mtu)
				for _, d := range out[0].Msg.Deltas {
					have, _ := a.st.Node(d.ID)
					require.LessOrEqual(t, d.From, have.MaxVersion, "a delta must start where a is")
					for i, e := range d.Entries {
						require.Equal(t, d.From+uint64(i)+1, e.Version, "entries are a contiguous prefix")
					}
				}
				a.Step(t0, "b-addr", roundTrip(t, out[0].Msg))
				a.Ready()
				if done(a, b) {
					break
				}
			}
			require.True(t, done(a, b))
			// 71 entries of about 60 bytes in 600-byte datagrams: at least 8 rounds.
			require.GreaterOrEqual(t, rounds, 7)
			require.Less(t, rounds, 20)
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

// TestNeverHeardOfFirst: a node the receiver has never heard of goes ahead
// of another node's bulk, whatever the ordering.
func TestNeverHeardOfFirst(t *testing.T) {
	b := holder(t, "b", 700, map[string]int{"big": 60, "new": 1})
	a := holder(t, "a", 700, map[string]int{"big": 1})
	b.Step(t0, "a-addr", roundTrip(t, a.synMessage()))
	out, _ := b.Ready()
	require.NotEmpty(t, out[0].Msg.Deltas)
	require.Equal(t, "new", out[0].Msg.Deltas[0].ID)
}

// TestDepthSendsMostStaleFirst: with scuttle-depth, among nodes the
// receiver knows, the one with the most deltas goes first.
func TestDepthSendsMostStaleFirst(t *testing.T) {
	b := holder(t, "b", 4000, map[string]int{"p": 5, "q": 12, "r": 2})
	a := holder(t, "a", 1400, map[string]int{"p": 0, "q": 0, "r": 0})
	b.Step(t0, "a-addr", roundTrip(t, a.synMessage()))
	out, _ := b.Ready()
	var order []string
	for _, d := range out[0].Msg.Deltas {
		order = append(order, d.ID)
	}
	// b itself is new to a, so it goes first; then the most stale.
	require.Equal(t, []string{"b", "q", "p", "r"}, order)
}

// TestDigestWindowCoversEveryNode: with more nodes than one digest holds,
// successive SYNs each fit the MTU and together cover every node.
func TestDigestWindowCoversEveryNode(t *testing.T) {
	nodes := map[string]int{}
	for i := range 200 {
		nodes[fmt.Sprintf("node-%03d", i)] = 1
	}
	const mtu = 512
	c := holder(t, "self", mtu, nodes)
	seen := map[string]bool{}
	for range 60 {
		m := c.synMessage()
		require.LessOrEqual(t, encodedSize(t, m), mtu)
		require.Equal(t, "self", m.Digest.Entries[0].ID, "the sender always lists itself")
		for _, e := range m.Digest.Entries[1:] {
			require.True(t, m.Digest.Covers(e.ID))
			seen[e.ID] = true
		}
	}
	require.Len(t, seen, 200)
}
