package peerq

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEnqueue(t *testing.T) {
	var drops Drops
	q := New(2, time.Second, time.Minute, &drops)
	now := time.Now()
	b := []byte("hello")
	require.Equal(t, Queued, q.Enqueue(b, now))
	b[0] = 'j' // Enqueue copied it
	require.Equal(t, Queued, q.Enqueue(b, now))
	assert.Equal(t, DroppedFull, q.Enqueue(b, now))
	assert.Equal(t, 2, q.Len())
	assert.Equal(t, uint64(1), drops.Full.Load())

	m := <-q.C()
	assert.Equal(t, "hello", string(*m))
	Recycle(m)
	assert.Equal(t, 1, q.Drain())
	assert.Equal(t, 0, q.Len())

	q.Backoff.Failed(now)
	assert.Equal(t, DroppedDown, q.Enqueue(b, now))
	assert.Equal(t, uint64(1), drops.Unreachable.Load())
	assert.Equal(t, Queued, q.Enqueue(b, now.Add(time.Second)))
}

func TestDrainUpTo(t *testing.T) {
	q := New(8, time.Second, time.Minute, new(Drops))
	for range 5 {
		q.Enqueue([]byte("x"), time.Now())
	}
	assert.Equal(t, 3, q.DrainUpTo(3))
	assert.Equal(t, 2, q.DrainUpTo(3))
	assert.Equal(t, 0, q.Drain())
}

// TestBackoff drives the backoff with injected times: pauses double from lo
// to hi, Down holds for exactly the pause after each failure, and a success
// starts over at lo.
func TestBackoff(t *testing.T) {
	lo, hi := 100*time.Millisecond, 500*time.Millisecond
	b := NewBackoff(lo, hi)
	t0 := time.Now()
	assert.False(t, b.Down(t0), "down before any failure")

	at := t0
	for _, want := range []time.Duration{100, 200, 400, 500, 500} {
		want *= time.Millisecond
		require.Equal(t, want, b.Failed(at))
		assert.True(t, b.Down(at))
		assert.True(t, b.Down(at.Add(want-time.Nanosecond)))
		assert.False(t, b.Down(at.Add(want)), "the pause of %v is over", want)
		at = at.Add(want)
	}
	b.Succeeded()
	assert.Equal(t, lo, b.Failed(at))
}
