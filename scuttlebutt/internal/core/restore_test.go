package core

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/store"
	storemem "github.com/scuttlebutt-go/scuttlebutt/store/mem"
)

// warmPair returns a, which holds b's state after an exchange and has
// written keys of its own, and the store a used.
func warmPair(t *testing.T) (*Core, store.Store) {
	st := storemem.New()
	a := newCore(t, "a", func(c *Config) { c.Store = st })
	b := newCore(t, "b")
	require.NoError(t, a.Put("role", "api"))
	require.NoError(t, a.Put("gone", "x"))
	require.NoError(t, a.Delete("gone"))
	require.NoError(t, b.Put("role", "db"))
	require.NoError(t, b.Put("zone", "eu"))
	a.Ready()
	b.Ready()
	exchange(t, a, b, t0)
	return a, st
}

// TestWarmRestartKeepsOtherNodes restarts a on its store at generation 2:
// b's state and membership survive, announced as if just learned; a's own
// keys of generation 1 are gone.
func TestWarmRestartKeepsOtherNodes(t *testing.T) {
	_, st := warmPair(t)
	a := newCore(t, "a", func(c *Config) { c.Store = st; c.Generation = 2 })
	_, ev := a.Ready()
	require.Equal(t, []Event{
		{Kind: EventJoin, Node: "b", Generation: 1},
		{Kind: EventUpdate, Node: "b", Generation: 1, Key: "role", Value: "db", Version: 2},
		{Kind: EventUpdate, Node: "b", Generation: 1, Key: "zone", Value: "eu", Version: 3},
	}, ev)
	m, ok := a.Member("b")
	require.True(t, ok, "b is a member again")
	require.Equal(t, Member{ID: "b", Addr: "b-addr", Status: StatusAlive, Since: t0}, m)
	require.Equal(t, 1, a.AlivePeers(), "b is a gossip target")
	v, ok := a.Lookup("b", "zone")
	require.True(t, ok)
	require.Equal(t, "eu", v)

	self, _ := st.Node("a")
	require.Equal(t, uint64(2), self.Generation)
	require.Equal(t, uint64(1), self.MaxVersion, "only the address, at version 1")
	_, ok = a.Lookup("a", "role")
	require.False(t, ok, "generation 1's own keys are not republished by default")
}

// TestWarmRestartRepublishLocal republishes a's live keys under the new
// generation, at versions from 1, before the address.
func TestWarmRestartRepublishLocal(t *testing.T) {
	_, st := warmPair(t)
	a := newCore(t, "a", func(c *Config) { c.Store = st; c.Generation = 2; c.RepublishLocal = true })
	_, ev := a.Ready()
	require.Equal(t, Event{Kind: EventUpdate, Node: "a", Generation: 2, Key: "role", Value: "api", Version: 1}, ev[0])
	var got []store.Entry
	st.Entries("a", 0, func(e store.Entry) bool { got = append(got, e); return true })
	require.Equal(t, []store.Entry{
		{Key: "role", Value: "api", Version: 1},
		{Key: KeyAddr, Value: "a-addr", Version: 2},
	}, got, "live user keys again, the tombstone and the old address not")
	self, _ := st.Node("a")
	require.Equal(t, store.Node{ID: "a", Generation: 2, MaxVersion: 2, Keys: 2}, self)
}

// TestLeftNodeRestoredAsLeft: a departed node comes back as left, not as a
// gossip target.
func TestLeftNodeRestoredAsLeft(t *testing.T) {
	st := storemem.New()
	require.NoError(t, st.Write(&store.Write{Node: store.Node{ID: "c", Generation: 4, MaxVersion: 1, Left: true},
		Put: []store.Entry{{Key: KeyAddr, Value: "c-addr", Version: 1}}}))
	a := newCore(t, "a", func(c *Config) { c.Store = st })
	_, ev := a.Ready()
	require.Equal(t, []Event{{Kind: EventJoin, Node: "c", Generation: 4}, {Kind: EventLeave, Node: "c", Generation: 4}}, ev)
	m, _ := a.Member("c")
	require.Equal(t, StatusLeft, m.Status)
	require.Zero(t, a.AlivePeers())
}

