package storetest

import (
	"cmp"
	"maps"
	"slices"
	"testing"

	"github.com/scuttlebutt-go/scuttlebutt/store"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// The model test's pools: node IDs and keys (the empty one makes a write
// invalid), values, and the range of versions drawn.
var (
	modelIDs    = []string{"a", "b", "c", "d"}
	modelKeys   = []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k11"}
	modelValues = []string{"", "x", "y"}
	// modelBounds are Range bounds: around, at and between the IDs.
	modelBounds = []string{"", "a", "b", "bb", "c", "d", "e"}
)

const modelMaxVersion = 60

// model is the dumb reference store: a map of nodes, each a summary and a
// map of entries.
type model map[string]*modelNode

type modelNode struct {
	node    store.Node // Keys is not maintained; see summary
	entries map[string]store.Entry
}

// summary returns n's store.Node.
func (n *modelNode) summary() store.Node {
	s := n.node
	s.Keys = len(n.entries)
	return s
}

// sorted returns n's entries in ascending version order.
func (n *modelNode) sorted() []store.Entry {
	es := slices.Collect(maps.Values(n.entries))
	slices.SortFunc(es, func(a, b store.Entry) int { return cmp.Compare(a.Version, b.Version) })
	return es
}

// apply returns what node w.Node.ID becomes under w, without changing m.
func (m model) apply(w *store.Write) *modelNode {
	out := &modelNode{node: w.Node, entries: make(map[string]store.Entry)}
	out.node.Keys = 0
	if old := m[w.Node.ID]; old != nil && !w.Replace {
		maps.Copy(out.entries, old.entries)
	}
	for _, k := range w.Drop {
		delete(out.entries, k)
	}
	for _, e := range w.Put {
		out.entries[e.Key] = e
	}
	return out
}

// testModel applies random writes and removes to a store and to a model and
// compares every read after every step. Writes put entries at versions drawn
// mostly ascending and now and then below the node's highest (at a version no
// other entry holds, as the core keeps them unique), replace keys, drop keys,
// replace whole nodes, and sometimes are invalid (an empty ID or key), which
// must change nothing.
func testModel(t *testing.T, newStore func() store.Store) {
	rapid.Check(t, func(rt *rapid.T) {
		s := newStore()
		m := model{}
		rt.Repeat(map[string]func(*rapid.T){
			"write": func(rt *rapid.T) {
				w, next := drawWrite(rt, m)
				if invalidWrite(w) {
					before := snapshot(rt, s)
					require.ErrorIs(rt, s.Write(w), store.ErrInvalidWrite)
					require.Equal(rt, before, snapshot(rt, s), "a refused write changed the store")
					return
				}
				require.True(rt, uniqueVersions(next), "the test drew two entries at one version")
				require.NoError(rt, s.Write(w))
				m[w.Node.ID] = next
			},
			"remove": func(rt *rapid.T) {
				id := rapid.SampledFrom(append(modelIDs, "zz")).Draw(rt, "id")
				require.NoError(rt, s.Remove(id))
				delete(m, id)
			},
			"": func(rt *rapid.T) { compare(rt, s, m) },
		})
	})
}

// drawWrite draws a write, now and then an invalid one, and returns it with
// the node it makes of m's (for a valid write).
func drawWrite(rt *rapid.T, m model) (*store.Write, *modelNode) {
	id := rapid.SampledFrom(modelIDs).Draw(rt, "id")
	if rapid.IntRange(0, 19).Draw(rt, "emptyID") == 0 {
		id = ""
	}
	versions := rapid.Uint64Range(0, modelMaxVersion)
	w := &store.Write{
		Node: store.Node{
			ID:         id,
			Generation: rapid.Uint64Range(0, 3).Draw(rt, "gen"),
			MaxVersion: versions.Draw(rt, "max"),
			GCVersion:  versions.Draw(rt, "gc"),
			Left:       rapid.Bool().Draw(rt, "left"),
			Keys:       rapid.IntRange(0, 9).Draw(rt, "keys"), // ignored by the store
		},
		Replace: rapid.IntRange(0, 15).Draw(rt, "replace") == 0,
	}
	if rapid.IntRange(0, 3).Draw(rt, "drops") == 0 {
		w.Drop = rapid.SliceOfN(rapid.SampledFrom(append(modelKeys, "", "zz")), 1, 3).Draw(rt, "drop")
	}
	// Build the result entry by entry, so that each put can take a version
	// no entry holds.
	res := m.apply(&store.Write{Node: w.Node, Replace: w.Replace, Drop: w.Drop})
	var top uint64
	held := make(map[uint64]bool)
	for _, e := range res.entries {
		top = max(top, e.Version)
		held[e.Version] = true
	}
	for range rapid.IntRange(0, 6).Draw(rt, "puts") {
		e := store.Entry{Key: rapid.SampledFrom(modelKeys).Draw(rt, "key")}
		if rapid.IntRange(0, 29).Draw(rt, "emptyKey") == 0 {
			e.Key = ""
		}
		if old, ok := res.entries[e.Key]; ok {
			delete(held, old.Version)
		}
		var free []uint64
		for v := uint64(1); v < top; v++ {
			if !held[v] {
				free = append(free, v)
			}
		}
		if len(free) > 0 && rapid.IntRange(0, 2).Draw(rt, "below") == 0 {
			e.Version = rapid.SampledFrom(free).Draw(rt, "version")
		} else {
			top++
			e.Version = top
		}
		if rapid.IntRange(0, 3).Draw(rt, "tombstone") == 0 {
			e.Tombstone = true
		} else {
			e.Value = rapid.SampledFrom(modelValues).Draw(rt, "value")
		}
		held[e.Version] = true
		res.entries[e.Key] = e
		w.Put = append(w.Put, e)
	}
	return w, res
}

// invalidWrite reports whether a store must refuse w.
func invalidWrite(w *store.Write) bool {
	return w.Node.ID == "" || slices.ContainsFunc(w.Put, func(e store.Entry) bool { return e.Key == "" })
}

// uniqueVersions reports whether n's entries have distinct versions.
func uniqueVersions(n *modelNode) bool {
	seen := make(map[uint64]bool, len(n.entries))
	for _, e := range n.entries {
		if seen[e.Version] {
			return false
		}
		seen[e.Version] = true
	}
	return true
}

// compare checks every read of s against m: the whole content, Range with
// drawn bounds and stop, Node, Get of every pooled key, and Entries with a
// drawn after bound and stop.
func compare(rt *rapid.T, s store.Store, m model) {
	var wantAll []nodeSnap
	for _, id := range slices.Sorted(maps.Keys(m)) {
		wantAll = append(wantAll, want(m[id].summary(), m[id].sorted()...))
	}
	require.Equal(rt, wantAll, snapshot(rt, s))

	lo := rapid.SampledFrom(modelBounds).Draw(rt, "lo")
	hi := rapid.SampledFrom(modelBounds).Draw(rt, "hi")
	stop := rapid.IntRange(1, len(modelIDs)+1).Draw(rt, "rangeStop")
	var wantRange, gotRange []store.Node
	for _, ns := range wantAll {
		id := ns.Node.ID
		if (lo == "" || id >= lo) && (hi == "" || id <= hi) && len(wantRange) < stop {
			wantRange = append(wantRange, ns.Node)
		}
	}
	s.Range(lo, hi, func(n store.Node) bool {
		gotRange = append(gotRange, n)
		return len(gotRange) < stop
	})
	require.Equal(rt, wantRange, gotRange, "Range(%q, %q) stopping after %d", lo, hi, stop)

	after := rapid.Uint64Range(0, modelMaxVersion+1).Draw(rt, "after")
	stop = rapid.IntRange(1, len(modelKeys)+1).Draw(rt, "entriesStop")
	for _, id := range append(modelIDs, "zz") {
		mn := m[id]
		n, ok := s.Node(id)
		require.Equal(rt, mn != nil, ok, "Node(%q) found", id)
		if mn == nil {
			require.Nil(rt, entries(s, id, 0), "Entries of unknown node %q", id)
			continue
		}
		require.Equal(rt, mn.summary(), n, "Node(%q)", id)
		for _, k := range append(modelKeys, "", "zz") {
			e, ok := s.Get(id, k)
			we, wok := mn.entries[k]
			require.Equal(rt, wok, ok, "Get(%q, %q) found", id, k)
			require.Equal(rt, we, e, "Get(%q, %q)", id, k)
		}
		var wantEntries, gotEntries []store.Entry
		for _, e := range mn.sorted() {
			if e.Version > after && len(wantEntries) < stop {
				wantEntries = append(wantEntries, e)
			}
		}
		s.Entries(id, after, func(e store.Entry) bool {
			gotEntries = append(gotEntries, e)
			return len(gotEntries) < stop
		})
		require.Equal(rt, wantEntries, gotEntries, "Entries(%q, %d) stopping after %d", id, after, stop)
	}
}
