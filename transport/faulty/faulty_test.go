package faulty_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/faulty"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
	"github.com/scuttlebutt-go/scuttlebutt/transport/transporttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var realtimeLeak = goleak.IgnoreAnyFunction("github.com/scuttlebutt-go/scuttlebutt/transport/mem.(*Network).realtime")

// TestConformance runs the shared suite over wrappers of a real-time
// simulated network: without faults (reliable), with a delay and jitter on
// the wall clock (still reliable), and with loss (held to the suite's
// minimum delivery).
func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cfg      faulty.Config
		reliable bool
	}{
		{"none", faulty.Config{}, true},
		{"delay", faulty.Config{Delay: 2 * time.Millisecond, Jitter: 3 * time.Millisecond, Seed: 1}, true},
		{"loss", faulty.Config{Loss: 0.05, Seed: 2}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nets := sync.Map{} // *testing.T → *mem.Network
			seed := uint64(0)
			var mu sync.Mutex
			newInner := func(t *testing.T) *mem.Transport {
				v, loaded := nets.LoadOrStore(t, mem.NewNetwork(mem.Config{}))
				nw := v.(*mem.Network)
				if !loaded {
					t.Cleanup(nw.RunRealtime(0))
				}
				tr, err := nw.NewTransport("")
				require.NoError(t, err)
				return tr
			}
			transporttest.Run(t, transporttest.Suite{
				New: func(t *testing.T) transport.Transport {
					cfg := tc.cfg
					mu.Lock()
					seed++
					cfg.Seed += seed
					mu.Unlock()
					tr, err := faulty.New(newInner(t), cfg)
					require.NoError(t, err)
					return tr
				},
				StalledPeer: func(t *testing.T) string {
					tr := newInner(t)
					t.Cleanup(func() { _ = tr.Close() })
					return tr.LocalAddr()
				},
				Reliable:    tc.reliable,
				LeakOptions: []goleak.Option{realtimeLeak},
			})
		})
	}
}

// arrival is one datagram received: its payload and the virtual time.
type arrival struct {
	payload string
	at      time.Duration
}

// run sends n numbered datagrams from a wrapped transport to a plain one,
// one every millisecond of virtual time, and returns what arrived when.
func run(t *testing.T, cfg faulty.Config, n int) ([]arrival, faulty.Stats) {
	t.Helper()
	nw := mem.NewNetwork(mem.Config{Seed: 1, QueueLimit: -1})
	start := nw.Now()
	cfg.Clock = nw
	inner, err := nw.NewTransport("a")
	require.NoError(t, err)
	tr, err := faulty.New(inner, cfg)
	require.NoError(t, err)
	defer tr.Close()
	dst, err := nw.NewTransport("b")
	require.NoError(t, err)
	defer dst.Close()
	var got []arrival
	require.NoError(t, dst.Start(func(_ string, b []byte) {
		got = append(got, arrival{string(b), nw.Now().Sub(start)})
	}))
	require.NoError(t, tr.Start(func(string, []byte) {}))
	for i := range n {
		require.NoError(t, tr.Send("b", []byte(fmt.Sprint(i))))
		nw.Advance(time.Millisecond)
	}
	nw.Advance(time.Second)
	return got, tr.(interface{ Stats() faulty.Stats }).Stats()
}

// TestDeterministic: the same seed loses the same datagrams and delivers
// the others at the same instants; another seed does not.
func TestDeterministic(t *testing.T) {
	cfg := faulty.Config{Loss: 0.3, Delay: 20 * time.Millisecond, Jitter: 10 * time.Millisecond, Seed: 42}
	a, sa := run(t, cfg, 500)
	b, sb := run(t, cfg, 500)
	require.Equal(t, a, b)
	require.Equal(t, sa, sb)
	cfg.Seed = 43
	c, _ := run(t, cfg, 500)
	require.NotEqual(t, a, c)
}

// TestLoss: the fraction lost is Loss, within sampling error, and the
// counters add up.
func TestLoss(t *testing.T) {
	const n = 5000
	for _, loss := range []float64{0, 0.2, 0.5, 1} {
		got, s := run(t, faulty.Config{Loss: loss, Seed: 7}, n)
		require.Equal(t, uint64(n), s.Sent+s.Lost)
		require.Equal(t, int(s.Sent), len(got))
		require.Zero(t, s.Delayed)
		sd := math.Sqrt(loss * (1 - loss) / n)
		require.InDelta(t, loss, float64(s.Lost)/n, 4*sd+1e-9, "loss %v", loss)
	}
}

// TestDelay: without jitter every datagram arrives exactly Delay after it
// was sent, in order; with jitter within [Delay, Delay+Jitter), and some
// overtake others.
func TestDelay(t *testing.T) {
	got, s := run(t, faulty.Config{Delay: 50 * time.Millisecond}, 100)
	require.Len(t, got, 100)
	require.Equal(t, uint64(100), s.Delayed)
	for i, a := range got {
		require.Equal(t, fmt.Sprint(i), a.payload)
		require.Equal(t, time.Duration(i)*time.Millisecond+50*time.Millisecond, a.at)
	}

	got, _ = run(t, faulty.Config{Delay: 50 * time.Millisecond, Jitter: 20 * time.Millisecond, Seed: 3}, 200)
	require.Len(t, got, 200)
	reordered := 0
	prev := -1
	for _, a := range got {
		var i int
		fmt.Sscan(a.payload, &i)
		sent := time.Duration(i) * time.Millisecond
		require.GreaterOrEqual(t, a.at-sent, 50*time.Millisecond)
		require.Less(t, a.at-sent, 70*time.Millisecond)
		if i < prev {
			reordered++
		}
		prev = max(prev, i)
	}
	require.Positive(t, reordered, "jitter reorders")
}