// batchStore is a mem store that is a store.Batcher: it counts batches, and
// when fail is set, holds back a batch's writes and fails it, changing
// nothing.
type batchStore struct {
	*storemem.Store
	batches, writes int
	fail            bool
	inBatch         bool
}

func (s *batchStore) Batch(fn func() error) error {
	s.batches++
	s.inBatch = true
	defer func() { s.inBatch = false }()
	if err := fn(); err != nil {
		return err
	}
	if s.fail {
		return errors.New("disk on fire")
	}
	return nil
}

func (s *batchStore) Write(w *store.Write) error {
	s.writes++
	if s.inBatch && s.fail {
		return nil // held back, then dropped with the batch
	}
	return s.Store.Write(w)
}

// TestOneBatchPerMessage: the deltas of one message, about several nodes,
// go to the store in one batch; a failed batch changes nothing and raises
// no event, and the same message applies once the store works again.
func TestOneBatchPerMessage(t *testing.T) {
	bs := &batchStore{Store: storemem.New()}
	a := newCore(t, "a", func(c *Config) { c.Store = bs })
	a.Ready()
	bs.writes = 0
	msg := &codec.Message{Kind: codec.KindAck, From: "b", Deltas: []codec.NodeDelta{
		{ID: "b", Generation: 1, Upto: 2, Entries: []codec.Entry{{Key: KeyAddr, Value: "b-addr", Version: 1}, {Key: "k", Value: "v", Version: 2}}},
		{ID: "c", Generation: 1, Upto: 1, Entries: []codec.Entry{{Key: "k", Value: "w", Version: 1}}},
	}}

	bs.fail = true
	a.Step(t0, "b-addr", msg)
	_, ev := a.Ready()
	require.Empty(t, ev, "a failed batch raises no event")
	require.Equal(t, 1, bs.batches)
	require.Equal(t, 2, bs.writes, "both deltas written inside the batch")
	_, ok := a.Member("b")
	require.False(t, ok, "no member whose state did not land")
	require.Equal(t, uint64(1), a.Stats().StoreErrors)
	require.Zero(t, a.Stats().DeltasApplied)

	bs.fail = false
	a.Step(t0, "b-addr", msg)
	_, ev = a.Ready()
	require.Equal(t, 2, bs.batches, "one batch per message")
	require.Equal(t, []Event{
		{Kind: EventJoin, Node: "b", Generation: 1},
		{Kind: EventUpdate, Node: "b", Generation: 1, Key: "k", Value: "v", Version: 2},
		{Kind: EventJoin, Node: "c", Generation: 1},
		{Kind: EventUpdate, Node: "c", Generation: 1, Key: "k", Value: "w", Version: 1},
	}, ev)
	m, ok := a.Member("b")
	require.True(t, ok)
	require.Equal(t, "b-addr", m.Addr)
	require.Equal(t, uint64(2), a.Stats().DeltasApplied)

	a.Step(t0, "b-addr", &codec.Message{Kind: codec.KindAck, From: "b"})
	require.Equal(t, 2, bs.batches, "a message without deltas opens no batch")

	// A delta about a itself at a newer generation bumps a's generation;
	// in a failed batch, it does not.
	bump := &codec.Message{Kind: codec.KindAck, From: "b", Deltas: []codec.NodeDelta{{ID: "a", Generation: 9, Upto: 1}}}
	bs.fail = true
	a.Step(t0, "b-addr", bump)
	require.Equal(t, uint64(1), a.Generation())
	self, _ := bs.Node("a")
	require.Equal(t, uint64(1), self.Generation)
	bs.fail = false
	a.Step(t0, "b-addr", bump)
	require.Equal(t, uint64(10), a.Generation())
	self, _ = bs.Node("a")
	require.Equal(t, uint64(10), self.Generation)
}
