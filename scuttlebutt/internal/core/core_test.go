package core

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/codec/binary"
	"github.com/scuttlebutt-go/scuttlebutt/detector/interval"
	"github.com/scuttlebutt-go/scuttlebutt/store"
	storemem "github.com/scuttlebutt-go/scuttlebutt/store/mem"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func newCore(t *testing.T, id string, mut ...func(*Config)) *Core {
	t.Helper()
	det, err := interval.New(interval.Config{Interval: time.Second, K: 5})
	require.NoError(t, err)
	cfg := Config{ID: id, Generation: 1, Addr: id + "-addr", Fanout: 3, MTU: 1400,
		HeartbeatInterval: time.Second, Monitors: 3,
		RemoveAfter: time.Minute, RememberRemoved: 5 * time.Minute, TombstoneGrace: time.Minute,
		Store: storemem.New(), Detector: det, Sizer: binary.Codec{}, Rand: rand.New(rand.NewPCG(1, 2))}
	for _, f := range mut {
		f(&cfg)
	}
	c, err := New(cfg, t0)
	require.NoError(t, err)
	return c
}

// seedNode makes c hold node id at generation 1 with entries (ascending
// versions), as if learnt through deltas.
func seedNode(tb testing.TB, c *Core, id string, entries []store.Entry) {
	tb.Helper()
	n := store.Node{ID: id, Generation: 1, MaxVersion: entries[len(entries)-1].Version}
	_, known := c.st.Node(id)
	if err := c.st.Write(&store.Write{Node: n, Put: entries, Replace: known}); err != nil {
		tb.Fatal(err)
	}
	m := c.members[id]
	if m == nil {
		m = c.addMember(t0, id)
	}
	c.loadMember(t0, m)
	c.touch(id)
}

// exchange runs one exchange opened by a's SYN to b, delivering every
// answer between the two until neither has more to say, and returns the
// events each emitted.
func exchange(t *testing.T, a, b *Core, now time.Time) (evA, evB []Event) {
	t.Helper()
	a.Ready() // earlier writes' pushes are not part of the exchange
	b.Ready()
	msgs := []*codec.Message{a.roundSyn()}
	to, from := b, a
	for hop := 0; len(msgs) > 0; hop++ {
		require.Less(t, hop, 20, "the exchange does not end")
		for _, m := range msgs {
			checkMessage(t, from, to, m)
			to.Step(now, from.cfg.Addr, roundTrip(t, m))
		}
		out, ev := to.Ready()
		if to == a {
			evA = append(evA, ev...)
		} else {
			evB = append(evB, ev...)
		}
		msgs = msgs[:0]
		for _, o := range out {
			if o.To == from.cfg.Addr {
				msgs = append(msgs, o.Msg)
			}
		}
		to, from = from, to
	}
	return evA, evB
}

// checkMessage checks that m, from one core to another, fits the sender's
// MTU and that each of its plain deltas starts where the receiver is and
// is a contiguous run of versions.
func checkMessage(t *testing.T, from, to *Core, m *codec.Message) {
	t.Helper()
	if len(m.Deltas) > 0 {
		deltaMessages[from.cfg.ID]++
	}
	require.LessOrEqual(t, encodedSize(t, m), from.cfg.MTU, "over the MTU: %+v", m)
	for _, d := range m.Deltas {
		if d.Reset {
			continue
		}
		have, _ := to.st.Node(d.ID)
		if have.Generation == d.Generation {
			require.LessOrEqual(t, d.From, have.MaxVersion, "a delta must start where the receiver is")
		}
	}
}

// deltaMessages counts, by sender, the messages carrying deltas that
// exchange delivered.
var deltaMessages = map[string]int{}

// roundTrip encodes and decodes m, as a real transport would.
func roundTrip(t *testing.T, m *codec.Message) *codec.Message {
	t.Helper()
	b, err := binary.Codec{}.Append(nil, m)
	require.NoError(t, err)
	out, err := binary.Codec{}.Decode(b)
	require.NoError(t, err)
	return out
}

func TestExchangeSpreadsStateBothWays(t *testing.T) {
	a, b := newCore(t, "a"), newCore(t, "b")
	require.NoError(t, a.Put("role", "api"))
	require.NoError(t, b.Put("role", "db"))
	a.Ready()
	b.Ready()
	evA, evB := exchange(t, a, b, t0)
	require.Equal(t, []Event{{Kind: EventJoin, Node: "b", Generation: 1},
		{Kind: EventUpdate, Node: "b", Generation: 1, Key: "role", Value: "db", Version: 2}}, evA)
	require.Equal(t, []Event{{Kind: EventJoin, Node: "a", Generation: 1},
		{Kind: EventUpdate, Node: "a", Generation: 1, Key: "role", Value: "api", Version: 2}}, evB)

	// A second exchange has nothing to send and emits nothing.
	evA, evB = exchange(t, a, b, t0)
	require.Empty(t, evA)
	require.Empty(t, evB)
	m, ok := b.Member("a")
	require.True(t, ok)
	require.Equal(t, "a-addr", m.Addr)
}

