package udp_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/transport/udp"
)

// BenchmarkThroughput sends 1,400-byte datagrams as fast as Send allows
// between two loopback transports. ns/op is the sender's cost per datagram;
// recv-msgs/s counts what the receiver got per second of the whole run, and
// loss-% what it did not get (the receiver's socket buffer overflowing).
func BenchmarkThroughput(b *testing.B) {
	tx := newLoopback(b, udp.Config{})
	rx := newLoopback(b, udp.Config{})
	var got atomic.Int64
	require.NoError(b, rx.Start(func(string, []byte) { got.Add(1) }))
	require.NoError(b, tx.Start(func(string, []byte) {}))
	msg := make([]byte, udp.DefaultMTU)
	to := rx.LocalAddr()

	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		if err := tx.Send(to, msg); err != nil {
			b.Fatal(err)
		}
	}
	// Wait for the receiver to drain: all arrived, or no progress for a
	// while.
	sent := int64(b.N)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for last := int64(-1); got.Load() < sent && got.Load() != last; <-tick.C {
		last = got.Load()
	}
	elapsed := time.Since(start)
	n := got.Load()
	b.ReportMetric(float64(n)/elapsed.Seconds(), "recv-msgs/s")
	b.ReportMetric(100*float64(sent-n)/float64(sent), "loss-%")
}

// BenchmarkRoundTrip measures ping-pong latency between two loopback
// transports: ns/op is one round trip.
func BenchmarkRoundTrip(b *testing.B) {
	for _, size := range []int{64, udp.DefaultMTU} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			a := newLoopback(b, udp.Config{})
			echo := newLoopback(b, udp.Config{})
			require.NoError(b, echo.Start(func(from string, msg []byte) { _ = echo.Send(from, msg) }))
			pong := make(chan struct{}, 1)
			require.NoError(b, a.Start(func(string, []byte) { pong <- struct{}{} }))
			msg := make([]byte, size)
			to := echo.LocalAddr()
			timeout := time.NewTimer(time.Hour)
			defer timeout.Stop()

			b.ReportAllocs()
			for b.Loop() {
				if err := a.Send(to, msg); err != nil {
					b.Fatal(err)
				}
				timeout.Reset(time.Second)
				select {
				case <-pong:
				case <-timeout.C:
					b.Fatal("no pong within 1s")
				}
			}
		})
	}
}
