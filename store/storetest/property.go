package storetest

import (
	"errors"
	"testing"

	"github.com/scuttlebutt-go/scuttlebutt/store"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// The replicated node of the property test, and how many stores hold it.
const (
	propID     = "r"
	propGen    = 3
	propStores = 3 // the owner and two replicas
	propPool   = 8
)

var (
	propKeys   = []string{"a", "b", "c", "d", "e"}
	propValues = []string{"", "x", "y"}
)

// replication is the property test's world: an owner (stores[0]) writing
// node propID, and replicas learning it from the owner and from each other,
// checked against the owner's full write history.
type replication struct {
	t      *rapid.T
	stores []store.Store
	hist   []store.Entry     // hist[v-1] is the owner's write at version v
	latest map[string]uint64 // key -> the version of its latest write
	gc     uint64            // the owner's GCVersion
	// views[i] is every summary store i has shown, starting with the zero
	// Node that a sender not knowing it assumes: what a sender may know of
	// it from a digest, old or current.
	views [][]store.Node
	pool  []message // sent, not yet delivered: delivered in any order, any number of times
}

// message is a delta on its way to a replica.
type message struct {
	to int
	d  *store.Delta
}

// testReplication checks Apply against the protocol's sender rule, with
// garbage collection everywhere. Senders (the owner or a replica, each with
// its own state and watermark) compute a reset or a plain delta from what
// they know of the receiver, cut it at a random prefix, and the network
// delays, repeats, reorders and now and then misdelivers it. After every
// step no store may hold a gap or a deleted key (check), and a final
// complete exchange with the owner must bring every replica level with it.
func testReplication(t *testing.T, newStore func() store.Store) {
	rapid.Check(t, func(rt *rapid.T) {
		w := &replication{t: rt, latest: make(map[string]uint64)}
		for range propStores {
			w.stores = append(w.stores, newStore())
			w.views = append(w.views, []store.Node{{}})
		}
		addNode(rt, w.stores[0], propID, propGen)
		steps := rapid.IntRange(100, 300).Draw(rt, "steps")
		for range steps {
			switch rapid.IntRange(0, 11).Draw(rt, "action") {
			case 0, 1, 2:
				w.put()
			case 3:
				w.ownerGC()
			case 4:
				w.replicaGC()
			case 5, 6, 7, 8:
				w.send()
			default:
				if len(w.pool) > 0 {
					w.deliver(rapid.IntRange(0, len(w.pool)-1).Draw(rt, "message"))
				}
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
	tombstone := rapid.IntRange(0, 2).Draw(w.t, "delete") == 0
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
	upto := top // as a grace period would, most of the time
	if rapid.Bool().Draw(w.t, "partial gc") {
		upto = rapid.Uint64Range(0, top+1).Draw(w.t, "gc")
	}
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
	i := rapid.IntRange(1, propStores-1).Draw(w.t, "replica")
	s := w.stores[i]
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
	w.views[i] = append(w.views[i], after)
}

// send has a random store compute a delta for a random replica from what it
// knows of it (its current summary or an older one) and puts it on the
// network.
func (w *replication) send() {
	to := rapid.IntRange(1, propStores-1).Draw(w.t, "to")
	from := rapid.IntRange(0, propStores-2).Draw(w.t, "sender")
	if from >= to {
		from++
	}
	view, ok := w.stores[to].Node(propID)
	if !ok || !rapid.Bool().Draw(w.t, "current view") {
		view = rapid.SampledFrom(w.views[to]).Draw(w.t, "old view")
	}
	d := deltaFor(w.t, w.stores[from], view, true)
	if d == nil {
		return
	}
	if rapid.IntRange(0, 7).Draw(w.t, "misdeliver") == 0 {
		to = rapid.IntRange(1, propStores-1).Draw(w.t, "instead")
	}
	w.pool = append(w.pool, message{to: to, d: d})
	if len(w.pool) > propPool {
		w.pool = w.pool[1:]
	}
	if rapid.IntRange(0, 3).Draw(w.t, "deliver now") > 0 {
		w.deliver(len(w.pool) - 1)
	}
}

// deltaFor is the sender rule: what sender sends about propID to a receiver
// it believes holds view (nil if nothing). It resets a receiver that may
// hold keys whose tombstones the sender collected (the receiver holds less
// than the sender's watermark and has not adopted a watermark as high);
// otherwise it sends its entries above the receiver's MaxVersion. A reset
// is every entry the sender holds, tombstones included, in version order.
// With cut, the delta is cut at a random prefix and Upto anywhere from the
// last entry kept to just below the first one left out.
func deltaFor(t *rapid.T, sender store.Store, view store.Node, cut bool) *store.Delta {
	n, ok := sender.Node(propID)
	if !ok || n.MaxVersion <= view.MaxVersion {
		return nil
	}
	d := &store.Delta{ID: propID, Generation: propGen, From: view.MaxVersion, Upto: n.MaxVersion, GCVersion: n.GCVersion}
	if view.MaxVersion < n.GCVersion && view.GCVersion < n.GCVersion {
		d.Reset, d.From = true, 0
	}
	es := entries(sender, propID, d.From)
	if cut && rapid.IntRange(0, 3).Draw(t, "cut") > 0 {
		k := rapid.IntRange(0, len(es)).Draw(t, "keep")
		if k < len(es) {
			lo := d.From
			if k > 0 {
				lo = es[k-1].Version
			}
			d.Upto = rapid.Uint64Range(lo, es[k].Version-1).Draw(t, "upto")
			es = es[:k]
		}
	}
	d.Entries = es
	return d
}

// expect is what Apply must do with d given what the receiver holds of its
// node: whether it applies, the GCVersion it leaves, and the error.
func expect(n store.Node, known bool, d *store.Delta) (apply bool, gc uint64, err error) {
	have := n.MaxVersion
	switch {
	case d.From > have:
		return false, n.GCVersion, store.ErrGap
	case !known:
	case d.Reset && (d.Upto > have || (have < d.GCVersion && n.GCVersion < d.GCVersion)):
		// A reset lands if it brings news, or if the receiver needs it.
	case d.Upto <= have:
		return false, n.GCVersion, nil
	case have > 0 && have < d.GCVersion && n.GCVersion < d.GCVersion:
		// The sender collected tombstones the receiver may lack.
		return false, n.GCVersion, store.ErrGap
	case have > 0 && have < n.GCVersion && d.GCVersion < n.GCVersion && d.Upto < n.GCVersion:
		// The receiver holds a cut reset; the sender may not know of a
		// delete the receiver vouches for.
		return false, n.GCVersion, store.ErrGap
	}
	switch {
	case d.Reset:
		return true, d.GCVersion, nil
	case have == 0:
		return true, min(d.GCVersion, d.Upto), nil
	}
	return true, n.GCVersion, nil
}

// deliver applies message i to its replica and checks the outcome, the
// state change and the callbacks against the rules.
func (w *replication) deliver(i int) {
	m := w.pool[i]
	if rapid.Bool().Draw(w.t, "consume") {
		w.pool = append(w.pool[:i:i], w.pool[i+1:]...)
	}
	s, d := w.stores[m.to], m.d

	n, known := s.Node(propID)
	apply, wantGC, wantErr := expect(n, known, d)
	before := snapshot(w.t, s)
	visible := live(s, propID)
	var calls []store.Entry
	err := s.Apply(d, func(e store.Entry) { calls = append(calls, e) })
	if wantErr != nil {
		require.True(w.t, errors.Is(err, wantErr), "Apply(%+v) to %+v: got %v, want %v", d, n, err, wantErr)
	} else {
		require.NoError(w.t, err, "Apply(%+v) to %+v", d, n)
	}
	if !apply {
		require.Empty(w.t, calls)
		require.Equal(w.t, before, snapshot(w.t, s), "Apply(%+v) to %+v changed the store", d, n)
		return
	}
	after, _ := s.Node(propID)
	require.Equal(w.t, d.Upto, after.MaxVersion, "Apply(%+v) to %+v: MaxVersion", d, n)
	require.Equal(w.t, wantGC, after.GCVersion, "Apply(%+v) to %+v: GCVersion", d, n)
	w.views[m.to] = append(w.views[m.to], after)

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

// check verifies store i against the owner's history. Every entry it holds
// is a write the owner made, at or below MaxVersion, and no tombstone at or
// below GCVersion (snapshot). For every key whose latest write v is at or
// below MaxVersion, the store holds that write (no gap), except that a
// tombstone at or below GCVersion may be missing; this covers the tombstones
// the owner collected too. And a key whose latest write is a delete at or
// below GCVersion is not live, even above MaxVersion: a store holding a cut
// reset vouches for those deletes, and no sender will repeat them (no
// resurrection). Entries(after) agrees with the full listing.
func (w *replication) check(i int) {
	s := w.stores[i]
	n, ok := s.Node(propID)
	if !ok {
		return
	}
	if i == 0 {
		require.Equal(w.t, store.Node{ID: propID, Generation: propGen, MaxVersion: uint64(len(w.hist)), GCVersion: w.gc, Keys: n.Keys}, n)
	}
	all := snapshot(w.t, s)
	require.LessOrEqual(w.t, n.MaxVersion, uint64(len(w.hist)), "store %d ahead of the owner", i)
	es := nodeOf(w.t, all, propID).Entries
	for _, e := range es {
		require.Equal(w.t, w.hist[e.Version-1], e, "store %d holds an entry the owner never wrote", i)
	}
	for key, v := range w.latest {
		want := w.hist[v-1]
		got, ok := s.Get(propID, key)
		switch {
		case v <= n.MaxVersion:
			if want.Tombstone && v <= n.GCVersion && !ok {
				continue
			}
			require.True(w.t, ok && got == want, "store %d (%+v): key %q is %+v, want %+v", i, n, key, got, want)
		case want.Tombstone && v <= n.GCVersion:
			require.True(w.t, !ok || got.Tombstone, "store %d (%+v): key %q, deleted at %d, is %+v", i, n, key, v, got)
		}
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

// finish runs a complete exchange from the owner to each replica, under the
// sender rule and uncut, after which the owner must have nothing more to
// send and the replica must hold the owner's MaxVersion and visible state.
func (w *replication) finish() {
	owner, _ := w.stores[0].Node(propID)
	for i := 1; i < propStores; i++ {
		s := w.stores[i]
		for round := 0; ; round++ {
			n, _ := s.Node(propID)
			d := deltaFor(w.t, w.stores[0], n, false)
			if d == nil {
				break
			}
			require.Zero(w.t, round, "store %d (%+v): one complete exchange left the owner sending %+v", i, n, d)
			require.NoError(w.t, s.Apply(d, nil), "final delta %+v to store %d (%+v)", d, i, n)
		}
		n, _ := s.Node(propID)
		require.Equal(w.t, owner.MaxVersion, n.MaxVersion, "store %d", i)
		require.Equal(w.t, live(w.stores[0], propID), live(s, propID), "store %d differs from the owner", i)
		w.check(i)
	}
}
