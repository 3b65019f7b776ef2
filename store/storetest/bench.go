package storetest

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// Benchmark sizes: a cluster of benchNodes nodes, and a node of benchKeys keys.
const (
	benchNodes = 10000
	benchKeys  = 64
)

// Benchmark measures the store's hot paths; run it with -benchmem from a
// one-line benchmark:
//
//	func BenchmarkStore(b *testing.B) { storetest.Benchmark(b, func() store.Store { return mem.New() }) }
//
// Put writes one entry per Write at ascending versions over a node's 64 keys
// (an owner's writes, or a replica applying a delta entry by entry); Put64
// writes them 64 to a Write (a delta); PutBelowTail writes them in
// descending version runs; Cluster writes 2 keys to each of 10,000 nodes;
// Entries scans a node's log; Range and Get read.
func Benchmark(b *testing.B, newStore func() store.Store) {
	keys := make([]string, benchKeys)
	for i := range keys {
		keys[i] = "key-" + strconv.Itoa(i)
	}
	values := [2]string{"10.0.0.1:7946", "10.0.0.2:7946"}
	ids := make([]string, benchNodes)
	for i := range ids {
		ids[i] = fmt.Sprintf("node-%05d", i)
	}

	b.Run("Put", func(b *testing.B) {
		s := newStore()
		w := &store.Write{Node: node("n", 1, 0), Put: make([]store.Entry, 1)}
		var v uint64
		for b.Loop() {
			v++
			w.Node.MaxVersion = v
			w.Put[0] = live(keys[v%benchKeys], values[(v/benchKeys)%2], v)
			if err := s.Write(w); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("Put64", func(b *testing.B) {
		s := newStore()
		w := &store.Write{Node: node("n", 1, 0), Put: make([]store.Entry, benchKeys)}
		var v uint64
		for b.Loop() {
			for i := range w.Put {
				v++
				w.Put[i] = live(keys[i], values[(v/benchKeys)%2], v)
			}
			w.Node.MaxVersion = v
			if err := s.Write(w); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("PutBelowTail", func(b *testing.B) {
		s := newStore()
		w := &store.Write{Node: node("n", 1, 0), Put: make([]store.Entry, 1)}
		var base uint64
		i := 0
		for b.Loop() {
			// Each run of benchKeys writes goes down from base+benchKeys to
			// base+1, so every write but a run's first lands below the tail.
			k := i % benchKeys
			if k == 0 {
				base += benchKeys
			}
			v := base + benchKeys - uint64(k)
			w.Node.MaxVersion = base + benchKeys
			w.Put[0] = live(keys[k], values[0], v)
			if err := s.Write(w); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})

	b.Run("Cluster", func(b *testing.B) {
		// A fresh store per iteration: the cost of learning a cluster of
		// 10,000 nodes with 2 keys each.
		w := &store.Write{Put: make([]store.Entry, 2)}
		for b.Loop() {
			s := newStore()
			for _, id := range ids {
				w.Node = node(id, 1, 2)
				w.Put[0] = live("addr", values[0], 1)
				w.Put[1] = live("role", "db", 2)
				if err := s.Write(w); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchNodes), "ns/node")
	})

	b.Run("Entries", func(b *testing.B) {
		s := newStore()
		w := &store.Write{Node: node("n", 1, 0), Put: make([]store.Entry, 1)}
		var v uint64
		for range 3 { // leave overwritten slots behind
			for _, k := range keys {
				v++
				w.Node.MaxVersion = v
				w.Put[0] = live(k, values[v%2], v)
				write(b, s, w)
			}
		}
		for _, bc := range []struct {
			name  string
			after uint64
			want  int
		}{{"all", 0, benchKeys}, {"last8", v - 8, 8}, {"none", v, 0}} {
			b.Run(bc.name, func(b *testing.B) {
				got := 0
				count := func(store.Entry) bool {
					got++
					return true
				}
				for b.Loop() {
					got = 0
					s.Entries("n", bc.after, count)
					if got != bc.want {
						b.Fatalf("Entries(%d) listed %d entries, want %d", bc.after, got, bc.want)
					}
				}
			})
		}
	})

	b.Run("Range10k", func(b *testing.B) {
		s := newStore()
		for _, id := range ids {
			write(b, s, &store.Write{Node: node(id, 1, 0)})
		}
		seen := 0
		count := func(store.Node) bool {
			seen++
			return true
		}
		b.Run("all", func(b *testing.B) {
			for b.Loop() {
				seen = 0
				s.Range("", "", count)
				if seen != benchNodes {
					b.Fatalf("Range saw %d nodes", seen)
				}
			}
		})
		b.Run("slice100", func(b *testing.B) {
			for b.Loop() {
				seen = 0
				s.Range("node-05000", "node-05099", count)
				if seen != 100 {
					b.Fatalf("Range saw %d nodes", seen)
				}
			}
		})
	})

	b.Run("Get", func(b *testing.B) {
		for _, n := range []int{2, benchKeys} {
			b.Run(strconv.Itoa(n)+"keys", func(b *testing.B) {
				s := newStore()
				w := &store.Write{Node: node("n", 1, uint64(n))}
				for i := range n {
					w.Put = append(w.Put, live(keys[i], values[0], uint64(i+1)))
				}
				write(b, s, w)
				i := 0
				for b.Loop() {
					if _, ok := s.Get("n", keys[i%n]); !ok {
						b.Fatal("missing key")
					}
					i++
				}
			})
		}
	})
}
