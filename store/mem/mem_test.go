package mem_test

import (
	"testing"

	"github.com/scuttlebutt-go/scuttlebutt/store"
	"github.com/scuttlebutt-go/scuttlebutt/store/mem"
	"github.com/scuttlebutt-go/scuttlebutt/store/storetest"
)

func newStore() store.Store { return mem.New() }

func TestStore(t *testing.T) { storetest.Run(t, newStore) }

func BenchmarkStore(b *testing.B) { storetest.Benchmark(b, newStore) }
