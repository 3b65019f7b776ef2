package mem_test

import (
	"strconv"
	"testing"

	"github.com/scuttlebutt-go/scuttlebutt/store"
	"github.com/scuttlebutt-go/scuttlebutt/store/mem"
	"github.com/scuttlebutt-go/scuttlebutt/store/storetest"
	"github.com/stretchr/testify/require"
)

func newStore() store.Store { return mem.New() }

func TestStore(t *testing.T) { storetest.Run(t, newStore) }

func BenchmarkStore(b *testing.B) { storetest.Benchmark(b, newStore) }

func TestPutEmptyKey(t *testing.T) {
	s := mem.New()
	_, err := s.AddNode("n", 1)
	require.NoError(t, err)
	_, _, err = s.Put("n", "", "v", false)
	require.ErrorIs(t, err, mem.ErrEmptyKey)
}

// TestNoAllocs checks that reads never allocate and that writes stop
// allocating once a node's log and index have reached their working size.
func TestNoAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts")
	}
	s := mem.New()
	keys := make([]string, 64)
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(i)
	}
	for i := range 100 {
		_, err := s.AddNode("node-"+strconv.Itoa(i), 1)
		require.NoError(t, err)
	}
	values := [2]string{"a", "b"}
	round := 0
	writeAll := func() {
		for _, k := range keys {
			if _, _, err := s.Put("node-7", k, values[round%2], false); err != nil {
				t.Fatal(err)
			}
		}
		round++
	}
	for range 10 {
		writeAll()
	}
	n := 0
	countNode := func(store.Node) bool { n++; return true }
	countEntry := func(store.Entry) bool { n++; return true }

	require.Zero(t, testing.AllocsPerRun(100, func() { s.Range("", "", countNode) }), "Range")
	require.Zero(t, testing.AllocsPerRun(100, func() { s.Range("node-3", "node-5", countNode) }), "Range(lo, hi)")
	require.Zero(t, testing.AllocsPerRun(100, func() { s.Entries("node-7", 0, countEntry) }), "Entries")
	require.Zero(t, testing.AllocsPerRun(100, func() { s.Entries("node-7", 600, countEntry) }), "Entries(after)")
	require.Zero(t, testing.AllocsPerRun(100, func() { s.Get("node-7", "k3") }), "Get")
	require.Zero(t, testing.AllocsPerRun(100, func() { s.Node("node-7") }), "Node")
	require.Zero(t, testing.AllocsPerRun(100, writeAll), "Put of existing keys")

	// A replica applying 64-entry deltas over the same keys.
	d := &store.Delta{ID: "node-7", Generation: 1, Entries: make([]store.Entry, len(keys))}
	r := mem.New()
	var from uint64
	applyOne := func() {
		d.From, d.Upto = from, from+uint64(len(keys))
		for i := range d.Entries {
			d.Entries[i] = store.Entry{Key: keys[i], Value: values[round%2], Version: from + uint64(i) + 1}
		}
		if err := r.Apply(d, func(store.Entry) {}); err != nil {
			t.Fatal(err)
		}
		from = d.Upto
		round++
	}
	for range 10 {
		applyOne()
	}
	require.Zero(t, testing.AllocsPerRun(100, applyOne), "Apply")
}

// TestCompaction overwrites a few keys many times and checks that the log
// stays small and reads stay right through every squeeze.
func TestCompaction(t *testing.T) {
	s := mem.New()
	_, err := s.AddNode("n", 1)
	require.NoError(t, err)
	want := map[string]store.Entry{}
	for i := range 1000 {
		k := "k" + strconv.Itoa(i%3)
		del := i%7 == 0
		e, changed, err := s.Put("n", k, strconv.Itoa(i), del)
		require.NoError(t, err)
		if changed {
			want[k] = e
		}
		if i%50 == 0 {
			s.GC("n", uint64(i))
			for k, e := range want {
				if e.Tombstone && e.Version <= uint64(i) {
					delete(want, k)
				}
			}
		}
		var got []store.Entry
		s.Entries("n", 0, func(e store.Entry) bool { got = append(got, e); return true })
		require.Len(t, got, len(want))
		for _, e := range got {
			require.Equal(t, want[e.Key], e)
			g, ok := s.Get("n", e.Key)
			require.True(t, ok)
			require.Equal(t, e, g)
		}
	}
}

// TestDuplicateKeys pins down what the package documents for a delta that
// repeats a key, which a correct sender never sends: the entries apply one
// after the other.
func TestDuplicateKeys(t *testing.T) {
	for _, reset := range []bool{false, true} {
		s := mem.New()
		var calls []store.Entry
		d := &store.Delta{ID: "n", Generation: 1, Upto: 3, Reset: reset, Entries: []store.Entry{
			{Key: "k", Value: "a", Version: 1}, {Key: "k", Value: "b", Version: 2}, {Key: "j", Value: "c", Version: 3},
		}}
		require.NoError(t, s.Apply(d, func(e store.Entry) { calls = append(calls, e) }))
		require.Equal(t, d.Entries, calls)
		var got []store.Entry
		s.Entries("n", 0, func(e store.Entry) bool { got = append(got, e); return true })
		require.Equal(t, d.Entries[1:], got, "reset %v", reset)
	}
}
