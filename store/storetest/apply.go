package storetest

import (
	"testing"

	"github.com/scuttlebutt-go/scuttlebutt/store"
	"github.com/stretchr/testify/require"
)

// applyCase is one Apply against a seeded store.
type applyCase struct {
	name  string
	setup func(t tester, s store.Store) // after seed; may be nil
	d     *store.Delta
	// wantErr is the error; a refused delta, like one already held
	// (noop), must change nothing and call nothing.
	wantErr error
	noop    bool
	// For an applied delta: the callbacks, and the node afterwards.
	calls    []store.Entry
	wantNode store.Node
	want     []store.Entry
}

// delta builds a plain delta for node id.
func delta(id string, gen, from, upto uint64, es ...store.Entry) *store.Delta {
	return &store.Delta{ID: id, Generation: gen, From: from, Upto: upto, Entries: es}
}

// withGC sets d's GCVersion.
func withGC(d *store.Delta, gc uint64) *store.Delta {
	d.GCVersion = gc
	return d
}

// reset builds a reset delta for node id.
func reset(id string, gen, upto, gc uint64, es ...store.Entry) *store.Delta {
	return &store.Delta{ID: id, Generation: gen, Upto: upto, Reset: true, GCVersion: gc, Entries: es}
}

func applyCases() []applyCase {
	x6 := liveEntry("x", "v", 6)
	setLeft := func(t tester, s store.Store) { require.True(t, s.SetLeft("n", 5)) }
	cutReset := func(t tester, s store.Store) {
		require.NoError(t, s.Apply(reset("p", 1, 2, 6, liveEntry("k", "v", 1), liveEntry("j", "w", 2)), nil))
	}
	return []applyCase{
		// Refused.
		{name: "nil delta", d: nil, wantErr: store.ErrInvalidDelta},
		{name: "older generation", d: delta("n", 4, 5, 6, x6), wantErr: store.ErrStaleGeneration},
		{name: "From above Upto", d: delta("n", 5, 5, 4), wantErr: store.ErrInvalidDelta},
		{name: "reset not from zero", d: &store.Delta{ID: "n", Generation: 5, From: 1, Upto: 6, Reset: true, Entries: []store.Entry{x6}}, wantErr: store.ErrInvalidDelta},
		{name: "entry at From", d: delta("n", 5, 5, 7, liveEntry("x", "v", 5)), wantErr: store.ErrInvalidDelta},
		{name: "entry above Upto", d: delta("n", 5, 5, 6, liveEntry("x", "v", 7)), wantErr: store.ErrInvalidDelta},
		{name: "repeated version", d: delta("n", 5, 5, 8, x6, liveEntry("y", "v", 6)), wantErr: store.ErrInvalidDelta},
		{name: "descending versions", d: delta("n", 5, 5, 8, liveEntry("x", "v", 7), liveEntry("y", "v", 6)), wantErr: store.ErrInvalidDelta},
		{name: "empty key", d: delta("n", 5, 5, 6, liveEntry("", "v", 6)), wantErr: store.ErrInvalidDelta},
		{name: "tombstone with a value", d: delta("n", 5, 5, 6, store.Entry{Key: "x", Value: "v", Version: 6, Tombstone: true}), wantErr: store.ErrInvalidDelta},
		{name: "bad entry after good ones", d: delta("n", 5, 5, 7, x6, liveEntry("y", "v", 8)), wantErr: store.ErrInvalidDelta},
		{name: "invalid for an unknown node", d: delta("p", 1, 0, 2, liveEntry("x", "v", 3)), wantErr: store.ErrInvalidDelta},
		{name: "invalid for a newer generation", d: delta("n", 6, 0, 2, liveEntry("", "v", 1)), wantErr: store.ErrInvalidDelta},
		{name: "gap", d: delta("n", 5, 6, 7, liveEntry("x", "v", 7)), wantErr: store.ErrGap},
		{name: "gap on an unknown node", d: delta("p", 1, 1, 2, liveEntry("x", "v", 2)), wantErr: store.ErrGap},
		{name: "gap on a newer generation", d: delta("n", 6, 5, 6, x6), wantErr: store.ErrGap},
		{name: "sender collected tombstones the receiver lacks", d: withGC(delta("n", 5, 5, 7, liveEntry("x", "v", 7)), 6), wantErr: store.ErrGap},

		// Already held.
		{name: "duplicate", d: delta("n", 5, 2, 5, liveEntry("c", "3", 3), tomb("b", 4), liveEntry("d", "4", 5)), noop: true},
		{name: "older part", d: delta("n", 5, 0, 3, liveEntry("a", "1", 1), liveEntry("c", "3", 3)), noop: true},
		{name: "empty at MaxVersion", d: delta("n", 5, 5, 5), noop: true},
		{name: "reset up to MaxVersion", d: reset("n", 5, 5, 4, liveEntry("a", "1", 1), liveEntry("c", "3", 3), liveEntry("d", "4", 5)), noop: true},
		{name: "reset below MaxVersion", d: reset("n", 5, 2, 0, liveEntry("a", "1", 1)), noop: true},
		{name: "reset below MaxVersion with a watermark already held", setup: cutReset, d: reset("p", 1, 1, 6, liveEntry("k", "v", 1)), noop: true},
		{name: "held despite the sender's watermark", d: withGC(delta("n", 5, 3, 5, tomb("b", 4), liveEntry("d", "4", 5)), 5), noop: true},

		// Applied: plain deltas.
		{
			name:     "append",
			d:        delta("n", 5, 5, 8, liveEntry("e", "5", 6), liveEntry("a", "1x", 7), tomb("c", 8)),
			calls:    []store.Entry{liveEntry("e", "5", 6), liveEntry("a", "1x", 7), tomb("c", 8)},
			wantNode: store.Node{ID: "n", Generation: 5, MaxVersion: 8, Heartbeat: 7, Keys: 5},
			want:     []store.Entry{tomb("b", 4), liveEntry("d", "4", 5), liveEntry("e", "5", 6), liveEntry("a", "1x", 7), tomb("c", 8)},
		},
		{
			name:     "overlap applies only what is new",
			d:        delta("n", 5, 3, 9, tomb("b", 4), liveEntry("d", "4", 5), liveEntry("x", "9", 7)),
			calls:    []store.Entry{liveEntry("x", "9", 7)},
			wantNode: store.Node{ID: "n", Generation: 5, MaxVersion: 9, Heartbeat: 7, Keys: 5},
			want:     append(append([]store.Entry(nil), seedEntries...), liveEntry("x", "9", 7)),
		},
		{
			// The sender collected b's tombstone and sent from 0 anyway: the
			// receiver, holding through 5 >= 4, loses nothing by it.
			name:     "overlap from a sender that collected a tombstone",
			d:        withGC(delta("n", 5, 0, 6, liveEntry("a", "1", 1), liveEntry("c", "3", 3), liveEntry("d", "4", 5), x6), 4),
			calls:    []store.Entry{x6},
			wantNode: store.Node{ID: "n", Generation: 5, MaxVersion: 6, Heartbeat: 7, Keys: 5},
			want:     append(append([]store.Entry(nil), seedEntries...), x6),
		},
		{
			name:     "Upto past the last entry",
			d:        delta("n", 5, 5, 9),
			wantNode: store.Node{ID: "n", Generation: 5, MaxVersion: 9, Heartbeat: 7, Keys: 4},
			want:     seedEntries,
		},
		{
			name: "only visible changes are reported",
			d: delta("n", 5, 5, 10,
				tomb("z", 6),            // never had: stored, not reported
				liveEntry("a", "1", 7),  // same value: stored, not reported
				tomb("b", 8),            // over a tombstone: stored, not reported
				liveEntry("c", "3x", 9), // new value
				tomb("d", 10)),          // over a live value
			calls:    []store.Entry{liveEntry("c", "3x", 9), tomb("d", 10)},
			wantNode: store.Node{ID: "n", Generation: 5, MaxVersion: 10, Heartbeat: 7, Keys: 5},
			want:     []store.Entry{tomb("z", 6), liveEntry("a", "1", 7), tomb("b", 8), liveEntry("c", "3x", 9), tomb("d", 10)},
		},
		{
			name:     "set over a tombstone",
			d:        delta("n", 5, 5, 6, liveEntry("b", "2", 6)),
			calls:    []store.Entry{liveEntry("b", "2", 6)},
			wantNode: store.Node{ID: "n", Generation: 5, MaxVersion: 6, Heartbeat: 7, Keys: 4},
			want:     []store.Entry{liveEntry("a", "1", 1), liveEntry("c", "3", 3), liveEntry("d", "4", 5), liveEntry("b", "2", 6)},
		},
		{
			name:     "plain delta at the sender's watermark",
			d:        withGC(delta("n", 5, 5, 6, x6), 5),
			calls:    []store.Entry{x6},
			wantNode: store.Node{ID: "n", Generation: 5, MaxVersion: 6, Heartbeat: 7, Keys: 5},
			want:     append(append([]store.Entry(nil), seedEntries...), x6),
		},

		// Applied: new nodes and generations.
		{
			name:     "unknown node is added",
			d:        withGC(delta("p", 2, 0, 3, liveEntry("k", "v", 2), tomb("q", 3)), 1),
			calls:    []store.Entry{liveEntry("k", "v", 2)},
			wantNode: store.Node{ID: "p", Generation: 2, MaxVersion: 3, GCVersion: 1, Keys: 2},
			want:     []store.Entry{liveEntry("k", "v", 2), tomb("q", 3)},
		},
		{
			name:     "unknown node, empty delta",
			d:        delta("p", 9, 0, 0),
			wantNode: store.Node{ID: "p", Generation: 9},
		},
		{
			name:     "unknown node, reset cut below its watermark",
			d:        reset("p", 2, 2, 5, liveEntry("k", "v", 1)),
			calls:    []store.Entry{liveEntry("k", "v", 1)},
			wantNode: store.Node{ID: "p", Generation: 2, MaxVersion: 2, GCVersion: 5, Keys: 1},
			want:     []store.Entry{liveEntry("k", "v", 1)},
		},
		{
			name:     "unknown node, plain delta short of the sender's watermark",
			d:        withGC(delta("p", 2, 0, 3, liveEntry("k", "v", 2)), 5),
			calls:    []store.Entry{liveEntry("k", "v", 2)},
			wantNode: store.Node{ID: "p", Generation: 2, MaxVersion: 3, GCVersion: 3, Keys: 1},
			want:     []store.Entry{liveEntry("k", "v", 2)},
		},
		{
			name:     "empty known node, plain delta short of the sender's watermark",
			d:        withGC(delta("o", 2, 0, 4, liveEntry("k", "v", 4)), 6),
			calls:    []store.Entry{liveEntry("k", "v", 4)},
			wantNode: store.Node{ID: "o", Generation: 2, MaxVersion: 4, GCVersion: 4, Keys: 1},
			want:     []store.Entry{liveEntry("k", "v", 4)},
		},
		{
			name:     "empty known node adopts the watermark",
			d:        withGC(delta("o", 2, 0, 4, liveEntry("k", "v", 4)), 3),
			calls:    []store.Entry{liveEntry("k", "v", 4)},
			wantNode: store.Node{ID: "o", Generation: 2, MaxVersion: 4, GCVersion: 3, Keys: 1},
			want:     []store.Entry{liveEntry("k", "v", 4)},
		},
		{
			name:  "newer generation replaces",
			setup: setLeft,
			d:     delta("n", 6, 0, 2, liveEntry("c", "3", 1), liveEntry("e", "5", 2)),
			// c keeps its value; a and d vanish; b was already deleted.
			calls:    []store.Entry{liveEntry("e", "5", 2), tomb("a", 2), tomb("d", 2)},
			wantNode: store.Node{ID: "n", Generation: 6, MaxVersion: 2, Keys: 2},
			want:     []store.Entry{liveEntry("c", "3", 1), liveEntry("e", "5", 2)},
		},
		{
			name:     "newer generation, empty delta",
			setup:    setLeft,
			d:        delta("n", 6, 0, 0),
			calls:    []store.Entry{tomb("a", 0), tomb("c", 0), tomb("d", 0)},
			wantNode: store.Node{ID: "n", Generation: 6},
		},
		{
			name:     "newer generation adopts the watermark",
			d:        withGC(delta("n", 6, 0, 3, liveEntry("e", "5", 3)), 2),
			calls:    []store.Entry{liveEntry("e", "5", 3), tomb("a", 3), tomb("c", 3), tomb("d", 3)},
			wantNode: store.Node{ID: "n", Generation: 6, MaxVersion: 3, GCVersion: 2, Keys: 1},
			want:     []store.Entry{liveEntry("e", "5", 3)},
		},

		// Applied: resets. A reset carries every entry the sender holds, so
		// every key it does not carry is dropped, and the node adopts the
		// sender's watermark, which may lower its own.
		{
			name:     "reset replaces every entry",
			d:        reset("n", 5, 9, 3, liveEntry("a", "1", 1), liveEntry("b", "2b", 6), tomb("f", 8)),
			calls:    []store.Entry{liveEntry("b", "2b", 6), tomb("c", 9), tomb("d", 9)},
			wantNode: store.Node{ID: "n", Generation: 5, MaxVersion: 9, GCVersion: 3, Heartbeat: 7, Keys: 3},
			want:     []store.Entry{liveEntry("a", "1", 1), liveEntry("b", "2b", 6), tomb("f", 8)},
		},
		{
			name:     "reset from a sender that collected everything",
			setup:    setLeft,
			d:        reset("n", 5, 8, 8, liveEntry("a", "1", 1), liveEntry("c", "3", 3), liveEntry("e", "5", 8)),
			calls:    []store.Entry{liveEntry("e", "5", 8), tomb("d", 8)},
			wantNode: store.Node{ID: "n", Generation: 5, MaxVersion: 8, GCVersion: 8, Heartbeat: 7, Left: true, Keys: 3},
			want:     []store.Entry{liveEntry("a", "1", 1), liveEntry("c", "3", 3), liveEntry("e", "5", 8)},
		},
		{
			name:     "reset may lower the watermark",
			setup:    func(t tester, s store.Store) { require.Equal(t, 1, s.GC("n", 4)) },
			d:        reset("n", 5, 7, 2, liveEntry("a", "1", 1), liveEntry("c", "3", 3), tomb("b", 4), liveEntry("x", "v", 7)),
			calls:    []store.Entry{liveEntry("x", "v", 7), tomb("d", 7)},
			wantNode: store.Node{ID: "n", Generation: 5, MaxVersion: 7, GCVersion: 2, Heartbeat: 7, Keys: 4},
			want:     []store.Entry{liveEntry("a", "1", 1), liveEntry("c", "3", 3), tomb("b", 4), liveEntry("x", "v", 7)},
		},
		{
			// Cut short by the MTU: the node vouches for every delete
			// through 20, and plain deltas continue the reset.
			name:     "reset with the watermark above Upto",
			d:        reset("n", 5, 7, 20, liveEntry("a", "1", 1)),
			calls:    []store.Entry{tomb("c", 7), tomb("d", 7)},
			wantNode: store.Node{ID: "n", Generation: 5, MaxVersion: 7, GCVersion: 20, Heartbeat: 7, Keys: 1},
			want:     []store.Entry{liveEntry("a", "1", 1)},
		},
		{
			name:     "reset with nothing collected",
			d:        reset("n", 5, 6, 0, liveEntry("a", "1", 1), x6),
			calls:    []store.Entry{x6, tomb("c", 6), tomb("d", 6)},
			wantNode: store.Node{ID: "n", Generation: 5, MaxVersion: 6, Heartbeat: 7, Keys: 2},
			want:     []store.Entry{liveEntry("a", "1", 1), x6},
		},
		{
			// A correct sender holds no such tombstone; the node keeps
			// none at or below its watermark either way.
			name:     "reset carrying a tombstone at or below its watermark",
			d:        reset("n", 5, 7, 6, liveEntry("a", "1", 1), liveEntry("c", "3", 3), tomb("d", 6), liveEntry("x", "v", 7)),
			calls:    []store.Entry{tomb("d", 6), liveEntry("x", "v", 7)},
			wantNode: store.Node{ID: "n", Generation: 5, MaxVersion: 7, GCVersion: 6, Heartbeat: 7, Keys: 3},
			want:     []store.Entry{liveEntry("a", "1", 1), liveEntry("c", "3", 3), liveEntry("x", "v", 7)},
		},
		{
			// The node may hold keys deleted at 6 or 7: the reset lands
			// though the MTU cut it below MaxVersion, which drops.
			name:     "reset below MaxVersion that the node needs",
			d:        reset("n", 5, 3, 7, liveEntry("a", "1", 1), liveEntry("c", "3", 3)),
			calls:    []store.Entry{tomb("d", 3)},
			wantNode: store.Node{ID: "n", Generation: 5, MaxVersion: 3, GCVersion: 7, Heartbeat: 7, Keys: 2},
			want:     []store.Entry{liveEntry("a", "1", 1), liveEntry("c", "3", 3)},
		},
		{
			name:     "reset to a newer generation",
			d:        reset("n", 6, 3, 1, liveEntry("e", "5", 3)),
			calls:    []store.Entry{liveEntry("e", "5", 3), tomb("a", 3), tomb("c", 3), tomb("d", 3)},
			wantNode: store.Node{ID: "n", Generation: 6, MaxVersion: 3, GCVersion: 1, Keys: 1},
			want:     []store.Entry{liveEntry("e", "5", 3)},
		},

		// A reset cut short: node "p" holds k@1 "v" and j@2 "w" through 2
		// with watermark 6 (cutReset).
		{
			name:     "plain delta continues a cut reset",
			setup:    cutReset,
			d:        withGC(delta("p", 1, 2, 8, liveEntry("i", "u", 5), liveEntry("k", "v2", 8)), 6),
			calls:    []store.Entry{liveEntry("i", "u", 5), liveEntry("k", "v2", 8)},
			wantNode: store.Node{ID: "p", Generation: 1, MaxVersion: 8, GCVersion: 6, Keys: 3},
			want:     []store.Entry{liveEntry("j", "w", 2), liveEntry("i", "u", 5), liveEntry("k", "v2", 8)},
		},
		{
			// The sender has not collected j's delete at 4, but its delta
			// reaches the watermark, so it knows of every delete below
			// it. The node keeps no tombstone at or below its watermark.
			name:     "plain delta reaching a cut reset's watermark",
			setup:    cutReset,
			d:        delta("p", 1, 2, 7, tomb("j", 4), tomb("q", 6), liveEntry("i", "u", 7)),
			calls:    []store.Entry{tomb("j", 4), liveEntry("i", "u", 7)},
			wantNode: store.Node{ID: "p", Generation: 1, MaxVersion: 7, GCVersion: 6, Keys: 2},
			want:     []store.Entry{liveEntry("k", "v", 1), liveEntry("i", "u", 7)},
		},
		{
			// The sender has collected further than the node's watermark.
			name:    "plain delta above a cut reset's watermark",
			setup:   cutReset,
			d:       withGC(delta("p", 1, 2, 9, liveEntry("i", "u", 9)), 7),
			wantErr: store.ErrGap,
		},
		{
			// The sender may not know of a delete in (5, 6] that the
			// node vouches for: j may have been deleted at 6.
			name:    "plain delta short of a cut reset's watermark",
			setup:   cutReset,
			d:       withGC(delta("p", 1, 2, 5, liveEntry("i", "u", 5)), 5),
			wantErr: store.ErrGap,
		},
		{
			name:     "cut reset continued by a reset",
			setup:    cutReset,
			d:        reset("p", 1, 3, 0, liveEntry("j", "w", 2), liveEntry("i", "u", 3)),
			calls:    []store.Entry{liveEntry("i", "u", 3), tomb("k", 3)},
			wantNode: store.Node{ID: "p", Generation: 1, MaxVersion: 3, Keys: 2},
			want:     []store.Entry{liveEntry("j", "w", 2), liveEntry("i", "u", 3)},
		},
	}
}

