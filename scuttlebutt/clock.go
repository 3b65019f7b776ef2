package scuttlebutt

import "time"

// Clock is the Node's source of time. The default is the wall clock;
// transport/mem's Network is a virtual one that a test advances by hand, which
// is how whole clusters run deterministically.
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
