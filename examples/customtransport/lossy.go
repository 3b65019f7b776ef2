package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// lossyTransport is a transport.Transport written outside the module's
// transport packages: it wraps another Transport and makes it worse. Every
// sent datagram is held back for Latency plus a random share of Jitter, and
// a random fraction Loss of the received datagrams is dropped before the
// Handler sees them. Random choices come from one seeded generator.
//
// All methods are safe for concurrent use, as the contract requires.
type lossyTransport struct {
	inner   transport.Transport
	latency time.Duration
	jitter  time.Duration
	loss    float64

	mu      sync.Mutex // guards rng, closed, timers, nextID
	rng     *rand.Rand
	closed  bool
	timers  map[uint64]*time.Timer // sends waiting for their delay
	nextID  uint64
	pending sync.WaitGroup // one per scheduled send, done when it ran or was stopped

	closeOnce sync.Once
	closeErr  error

	sent, dropped, delivered, failed atomic.Uint64
}

var _ transport.Transport = (*lossyTransport)(nil)

// lossyConfig configures newLossy.
type lossyConfig struct {
	// Latency delays every sent datagram.
	Latency time.Duration
	// Jitter adds a random delay in [0, Jitter) on top of Latency.
	Jitter time.Duration
	// Loss is the probability, in [0, 1], that a received datagram is
	// dropped.
	Loss float64
	// Seed seeds the random choices.
	Seed uint64
}

var (
	// errNilHandler is returned by Start(nil).
	errNilHandler = errors.New("lossy: Start with a nil Handler")
	// errInvalidConfig is wrapped by newLossy's errors.
	errInvalidConfig = errors.New("lossy: invalid config")
)

// newLossy wraps inner. The lossyTransport owns inner from then on and
// closes it on Close.
func newLossy(inner transport.Transport, cfg lossyConfig) (*lossyTransport, error) {
	switch {
	case inner == nil:
		return nil, fmt.Errorf("%w: nil inner transport", errInvalidConfig)
	case cfg.Latency < 0 || cfg.Jitter < 0:
		return nil, fmt.Errorf("%w: negative Latency (%v) or Jitter (%v)", errInvalidConfig, cfg.Latency, cfg.Jitter)
	case !(cfg.Loss >= 0 && cfg.Loss <= 1): // also refuses NaN
		return nil, fmt.Errorf("%w: Loss %v is outside [0, 1]", errInvalidConfig, cfg.Loss)
	}
	return &lossyTransport{
		inner:   inner,
		latency: cfg.Latency,
		jitter:  cfg.Jitter,
		loss:    cfg.Loss,
		rng:     rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x5deece66d)),
		timers:  make(map[uint64]*time.Timer),
	}, nil
}

// LocalAddr returns the inner transport's address: peers reach this
// transport there.
func (t *lossyTransport) LocalAddr() string { return t.inner.LocalAddr() }

// MTU returns the inner transport's MTU: nothing is added to a datagram.
func (t *lossyTransport) MTU() int { return t.inner.MTU() }

// Start starts the inner transport with a Handler that drops a fraction
// Loss of the datagrams and passes the others, unchanged, to h.
func (t *lossyTransport) Start(h transport.Handler) error {
	if h == nil {
		return errNilHandler
	}
	if t.isClosed() {
		return fmt.Errorf("lossy: start: %w", net.ErrClosed)
	}
	return t.inner.Start(func(from string, b []byte) {
		// b belongs to the inner transport until we return; h has the same
		// rule, so it can be passed on without a copy.
		if t.drop() {
			t.dropped.Add(1)
			return
		}
		t.delivered.Add(1)
		h(from, b)
	})
}

// drop decides whether the next received datagram is lost.
func (t *lossyTransport) drop() bool {
	if t.loss == 0 {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.rng.Float64() < t.loss
}

// Send checks the datagram at once (closed, too large), then hands a copy
// to the inner transport after the delay. The contract forbids keeping b
// after Send returns, hence the copy. A delayed send's error (an
// unreachable address, say) can no longer be returned: like a loss on the
// wire, it is only counted.
func (t *lossyTransport) Send(addr string, b []byte) error {
	if len(b) > t.inner.MTU() {
		return fmt.Errorf("lossy: send %d bytes: %w (MTU %d)", len(b), transport.ErrTooLarge, t.inner.MTU())
	}
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return fmt.Errorf("lossy: send to %s: %w", addr, net.ErrClosed)
	}
	delay := t.latency
	if t.jitter > 0 {
		delay += time.Duration(t.rng.Int64N(int64(t.jitter)))
	}
	if delay == 0 {
		t.mu.Unlock()
		t.sent.Add(1)
		return t.inner.Send(addr, b)
	}
	buf := append([]byte(nil), b...)
	id := t.nextID
	t.nextID++
	t.pending.Add(1)
	// The timer is stored before the lock is released, and the callback
	// takes the lock first, so it always finds its own entry.
	t.timers[id] = time.AfterFunc(delay, func() { t.fire(id, addr, buf) })
	t.mu.Unlock()
	return nil
}

// fire runs a delayed send in the timer's goroutine.
func (t *lossyTransport) fire(id uint64, addr string, b []byte) {
	defer t.pending.Done()
	t.mu.Lock()
	delete(t.timers, id)
	closed := t.closed
	t.mu.Unlock()
	if closed {
		return
	}
	t.sent.Add(1)
	if err := t.inner.Send(addr, b); err != nil {
		t.failed.Add(1)
	}
}

// Close stops the sends still waiting for their delay, waits for those
// already running, then closes the inner transport, which waits for its
// own goroutines; so no goroutine of ours is left and the Handler is not
// called after Close returns. Later calls return nil.
func (t *lossyTransport) Close() error {
	t.closeOnce.Do(func() {
		t.mu.Lock()
		t.closed = true
		for id, timer := range t.timers {
			// A timer that Stop catches never runs its callback, so its
			// share of pending is released here; one that already fired is
			// waiting for the lock in fire and releases its own.
			if timer.Stop() {
				delete(t.timers, id)
				t.pending.Done()
			}
		}
		t.mu.Unlock()
		t.pending.Wait()
		t.closeErr = t.inner.Close()
	})
	return t.closeErr
}

// isClosed reports whether Close has begun.
func (t *lossyTransport) isClosed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.closed
}

// lossyStats are a lossyTransport's counters.
type lossyStats struct {
	// Sent counts datagrams handed to the inner transport.
	Sent uint64
	// Failed counts delayed sends the inner transport refused.
	Failed uint64
	// Dropped and Delivered count received datagrams lost on purpose and
	// passed to the Handler.
	Dropped, Delivered uint64
}

// stats returns the counters.
func (t *lossyTransport) stats() lossyStats {
	return lossyStats{Sent: t.sent.Load(), Failed: t.failed.Load(), Dropped: t.dropped.Load(), Delivered: t.delivered.Load()}
}