func testApply(t *testing.T, newStore func() store.Store) {
	for _, tc := range applyCases() {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore()
			seed(t, s)
			if tc.setup != nil {
				tc.setup(t, s)
			}
			before := snapshot(t, s)
			var calls []store.Entry
			record := func(e store.Entry) { calls = append(calls, e) }

			err := s.Apply(tc.d, record)
			after := snapshot(t, s)
			if tc.wantErr != nil || tc.noop {
				if tc.wantErr != nil {
					require.ErrorIs(t, err, tc.wantErr)
				} else {
					require.NoError(t, err)
				}
				require.Empty(t, calls, "a refused or held delta called fn")
				require.Equal(t, before, after, "a refused or held delta changed the store")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.calls, calls, "callbacks")
			id := tc.d.ID
			require.Equal(t, without(before, id), without(after, id), "Apply touched another node")
			got := nodeOf(t, after, id)
			require.Equal(t, tc.wantNode, got.Node)
			require.Equal(t, tc.want, got.Entries)

			// Applying it again changes and reports nothing.
			calls = nil
			require.NoError(t, s.Apply(tc.d, record))
			require.Empty(t, calls, "second Apply of the same delta called fn")
			require.Equal(t, after, snapshot(t, s), "second Apply of the same delta changed the store")

			// fn may be nil.
			s2 := newStore()
			seed(t, s2)
			if tc.setup != nil {
				tc.setup(t, s2)
			}
			require.NoError(t, s2.Apply(tc.d, nil))
			require.Equal(t, after, snapshot(t, s2), "Apply with a nil fn")
		})
	}
}

