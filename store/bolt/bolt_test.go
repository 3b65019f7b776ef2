package bolt_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"
	"go.uber.org/goleak"

	"github.com/scuttlebutt-go/scuttlebutt/store"
	"github.com/scuttlebutt-go/scuttlebutt/store/bolt"
	"github.com/scuttlebutt-go/scuttlebutt/store/storetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newStore opens a store in a new file under tb's temporary directory,
// closed (and checked) when tb ends. The suite measures the store, not the
// disk: it runs without fsync (the crash and write benchmarks use it).
func newStore(tb testing.TB, opts *bolt.Options) *bolt.Store {
	tb.Helper()
	s, err := bolt.Open(filepath.Join(tb.TempDir(), "store.db"), opts)
	require.NoError(tb, err)
	tb.Cleanup(func() {
		require.NoError(tb, s.Check())
		require.NoError(tb, s.Close())
	})
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func() store.Store { return newStore(t, &bolt.Options{NoSync: true}) })
}

func BenchmarkStore(b *testing.B) {
	storetest.Benchmark(b, func() store.Store { return newStore(b, &bolt.Options{NoSync: true}) })
}

// snapshot returns every node and its entries, in ID and version order.
func snapshot(s store.Store) map[string][]store.Entry {
	out := map[string][]store.Entry{}
	s.Range("", "", func(n store.Node) bool {
		out[n.ID] = nil
		s.Entries(n.ID, 0, func(e store.Entry) bool {
			out[n.ID] = append(out[n.ID], e)
			return true
		})
		return true
	})
	return out
}

func TestReopenKeepsEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := bolt.Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.Write(&store.Write{
		Node: store.Node{ID: "a", Generation: 7, MaxVersion: 3, GCVersion: 1, Left: true},
		Put:  []store.Entry{{Key: "x", Value: "1", Version: 2}, {Key: "y", Version: 3, Tombstone: true}},
	}))
	require.NoError(t, s.Write(&store.Write{Node: store.Node{ID: "b", Generation: 1}}))
	before := snapshot(s)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "closing twice")
	require.ErrorIs(t, s.Write(&store.Write{Node: store.Node{ID: "a"}}), bolt.ErrClosed)
	_, ok := s.Node("a")
	require.False(t, ok, "a closed store finds nothing")

	s, err = bolt.Open(path, nil)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Check())
	require.Equal(t, before, snapshot(s))
	n, ok := s.Node("a")
	require.True(t, ok)
	require.Equal(t, store.Node{ID: "a", Generation: 7, MaxVersion: 3, GCVersion: 1, Left: true, Keys: 2}, n)
	g, ok := s.LastGeneration("a")
	require.True(t, ok)
	require.Equal(t, uint64(7), g)
	_, ok = s.LastGeneration("zz")
	require.False(t, ok)
	require.Equal(t, 2, s.Len())
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "store.db")
	s, err := bolt.Open(path, nil)
	require.NoError(t, err)
	defer s.Close()
	_, err = bolt.Open(path, &bolt.Options{Timeout: 50 * time.Millisecond})
	require.ErrorIs(t, err, bolt.ErrLocked, "a second Open of a file in use")

	junk := filepath.Join(dir, "junk")
	require.NoError(t, os.WriteFile(junk, []byte("not a bolt file at all, but long enough to look like one"), 0o600))
	_, err = bolt.Open(junk, nil)
	require.Error(t, err)

	other := filepath.Join(dir, "other.db")
	db, err := bbolt.Open(other, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucket([]byte("theirs")); return err }))
	require.NoError(t, db.Close())
	_, err = bolt.Open(other, nil)
	require.ErrorIs(t, err, bolt.ErrFormat, "a bbolt file of another program")

	_, err = bolt.Open(filepath.Join(dir, "no", "such", "dir", "x.db"), nil)
	require.Error(t, err)
}

