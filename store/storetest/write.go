package storetest

import (
	"testing"

	"github.com/scuttlebutt-go/scuttlebutt/store"
	"github.com/stretchr/testify/require"
)

// step is one call of a write case: a Write, or a Remove if w is nil.
type step struct {
	w      *store.Write
	remove string
	// invalid says the call must fail with store.ErrInvalidWrite and change
	// nothing; otherwise it must succeed.
	invalid bool
}

// put is a step writing n's summary and putting es.
func put(n store.Node, es ...store.Entry) step {
	return step{w: &store.Write{Node: n, Put: es}}
}

// remove is a step removing id.
func remove(id string) step { return step{remove: id} }

// refused is a step whose Write the store must refuse.
func refused(w *store.Write) step { return step{w: w, invalid: true} }

// writeCase is a sequence of calls and the store's whole content after them.
type writeCase struct {
	name  string
	steps []step
	want  []nodeSnap // in ID order
}

// writeCases are the suite's table of Write and Remove cases.
var writeCases = []writeCase{
	{
		name:  "create via Write",
		steps: []step{put(node("a", 1, 2), live("x", "1", 1), live("y", "2", 2))},
		want:  []nodeSnap{want(node("a", 1, 2), live("x", "1", 1), live("y", "2", 2))},
	},
	{
		name:  "create with a summary only",
		steps: []step{put(node("a", 4, 0))},
		want:  []nodeSnap{want(node("a", 4, 0))},
	},
	{
		name: "summary round-trip, Keys maintained",
		steps: []step{
			put(store.Node{ID: "a", Generation: 7, MaxVersion: 9, GCVersion: 12, Left: true, Keys: 99}),
		},
		want: []nodeSnap{want(store.Node{ID: "a", Generation: 7, MaxVersion: 9, GCVersion: 12, Left: true})},
	},
	{
		name: "summary adopted as given, entries kept without Replace",
		steps: []step{
			put(store.Node{ID: "a", Generation: 7, MaxVersion: 9, GCVersion: 3, Left: true},
				live("x", "1", 8), tomb("y", 9)),
			put(store.Node{ID: "a", Generation: 2, MaxVersion: 1, Keys: 5}),
		},
		want: []nodeSnap{want(node("a", 2, 1), live("x", "1", 8), tomb("y", 9))},
	},
	{
		name:  "Keys counts tombstones",
		steps: []step{put(node("a", 1, 3), tomb("x", 1), live("y", "v", 2), tomb("z", 3))},
		want:  []nodeSnap{want(node("a", 1, 3), tomb("x", 1), live("y", "v", 2), tomb("z", 3))},
	},
	{
		name: "tombstones at or below GCVersion and entries above MaxVersion are held",
		steps: []step{
			put(store.Node{ID: "a", Generation: 1, MaxVersion: 2, GCVersion: 5},
				tomb("x", 1), tomb("y", 5), live("z", "v", 9)),
		},
		want: []nodeSnap{want(store.Node{ID: "a", Generation: 1, MaxVersion: 2, GCVersion: 5},
			tomb("x", 1), tomb("y", 5), live("z", "v", 9))},
	},
	{
		name: "Replace drops entries",
		steps: []step{
			put(node("a", 1, 3), live("x", "1", 1), live("y", "2", 2), tomb("z", 3)),
			{w: &store.Write{Node: node("a", 2, 1), Replace: true, Put: []store.Entry{live("w", "new", 1)}}},
		},
		want: []nodeSnap{want(node("a", 2, 1), live("w", "new", 1))},
	},
	{
		name: "Replace alone empties the node",
		steps: []step{
			put(node("a", 1, 2), live("x", "1", 1), live("y", "2", 2)),
			{w: &store.Write{Node: node("a", 2, 0), Replace: true}},
		},
		want: []nodeSnap{want(node("a", 2, 0))},
	},
	{
		name: "Replace then Put of a key held at a higher version",
		steps: []step{
			put(node("a", 1, 5), live("x", "old", 5)),
			{w: &store.Write{Node: node("a", 2, 1), Replace: true, Put: []store.Entry{live("x", "new", 1)}}},
		},
		want: []nodeSnap{want(node("a", 2, 1), live("x", "new", 1))},
	},
	{
		name: "Replace on an unknown node creates it",
		steps: []step{
			{w: &store.Write{Node: node("a", 1, 1), Replace: true, Put: []store.Entry{live("x", "1", 1)}}},
		},
		want: []nodeSnap{want(node("a", 1, 1), live("x", "1", 1))},
	},
	{
		name: "Drop forgets keys, ignores unknown ones",
		steps: []step{
			put(node("a", 1, 3), live("x", "1", 1), tomb("y", 2), live("z", "3", 3)),
			{w: &store.Write{Node: node("a", 1, 3), Drop: []string{"y", "nope", "", "x", "x"}}},
		},
		want: []nodeSnap{want(node("a", 1, 3), live("z", "3", 3))},
	},
	{
		name: "Drop on an unknown node creates it",
		steps: []step{
			{w: &store.Write{Node: node("a", 1, 0), Drop: []string{"x"}}},
		},
		want: []nodeSnap{want(node("a", 1, 0))},
	},
	{
		name: "Drop then Put of one key in one write holds the Put",
		steps: []step{
			put(node("a", 1, 2), live("x", "1", 1), live("y", "2", 2)),
			{w: &store.Write{Node: node("a", 1, 3), Drop: []string{"x", "y"}, Put: []store.Entry{live("x", "3", 3)}}},
		},
		want: []nodeSnap{want(node("a", 1, 3), live("x", "3", 3))},
	},
	{
		name: "Replace, Drop and Put in one write",
		steps: []step{
			put(node("a", 1, 2), live("x", "1", 1), live("y", "2", 2)),
			{w: &store.Write{Node: node("a", 2, 2), Replace: true, Drop: []string{"x"},
				Put: []store.Entry{live("y", "b", 2), live("x", "a", 1)}}},
		},
		want: []nodeSnap{want(node("a", 2, 2), live("x", "a", 1), live("y", "b", 2))},
	},
	{
		name: "Put replaces the same key",
		steps: []step{
			put(node("a", 1, 2), live("x", "1", 1), live("y", "2", 2)),
			put(node("a", 1, 3), live("x", "3", 3)),
			put(node("a", 1, 4), tomb("y", 4)),
			put(node("a", 1, 5), live("y", "back", 5)),
		},
		want: []nodeSnap{want(node("a", 1, 5), live("x", "3", 3), live("y", "back", 5))},
	},
	{
		name: "Put replaces the same key at a lower version",
		steps: []step{
			put(node("a", 1, 5), live("x", "1", 1), live("y", "5", 5)),
			put(node("a", 1, 5), live("y", "2", 2)),
		},
		want: []nodeSnap{want(node("a", 1, 5), live("x", "1", 1), live("y", "2", 2))},
	},
	{
		name: "Put replaces the same key at the same version",
		steps: []step{
			put(node("a", 1, 2), live("x", "1", 1), live("y", "2", 2)),
			put(node("a", 1, 2), tomb("x", 1)),
		},
		want: []nodeSnap{want(node("a", 1, 2), tomb("x", 1), live("y", "2", 2))},
	},
	{
		name: "a key listed twice in one Put takes the last",
		steps: []step{
			put(node("a", 1, 4), live("x", "1", 1), live("y", "2", 2), live("x", "3", 3), tomb("y", 4)),
			put(node("b", 1, 6), live("x", "6", 6), live("x", "5", 5)),
		},
		want: []nodeSnap{
			want(node("a", 1, 4), live("x", "3", 3), tomb("y", 4)),
			want(node("b", 1, 6), live("x", "5", 5)),
		},
	},
	{
		name: "out-of-order Put versions iterate ascending",
		steps: []step{
			put(node("a", 1, 9), live("c", "5", 5), live("a", "1", 1), live("b", "3", 3)),
			put(node("a", 1, 9), live("e", "4", 4), live("d", "2", 2), live("f", "9", 9)),
			put(node("a", 1, 9), live("c", "7", 7), live("b", "6", 6)), // leaves blanks
			put(node("a", 1, 9), live("g", "3", 3), live("h", "8", 8)),
		},
		want: []nodeSnap{want(node("a", 1, 9),
			live("a", "1", 1), live("d", "2", 2), live("g", "3", 3), live("e", "4", 4),
			live("b", "6", 6), live("c", "7", 7), live("h", "8", 8), live("f", "9", 9))},
	},
	{
		name: "descending versions, one per write",
		steps: []step{
			put(node("a", 1, 0), live("k5", "", 5)),
			put(node("a", 1, 0), live("k4", "", 4)),
			put(node("a", 1, 0), live("k3", "", 3)),
			put(node("a", 1, 0), live("k2", "", 2)),
			put(node("a", 1, 0), live("k1", "", 1)),
		},
		want: []nodeSnap{want(node("a", 1, 0),
			live("k1", "", 1), live("k2", "", 2), live("k3", "", 3), live("k4", "", 4), live("k5", "", 5))},
	},
	{
		name: "nodes listed in ID order",
		steps: []step{
			put(node("m", 1, 0)), put(node("b", 1, 0)), put(node("z", 1, 0)), put(node("a", 1, 0)),
			put(node("mm", 1, 0)),
		},
		want: []nodeSnap{
			want(node("a", 1, 0)), want(node("b", 1, 0)), want(node("m", 1, 0)),
			want(node("mm", 1, 0)), want(node("z", 1, 0)),
		},
	},
	{
		name: "Remove forgets a node and its entries",
		steps: []step{
			put(node("a", 1, 1), live("x", "1", 1)),
			put(node("b", 1, 1), live("x", "1", 1)),
			put(node("c", 1, 1), live("x", "1", 1)),
			remove("b"),
			remove("b"),
			remove("nope"),
			remove(""),
		},
		want: []nodeSnap{want(node("a", 1, 1), live("x", "1", 1)), want(node("c", 1, 1), live("x", "1", 1))},
	},
	{
		name: "a removed node written again starts from nothing",
		steps: []step{
			put(store.Node{ID: "a", Generation: 1, MaxVersion: 2, GCVersion: 1, Left: true},
				live("x", "1", 1), live("y", "2", 2)),
			remove("a"),
			put(node("a", 1, 3), live("z", "3", 3)),
		},
		want: []nodeSnap{want(node("a", 1, 3), live("z", "3", 3))},
	},
	{
		name:  "a nil write is refused",
		steps: []step{refused(nil)},
	},
	{
		name:  "an empty node ID is refused",
		steps: []step{refused(&store.Write{Node: node("", 1, 1), Put: []store.Entry{live("x", "1", 1)}})},
	},
	{
		name: "an empty key is refused and changes nothing",
		steps: []step{
			put(store.Node{ID: "a", Generation: 1, MaxVersion: 2, GCVersion: 1}, live("x", "1", 1), live("y", "2", 2)),
			refused(&store.Write{Node: node("a", 2, 9), Replace: true, Drop: []string{"x"},
				Put: []store.Entry{live("z", "3", 3), live("", "4", 4)}}),
			refused(&store.Write{Node: node("a", 2, 9), Put: []store.Entry{live("", "4", 4), live("z", "3", 3)}}),
		},
		want: []nodeSnap{want(store.Node{ID: "a", Generation: 1, MaxVersion: 2, GCVersion: 1},
			live("x", "1", 1), live("y", "2", 2))},
	},
	{
		name: "a refused write does not create its node",
		steps: []step{
			put(node("a", 1, 0)),
			refused(&store.Write{Node: node("b", 1, 1), Put: []store.Entry{tomb("", 1)}}),
		},
		want: []nodeSnap{want(node("a", 1, 0))},
	},
}

// testWrites runs writeCases, checking after every step that the store's
// reads agree with each other and that a refused call changed nothing.
func testWrites(t *testing.T, newStore func() store.Store) {
	for _, tc := range writeCases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore()
			for i, st := range tc.steps {
				before := snapshot(t, s)
				switch {
				case st.invalid:
					err := s.Write(st.w)
					require.ErrorIs(t, err, store.ErrInvalidWrite, "step %d", i)
					require.Equal(t, before, snapshot(t, s), "step %d: a refused write changed the store", i)
				case st.w != nil:
					require.NoError(t, s.Write(st.w), "step %d", i)
				default:
					require.NoError(t, s.Remove(st.remove), "step %d", i)
				}
			}
			require.Equal(t, tc.want, snapshot(t, s))
		})
	}
}