func TestWrites(t *testing.T) {
	c := newCore(t, "a")
	tests := []struct {
		name    string
		do      func() error
		wantErr error
		events  int
	}{
		{"set", func() error { return c.Put("k", "v") }, nil, 1},
		{"unchanged value is a no-op", func() error { return c.Put("k", "v") }, nil, 0},
		{"delete", func() error { return c.Delete("k") }, nil, 1},
		{"delete again is a no-op", func() error { return c.Delete("k") }, nil, 0},
		{"delete missing is a no-op", func() error { return c.Delete("never") }, nil, 0},
		{"empty key", func() error { return c.Put("", "v") }, ErrEmptyKey, 0},
		{"reserved key", func() error { return c.Put(KeyAddr, "x") }, ErrReservedKey, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := c.st.Node("a")
			err := tt.do()
			require.ErrorIs(t, err, tt.wantErr)
			_, ev := c.Ready()
			require.Len(t, ev, tt.events)
			after, _ := c.st.Node("a")
			require.Equal(t, before.MaxVersion+uint64(tt.events), after.MaxVersion, "one version per real write")
		})
	}
}

// TestDeltaValidation feeds b deltas about a that are stale, duplicated,
// gapped, from the future or of an unknown generation: each is dropped
// without a change or an event, and does not stop the valid deltas of the
// same message from applying.
func TestDeltaValidation(t *testing.T) {
	a, b := newCore(t, "a"), newCore(t, "b")
	for i := range 5 {
		require.NoError(t, a.Put(fmt.Sprint("k", i), "v"))
	}
	exchange(t, a, b, t0) // b holds a through version 6
	entries := func(from, upto uint64) []codec.Entry {
		var out []codec.Entry
		a.st.Entries("a", from, func(e store.Entry) bool {
			if e.Version <= upto {
				out = append(out, codec.Entry(e))
			}
			return true
		})
		return out
	}
	require.NoError(t, a.Put("k9", "new")) // version 7
	valid := codec.NodeDelta{ID: "a", Generation: 1, From: 6, Upto: 7, Entries: entries(6, 7)}

	tests := []struct {
		name  string
		delta codec.NodeDelta
	}{
		{"duplicate", codec.NodeDelta{ID: "a", Generation: 1, From: 0, Upto: 6, Entries: entries(0, 6)}},
		{"stale", codec.NodeDelta{ID: "a", Generation: 1, From: 2, Upto: 4, Entries: entries(2, 4)}},
		{"gap: starts above what b holds", codec.NodeDelta{ID: "a", Generation: 1, From: 8, Upto: 9,
			Entries: []codec.Entry{{Key: "x", Value: "y", Version: 9}}}},
		{"old generation", codec.NodeDelta{ID: "a", Generation: 0, From: 6, Upto: 7, Entries: entries(6, 7)}},
		{"entry outside its bounds", codec.NodeDelta{ID: "a", Generation: 1, From: 6, Upto: 7,
			Entries: []codec.Entry{{Key: "x", Value: "y", Version: 12}}}},
		{"unordered entries", codec.NodeDelta{ID: "a", Generation: 1, From: 6, Upto: 9,
			Entries: []codec.Entry{{Key: "x", Value: "y", Version: 9}, {Key: "z", Value: "y", Version: 8}}}},
		{"about the receiver itself", codec.NodeDelta{ID: "b", Generation: 1, From: 0, Upto: 1,
			Entries: []codec.Entry{{Key: "x", Value: "y", Version: 1}}}},
		{"continuation of an unknown node", codec.NodeDelta{ID: "ghost", Generation: 1, From: 3, Upto: 4,
			Entries: []codec.Entry{{Key: "x", Value: "y", Version: 4}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(b)
			b.Step(t0, "a-addr", &codec.Message{Kind: codec.KindAck, From: "a", Deltas: []codec.NodeDelta{tt.delta}})
			_, ev := b.Ready()
			require.Empty(t, ev)
			require.Equal(t, before, snapshot(b), "state changed")
		})
	}
	// One message: bad deltas around a valid one. Only the valid one applies.
	var deltas []codec.NodeDelta
	for _, tt := range tests {
		deltas = append(deltas, tt.delta)
	}
	deltas = append(deltas[:3], append([]codec.NodeDelta{valid}, deltas[3:]...)...)
	b.Step(t0, "a-addr", &codec.Message{Kind: codec.KindAck, From: "a", Deltas: deltas})
	_, ev := b.Ready()
	require.Equal(t, []Event{{Kind: EventUpdate, Node: "a", Generation: 1, Key: "k9", Value: "new", Version: 7}}, ev)
}

// snapshot is every node's entries in b's store, for before/after checks.
func snapshot(c *Core) map[string][]store.Entry {
	out := map[string][]store.Entry{}
	c.st.Range("", "", func(n store.Node) bool {
		out[n.ID] = nil
		return true
	})
	for id := range out {
		c.st.Entries(id, 0, func(e store.Entry) bool {
			out[id] = append(out[id], e)
			return true
		})
	}
	return out
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	_, err := New(Config{ID: "x"}, t0)
	require.Error(t, err)
}
