package mem

import (
	"sync"
	"time"
)

// RunRealtime starts a goroutine that advances the virtual clock as real time
// passes, for code that waits on channels rather than calling Advance: every
// tick (1ms if tick <= 0) it advances by the real time elapsed, and it also
// wakes early when something is scheduled for the current instant, such as a
// datagram on a link with no delay. Handlers and timer callbacks then run on
// that goroutine. Runs are no longer deterministic.
//
// stop ends the goroutine and waits for it to exit; it is idempotent and must
// not be called from a handler or a timer callback. Only one RunRealtime may
// run at a time: while one runs, another call starts nothing and returns a
// stop that does nothing. Advance and the other driving methods may still be
// called; they take turns with the goroutine. A leak check that runs before
// stop can ignore the goroutine with
// goleak.IgnoreAnyFunction("github.com/scuttlebutt-go/scuttlebutt/transport/mem.(*Network).realtime").
func (n *Network) RunRealtime(tick time.Duration) (stop func()) {
	if tick <= 0 {
		tick = time.Millisecond
	}
	wake := make(chan struct{}, 1)
	n.mu.Lock()
	if n.wake != nil {
		n.mu.Unlock()
		return func() {}
	}
	n.wake = wake
	if len(n.queue) > 0 && n.queue.peek().at <= n.now {
		wake <- struct{}{}
	}
	n.mu.Unlock()

	done := make(chan struct{})
	exited := make(chan struct{})
	go n.realtime(tick, wake, done, exited)

	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			<-exited
			n.mu.Lock()
			n.wake = nil
			n.mu.Unlock()
		})
	}
}

// realtime is the RunRealtime goroutine.
func (n *Network) realtime(tick time.Duration, wake, done <-chan struct{}, exited chan<- struct{}) {
	defer close(exited)
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	last := time.Now()
	for {
		select {
		case <-done:
			return
		case <-ticker.C:
		case <-wake:
		}
		now := time.Now()
		n.Advance(now.Sub(last))
		last = now
	}
}
