package storetest

import (
	"testing"

	"github.com/scuttlebutt-go/scuttlebutt/store"
	"github.com/stretchr/testify/require"
)

// seed fills s with node "n" at generation 5 holding
//
//	a@1 "1", c@3 "3", b@4 tombstone, d@5 "4"; MaxVersion 5, heartbeat 7
//
// (b was "2" at version 2), and two bystanders, "m" (one key) and "o"
// (empty), that nothing in a test about "n" may touch.
func seed(t tester, s store.Store) {
	t.Helper()
	addNode(t, s, "n", 5)
	put(t, s, "n", "a", "1")
	put(t, s, "n", "b", "2")
	put(t, s, "n", "c", "3")
	del(t, s, "n", "b")
	put(t, s, "n", "d", "4")
	require.True(t, s.Heartbeat("n", 5, 7))
	addNode(t, s, "m", 1)
	put(t, s, "m", "x", "1")
	addNode(t, s, "o", 2)
}

// seedEntries is node "n"'s entries after seed.
var seedEntries = []store.Entry{liveEntry("a", "1", 1), liveEntry("c", "3", 3), tomb("b", 4), liveEntry("d", "4", 5)}

// without returns snap minus node id.
func without(snap []nodeSnap, id string) []nodeSnap {
	var out []nodeSnap
	for _, ns := range snap {
		if ns.Node.ID != id {
			out = append(out, ns)
		}
	}
	return out
}

// nodeOf returns node id's part of snap.
func nodeOf(t tester, snap []nodeSnap, id string) nodeSnap {
	t.Helper()
	for _, ns := range snap {
		if ns.Node.ID == id {
			return ns
		}
	}
	t.Fatalf("node %q missing", id)
	return nodeSnap{}
}

func testAddNode(t *testing.T, newStore func() store.Store) {
	cases := []struct {
		name         string
		id           string
		gen          uint64
		wantReplaced bool
		wantErr      error
		changed      bool // node id is then {ID, gen} with no entries
	}{
		{name: "unknown", id: "p", gen: 3, changed: true},
		{name: "same generation", id: "n", gen: 5},
		{name: "newer generation replaces", id: "n", gen: 6, wantReplaced: true, changed: true},
		{name: "older generation", id: "n", gen: 4, wantErr: store.ErrStaleGeneration},
		{name: "generation zero below", id: "m", gen: 0, wantErr: store.ErrStaleGeneration},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore()
			seed(t, s)
			require.True(t, s.SetLeft("n", 5))
			require.Equal(t, 1, s.GC("n", 4))
			before := snapshot(t, s)

			replaced, err := s.AddNode(tc.id, tc.gen)
			require.ErrorIs(t, err, tc.wantErr)
			require.Equal(t, tc.wantReplaced, replaced)
			after := snapshot(t, s)
			if !tc.changed {
				require.Equal(t, before, after)
				return
			}
			require.Equal(t, without(before, tc.id), without(after, tc.id), "other nodes changed")
			got := nodeOf(t, after, tc.id)
			require.Equal(t, store.Node{ID: tc.id, Generation: tc.gen}, got.Node)
			require.Empty(t, got.Entries)
			_, ok := s.Get(tc.id, "a")
			require.False(t, ok)
		})
	}
}

func testPut(t *testing.T, newStore func() store.Store) {
	s := newStore()
	addNode(t, s, "n", 1)
	addNode(t, s, "m", 1)
	steps := []struct {
		key, value  string
		tombstone   bool
		wantChanged bool
		want        store.Entry // checked when changed
	}{
		{key: "a", value: "1", wantChanged: true, want: liveEntry("a", "1", 1)},
		{key: "a", value: "1"}, // unchanged value
		{key: "a", value: "2", wantChanged: true, want: liveEntry("a", "2", 2)}, // overwrite
		{key: "b", value: "", wantChanged: true, want: liveEntry("b", "", 3)},   // empty value is a value
		{key: "b", value: ""},
		{key: "c", tombstone: true}, // delete missing
		{key: "a", tombstone: true, wantChanged: true, want: tomb("a", 4)},
		{key: "a", tombstone: true},                                           // delete deleted
		{key: "a", value: "", wantChanged: true, want: liveEntry("a", "", 5)}, // set deleted key
		{key: "b", value: "junk", tombstone: true, wantChanged: true, want: tomb("b", 6)},
		{key: "b", value: "other", tombstone: true}, // value ignored on delete
		{key: "b", value: "2", wantChanged: true, want: liveEntry("b", "2", 7)},
	}
	for i, st := range steps {
		prevMax := uint64(0)
		if n, ok := s.Node("n"); ok {
			prevMax = n.MaxVersion
		}
		e, changed, err := s.Put("n", st.key, st.value, st.tombstone)
		require.NoError(t, err, "step %d", i)
		require.Equal(t, st.wantChanged, changed, "step %d: changed", i)
		n, _ := s.Node("n")
		if !st.wantChanged {
			require.Equal(t, prevMax, n.MaxVersion, "step %d: a no-op consumed a version", i)
			continue
		}
		require.Equal(t, st.want, e, "step %d", i)
		require.Equal(t, st.want.Version, n.MaxVersion, "step %d", i)
		got, ok := s.Get("n", st.key)
		require.True(t, ok, "step %d", i)
		require.Equal(t, st.want, got, "step %d", i)
	}
	snap := snapshot(t, s)
	require.Equal(t, []store.Entry{liveEntry("a", "", 5), liveEntry("b", "2", 7)}, nodeOf(t, snap, "n").Entries)
	require.Equal(t, store.Node{ID: "n", Generation: 1, MaxVersion: 7, Keys: 2}, nodeOf(t, snap, "n").Node)
	require.Equal(t, store.Node{ID: "m", Generation: 1}, nodeOf(t, snap, "m").Node, "Put touched another node")
}

