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
	transporttest.Run(t, transporttest.Suite{
		New: func(t *testing.T) transport.Transport {
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
		},
		Reliable:    true,
		LeakOptions: []goleak.Option{goleak.IgnoreAnyFunction("github.com/scuttlebutt-go/scuttlebutt/transport/mem.(*Network).realtime")},
	})
}
