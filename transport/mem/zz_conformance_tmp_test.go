package mem_test

import (
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
	"github.com/scuttlebutt-go/scuttlebutt/transport/transporttest"
)

func TestConformanceTmp(t *testing.T) {
	var mu sync.Mutex
	nets := map[*testing.T]*mem.Network{}
	transporttest.Run(t, transporttest.Suite{
		Reliable:    true,
		LeakOptions: []goleak.Option{goleak.IgnoreAnyFunction("github.com/scuttlebutt-go/scuttlebutt/transport/mem.(*Network).realtime")},
		New: func(t *testing.T) transport.Transport {
			mu.Lock()
			nw, ok := nets[t]
			if !ok {
				nw = mem.NewNetwork(mem.Config{})
				nets[t] = nw
				stop := nw.RunRealtime(0)
				t.Cleanup(stop)
			}
			mu.Unlock()
			tr, err := nw.NewTransport("")
			if err != nil {
				t.Fatal(err)
			}
			return tr
		},
	})
}
