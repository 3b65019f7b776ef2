package bolt_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/store"
	"github.com/scuttlebutt-go/scuttlebutt/store/bolt"
	storemem "github.com/scuttlebutt-go/scuttlebutt/store/mem"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// The write benchmarks run with fsync (the default) and without, next to
// the in-memory store.
var benchStores = []struct {
	name string
	open func(b *testing.B) store.Store
}{
	{"bolt-sync", func(b *testing.B) store.Store { return newStore(b, nil) }},
	{"bolt-nosync", func(b *testing.B) store.Store { return newStore(b, &bolt.Options{NoSync: true}) }},
	{"mem", func(*testing.B) store.Store { return storemem.New() }},
}

// BenchmarkUpdateLocal measures Node.UpdateLocal on each store: one owner
// write (the core reads the summary and the key, checks the write fits,
// and writes one entry with the new summary: one transaction).
func BenchmarkUpdateLocal(b *testing.B) {
	for _, bs := range benchStores {
		b.Run(bs.name, func(b *testing.B) {
			nw := mem.NewNetwork(mem.Config{})
			tr, err := nw.NewTransport("10.0.0.1:7946")
			require.NoError(b, err)
			n, err := scuttlebutt.NewBuilder("self").Store(bs.open(b)).Transport(tr).Clock(nw).Seed(1).Build()
			require.NoError(b, err)
			defer n.Close()
			keys := make([]string, 16)
			for i := range keys {
				keys[i] = "key-" + strconv.Itoa(i)
			}
			i := 0
			for b.Loop() {
				if err := n.UpdateLocal(keys[i%len(keys)], strconv.Itoa(i)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// Message shape for BenchmarkApplyMessage: an ACK of about a 1,400-byte
// datagram carries some 50 entries; here, 10 node deltas of 5 entries.
const (
	msgNodes   = 10
	msgEntries = 5
)

// BenchmarkApplyMessage measures applying one received message's deltas the
// way the core does (per node delta: read the summary, look up each key's
// previous entry, write the entries and the new summary), as one Batch
// (what the core does with a store.Batcher: one transaction) and, for
// comparison, as one transaction per node delta.
func BenchmarkApplyMessage(b *testing.B) {
	ids := make([]string, msgNodes)
	for i := range ids {
		ids[i] = "node-" + strconv.Itoa(i)
	}
	keys := make([]string, 16)
	for i := range keys {
		keys[i] = "key-" + strconv.Itoa(i)
	}
	for _, bs := range benchStores {
		for _, batched := range []bool{true, false} {
			name := bs.name + "/batched"
			if !batched {
				name = bs.name + "/per-delta"
			}
			if batched && bs.name == "mem" {
				continue // not a store.Batcher
			}
			b.Run(name, func(b *testing.B) {
				s := bs.open(b)
				w := &store.Write{Put: make([]store.Entry, msgEntries)}
				apply := func() error {
					for _, id := range ids {
						n, _ := s.Node(id)
						n.ID, n.Generation = id, 1
						for j := range w.Put {
							v := n.MaxVersion + uint64(j) + 1
							k := keys[v%uint64(len(keys))]
							s.Get(id, k)
							w.Put[j] = store.Entry{Key: k, Value: "10.0.0.1:7946", Version: v}
						}
						n.MaxVersion += msgEntries
						w.Node = n
						if err := s.Write(w); err != nil {
							return err
						}
					}
					return nil
				}
				for b.Loop() {
					var err error
					if batched {
						err = s.(store.Batcher).Batch(apply)
					} else {
						err = apply()
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*msgNodes*msgEntries), "ns/entry")
			})
		}
	}
}
