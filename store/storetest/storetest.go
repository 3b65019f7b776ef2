// Package storetest is the conformance suite every store.Store implementation
// runs, in one line:
//
//	func TestStore(t *testing.T) { storetest.Run(t, func() store.Store { return mem.New() }) }
//
// Run checks the store.Store contract as a storage contract: table-driven
// cases for Write (create, summary, Replace, Drop, Put and their order),
// Remove, refused writes, Entries, Range and Get, a check that slices passed
// in are not retained, and a model-based property test (pgregory.net/rapid)
// that applies random writes and removes to the store and to a plain map and
// compares every read after every step, and a seeded churn of long runs of
// writes to nodes of up to 123 keys, checked against the same model.
// Benchmark measures the hot paths.
//
// The suite checks no protocol rule: a store applies every valid Write as
// given. It pins down what the interface leaves implicit:
//
//   - The summary in a Write is adopted as given, whatever it held before
//     (a lower generation or MaxVersion, Left cleared); only Node.Keys is
//     the store's own.
//   - A write without Replace keeps the entries it does not touch, even when
//     its summary carries a new generation.
//   - A Write for an unknown node creates it, even with nothing to put.
//   - Entries lists every entry held, whatever the summary says: entries
//     above MaxVersion and tombstones at or below GCVersion included (the
//     core drops what it prunes).
//   - A Put entry replaces its key's entry whatever the two versions; a key
//     dropped and put in one write is held.
//   - A Drop of an empty key, like any unknown key, is ignored; a refused
//     Write does not create its node; a nil Write is refused like an
//     invalid one (ErrInvalidWrite).
//   - Removing a node and writing it again starts from nothing.
//
// Versions of one node's entries are unique (the core keeps them so), and the
// suite never writes two entries of one node at the same version. Nor does it
// write version 0, which Entries could never list (it lists Version > after).
package storetest

import (
	"testing"

	"github.com/scuttlebutt-go/scuttlebutt/store"
	"github.com/stretchr/testify/require"
)

// Run runs the suite against stores made by newStore, which must return a new,
// empty store on each call.
func Run(t *testing.T, newStore func() store.Store) {
	t.Run("Write", func(t *testing.T) { testWrites(t, newStore) })
	t.Run("Entries", func(t *testing.T) { testEntries(t, newStore) })
	t.Run("Range", func(t *testing.T) { testRange(t, newStore) })
	t.Run("Get", func(t *testing.T) { testGet(t, newStore) })
	t.Run("NotRetained", func(t *testing.T) { testNotRetained(t, newStore) })
	t.Run("Model", func(t *testing.T) { testModel(t, newStore) })
	t.Run("Churn", func(t *testing.T) { testChurn(t, newStore) })
}

// tester is what the suite's helpers need of *testing.T, *testing.B and
// *rapid.T.
type tester interface {
	require.TestingT
	Helper()
}

// nodeSnap is everything a store holds of one node.
type nodeSnap struct {
	Node    store.Node
	Entries []store.Entry
}

// snapshot returns everything s holds, in ID order, checking on the way that
// its read methods agree with each other: Len with Range, Node with Range,
// Keys with Entries, Get with Entries, and Entries(after) with Entries(0) for
// after at about eight of the node's versions.
func snapshot(t tester, s store.Store) []nodeSnap {
	t.Helper()
	var out []nodeSnap
	s.Range("", "", func(n store.Node) bool {
		out = append(out, nodeSnap{Node: n, Entries: entries(s, n.ID, 0)})
		return true
	})
	require.Len(t, out, s.Len(), "Len disagrees with Range")
	for i, ns := range out {
		if i > 0 {
			require.Less(t, out[i-1].Node.ID, ns.Node.ID, "Range not in ascending ID order")
		}
		n, ok := s.Node(ns.Node.ID)
		require.True(t, ok, "Node(%q) not found but listed by Range", ns.Node.ID)
		require.Equal(t, ns.Node, n, "Node disagrees with Range")
		require.Len(t, ns.Entries, n.Keys, "node %q: Keys disagrees with Entries", n.ID)
		for j, e := range ns.Entries {
			if j > 0 {
				require.Less(t, ns.Entries[j-1].Version, e.Version, "node %q: Entries not ascending", n.ID)
			}
			got, ok := s.Get(n.ID, e.Key)
			require.True(t, ok, "node %q: Get(%q) missing an entry Entries lists", n.ID, e.Key)
			require.Equal(t, e, got, "node %q: Get disagrees with Entries", n.ID)
			if stride := max(1, len(ns.Entries)/8); j%stride != 0 && j != len(ns.Entries)-1 {
				continue // Entries(after) at about 8 positions: the check is quadratic
			}
			rest := ns.Entries[j+1:]
			if len(rest) == 0 {
				rest = nil
			}
			require.Equal(t, rest, entries(s, n.ID, e.Version),
				"node %q: Entries(%d) disagrees with Entries(0)", n.ID, e.Version)
		}
	}
	return out
}

// entries returns node id's entries with Version > after, nil if none.
func entries(s store.Store, id string, after uint64) []store.Entry {
	var out []store.Entry
	s.Entries(id, after, func(e store.Entry) bool {
		out = append(out, e)
		return true
	})
	return out
}

// write applies w, which must succeed.
func write(t tester, s store.Store, w *store.Write) {
	t.Helper()
	require.NoError(t, s.Write(w), "Write(%+v)", w)
}

// node builds a summary.
func node(id string, gen, maxVer uint64) store.Node {
	return store.Node{ID: id, Generation: gen, MaxVersion: maxVer}
}

// live builds a live entry.
func live(key, value string, v uint64) store.Entry {
	return store.Entry{Key: key, Value: value, Version: v}
}

// tomb builds a tombstone.
func tomb(key string, v uint64) store.Entry {
	return store.Entry{Key: key, Version: v, Tombstone: true}
}

// want builds the expected snapshot of one node: n with Keys set from es.
func want(n store.Node, es ...store.Entry) nodeSnap {
	n.Keys = len(es)
	if len(es) == 0 {
		es = nil
	}
	return nodeSnap{Node: n, Entries: es}
}
