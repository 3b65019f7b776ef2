package quic_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/transport/quic"
)

// benchPair starts two transports; every message b receives is signalled
// on the returned channel.
func benchPair(b *testing.B, bHandler func(tr *quic.Transport, from string, p []byte)) (a, bb *quic.Transport) {
	cfg := quic.Config{TLS: clusterTLS(), QueueSize: 4096}
	var err error
	a, err = quic.New(cfg)
	require.NoError(b, err)
	b.Cleanup(func() { a.Close() })
	bb, err = quic.New(cfg)
	require.NoError(b, err)
	b.Cleanup(func() { bb.Close() })
	require.NoError(b, bb.Start(func(from string, p []byte) { bHandler(bb, from, p) }))
	return a, bb
}

// waiter waits for deliveries with one reusable timer, so that waiting
// allocates nothing.
type waiter struct{ timer *time.Timer }

func newWaiter() *waiter {
	w := &waiter{timer: time.NewTimer(time.Hour)}
	w.timer.Stop()
	return w
}

func (w *waiter) await(b *testing.B, ch <-chan struct{}) {
	select {
	case <-ch:
		return
	default:
	}
	w.timer.Reset(5 * time.Second)
	select {
	case <-ch:
		w.timer.Stop()
	case <-w.timer.C:
		b.Fatal("message lost")
	}
}

// BenchmarkThroughput sends one-way datagrams, at most window in flight.
func BenchmarkThroughput(b *testing.B) {
	const window = 128
	for _, size := range []int{128, 1200} {
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) {
			got := make(chan struct{}, window)
			a, dst := benchPair(b, func(_ *quic.Transport, _ string, _ []byte) { got <- struct{}{} })
			require.NoError(b, a.Start(func(string, []byte) {}))
			msg := make([]byte, size)
			w := newWaiter()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if i >= window {
					w.await(b, got)
				}
				if err := a.Send(dst.LocalAddr(), msg); err != nil {
					b.Fatal(err)
				}
			}
			for range min(b.N, window) {
				w.await(b, got)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			b.ReportMetric(float64(a.Stats().SentOnStream)/float64(b.N), "streams/msg")
		})
	}
}

// BenchmarkRoundTrip measures a datagram and its echo.
func BenchmarkRoundTrip(b *testing.B) {
	a, dst := benchPair(b, func(tr *quic.Transport, from string, p []byte) { _ = tr.Send(from, p) })
	back := make(chan struct{}, 1)
	require.NoError(b, a.Start(func(string, []byte) { back <- struct{}{} }))
	msg := make([]byte, 128)
	w := newWaiter()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := a.Send(dst.LocalAddr(), msg); err != nil {
			b.Fatal(err)
		}
		w.await(b, back)
	}
}

// BenchmarkSendStream64KiB sends acknowledged 64 KiB stream messages.
func BenchmarkSendStream64KiB(b *testing.B) {
	a, dst := benchPair(b, func(*quic.Transport, string, []byte) {})
	require.NoError(b, a.Start(func(string, []byte) {}))
	msg := make([]byte, 64<<10)
	ctx := context.Background()
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := a.SendStream(ctx, dst.LocalAddr(), msg); err != nil {
			b.Fatal(err)
		}
	}
}
