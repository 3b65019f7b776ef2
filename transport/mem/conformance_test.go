package mem_test

import (
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
	"github.com/scuttlebutt-go/scuttlebutt/transport/transporttest"
)

// TestConformance runs the shared transport suite over one real-time
// simulated network per case.
func TestConformance(t *testing.T) {
	nets := sync.Map{} // *testing.T → *mem.Network
	newTransport := func(t *testing.T) *mem.Transport {
		v, loaded := nets.LoadOrStore(t, mem.NewNetwork(mem.Config{}))
		nw := v.(*mem.Network)
		if !loaded {
			t.Cleanup(nw.RunRealtime(0))
		}
		tr, err := nw.NewTransport("")
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	transporttest.Run(t, transporttest.Suite{
		New: func(t *testing.T) transport.Transport { return newTransport(t) },
		// A transport that is never started reads nothing.
		StalledPeer: func(t *testing.T) string {
			tr := newTransport(t)
			t.Cleanup(func() { _ = tr.Close() })
			return tr.LocalAddr()
		},
		Reliable:    true,
		LeakOptions: []goleak.Option{goleak.IgnoreAnyFunction("github.com/scuttlebutt-go/scuttlebutt/transport/mem.(*Network).realtime")},
	})
}
