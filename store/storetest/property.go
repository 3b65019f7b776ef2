package storetest

import (
	"errors"
	"testing"

	"github.com/scuttlebutt-go/scuttlebutt/store"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// The replicated node of the property test.
const (
	propID  = "r"
	propGen = 3
)

var (
	propKeys   = []string{"a", "b", "c", "d", "e"}
	propValues = []string{"", "x", "y"}
)

// replication is the property test's world: an owner writing node propID and
// two replicas (stores[1] and stores[2]) learning it from the owner and from
// each other, checked against the owner's full write history.
type replication struct {
	t      *rapid.T
	stores []store.Store // stores[0] is the owner
	hist   []store.Entry // hist[v-1] is the owner's write at version v
	latest map[string]uint64
	gc     uint64         // the owner's GCVersion
	pool   []*store.Delta // computed deltas, delivered in any order, any number of times
	maxes  []uint64       // MaxVersions replicas have had: the base of stale deltas
}

// testReplication is the no-gap property: whatever deltas arrive, cut,
// duplicated, reordered, stale, relayed or computed against old state, a
// replica's state is always a gapless prefix of the owner's history, and one
// full delta brings it level with the owner.
func testReplication(t *testing.T, newStore func() store.Store) {
	rapid.Check(t, func(rt *rapid.T) {
		w := &replication{
			t:      rt,
			stores: []store.Store{newStore(), newStore(), newStore()},
			latest: make(map[string]uint64),
			maxes:  []uint64{0},
		}
		addNode(rt, w.stores[0], propID, propGen)
		steps := rapid.IntRange(1, 120).Draw(rt, "steps")
		for range steps {
			switch rapid.IntRange(0, 9).Draw(rt, "action") {
			case 0, 1, 2:
				w.put()
			case 3:
				w.ownerGC()
			case 4:
				w.replicaGC()
			case 5, 6:
				w.makeDelta()
			default:
				w.deliver()
			}
			for i := range w.stores {
				w.check(i)
			}
		}
		w.finish()
	})
}

// put makes a random owner write and checks it against the history.
func (w *replication) put() {
	key := rapid.SampledFrom(propKeys).Draw(w.t, "key")
	value := rapid.SampledFrom(propValues).Draw(w.t, "value")
	tombstone := rapid.IntRange(0, 3).Draw(w.t, "delete") == 0
	v, had := w.latest[key]
	wasLive := had && !w.hist[v-1].Tombstone
	wantChanged := wasLive // a delete changes only a live key
	if !tombstone {
		wantChanged = !wasLive || w.hist[v-1].Value != value
	}

	e, changed, err := w.stores[0].Put(propID, key, value, tombstone)
	require.NoError(w.t, err)
	require.Equal(w.t, wantChanged, changed, "Put(%q, %q, %v) changed", key, value, tombstone)
	if !changed {
		return
	}
	if tombstone {
		value = ""
	}
	want := store.Entry{Key: key, Value: value, Version: uint64(len(w.hist)) + 1, Tombstone: tombstone}
	require.Equal(w.t, want, e)
	w.hist = append(w.hist, e)
	w.latest[key] = e.Version
}

// ownerGC collects the owner's tombstones up to a random version.
func (w *replication) ownerGC() {
	top := uint64(len(w.hist))
	upto := rapid.Uint64Range(0, top+1).Draw(w.t, "gc")
	capped := min(upto, top)
	want := 0
	for _, v := range w.latest {
		if w.hist[v-1].Tombstone && v > w.gc && v <= capped {
			want++
		}
	}
	require.Equal(w.t, want, w.stores[0].GC(propID, upto), "GC(%d) dropped", upto)
	w.gc = max(w.gc, capped)
}

// replicaGC collects a replica's tombstones up to a random version.
func (w *replication) replicaGC() {
	s := w.stores[rapid.IntRange(1, 2).Draw(w.t, "replica")]
	n, ok := s.Node(propID)
	if !ok {
		return
	}
	upto := rapid.Uint64Range(0, n.MaxVersion+1).Draw(w.t, "gc")
	want := 0
	for _, e := range entries(s, propID, 0) {
		if e.Tombstone && e.Version <= upto {
			want++
		}
	}
	require.Equal(w.t, want, s.GC(propID, upto), "replica GC(%d) dropped", upto)
	after, _ := s.Node(propID)
	require.Equal(w.t, max(n.GCVersion, min(upto, n.MaxVersion)), after.GCVersion)
}

// makeDelta computes a delta from a random sender against a random base (a
// replica's current MaxVersion, an old one, or any version), cut at a random
// prefix, and adds it to the pool. The sender resets when the base is below
// its GCVersion, except for the occasional faulty sender that does not.
func (w *replication) makeDelta() {
	sender := w.stores[rapid.IntRange(0, 2).Draw(w.t, "sender")]
	n, ok := sender.Node(propID)
	if !ok {
		return
	}
	var from uint64
	switch rapid.IntRange(0, 2).Draw(w.t, "base") {
	case 0:
		if r, ok := w.stores[rapid.IntRange(1, 2).Draw(w.t, "for")].Node(propID); ok {
			from = r.MaxVersion
		}
	case 1:
		from = rapid.SampledFrom(w.maxes).Draw(w.t, "old max")
	default:
		from = rapid.Uint64Range(0, n.MaxVersion).Draw(w.t, "any")
	}
	from = min(from, n.MaxVersion)
	faulty := rapid.IntRange(0, 7).Draw(w.t, "faulty") == 0
	d := &store.Delta{ID: propID, Generation: propGen, GCVersion: n.GCVersion}
	if from < n.GCVersion && !faulty {
		d.Reset = true
		from = 0
	}
	es := entries(sender, propID, from)
	k := rapid.IntRange(0, len(es)).Draw(w.t, "cut")
	d.From, d.Upto, d.Entries = from, n.MaxVersion, es[:k]
	if k < len(es) {
		lo := from
		if k > 0 {
			lo = es[k-1].Version
		}
		d.Upto = rapid.Uint64Range(lo, es[k].Version-1).Draw(w.t, "upto")
	}
	w.pool = append(w.pool, d)
	if len(w.pool) > 16 {
		w.pool = w.pool[1:]
	}
}

// deliver applies a random pooled delta to a random replica and checks the
// outcome, the state change and the callbacks against the rules.
func (w *replication) deliver() {
	if len(w.pool) == 0 {
		return
	}
	i := rapid.IntRange(0, len(w.pool)-1).Draw(w.t, "delta")
	d := w.pool[i]
	if rapid.Bool().Draw(w.t, "consume") {
		w.pool = append(w.pool[:i:i], w.pool[i+1:]...)
	}
	s := w.stores[rapid.IntRange(1, 2).Draw(w.t, "to")]

	n, known := s.Node(propID)
	have := n.MaxVersion
	var wantErr error
	apply := false
	switch {
	case d.From > have:
		wantErr = store.ErrGap
	case !known:
		apply = true
	case d.Upto <= have:
	case d.Reset:
		apply = true
	case have > 0 && have < d.GCVersion:
		wantErr = store.ErrGap
	default:
		apply = true
	}

	before := snapshot(w.t, s)
	visible := live(s, propID)
	var calls []store.Entry
	err := s.Apply(d, func(e store.Entry) { calls = append(calls, e) })
	if wantErr != nil {
		require.True(w.t, errors.Is(err, wantErr), "Apply(%+v) with MaxVersion %d: got %v, want %v", d, have, err, wantErr)
	} else {
		require.NoError(w.t, err, "Apply(%+v) with MaxVersion %d", d, have)
	}
	if !apply {
		require.Empty(w.t, calls)
		require.Equal(w.t, before, snapshot(w.t, s), "Apply(%+v) changed the store", d)
		return
	}
	after, _ := s.Node(propID)
	require.Equal(w.t, d.Upto, after.MaxVersion)
	w.maxes = append(w.maxes, after.MaxVersion)

	// The callbacks are exactly the changes of the visible state.
	now := live(s, propID)
	reported := make(map[string]bool)
	for j, e := range calls {
		if j > 0 {
			require.LessOrEqual(w.t, calls[j-1].Version, e.Version, "callbacks out of order")
		}
		require.False(w.t, reported[e.Key], "key %q reported twice", e.Key)
		reported[e.Key] = true
		v, ok := now[e.Key]
		if e.Tombstone {
			require.False(w.t, ok, "reported delete of %q, still live", e.Key)
			require.Contains(w.t, visible, e.Key, "reported delete of %q, was not live", e.Key)
		} else {
			require.True(w.t, ok && v == e.Value, "reported %q = %q, holds %q", e.Key, e.Value, v)
		}
	}
	for _, key := range propKeys {
		old, had := visible[key]
		cur, has := now[key]
		if had != has || old != cur {
			require.True(w.t, reported[key], "visible change of %q not reported", key)
		}
	}
}

// check verifies store i against the owner's history: every entry is a real
// write at or below MaxVersion; every key whose latest write is at or below
// MaxVersion holds that write (a tombstone may be missing only if collected,
// at or below GCVersion); and Entries(after) agrees with the full listing.
func (w *replication) check(i int) {
	s := w.stores[i]
	n, ok := s.Node(propID)
	if !ok {
		return
	}
	all := snapshot(w.t, s)
	require.LessOrEqual(w.t, n.MaxVersion, uint64(len(w.hist)), "store %d ahead of the owner", i)
	es := nodeOf(w.t, all, propID).Entries
	for _, e := range es {
		require.Equal(w.t, w.hist[e.Version-1], e, "store %d holds an entry the owner never wrote", i)
	}
	for key, v := range w.latest {
		if v > n.MaxVersion {
			continue
		}
		want := w.hist[v-1]
		got, ok := s.Get(propID, key)
		if want.Tombstone && v <= n.GCVersion && !ok {
			continue
		}
		require.True(w.t, ok && got == want, "store %d (MaxVersion %d, GCVersion %d): key %q is %+v, want %+v",
			i, n.MaxVersion, n.GCVersion, key, got, want)
	}
	after := rapid.Uint64Range(0, n.MaxVersion+1).Draw(w.t, "after")
	var want []store.Entry
	for _, e := range es {
		if e.Version > after {
			want = append(want, e)
		}
	}
	require.Equal(w.t, want, entries(s, propID, after), "store %d: Entries(%d)", i, after)
}

// finish delivers one full delta from the owner to each replica, which must
// then hold the owner's visible state at the owner's MaxVersion.
func (w *replication) finish() {
	owner, _ := w.stores[0].Node(propID)
	for i := 1; i < len(w.stores); i++ {
		s := w.stores[i]
		n, _ := s.Node(propID)
		d := &store.Delta{ID: propID, Generation: propGen, From: n.MaxVersion, Upto: owner.MaxVersion, GCVersion: owner.GCVersion}
		if n.MaxVersion < owner.GCVersion {
			d.From, d.Reset = 0, true
		}
		d.Entries = entries(w.stores[0], propID, d.From)
		require.NoError(w.t, s.Apply(d, nil), "final delta to store %d", i)
		got, _ := s.Node(propID)
		require.Equal(w.t, owner.MaxVersion, got.MaxVersion)
		require.Equal(w.t, live(w.stores[0], propID), live(s, propID), "store %d differs from the owner", i)
		w.check(i)
	}
}