func TestRefusedWritesChangeNothing(t *testing.T) {
	s := newStore(t, nil)
	require.NoError(t, s.Write(&store.Write{Node: store.Node{ID: "a", Generation: 1, MaxVersion: 1},
		Put: []store.Entry{{Key: "x", Value: "1", Version: 1}}}))
	before := snapshot(s)
	long := strings.Repeat("k", bolt.MaxKeyLength+1)
	for _, tc := range []struct {
		w    *store.Write
		want error
	}{
		{nil, store.ErrInvalidWrite},
		{&store.Write{Node: store.Node{ID: ""}}, store.ErrInvalidWrite},
		{&store.Write{Node: store.Node{ID: "a", Generation: 2}, Replace: true, Put: []store.Entry{{Key: "", Version: 2}}}, store.ErrInvalidWrite},
		{&store.Write{Node: store.Node{ID: strings.Repeat("i", bolt.MaxIDLength+1)}}, bolt.ErrTooLarge},
		{&store.Write{Node: store.Node{ID: "a", Generation: 2}, Replace: true, Put: []store.Entry{{Key: long, Version: 2}}}, bolt.ErrTooLarge},
		{&store.Write{Node: store.Node{ID: "a", Generation: 2}, Drop: []string{long}}, bolt.ErrTooLarge},
	} {
		require.ErrorIs(t, s.Write(tc.w), tc.want)
		require.Equal(t, before, snapshot(s))
	}
	// A key at the limit fits.
	ok := strings.Repeat("k", bolt.MaxKeyLength)
	require.NoError(t, s.Write(&store.Write{Node: store.Node{ID: "a", Generation: 1, MaxVersion: 2},
		Put: []store.Entry{{Key: ok, Value: "v", Version: 2}}}))
	e, found := s.Get("a", ok)
	require.True(t, found)
	require.Equal(t, "v", e.Value)
}

func TestBatch(t *testing.T) {
	s := newStore(t, nil)
	put := func(id string, v uint64) error {
		return s.Write(&store.Write{Node: store.Node{ID: id, Generation: 1, MaxVersion: v},
			Put: []store.Entry{{Key: "k", Value: id, Version: v}}})
	}

	// Reads inside a batch see its writes; a refused write inside changes
	// nothing and the batch goes on; the batch commits as a whole.
	require.NoError(t, s.Batch(func() error {
		require.NoError(t, put("a", 1))
		n, ok := s.Node("a")
		require.True(t, ok)
		require.Equal(t, uint64(1), n.MaxVersion)
		require.ErrorIs(t, s.Write(&store.Write{Node: store.Node{ID: "b"}, Put: []store.Entry{{Version: 1}}}), store.ErrInvalidWrite)
		_, ok = s.Node("b")
		require.False(t, ok)
		require.NoError(t, put("c", 1))
		require.NoError(t, s.Batch(func() error { return put("d", 1) }), "nested: part of the outer batch")
		return nil
	}))
	require.Equal(t, []string{"a", "c", "d"}, ids(s))

	// fn's error discards the batch.
	boom := errors.New("boom")
	require.ErrorIs(t, s.Batch(func() error {
		require.NoError(t, put("e", 1))
		require.NoError(t, s.Remove("a"))
		return boom
	}), boom)
	require.Equal(t, []string{"a", "c", "d"}, ids(s))

	// A panic discards it too, and the store goes on.
	require.Panics(t, func() {
		_ = s.Batch(func() error {
			require.NoError(t, put("f", 1))
			panic("fn panics")
		})
	})
	require.Equal(t, []string{"a", "c", "d"}, ids(s))
	require.NoError(t, put("g", 1))
	require.Equal(t, []string{"a", "c", "d", "g"}, ids(s))

	// A batch that writes nothing is fine.
	require.NoError(t, s.Batch(func() error { return nil }))
	require.Error(t, s.Batch(func() error { return s.Close() }), "Close inside a Batch is refused")
}

func ids(s store.Store) []string {
	var out []string
	s.Range("", "", func(n store.Node) bool { out = append(out, n.ID); return true })
	return out
}
