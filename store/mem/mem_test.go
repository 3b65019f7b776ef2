package mem_test

import (
	"fmt"
	"runtime"
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

// TestNoAllocs checks that reads never allocate and that writes stop
// allocating once a node's log and index have reached their working size.
func TestNoAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts")
	}
	s := mem.New()
	for i := range 100 {
		require.NoError(t, s.Write(&store.Write{Node: store.Node{ID: "node-" + strconv.Itoa(i)}}))
	}
	keys := make([]string, 64)
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(i)
	}
	w := &store.Write{Node: store.Node{ID: "node-7"}, Put: make([]store.Entry, len(keys))}
	var v uint64
	writeAll := func() {
		for i := range w.Put {
			v++
			w.Put[i] = store.Entry{Key: keys[i], Value: "v", Version: v}
		}
		w.Node.MaxVersion = v
		if err := s.Write(w); err != nil {
			t.Fatal(err)
		}
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
	require.Zero(t, testing.AllocsPerRun(100, func() { s.Entries("node-7", v-8, countEntry) }), "Entries(after)")
	require.Zero(t, testing.AllocsPerRun(100, func() { s.Get("node-7", "k3") }), "Get")
	require.Zero(t, testing.AllocsPerRun(100, func() { s.Node("node-7") }), "Node")
	require.Zero(t, testing.AllocsPerRun(100, writeAll), "Write over existing keys")
}

// bytesPerNode returns the heap bytes a Store holds per node for n nodes
// with 2 keys each, not counting the ID, key and value strings (which the
// caller owns and the store shares).
func bytesPerNode(n int) float64 {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("node-%05d", i)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := mem.New()
	w := &store.Write{Put: make([]store.Entry, 2)}
	for _, id := range ids {
		w.Node = store.Node{ID: id, Generation: 1, MaxVersion: 2}
		w.Put[0] = store.Entry{Key: "addr", Value: "10.0.0.1:7946", Version: 1}
		w.Put[1] = store.Entry{Key: "role", Value: "db", Version: 2}
		if err := s.Write(w); err != nil {
			panic(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(s)
	runtime.KeepAlive(ids)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
}

// TestBytesPerNode reports the memory a node with 2 keys costs and keeps it
// from creeping up.
func TestBytesPerNode(t *testing.T) {
	if testing.Short() {
		t.Skip("memory measurement")
	}
	for _, n := range []int{1000, 10000} {
		b := bytesPerNode(n)
		t.Logf("%d nodes with 2 keys: %.0f bytes per node", n, b)
		require.Less(t, b, 320.0, "bytes per node with 2 keys")
	}
}

// BenchmarkBytesPerNode reports the memory of 10,000 nodes with 2 keys each,
// per node, as B/node.
func BenchmarkBytesPerNode(b *testing.B) {
	var per float64
	for b.Loop() {
		per = bytesPerNode(10000)
	}
	b.ReportMetric(per, "B/node")
}