func testPutRefused(t *testing.T, newStore func() store.Store) {
	cases := []struct {
		name, id, key string
		wantErr       error // nil: any error
	}{
		{name: "unknown node", id: "zz", key: "a", wantErr: store.ErrUnknownNode},
		{name: "empty key", id: "n", key: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore()
			seed(t, s)
			before := snapshot(t, s)
			for _, tombstone := range []bool{false, true} {
				_, changed, err := s.Put(tc.id, tc.key, "v", tombstone)
				require.Error(t, err)
				if tc.wantErr != nil {
					require.ErrorIs(t, err, tc.wantErr)
				}
				require.False(t, changed)
				require.Equal(t, before, snapshot(t, s))
			}
		})
	}
}

func testEntries(t *testing.T, newStore func() store.Store) {
	s := newStore()
	seed(t, s)
	cases := []struct {
		id    string
		after uint64
		want  []store.Entry
	}{
		{"n", 0, seedEntries},
		{"n", 1, seedEntries[1:]},
		{"n", 2, seedEntries[1:]},
		{"n", 3, seedEntries[2:]},
		{"n", 4, seedEntries[3:]},
		{"n", 5, nil},
		{"n", 1 << 62, nil},
		{"unknown", 0, nil},
		{"o", 0, nil},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, entries(s, tc.id, tc.after), "Entries(%q, %d)", tc.id, tc.after)
	}
	for stop := 1; stop <= 3; stop++ {
		calls := 0
		s.Entries("n", 0, func(store.Entry) bool {
			calls++
			return calls < stop
		})
		require.Equal(t, stop, calls, "Entries did not stop when fn returned false")
	}
	for _, e := range seedEntries {
		got, ok := s.Get("n", e.Key)
		require.True(t, ok)
		require.Equal(t, e, got)
	}
	for _, miss := range [][2]string{{"n", "zz"}, {"unknown", "a"}, {"m", "a"}} {
		_, ok := s.Get(miss[0], miss[1])
		require.False(t, ok, "Get(%q, %q)", miss[0], miss[1])
	}
}

func testRange(t *testing.T, newStore func() store.Store) {
	s := newStore()
	for i, id := range []string{"c", "a", "e", "b", "d"} {
		addNode(t, s, id, uint64(i+1))
	}
	require.Equal(t, 5, s.Len())
	ids := func(lo, hi string) []string {
		var out []string
		s.Range(lo, hi, func(n store.Node) bool {
			want, ok := s.Node(n.ID)
			require.True(t, ok)
			require.Equal(t, want, n)
			out = append(out, n.ID)
			return true
		})
		return out
	}
	cases := []struct {
		lo, hi string
		want   []string
	}{
		{"", "", []string{"a", "b", "c", "d", "e"}},
		{"b", "d", []string{"b", "c", "d"}},
		{"b", "", []string{"b", "c", "d", "e"}},
		{"", "b", []string{"a", "b"}},
		{"bb", "cc", []string{"c"}},
		{"c", "c", []string{"c"}},
		{"d", "b", nil},
		{"f", "", nil},
		{"", "0", nil},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, ids(tc.lo, tc.hi), "Range(%q, %q)", tc.lo, tc.hi)
	}
	calls := 0
	s.Range("", "", func(store.Node) bool {
		calls++
		return calls < 2
	})
	require.Equal(t, 2, calls, "Range did not stop when fn returned false")
	empty := newStore()
	require.Equal(t, 0, empty.Len())
	empty.Range("", "", func(store.Node) bool { t.Fatal("Range on an empty store called fn"); return true })
}

func testHeartbeat(t *testing.T, newStore func() store.Store) {
	cases := []struct {
		name   string
		id     string
		gen    uint64
		hb     uint64
		wantHB uint64 // node n's heartbeat afterwards
		rose   bool
	}{
		{"rises", "n", 5, 8, 8, true},
		{"jumps", "n", 5, 1000, 1000, true},
		{"equal", "n", 5, 7, 7, false},
		{"lower", "n", 5, 6, 7, false},
		{"older generation", "n", 4, 100, 7, false},
		{"newer generation", "n", 6, 100, 7, false},
		{"unknown node", "zz", 5, 100, 7, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore()
			seed(t, s)
			before := snapshot(t, s)
			require.Equal(t, tc.rose, s.Heartbeat(tc.id, tc.gen, tc.hb))
			n, _ := s.Node("n")
			require.Equal(t, tc.wantHB, n.Heartbeat)
			if !tc.rose {
				require.Equal(t, before, snapshot(t, s))
			}
			_, known := s.Node("zz")
			require.False(t, known, "Heartbeat added a node")
		})
	}
}

