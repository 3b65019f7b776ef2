// Package storetest is the conformance suite every store.Store implementation
// runs, in one line:
//
//	func TestStore(t *testing.T) { storetest.Run(t, func() store.Store { return mem.New() }) }
//
// Run checks every rule of the store.Store contract with table-driven cases
// (each refused call must leave the whole store unchanged), a story of a
// reset cut short and continued by a replica, and a property test
// (pgregory.net/rapid) in which the owner's random writes, deletes and
// garbage collections reach two replicas, each collecting garbage too,
// through deltas that the owner and the replicas compute under the
// protocol's sender rule from what they know of the receiver, cut at random
// prefixes and delivered late, twice, out of order or to the wrong replica.
// After every step no store may hold a gap or a deleted key, and a final
// complete exchange must bring every replica level with the owner.
// Benchmark measures the hot paths at cluster scale.
//
// The suite pins down what the interface leaves open:
//
//   - Apply's fn reports changes of the node's visible state (the map of live
//     keys to values). A live entry is reported when its key was missing,
//     deleted or held another value; a tombstone when its key was live; a
//     live key that a reset or a newer generation drops is reported, after
//     the delta's own entries and in key order, as store.Entry{Key,
//     Tombstone: true, Version: d.Upto}.
//   - A node never holds a tombstone at or below its GCVersion, which may
//     exceed its MaxVersion.
//   - A reset carries every entry its sender holds through Upto, tombstones
//     included. It replaces the node's entries (every key it does not carry
//     is dropped), and the node adopts d.GCVersion, even above Upto (a reset
//     cut short) or below its own watermark. A reset with Upto <= MaxVersion
//     is already held, unless the node needs it (MaxVersion < d.GCVersion
//     and GCVersion < d.GCVersion): then it lands and MaxVersion drops to
//     Upto, or a reset that the MTU cuts that low would never land. A node
//     that held nothing and takes a plain delta adopts min(d.GCVersion,
//     d.Upto).
//   - A plain delta to a node holding state is ErrGap if MaxVersion <
//     d.GCVersion and GCVersion < d.GCVersion: the sender dropped
//     tombstones the receiver may lack, and owes a reset. If GCVersion >=
//     d.GCVersion it applies: that is how a reset cut short is continued.
//   - It is ErrGap too if MaxVersion < GCVersion, d.GCVersion < GCVersion
//     and d.Upto < GCVersion: the node holds a reset cut short and vouches
//     for every delete through GCVersion, which the sender may not know of.
//   - Put refuses an empty key (with any error), since every receiver
//     refuses a delta that carries one.
package storetest

import (
	"testing"

	"github.com/scuttlebutt-go/scuttlebutt/store"
	"github.com/stretchr/testify/require"
)

// Run runs the suite against stores made by newStore, which must return a new,
// empty store on each call.
func Run(t *testing.T, newStore func() store.Store) {
	t.Run("AddNode", func(t *testing.T) { testAddNode(t, newStore) })
	t.Run("Put", func(t *testing.T) { testPut(t, newStore) })
	t.Run("PutRefused", func(t *testing.T) { testPutRefused(t, newStore) })
	t.Run("Entries", func(t *testing.T) { testEntries(t, newStore) })
	t.Run("Range", func(t *testing.T) { testRange(t, newStore) })
	t.Run("Heartbeat", func(t *testing.T) { testHeartbeat(t, newStore) })
	t.Run("SetLeft", func(t *testing.T) { testSetLeft(t, newStore) })
	t.Run("Remove", func(t *testing.T) { testRemove(t, newStore) })
	t.Run("GC", func(t *testing.T) { testGC(t, newStore) })
	t.Run("Apply", func(t *testing.T) { testApply(t, newStore) })
	t.Run("ApplyDoesNotRetain", func(t *testing.T) { testApplyDoesNotRetain(t, newStore) })
	t.Run("ApplyGenerations", func(t *testing.T) { testApplyGenerations(t, newStore) })
	t.Run("CutResetRelay", func(t *testing.T) { testCutResetRelay(t, newStore) })
	t.Run("Replication", func(t *testing.T) { testReplication(t, newStore) })
}

// tester is what the suite's helpers need of *testing.T and *rapid.T.
type tester interface {
	require.TestingT
	Helper()
	Fatalf(format string, args ...any)
}

// nodeSnap is everything a store holds of one node.
type nodeSnap struct {
	Node    store.Node
	Entries []store.Entry
}

// snapshot returns everything s holds, in ID order, checking on the way that
// its read methods agree with each other.
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
			require.LessOrEqual(t, e.Version, n.MaxVersion, "node %q: entry above MaxVersion", n.ID)
			got, ok := s.Get(n.ID, e.Key)
			require.True(t, ok, "node %q: Get(%q) missing an entry Entries lists", n.ID, e.Key)
			require.Equal(t, e, got, "node %q: Get disagrees with Entries", n.ID)
			require.False(t, e.Tombstone && e.Version <= n.GCVersion,
				"node %q: tombstone %+v at or below GCVersion %d", n.ID, e, n.GCVersion)
		}
	}
	return out
}

// entries returns node id's entries with Version > after.
func entries(s store.Store, id string, after uint64) []store.Entry {
	var out []store.Entry
	s.Entries(id, after, func(e store.Entry) bool {
		out = append(out, e)
		return true
	})
	return out
}

// live returns node id's visible state: live key -> value.
func live(s store.Store, id string) map[string]string {
	m := make(map[string]string)
	s.Entries(id, 0, func(e store.Entry) bool {
		if !e.Tombstone {
			m[e.Key] = e.Value
		}
		return true
	})
	return m
}

// put is an owner write that must succeed and change state.
func put(t tester, s store.Store, id, key, value string) store.Entry {
	t.Helper()
	e, changed, err := s.Put(id, key, value, false)
	require.NoError(t, err)
	require.True(t, changed, "Put(%q, %q, %q) changed nothing", id, key, value)
	return e
}

// del is an owner delete that must succeed and change state.
func del(t tester, s store.Store, id, key string) store.Entry {
	t.Helper()
	e, changed, err := s.Put(id, key, "", true)
	require.NoError(t, err)
	require.True(t, changed, "delete(%q, %q) changed nothing", id, key)
	return e
}

// addNode makes id known at gen, which must be new.
func addNode(t tester, s store.Store, id string, gen uint64) {
	t.Helper()
	replaced, err := s.AddNode(id, gen)
	require.NoError(t, err)
	require.False(t, replaced)
}

// liveEntry builds an expected live entry.
func liveEntry(key, value string, v uint64) store.Entry {
	return store.Entry{Key: key, Value: value, Version: v}
}

// tomb builds an expected tombstone.
func tomb(key string, v uint64) store.Entry {
	return store.Entry{Key: key, Version: v, Tombstone: true}
}
