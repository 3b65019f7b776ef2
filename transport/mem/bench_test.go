package mem

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// runCluster simulates nodes gossiping for rounds rounds of one second: each
// round every node sends a full-MTU SYN to fanout random peers, which answer
// with an ACK, answered in turn by an ACK2, the three datagrams of a
// Scuttlebutt exchange. It returns the Network for its Stats.
func runCluster(tb testing.TB, nodes, fanout, rounds int) *Network {
	n := NewNetwork(Config{
		Seed:        1,
		DefaultLink: Link{Delay: time.Millisecond, Jitter: 2 * time.Millisecond, Loss: 0.01},
	})
	pick := rand.New(rand.NewPCG(1, 1))
	ts := make([]*Transport, nodes)
	addrs := make([]string, nodes)
	for i := range ts {
		tr, err := n.NewTransport(fmt.Sprintf("10.0.%d.%d:7946", i/256, i%256))
		if err != nil {
			tb.Fatal(err)
		}
		ts[i], addrs[i] = tr, tr.LocalAddr()
	}
	for i, tr := range ts {
		msg := make([]byte, n.MTU())
		msg[1] = byte(i)
		if err := tr.Start(func(from string, b []byte) {
			if b[0] < 2 { // SYN -> ACK -> ACK2
				msg[0] = b[0] + 1
				_ = tr.Send(from, msg)
			}
		}); err != nil {
			tb.Fatal(err)
		}
		var tick func()
		tick = func() {
			msg[0] = 0
			for range fanout {
				_ = tr.Send(addrs[pick.IntN(nodes)], msg)
			}
			n.AfterFunc(time.Second, tick)
		}
		n.AfterFunc(time.Duration(pick.Int64N(int64(time.Second))), tick)
	}
	n.Advance(time.Duration(rounds) * time.Second)
	for _, tr := range ts {
		_ = tr.Close()
	}
	return n
}

func BenchmarkCluster(b *testing.B) {
	for _, nodes := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("nodes=%d", nodes), func(b *testing.B) {
			const rounds = 30
			var st Stats
			for b.Loop() {
				st = runCluster(b, nodes, 2, rounds).Stats()
			}
			b.ReportMetric(float64(st.Sent)/rounds, "datagrams/round")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(st.Sent), "ns/datagram")
		})
	}
}

func TestSmallClusterAccounting(t *testing.T) {
	n := runCluster(t, 100, 2, 5)
	st := n.Stats()
	if st.Sent < 100*2*5*2 {
		t.Fatalf("only %d datagrams sent", st.Sent)
	}
	if got, want := st.Delivered+st.Dropped(), st.Sent+st.Duplicated; got+uint64(n.InFlight()) != want {
		t.Fatalf("delivered+dropped+in flight = %d+%d, want sent+duplicated = %d", got, n.InFlight(), want)
	}
	if st.MaxDatagram != n.MTU() {
		t.Fatalf("MaxDatagram = %d, want %d", st.MaxDatagram, n.MTU())
	}
}