func testSetLeft(t *testing.T, newStore func() store.Store) {
	cases := []struct {
		name    string
		id      string
		gen     uint64
		changed bool
	}{
		{"same generation", "n", 5, true},
		{"older generation", "n", 4, false},
		{"newer generation", "n", 6, false},
		{"unknown node", "zz", 5, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore()
			seed(t, s)
			before := snapshot(t, s)
			require.Equal(t, tc.changed, s.SetLeft(tc.id, tc.gen))
			n, _ := s.Node("n")
			require.Equal(t, tc.changed, n.Left)
			if !tc.changed {
				require.Equal(t, before, snapshot(t, s))
				return
			}
			require.False(t, s.SetLeft(tc.id, tc.gen), "second SetLeft reported a change")
			n.Left = false
			require.Equal(t, nodeOf(t, before, "n").Node, n, "SetLeft changed more than Left")
		})
	}
}

func testRemove(t *testing.T, newStore func() store.Store) {
	s := newStore()
	seed(t, s)
	before := snapshot(t, s)
	s.Remove("unknown")
	require.Equal(t, before, snapshot(t, s))

	s.Remove("n")
	require.Equal(t, without(before, "n"), snapshot(t, s))
	_, ok := s.Node("n")
	require.False(t, ok)
	_, ok = s.Get("n", "a")
	require.False(t, ok)
	require.Empty(t, entries(s, "n", 0))
	require.Equal(t, 2, s.Len())

	// Forgotten entirely: any generation may come back.
	addNode(t, s, "n", 1)
	require.Equal(t, store.Node{ID: "n", Generation: 1}, nodeOf(t, snapshot(t, s), "n").Node)
}

func testGC(t *testing.T, newStore func() store.Store) {
	// a@3 T, c@4 "1", b@5 T, d@7 T, e@8 "1"; MaxVersion 8.
	fill := func(t *testing.T, s store.Store) {
		seed(t, s)
		addNode(t, s, "g", 1)
		put(t, s, "g", "a", "1")
		put(t, s, "g", "b", "1")
		del(t, s, "g", "a")
		put(t, s, "g", "c", "1")
		del(t, s, "g", "b")
		put(t, s, "g", "d", "1")
		del(t, s, "g", "d")
		put(t, s, "g", "e", "1")
	}
	all := []store.Entry{tomb("a", 3), liveEntry("c", "1", 4), tomb("b", 5), tomb("d", 7), liveEntry("e", "1", 8)}
	cases := []struct {
		name    string
		ups     []uint64 // GC calls in order
		dropped []int
		wantGC  uint64
		want    []store.Entry
	}{
		{"zero", []uint64{0}, []int{0}, 0, all},
		{"below the first", []uint64{2}, []int{0}, 2, all},
		{"one", []uint64{3}, []int{1}, 3, all[1:]},
		{"two", []uint64{6}, []int{2}, 6, []store.Entry{all[1], all[3], all[4]}},
		{"all", []uint64{8}, []int{3}, 8, []store.Entry{all[1], all[4]}},
		{"capped at MaxVersion", []uint64{1000}, []int{3}, 8, []store.Entry{all[1], all[4]}},
		{"in steps", []uint64{3, 5, 7}, []int{1, 1, 1}, 7, []store.Entry{all[1], all[4]}},
		{"never lowers", []uint64{6, 3}, []int{2, 0}, 6, []store.Entry{all[1], all[3], all[4]}},
		{"repeated", []uint64{5, 5}, []int{2, 0}, 5, []store.Entry{all[1], all[3], all[4]}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore()
			fill(t, s)
			before := snapshot(t, s)
			for i, up := range tc.ups {
				require.Equal(t, tc.dropped[i], s.GC("g", up), "GC(%d)", up)
			}
			after := snapshot(t, s)
			require.Equal(t, without(before, "g"), without(after, "g"), "GC touched another node")
			g := nodeOf(t, after, "g")
			require.Equal(t, tc.want, g.Entries)
			require.Equal(t, store.Node{ID: "g", Generation: 1, MaxVersion: 8, GCVersion: tc.wantGC, Keys: len(tc.want)}, g.Node)
		})
	}
	t.Run("unknown node", func(t *testing.T) {
		s := newStore()
		fill(t, s)
		before := snapshot(t, s)
		require.Equal(t, 0, s.GC("zz", 10))
		require.Equal(t, before, snapshot(t, s))
	})
	t.Run("collected keys", func(t *testing.T) {
		s := newStore()
		fill(t, s)
		require.Equal(t, 3, s.GC("g", 8))
		_, changed, err := s.Put("g", "a", "", true)
		require.NoError(t, err)
		require.False(t, changed, "deleting a collected key is a no-op")
		require.Equal(t, liveEntry("a", "2", 9), put(t, s, "g", "a", "2"))
	})
}
