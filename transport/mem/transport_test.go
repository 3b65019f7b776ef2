package mem

import (
	"context"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

func TestSendDeliversACopyAfterDelay(t *testing.T) {
	n := NewNetwork(Config{DefaultLink: Link{Delay: 10 * time.Millisecond}})
	ts, rs := newStarted(t, n, "a", "b")
	var arrived time.Time
	require.NoError(t, ts[1].Close())
	b, err := n.NewTransport("b")
	require.NoError(t, err)
	require.NoError(t, b.Start(func(from string, p []byte) {
		arrived = n.Now()
		rs[1].handle(from, p)
	}))
	msg := []byte("hello")
	require.NoError(t, ts[0].Send("b", msg))
	msg[0] = 'J' // Send must not retain b

	n.Advance(9 * time.Millisecond)
	assert.Empty(t, rs[1].got, "delivered before the link delay")
	n.Advance(time.Millisecond)
	assert.Equal(t, []delivery{{"a", "hello"}}, rs[1].got)
	assert.Equal(t, DefaultStart.Add(10*time.Millisecond), arrived)
	assert.Empty(t, rs[0].got)
}

func TestInFlightDatagramReachesRestartedTransport(t *testing.T) {
	n := NewNetwork(Config{DefaultLink: Link{Delay: 10 * time.Millisecond}})
	ts, rs := newStarted(t, n, "a", "b")
	require.NoError(t, ts[0].Send("b", []byte("hi")))
	require.NoError(t, ts[1].Close())
	_, rs2 := newStarted(t, n, "b")
	n.Advance(time.Second)
	assert.Empty(t, rs[1].got)
	assert.Equal(t, []delivery{{"a", "hi"}}, rs2[0].got)
}

func TestZeroDelayDeliversWithinAdvanceZero(t *testing.T) {
	n := NewNetwork(Config{})
	ts, rs := newStarted(t, n, "a", "b")
	require.NoError(t, ts[0].Send("b", []byte("x")))
	assert.Empty(t, rs[1].got, "Send must only queue")
	n.Advance(0)
	assert.Equal(t, []delivery{{"a", "x"}}, rs[1].got)
	assert.Equal(t, DefaultStart, n.Now())
}

func TestSendToSelf(t *testing.T) {
	n := NewNetwork(Config{})
	ts, rs := newStarted(t, n, "a")
	n.Isolate("a") // a node always reaches itself
	require.NoError(t, ts[0].Send("a", []byte("me")))
	n.Advance(0)
	assert.Equal(t, []delivery{{"a", "me"}}, rs[0].got)
}

func TestMTU(t *testing.T) {
	tests := []struct {
		name string
		cfg  int
		want int
	}{
		{"default", 0, DefaultMTU},
		{"negative means default", -5, DefaultMTU},
		{"custom", 512, 512},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := NewNetwork(Config{MTU: tt.cfg})
			ts, rs := newStarted(t, n, "a", "b")
			assert.Equal(t, tt.want, ts[0].MTU())
			assert.Equal(t, tt.want, n.MTU())
			require.NoError(t, ts[0].Send("b", make([]byte, tt.want)))
			err := ts[0].Send("b", make([]byte, tt.want+1))
			require.ErrorIs(t, err, transport.ErrTooLarge)
			n.Advance(0)
			require.Len(t, rs[1].got, 1)
			assert.Len(t, rs[1].got[0].data, tt.want)
			st := n.Stats()
			assert.Equal(t, uint64(1), st.Sent)
			assert.Equal(t, uint64(1), st.TooLarge)
			assert.Equal(t, tt.want, st.MaxDatagram)
		})
	}
}

func TestStartErrors(t *testing.T) {
	n := NewNetwork(Config{})
	tr, err := n.NewTransport("a")
	require.NoError(t, err)
	require.ErrorIs(t, tr.Start(nil), ErrNilHandler)
	require.NoError(t, tr.Start(func(string, []byte) {}))
	require.ErrorIs(t, tr.Start(func(string, []byte) {}), transport.ErrStarted)
	require.NoError(t, tr.Close())
}

func TestAddresses(t *testing.T) {
	n := NewNetwork(Config{})
	a, err := n.NewTransport("10.0.0.7:7946")
	require.NoError(t, err)
	assert.Equal(t, "10.0.0.7:7946", a.LocalAddr())

	_, err = n.NewTransport("10.0.0.7:7946")
	require.ErrorIs(t, err, ErrAddrInUse)

	taken, err := n.NewTransport("mem-1")
	require.NoError(t, err)
	auto, err := n.NewTransport("")
	require.NoError(t, err)
	assert.Equal(t, "mem-2", auto.LocalAddr(), "auto address skips taken ones")
	_ = taken

	require.NoError(t, a.Close())
	again, err := n.NewTransport("10.0.0.7:7946")
	require.NoError(t, err, "a closed transport's address is free")
	require.NoError(t, again.Close())
	require.NoError(t, a.Close(), "closing the old one again must not detach the new one")
}