func testApplyDoesNotRetain(t *testing.T, newStore func() store.Store) {
	for _, d := range []*store.Delta{
		delta("n", 5, 5, 7, liveEntry("x", "v", 6), liveEntry("y", "w", 7)),
		reset("n", 5, 7, 2, liveEntry("x", "v", 6), liveEntry("y", "w", 7)),
		delta("p", 1, 0, 7, liveEntry("x", "v", 6), liveEntry("y", "w", 7)),
	} {
		s := newStore()
		seed(t, s)
		require.NoError(t, s.Apply(d, nil))
		want := snapshot(t, s)
		for i := range d.Entries {
			d.Entries[i] = liveEntry("zz", "scribbled", 99)
		}
		d.Entries = d.Entries[:0]
		require.Equal(t, want, snapshot(t, s), "the store kept the delta's slice")
	}
}

func testApplyGenerations(t *testing.T, newStore func() store.Store) {
	s := newStore()
	require.NoError(t, s.Apply(delta("p", 3, 0, 1, liveEntry("k", "v", 1)), nil))
	require.True(t, s.Heartbeat("p", 3, 5))
	require.True(t, s.SetLeft("p", 3))
	before := snapshot(t, s)

	require.ErrorIs(t, s.Apply(delta("p", 2, 0, 9, liveEntry("k", "old", 9)), nil), store.ErrStaleGeneration)
	_, err := s.AddNode("p", 2)
	require.ErrorIs(t, err, store.ErrStaleGeneration)
	replaced, err := s.AddNode("p", 3)
	require.NoError(t, err)
	require.False(t, replaced)
	require.Equal(t, before, snapshot(t, s))

	require.NoError(t, s.Apply(delta("p", 4, 0, 0), nil))
	n, _ := s.Node("p")
	require.Equal(t, store.Node{ID: "p", Generation: 4}, n, "a newer generation keeps nothing of the old")
	require.False(t, s.Heartbeat("p", 3, 10), "heartbeat of a retired generation")
	require.False(t, s.SetLeft("p", 3), "SetLeft of a retired generation")
	require.ErrorIs(t, s.Apply(delta("p", 3, 0, 1, liveEntry("k", "v", 1)), nil), store.ErrStaleGeneration)
	require.True(t, s.Heartbeat("p", 4, 1))
}
