package main

import (
	"math"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/transporttest"
	"github.com/scuttlebutt-go/scuttlebutt/transport/udp"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestConformance runs the shared transport suite against lossyTransport
// over loopback UDP, without loss: once with no delay (sends go straight
// through) and once with a delay (every send goes through a timer, which
// exercises the buffer copy and Close's wait for pending sends).
func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  lossyConfig
	}{
		{"NoDelay", lossyConfig{}},
		{"Delayed", lossyConfig{Latency: time.Millisecond, Jitter: 2 * time.Millisecond, Seed: 7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			transporttest.Run(t, transporttest.Suite{New: func(t *testing.T) transport.Transport {
				inner, err := udp.New(udp.Config{BindAddr: "127.0.0.1:0"})
				require.NoError(t, err)
				lt, err := newLossy(inner, tc.cfg)
				require.NoError(t, err)
				return lt
			}})
		})
	}
}

// fakeInner is an inner transport that records what it is given, so the
// lossy layer can be tested without a network or sleeps.
type fakeInner struct {
	mu      sync.Mutex
	handler transport.Handler
	sends   []sent
	closed  bool
	onSend  chan struct{} // receives one value per Send, if set
}

// sent is one recorded Send.
type sent struct {
	addr string
	b    []byte
	at   time.Time
}

func (f *fakeInner) Start(h transport.Handler) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handler = h
	return nil
}

func (f *fakeInner) Send(addr string, b []byte) error {
	f.mu.Lock()
	f.sends = append(f.sends, sent{addr, append([]byte(nil), b...), time.Now()})
	f.mu.Unlock()
	if f.onSend != nil {
		f.onSend <- struct{}{}
	}
	return nil
}

func (f *fakeInner) LocalAddr() string { return "fake:1" }
func (f *fakeInner) MTU() int          { return 100 }

func (f *fakeInner) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

func (f *fakeInner) recorded() []sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sent(nil), f.sends...)
}

// deliveredOf starts a lossy transport with loss over a fake, feeds it n
// datagrams and returns how many reached the Handler.
func deliveredOf(t *testing.T, loss float64, seed uint64, n int) int {
	t.Helper()
	f := &fakeInner{}
	lt, err := newLossy(f, lossyConfig{Loss: loss, Seed: seed})
	require.NoError(t, err)
	defer lt.Close()
	got := 0
	require.NoError(t, lt.Start(func(string, []byte) { got++ }))
	for range n {
		f.handler("peer:1", []byte("x"))
	}
	s := lt.stats()
	assert.Equal(t, uint64(got), s.Delivered)
	assert.Equal(t, uint64(n-got), s.Dropped)
	return got
}

func TestLossDropsAFraction(t *testing.T) {
	const n = 10_000
	for _, loss := range []float64{0, 0.1, 0.5, 1} {
		got := deliveredOf(t, loss, 3, n)
		want := (1 - loss) * n
		// Four standard deviations of a binomial: a wrong rate fails, luck
		// does not.
		slack := 4 * math.Sqrt(n*loss*(1-loss))
		assert.InDelta(t, want, float64(got), slack, "loss %v", loss)
		assert.Equal(t, got, deliveredOf(t, loss, 3, n), "loss %v: same seed, same drops", loss)
	}
}

func TestSendIsDelayedAndCopied(t *testing.T) {
	f := &fakeInner{onSend: make(chan struct{}, 1)}
	const latency = 30 * time.Millisecond
	lt, err := newLossy(f, lossyConfig{Latency: latency})
	require.NoError(t, err)
	defer lt.Close()
	require.NoError(t, lt.Start(func(string, []byte) {}))

	b := []byte("hello")
	start := time.Now()
	require.NoError(t, lt.Send("peer:1", b))
	copy(b, "XXXXX") // the caller may reuse b once Send returns
	assert.Empty(t, f.recorded(), "sent before the delay")

	select {
	case <-f.onSend:
	case <-time.After(5 * time.Second):
		t.Fatal("the delayed send never happened")
	}
	got := f.recorded()
	require.Len(t, got, 1)
	assert.Equal(t, "peer:1", got[0].addr)
	assert.Equal(t, "hello", string(got[0].b), "the datagram was not copied")
	assert.GreaterOrEqual(t, got[0].at.Sub(start), latency)
}

func TestCloseCancelsPendingSends(t *testing.T) {
	f := &fakeInner{}
	lt, err := newLossy(f, lossyConfig{Latency: time.Hour})
	require.NoError(t, err)
	require.NoError(t, lt.Start(func(string, []byte) {}))
	for range 10 {
		require.NoError(t, lt.Send("peer:1", []byte("later")))
	}
	require.NoError(t, lt.Close())
	assert.Empty(t, f.recorded(), "a pending send ran after Close")
	assert.True(t, f.closed, "the inner transport was not closed")
	// goleak in TestMain checks that no timer goroutine is left.
}

func TestRefusals(t *testing.T) {
	f := &fakeInner{}
	lt, err := newLossy(f, lossyConfig{Latency: time.Millisecond})
	require.NoError(t, err)
	assert.ErrorIs(t, lt.Start(nil), errNilHandler)
	require.NoError(t, lt.Start(func(string, []byte) {}))
	assert.ErrorIs(t, lt.Send("peer:1", make([]byte, f.MTU()+1)), transport.ErrTooLarge)
	require.NoError(t, lt.Close())
	assert.NoError(t, lt.Close(), "second Close")
	assert.ErrorIs(t, lt.Send("peer:1", []byte("x")), net.ErrClosed)
	assert.ErrorIs(t, lt.Start(func(string, []byte) {}), net.ErrClosed)
}

func TestNewLossyValidates(t *testing.T) {
	for _, tc := range []struct {
		name  string
		inner transport.Transport
		cfg   lossyConfig
	}{
		{"nil inner", nil, lossyConfig{}},
		{"negative latency", &fakeInner{}, lossyConfig{Latency: -1}},
		{"negative jitter", &fakeInner{}, lossyConfig{Jitter: -1}},
		{"loss above 1", &fakeInner{}, lossyConfig{Loss: 1.5}},
		{"negative loss", &fakeInner{}, lossyConfig{Loss: -0.1}},
		{"NaN loss", &fakeInner{}, lossyConfig{Loss: math.NaN()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newLossy(tc.inner, tc.cfg)
			assert.ErrorIs(t, err, errInvalidConfig)
		})
	}
}