func TestUnknownAndUnstartedDestinations(t *testing.T) {
	n := NewNetwork(Config{})
	ts, _ := newStarted(t, n, "a")
	idle, err := n.NewTransport("idle") // never started
	require.NoError(t, err)
	require.NoError(t, idle.Send("a", []byte("send before start is fine")))

	require.NoError(t, ts[0].Send("nobody", []byte("x")), "like UDP: no error")
	require.NoError(t, ts[0].Send("idle", []byte("x")))
	n.Advance(0)
	st := n.Stats()
	assert.Equal(t, uint64(1), st.DroppedUnknown)
	assert.Equal(t, uint64(1), st.DroppedClosed)
	assert.Equal(t, uint64(1), st.Delivered)
}

func TestCloseSemantics(t *testing.T) {
	n := NewNetwork(Config{DefaultLink: Link{Delay: time.Millisecond}})
	ts, rs := newStarted(t, n, "a", "b")
	require.NoError(t, ts[0].Send("b", []byte("in flight")))
	require.NoError(t, ts[1].Close())
	require.NoError(t, ts[1].Close(), "idempotent")

	require.ErrorIs(t, ts[1].Send("a", []byte("x")), net.ErrClosed)
	require.ErrorIs(t, ts[1].Start(func(string, []byte) {}), net.ErrClosed)
	require.ErrorIs(t, ts[1].SendStream(context.Background(), "a", []byte("x")), net.ErrClosed)

	require.NoError(t, ts[0].Send("b", []byte("after close")))
	n.Advance(time.Second)
	assert.Empty(t, rs[1].got, "handler called after Close")
	assert.Equal(t, uint64(2), n.Stats().DroppedClosed)
	assert.Equal(t, uint64(0), n.Stats().DroppedUnknown)
}

func TestCloseWaitsForHandlerInProgress(t *testing.T) {
	n := NewNetwork(Config{})
	ts, _ := newStarted(t, n, "a")
	entered := make(chan struct{})
	release := make(chan struct{})
	var returned bool
	b, err := n.NewTransport("b")
	require.NoError(t, err)
	require.NoError(t, b.Start(func(string, []byte) {
		close(entered)
		<-release
		returned = true
	}))
	require.NoError(t, ts[0].Send("b", nil))

	advanced := make(chan struct{})
	go func() {
		defer close(advanced)
		n.Advance(0)
	}()
	<-entered

	closed := make(chan struct{})
	go func() {
		defer close(closed)
		assert.NoError(t, b.Close())
	}()
	for { // wait until Close has begun waiting
		n.mu.Lock()
		begun := b.closed
		n.mu.Unlock()
		if begun {
			break
		}
		runtime.Gosched()
	}
	select {
	case <-closed:
		t.Fatal("Close returned while the handler was running")
	default:
	}
	close(release)
	<-closed
	assert.True(t, returned)
	<-advanced
}

func TestTransportStats(t *testing.T) {
	n := NewNetwork(Config{})
	ts, _ := newStarted(t, n, "a", "b")
	require.NoError(t, ts[0].Send("b", []byte("12345")))
	require.NoError(t, ts[0].Send("b", []byte("123")))
	require.NoError(t, ts[1].SendStream(context.Background(), "a", []byte("stream")))
	n.Advance(0)
	assert.Equal(t, TransportStats{Sent: 2, BytesSent: 8, StreamsReceived: 1}, ts[0].Stats())
	assert.Equal(t, TransportStats{Received: 2, BytesReceived: 8, StreamsSent: 1}, ts[1].Stats())
}

func TestConcurrentSendWhileAdvancing(t *testing.T) {
	n := NewNetwork(Config{DefaultLink: Link{Delay: time.Millisecond, Jitter: time.Millisecond, Loss: 0.1}})
	var mu sync.Mutex
	got := 0
	sink, err := n.NewTransport("sink")
	require.NoError(t, err)
	require.NoError(t, sink.Start(func(string, []byte) { mu.Lock(); got++; mu.Unlock() }))

	const senders, each = 4, 200
	var wg sync.WaitGroup
	for i := range senders {
		tr, err := n.NewTransport("")
		require.NoError(t, err)
		require.NoError(t, tr.Start(func(string, []byte) {}))
		wg.Go(func() {
			for j := range each {
				assert.NoError(t, tr.Send("sink", []byte{byte(i), byte(j)}))
			}
		})
	}
	stop := make(chan struct{})
	advancing := make(chan struct{})
	go func() {
		defer close(advancing)
		for {
			select {
			case <-stop:
				return
			default:
				n.Advance(time.Millisecond)
			}
		}
	}()
	wg.Wait()
	close(stop)
	<-advancing
	n.Advance(time.Second)

	st := n.Stats()
	assert.Equal(t, uint64(senders*each), st.Sent)
	assert.Equal(t, st.Sent, st.Delivered+st.Dropped())
	mu.Lock()
	assert.Equal(t, int(st.Delivered), got)
	mu.Unlock()
}
