package scuttlebutt

import (
	"sync"
	"time"
)

// Clock is the Node's source of time. The default is the wall clock;
// transport/mem's Network is a virtual one that a test advances by hand, which
// is how whole clusters run deterministically.
//
// Now must be monotonic: it never returns a time before one it returned
// earlier. The wall clock's readings carry Go's monotonic clock, so a step of
// the system clock does not move them. The Node still guards against a
// clock that breaks the rule: a reading earlier than the last one is taken
// as no time passing, and time runs on from there (a clock stepped back an
// hour delays nothing by an hour).
//
// AfterFunc runs f once, after d, on a goroutine of the clock's choosing (the
// virtual clock runs it on the goroutine that advances time). The returned
// stop function cancels it and reports whether it did so before f started.
type Clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// wallClock is the default Clock.
type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

func (wallClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// monotonic wraps a Clock so that Now never goes back: a step back is added
// to an offset, so time resumes from the last reading instead of repeating
// the hour it went back.
type monotonic struct {
	Clock
	mu     sync.Mutex
	last   time.Time
	offset time.Duration
}

func newMonotonic(c Clock) *monotonic { return &monotonic{Clock: c} }

// Now returns the clock's reading plus the steps back seen so far, never
// earlier than the last reading.
func (m *monotonic) Now() time.Time {
	t := m.Clock.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	t = t.Add(m.offset)
	if t.Before(m.last) {
		m.offset += m.last.Sub(t)
		t = m.last
	}
	m.last = t
	return t
}
