package storetest

import (
	"testing"

	"github.com/scuttlebutt-go/scuttlebutt/store"
	"github.com/stretchr/testify/require"
)

// testCutResetRelay tells how a reset cut short by the MTU can lose a delete
// when a replica that has not heard of the delete continues it, and checks
// that the store refuses that continuation.
func testCutResetRelay(t *testing.T, newStore func() store.Store) {
	owner, behind, cut := newStore(), newStore(), newStore()
	addNode(t, owner, "w", 1)
	put(t, owner, "w", "a", "1") // 1
	put(t, owner, "w", "k", "v") // 2
	put(t, owner, "w", "b", "1") // 3

	// behind learns versions 1-3, k included.
	require.NoError(t, behind.Apply(&store.Delta{ID: "w", Generation: 1, Upto: 3, Entries: entries(owner, "w", 0)}, nil))

	// The owner deletes k at 4, writes c at 5, and collects k's tombstone.
	del(t, owner, "w", "k")
	put(t, owner, "w", "c", "1")
	require.Equal(t, 1, owner.GC("w", 5))

	// cut knows nothing of w, so the owner resets it; the MTU cuts the
	// reset after a@1. cut now vouches for every delete through 5.
	all := entries(owner, "w", 0)
	require.Equal(t, []store.Entry{liveEntry("a", "1", 1), liveEntry("b", "1", 3), liveEntry("c", "1", 5)}, all)
	require.NoError(t, cut.Apply(&store.Delta{ID: "w", Generation: 1, Upto: 1, Reset: true, GCVersion: 5, Entries: all[:1]}, nil))
	n, _ := cut.Node("w")
	require.Equal(t, store.Node{ID: "w", Generation: 1, MaxVersion: 1, GCVersion: 5, Keys: 1}, n)

	// behind has collected nothing, so it sends cut a plain delta from 1.
	// It still holds k@2: applied, k would be live at cut, and the owner,
	// seeing cut hold its watermark, would never tell it of the delete.
	relay := &store.Delta{ID: "w", Generation: 1, From: 1, Upto: 3, Entries: entries(behind, "w", 1)}
	require.Equal(t, []store.Entry{liveEntry("k", "v", 2), liveEntry("b", "1", 3)}, relay.Entries)
	before := snapshot(t, cut)
	require.ErrorIs(t, cut.Apply(relay, nil), store.ErrGap)
	require.Equal(t, before, snapshot(t, cut))

	// The owner continues its reset with a plain delta from 1.
	var calls []store.Entry
	require.NoError(t, cut.Apply(&store.Delta{ID: "w", Generation: 1, From: 1, Upto: 5, GCVersion: 5, Entries: entries(owner, "w", 1)},
		func(e store.Entry) { calls = append(calls, e) }))
	require.Equal(t, all[1:], calls)
	require.Equal(t, live(owner, "w"), live(cut, "w"))

	// Now level with the owner, cut takes behind's delta as already held.
	require.NoError(t, cut.Apply(relay, nil))
	require.Equal(t, live(owner, "w"), live(cut, "w"))
}
