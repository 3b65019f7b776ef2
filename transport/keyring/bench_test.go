package keyring_test

import (
	"testing"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/keyring"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// BenchmarkSealOpen measures sending a 1,200-byte datagram through a
// sealing wrapper to an opening one on a simulated network, against the
// same without the wrappers.
func BenchmarkSealOpen(b *testing.B) {
	for _, sealed := range []bool{false, true} {
		name := "plain"
		if sealed {
			name = "sealed"
		}
		b.Run(name, func(b *testing.B) {
			ring, _ := keyring.New(key(1))
			nw := mem.NewNetwork(mem.Config{QueueLimit: -1})
			ia, _ := nw.NewTransport("a")
			ib, _ := nw.NewTransport("b")
			var a, c transport.Transport = ia, ib
			if sealed {
				a, _ = keyring.Wrap(ia, keyring.Config{Keyring: ring})
				c, _ = keyring.Wrap(ib, keyring.Config{Keyring: ring})
			}
			defer a.Close()
			defer c.Close()
			got := 0
			_ = a.Start(func(string, []byte) {})
			_ = c.Start(func(string, []byte) { got++ })
			msg := make([]byte, 1200)
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				_ = a.Send("b", msg)
				nw.Advance(time.Microsecond)
			}
			if got != b.N {
				b.Fatalf("delivered %d of %d", got, b.N)
			}
		})
	}
}
