package mem

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// waitFor fails the test if ch does not deliver within a generous real-time
// bound.
func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		var zero T
		return zero
	}
}

func TestRunRealtimeDeliversAndFiresTimers(t *testing.T) {
	for _, delay := range []time.Duration{0, 3 * time.Millisecond} {
		n := NewNetwork(Config{DefaultLink: Link{Delay: delay}})
		stop := n.RunRealtime(0)
		a, err := n.NewTransport("a")
		require.NoError(t, err)
		b, err := n.NewTransport("b")
		require.NoError(t, err)
		got := make(chan string, 100)
		require.NoError(t, a.Start(func(_ string, p []byte) { got <- string(p) }))
		require.NoError(t, b.Start(func(from string, p []byte) {
			assert.NoError(t, b.Send(from, append([]byte("echo "), p...)))
		}))
		for range 50 {
			require.NoError(t, a.Send("b", []byte("hi")))
			assert.Equal(t, "echo hi", waitFor(t, got, "echo"))
		}

		fired := make(chan time.Time, 1)
		before := n.Now()
		n.AfterFunc(5*time.Millisecond, func() { fired <- n.Now() })
		at := waitFor(t, fired, "timer")
		assert.GreaterOrEqual(t, at.Sub(before), 5*time.Millisecond)

		stop()
		stop() // idempotent
		require.NoError(t, a.Close())
		require.NoError(t, b.Close())
	}
}

func TestRunRealtimeOnlyOnce(t *testing.T) {
	n := NewNetwork(Config{})
	stop := n.RunRealtime(time.Millisecond)
	noop := n.RunRealtime(time.Millisecond)
	noop()
	fired := make(chan struct{})
	n.AfterFunc(time.Millisecond, func() { close(fired) })
	waitFor(t, fired, "timer after the no-op stop")
	stop()

	// After stop, time stands still until driven again.
	ran := false
	n.AfterFunc(0, func() { ran = true })
	frozen := n.Now()
	assert.False(t, ran)
	assert.Equal(t, frozen, n.Now())

	stop = n.RunRealtime(time.Millisecond) // restartable; picks up due work
	defer stop()
	done := make(chan struct{})
	n.AfterFunc(0, func() { close(done) })
	waitFor(t, done, "timer after restart")
	assert.True(t, ran)
}

func TestRunRealtimeCloseStopsHandlerCalls(t *testing.T) {
	n := NewNetwork(Config{})
	stop := n.RunRealtime(time.Millisecond)
	defer stop()
	a, err := n.NewTransport("a")
	require.NoError(t, err)
	b, err := n.NewTransport("b")
	require.NoError(t, err)
	require.NoError(t, a.Start(func(string, []byte) {}))
	closed := make(chan struct{})
	first := make(chan struct{}, 1)
	require.NoError(t, b.Start(func(string, []byte) {
		select {
		case <-closed:
			t.Error("handler called after Close returned")
		default:
		}
		select {
		case first <- struct{}{}:
		default:
		}
	}))
	for range 200 {
		require.NoError(t, a.Send("b", []byte("x")))
	}
	waitFor(t, first, "first delivery")
	require.NoError(t, b.Close())
	close(closed)
	for range 200 {
		require.NoError(t, a.Send("b", []byte("x")))
	}
	done := make(chan struct{})
	n.AfterFunc(time.Millisecond, func() { close(done) })
	waitFor(t, done, "later deliveries to be processed")
}
