package storetest

import (
	"testing"

	"github.com/scuttlebutt-go/scuttlebutt/store"
	"github.com/stretchr/testify/require"
)

// testEntries checks Entries' after bound, order and early stop.
func testEntries(t *testing.T, newStore func() store.Store) {
	s := newStore()
	// Out of order, with tombstones, and with a replaced key leaving a gap.
	write(t, s, &store.Write{Node: node("a", 1, 8), Put: []store.Entry{
		live("k8", "8", 8), live("k2", "2", 2), tomb("k4", 4), live("k6", "6", 6), live("k1", "1", 1),
	}})
	write(t, s, &store.Write{Node: node("a", 1, 9), Put: []store.Entry{live("k2", "9", 9)}})
	all := []store.Entry{live("k1", "1", 1), tomb("k4", 4), live("k6", "6", 6), live("k8", "8", 8), live("k2", "9", 9)}

	for _, tc := range []struct {
		name  string
		after uint64
		want  []store.Entry
	}{
		{"after 0", 0, all},
		{"after the first", 1, all[1:]},
		{"after a replaced version", 2, all[1:]},
		{"after a gap", 5, all[2:]},
		{"after a tombstone", 4, all[2:]},
		{"after the last but one", 8, all[4:]},
		{"after the last", 9, nil},
		{"far above", 1 << 63, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, entries(s, "a", tc.after))
		})
	}

	t.Run("early stop", func(t *testing.T) {
		for stop := 1; stop <= len(all); stop++ {
			var got []store.Entry
			s.Entries("a", 0, func(e store.Entry) bool {
				got = append(got, e)
				return len(got) < stop
			})
			require.Equal(t, all[:stop], got, "stop after %d", stop)
		}
	})
	t.Run("unknown node", func(t *testing.T) {
		s.Entries("b", 0, func(store.Entry) bool {
			t.Fatal("fn called for an unknown node")
			return true
		})
	})
	t.Run("empty node", func(t *testing.T) {
		write(t, s, &store.Write{Node: node("e", 1, 0)})
		require.Nil(t, entries(s, "e", 0))
	})
}

// testRange checks Range's bounds, order and early stop, and Len.
func testRange(t *testing.T, newStore func() store.Store) {
	s := newStore()
	ids := []string{"node-3", "node-1", "node-10", "node-2", "alpha", "zeta"}
	for i, id := range ids {
		write(t, s, &store.Write{Node: node(id, uint64(i+1), 0)})
	}
	require.Equal(t, len(ids), s.Len())
	rng := func(lo, hi string) []string {
		var out []string
		s.Range(lo, hi, func(n store.Node) bool {
			out = append(out, n.ID)
			return true
		})
		return out
	}
	sorted := []string{"alpha", "node-1", "node-10", "node-2", "node-3", "zeta"}
	for _, tc := range []struct {
		name   string
		lo, hi string
		want   []string
	}{
		{"unbounded", "", "", sorted},
		{"both bounds inclusive", "node-1", "node-2", sorted[1:4]},
		{"bounds between IDs", "b", "node-11", sorted[1:3]},
		{"lo only", "node-2", "", sorted[3:]},
		{"hi only", "", "node-10", sorted[:3]},
		{"one ID", "node-3", "node-3", sorted[4:5]},
		{"below every ID", "", "a", nil},
		{"above every ID", "zz", "", nil},
		{"lo above hi", "node-3", "node-1", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, rng(tc.lo, tc.hi))
		})
	}
	t.Run("early stop", func(t *testing.T) {
		for stop := 1; stop <= len(sorted); stop++ {
			var got []string
			s.Range("", "", func(n store.Node) bool {
				got = append(got, n.ID)
				return len(got) < stop
			})
			require.Equal(t, sorted[:stop], got, "stop after %d", stop)
		}
	})
	t.Run("summaries", func(t *testing.T) {
		s.Range("node-2", "node-2", func(n store.Node) bool {
			require.Equal(t, node("node-2", 4, 0), n)
			return true
		})
	})
	t.Run("after Remove", func(t *testing.T) {
		require.NoError(t, s.Remove("node-10"))
		require.NoError(t, s.Remove("alpha"))
		require.Equal(t, []string{"node-1", "node-2", "node-3", "zeta"}, rng("", ""))
		require.Equal(t, 4, s.Len())
	})
}

// testGet checks Get's misses and tombstones.
func testGet(t *testing.T, newStore func() store.Store) {
	s := newStore()
	write(t, s, &store.Write{Node: node("a", 1, 2), Put: []store.Entry{live("x", "v", 1), tomb("y", 2)}})
	for _, tc := range []struct {
		name    string
		id, key string
		want    store.Entry
		ok      bool
	}{
		{"live", "a", "x", live("x", "v", 1), true},
		{"tombstone", "a", "y", tomb("y", 2), true},
		{"unknown key", "a", "z", store.Entry{}, false},
		{"empty key", "a", "", store.Entry{}, false},
		{"unknown node", "b", "x", store.Entry{}, false},
		{"empty ID", "", "x", store.Entry{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, ok := s.Get(tc.id, tc.key)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, e)
		})
	}
	_, ok := s.Node("b")
	require.False(t, ok, "Node of an unknown node")
	require.NoError(t, s.Write(&store.Write{Node: node("a", 1, 2), Drop: []string{"x"}}))
	_, ok = s.Get("a", "x")
	require.False(t, ok, "Get of a dropped key")
}

// testNotRetained mutates everything passed to Write after the call and
// checks that the store did not keep it.
func testNotRetained(t *testing.T, newStore func() store.Store) {
	s := newStore()
	w := &store.Write{Node: node("a", 1, 3), Put: []store.Entry{live("x", "1", 1), live("y", "2", 2), live("z", "3", 3)}}
	write(t, s, w)
	w.Node.ID, w.Node.Generation = "b", 9
	for i := range w.Put {
		w.Put[i] = live("q", "mutated", 100+uint64(i))
	}
	w.Put = w.Put[:0]

	drop := &store.Write{Node: node("a", 1, 4), Drop: []string{"y"}, Put: []store.Entry{live("w", "4", 4)}}
	write(t, s, drop)
	drop.Drop[0] = "x"
	drop.Put[0] = live("x", "mutated", 1)

	want := []nodeSnap{want(node("a", 1, 4), live("x", "1", 1), live("z", "3", 3), live("w", "4", 4))}
	require.Equal(t, want, snapshot(t, s))

	// What the store returns is the caller's too.
	s.Entries("a", 0, func(e store.Entry) bool {
		e.Key, e.Value = "mutated", "mutated"
		return true
	})
	n, _ := s.Node("a")
	n.MaxVersion = 99
	require.Equal(t, want, snapshot(t, s))
}
