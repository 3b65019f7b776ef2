package storetest

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// Benchmark sizes: a cluster of benchNodes nodes with benchKeys keys each.
const (
	benchNodes = 10000
	benchKeys  = 64
)

// Benchmark measures the store's hot paths at cluster scale; run it with
// -benchmem from a one-line benchmark:
//
//	func BenchmarkStore(b *testing.B) { storetest.Benchmark(b, func() store.Store { return mem.New() }) }
func Benchmark(b *testing.B, newStore func() store.Store) {
	keys := make([]string, benchKeys)
	for i := range keys {
		keys[i] = "key-" + strconv.Itoa(i)
	}
	values := [2]string{"10.0.0.1:7946", "10.0.0.2:7946"}

	b.Run("Put", func(b *testing.B) {
		s := newStore()
		addNode(b, s, "n", 1)
		i := 0
		for b.Loop() {
			if _, _, err := s.Put("n", keys[i%benchKeys], values[(i/benchKeys)%2], false); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})

	b.Run("Apply64", func(b *testing.B) {
		s := newStore()
		d := &store.Delta{ID: "n", Generation: 1, Entries: make([]store.Entry, benchKeys)}
		for i := range d.Entries {
			d.Entries[i].Key = keys[i]
		}
		calls := 0
		fn := func(store.Entry) { calls++ }
		var from uint64
		round := 0
		for b.Loop() {
			d.From, d.Upto = from, from+benchKeys
			for i := range d.Entries {
				d.Entries[i].Value = values[round%2]
				d.Entries[i].Version = from + uint64(i) + 1
			}
			if err := s.Apply(d, fn); err != nil {
				b.Fatal(err)
			}
			from += benchKeys
			round++
		}
		if calls != round*benchKeys {
			b.Fatalf("%d callbacks for %d changes", calls, round*benchKeys)
		}
	})

	b.Run("Entries", func(b *testing.B) {
		s := newStore()
		addNode(b, s, "n", 1)
		for round := range 3 { // leave overwritten slots behind
			for _, k := range keys {
				put(b, s, "n", k, values[0]+strconv.Itoa(round))
			}
		}
		n, _ := s.Node("n")
		for _, bc := range []struct {
			name  string
			after uint64
		}{{"all", 0}, {"last8", n.MaxVersion - 8}, {"none", n.MaxVersion}} {
			b.Run(bc.name, func(b *testing.B) {
				got := 0
				count := func(store.Entry) bool {
					got++
					return true
				}
				for b.Loop() {
					s.Entries("n", bc.after, count)
				}
			})
		}
	})

	b.Run("Range10k", func(b *testing.B) {
		s := newStore()
		ids := make([]string, benchNodes)
		for i := range ids {
			ids[i] = fmt.Sprintf("node-%05d", i)
			addNode(b, s, ids[i], 1)
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
		s := newStore()
		addNode(b, s, "n", 1)
		for _, k := range keys {
			put(b, s, "n", k, values[0])
		}
		i := 0
		for b.Loop() {
			if _, ok := s.Get("n", keys[i%benchKeys]); !ok {
				b.Fatal("missing key")
			}
			i++
		}
	})
}