// TestCloseDropsDelayed: datagrams still waiting for their delay are never
// sent once Close returns, and no goroutine is left on the wall clock.
func TestCloseDropsDelayed(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{})
	inner, err := nw.NewTransport("a")
	require.NoError(t, err)
	tr, err := faulty.New(inner, faulty.Config{Delay: time.Hour, Clock: nw})
	require.NoError(t, err)
	dst, err := nw.NewTransport("b")
	require.NoError(t, err)
	defer dst.Close()
	delivered := 0
	require.NoError(t, dst.Start(func(string, []byte) { delivered++ }))
	require.NoError(t, tr.Start(func(string, []byte) {}))
	for range 10 {
		require.NoError(t, tr.Send("b", []byte("x")))
	}
	require.Equal(t, 10, nw.PendingTimers())
	require.NoError(t, tr.Close())
	require.NoError(t, tr.Close(), "Close is idempotent")
	nw.Advance(2 * time.Hour)
	require.Zero(t, delivered)
	require.Zero(t, nw.PendingTimers())
	require.ErrorIs(t, tr.Send("b", []byte("x")), net.ErrClosed)

	// On the wall clock: the timers are stopped, nothing is left running.
	nw2 := mem.NewNetwork(mem.Config{})
	inner2, err := nw2.NewTransport("a")
	require.NoError(t, err)
	tr2, err := faulty.New(inner2, faulty.Config{Delay: time.Hour})
	require.NoError(t, err)
	require.NoError(t, tr2.Start(func(string, []byte) {}))
	require.NoError(t, tr2.Send("b", []byte("x")))
	require.NoError(t, tr2.Close())
	goleak.VerifyNone(t)
}

// TestErrors: the contract's errors come back at once, even when the
// datagram would have been lost.
func TestErrors(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{MTU: 600})
	inner, err := nw.NewTransport("a")
	require.NoError(t, err)
	tr, err := faulty.New(inner, faulty.Config{Loss: 1})
	require.NoError(t, err)
	require.NoError(t, tr.Start(func(string, []byte) {}))
	require.Equal(t, 600, tr.MTU())
	require.Equal(t, "a", tr.LocalAddr())
	require.ErrorIs(t, tr.Send("b", make([]byte, 601)), transport.ErrTooLarge)
	require.NoError(t, tr.Send("b", make([]byte, 600)), "lost, as on the wire")
	require.NoError(t, tr.Close())
	require.ErrorIs(t, tr.Start(func(string, []byte) {}), net.ErrClosed)

	for _, cfg := range []faulty.Config{{Loss: -0.1}, {Loss: 1.5}, {Loss: math.NaN()}, {Delay: -1}, {Jitter: -1}} {
		inner, err := nw.NewTransport("")
		require.NoError(t, err)
		_, err = faulty.New(inner, cfg)
		require.ErrorIs(t, err, transport.ErrInvalidConfig, "%+v", cfg)
		inner.Close()
	}
	_, err = faulty.New(nil, faulty.Config{})
	require.ErrorIs(t, err, transport.ErrInvalidConfig)
}

// datagramOnly hides the stream capability of the transport it embeds.
type datagramOnly struct{ transport.Transport }

// TestStreams: the wrapper is a Streamer exactly when the inner transport
// is, and stream messages pass through untouched even at Loss 1.
func TestStreams(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{})
	inner, err := nw.NewTransport("a")
	require.NoError(t, err)
	tr, err := faulty.New(inner, faulty.Config{Loss: 1})
	require.NoError(t, err)
	defer tr.Close()
	s, ok := tr.(transport.Streamer)
	require.True(t, ok)
	require.Equal(t, nw.MaxStreamSize(), s.MaxStreamSize())
	dst, err := nw.NewTransport("b")
	require.NoError(t, err)
	defer dst.Close()
	var got []byte
	require.NoError(t, dst.Start(func(_ string, b []byte) { got = append([]byte(nil), b...) }))
	require.NoError(t, tr.Start(func(string, []byte) {}))
	require.NoError(t, s.SendStream(context.Background(), "b", []byte("whole")))
	nw.Advance(time.Second)
	require.Equal(t, "whole", string(got))

	plain, err := nw.NewTransport("c")
	require.NoError(t, err)
	tr2, err := faulty.New(datagramOnly{plain}, faulty.Config{})
	require.NoError(t, err)
	defer tr2.Close()
	_, ok = tr2.(transport.Streamer)
	require.False(t, ok)
	_, ok = tr2.(*faulty.Transport)
	require.True(t, ok)
	require.NoError(t, tr.Close())
	require.True(t, errors.Is(s.SendStream(context.Background(), "b", []byte("x")), net.ErrClosed))
}
