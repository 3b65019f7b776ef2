package transporttest

import (
	"sync"
	"sync/atomic"
	"time"
)

// message is one datagram as a Handler saw it, copied.
type message struct {
	from string
	b    []byte
}

// recorder is a Handler that keeps a copy of every datagram and wakes
// waiters. It can be told that its transport is closed, after which any call
// counts as a violation.
type recorder struct {
	mu     sync.Mutex
	msgs   []message
	notify chan struct{} // capacity 1: "something arrived"

	closed atomic.Bool  // set once the transport's Close has returned
	late   atomic.Int64 // Handler calls after closed was set
}

func newRecorder() *recorder {
	return &recorder{notify: make(chan struct{}, 1)}
}

// handle is the transport.Handler.
func (r *recorder) handle(from string, b []byte) {
	if r.closed.Load() {
		r.late.Add(1)
	}
	m := message{from: from, b: append([]byte(nil), b...)}
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// snapshot returns the messages received so far.
func (r *recorder) snapshot() []message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]message(nil), r.msgs...)
}

// find waits up to timeout for a message that matches, calling tick (if not
// nil) every resendEvery meanwhile.
func (r *recorder) find(timeout time.Duration, tick func(), match func(message) bool) (message, bool) {
	var found message
	ok := r.await(timeout, tick, func(msgs []message) bool {
		for _, m := range msgs {
			if match(m) {
				found = m
				return true
			}
		}
		return false
	})
	return found, ok
}

// await waits up to timeout until done holds for the messages received,
// calling tick (if not nil) every resendEvery meanwhile.
func (r *recorder) await(timeout time.Duration, tick func(), done func([]message) bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	var ticks <-chan time.Time
	if tick != nil {
		ticker := time.NewTicker(resendEvery)
		defer ticker.Stop()
		ticks = ticker.C
	}
	for {
		r.mu.Lock()
		ok := done(r.msgs)
		r.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-r.notify:
		case <-ticks:
			tick()
		case <-deadline.C:
			return false
		}
	}
}

// settle waits until done holds, or nothing has arrived for idle, or timeout
// has passed; it reports whether done held.
func (r *recorder) settle(idle, timeout time.Duration, done func([]message) bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	quiet := time.NewTimer(idle)
	defer quiet.Stop()
	for {
		r.mu.Lock()
		ok := done(r.msgs)
		r.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-r.notify:
			quiet.Reset(idle)
		case <-quiet.C:
			return false
		case <-deadline.C:
			return false
		}
	}
}
