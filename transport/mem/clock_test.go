package mem

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNowStartsAtConfiguredTime(t *testing.T) {
	assert.Equal(t, DefaultStart, NewNetwork(Config{}).Now())
	start := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	assert.Equal(t, start, NewNetwork(Config{Start: start}).Now())
}

func TestAdvanceMovesClock(t *testing.T) {
	n := NewNetwork(Config{})
	n.Advance(3 * time.Second)
	assert.Equal(t, DefaultStart.Add(3*time.Second), n.Now())
	n.Advance(-time.Second) // negative counts as zero
	assert.Equal(t, DefaultStart.Add(3*time.Second), n.Now())
}

func TestTimersFireInOrder(t *testing.T) {
	n := NewNetwork(Config{})
	type fired struct {
		name string
		at   time.Duration
	}
	var got []fired
	at := func(name string) func() {
		return func() { got = append(got, fired{name, n.Now().Sub(DefaultStart)}) }
	}
	n.AfterFunc(30*time.Millisecond, at("c"))
	n.AfterFunc(10*time.Millisecond, at("a1"))
	n.AfterFunc(20*time.Millisecond, at("b"))
	n.AfterFunc(10*time.Millisecond, at("a2")) // same instant: after a1
	n.AfterFunc(time.Hour, at("late"))
	require.Equal(t, 5, n.PendingTimers())

	n.Advance(30 * time.Millisecond)
	assert.Equal(t, []fired{
		{"a1", 10 * time.Millisecond},
		{"a2", 10 * time.Millisecond},
		{"b", 20 * time.Millisecond},
		{"c", 30 * time.Millisecond},
	}, got)
	assert.Equal(t, 1, n.PendingTimers())
}

func TestTimerStop(t *testing.T) {
	n := NewNetwork(Config{})
	ran := 0
	stopEarly := n.AfterFunc(time.Second, func() { ran++ })
	stopLate := n.AfterFunc(time.Second, func() { ran += 10 })

	assert.True(t, stopEarly(), "stopping a pending timer")
	assert.False(t, stopEarly(), "stopping twice")
	n.Advance(time.Second)
	assert.Equal(t, 10, ran)
	assert.False(t, stopLate(), "stopping a fired timer")
	assert.Equal(t, 0, n.PendingTimers())
}

func TestTimerStoppedByEarlierTimer(t *testing.T) {
	n := NewNetwork(Config{})
	var stop func() bool
	var stopped, ran bool
	n.AfterFunc(time.Millisecond, func() { stopped = stop() })
	stop = n.AfterFunc(2*time.Millisecond, func() { ran = true })
	n.Advance(time.Second)
	assert.True(t, stopped)
	assert.False(t, ran)
}

func TestAfterFuncNonPositiveRunsAtNextAdvance(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		n := NewNetwork(Config{})
		n.Advance(time.Minute)
		var at time.Time
		n.AfterFunc(d, func() { at = n.Now() })
		assert.True(t, at.IsZero(), "ran before Advance")
		n.Advance(0)
		assert.Equal(t, DefaultStart.Add(time.Minute), at, "d=%v", d)
	}
}

func TestNestedSchedulingDuringAdvance(t *testing.T) {
	n := NewNetwork(Config{})
	var got []string
	n.AfterFunc(10*time.Millisecond, func() {
		got = append(got, "outer")
		n.AfterFunc(0, func() { got = append(got, "now") })
		n.AfterFunc(5*time.Millisecond, func() {
			got = append(got, "inside")
			n.AfterFunc(time.Second, func() { got = append(got, "beyond") })
		})
	})
	n.Advance(20 * time.Millisecond)
	assert.Equal(t, []string{"outer", "now", "inside"}, got)
	assert.Equal(t, 1, n.PendingTimers())
	n.Advance(time.Second)
	assert.Equal(t, []string{"outer", "now", "inside", "beyond"}, got)
}

func TestStep(t *testing.T) {
	n := NewNetwork(Config{})
	assert.False(t, n.Step(), "empty queue")
	count := 0
	n.AfterFunc(time.Hour, func() { count++ })
	n.AfterFunc(2*time.Hour, func() { count++ })
	require.True(t, n.Step())
	assert.Equal(t, 1, count)
	assert.Equal(t, DefaultStart.Add(time.Hour), n.Now())
}

func TestRunUntil(t *testing.T) {
	n := NewNetwork(Config{})
	count := 0
	for i := 1; i <= 5; i++ {
		n.AfterFunc(time.Duration(i)*time.Second, func() { count++ })
	}
	ok := n.RunUntil(DefaultStart.Add(time.Minute), func() bool { return count == 3 })
	assert.True(t, ok)
	assert.Equal(t, 3, count)
	assert.Equal(t, DefaultStart.Add(3*time.Second), n.Now(), "clock stays at the last event")

	deadline := DefaultStart.Add(10 * time.Second)
	ok = n.RunUntil(deadline, func() bool { return count == 99 })
	assert.False(t, ok)
	assert.Equal(t, 5, count)
	assert.Equal(t, deadline, n.Now())
}

func TestStoppedTimersAreCompacted(t *testing.T) {
	n := NewNetwork(Config{})
	stops := make([]func() bool, 5000)
	for i := range stops {
		stops[i] = n.AfterFunc(time.Hour, func() { t.Error("stopped timer ran") })
	}
	for _, stop := range stops {
		require.True(t, stop())
	}
	n.mu.Lock()
	queued := len(n.queue)
	n.mu.Unlock()
	assert.Less(t, queued, 2500, "stopped timers left in the queue")
	assert.Equal(t, 0, n.PendingTimers())
	n.Advance(2 * time.Hour)
}

func TestNetworkIsAClock(t *testing.T) {
	// The method set of scuttlebutt.Clock, without importing it.
	var _ interface {
		Now() time.Time
		AfterFunc(d time.Duration, f func()) (stop func() bool)
	} = NewNetwork(Config{})
}
