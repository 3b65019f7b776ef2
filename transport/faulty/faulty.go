package faulty

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// Clock schedules the delayed sends. AfterFunc runs f once after d, on a
// goroutine of the clock's choosing; stop cancels it and reports whether
// it did so before f started (time.AfterFunc's Timer.Stop). A
// transport/mem Network and package scuttlebutt's Clock both have this
// method.
type Clock interface {
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// Config says how much worse the wrapped transport gets. The zero value
// adds no fault.
type Config struct {
	// Loss is the probability, in [0, 1], that a datagram sent is lost:
	// Send returns nil, as if the network had dropped it.
	Loss float64
	// Delay holds every datagram sent that is not lost back this long
	// before it goes to the inner transport.
	Delay time.Duration
	// Jitter adds a uniformly random extra delay in [0, Jitter) to each
	// datagram; datagrams then may overtake each other.
	Jitter time.Duration
	// Seed seeds the random choices (loss and jitter).
	Seed uint64
	// Clock schedules delayed sends (default: the wall clock).
	Clock Clock
}

func (c Config) validate() error {
	switch {
	case !(c.Loss >= 0 && c.Loss <= 1): // also refuses NaN
		return fmt.Errorf("faulty: Config.Loss: %v is outside [0, 1]: %w", c.Loss, transport.ErrInvalidConfig)
	case c.Delay < 0:
		return fmt.Errorf("faulty: Config.Delay: negative (%v): %w", c.Delay, transport.ErrInvalidConfig)
	case c.Jitter < 0:
		return fmt.Errorf("faulty: Config.Jitter: negative (%v): %w", c.Jitter, transport.ErrInvalidConfig)
	}
	return nil
}

// Stats are a wrapper's counters. Every counter only grows.
type Stats struct {
	// Sent counts datagrams handed to the inner transport, Lost those
	// dropped on purpose, Delayed those held back before they went.
	Sent, Lost, Delayed uint64
	// Failed counts delayed sends the inner transport refused; their
	// error could no longer be returned.
	Failed uint64
}

// Transport is the wrapper of a transport without the stream capability.
// All methods are safe for concurrent use.
type Transport struct {
	inner  transport.Transport
	cfg    Config
	closed atomic.Bool

	mu      sync.Mutex // guards rng, timers, nextID
	rng     *rand.Rand
	timers  map[uint64]func() bool // stop functions of scheduled sends
	nextID  uint64
	pending sync.WaitGroup // one per scheduled send, done when it ran or was stopped

	closeOnce sync.Once
	closeErr  error

	sent, lost, delayed, failed atomic.Uint64
}

// StreamTransport is the wrapper of a transport with the stream
// capability: a Transport whose stream messages pass through unchanged.
type StreamTransport struct {
	*Transport
	streamer transport.Streamer
}

var (
	_ transport.Transport = (*Transport)(nil)
	_ transport.Streamer  = (*StreamTransport)(nil)
)

// New wraps inner. It returns a *StreamTransport when inner implements
// transport.Streamer, and a *Transport otherwise; both have Stats. The
// wrapper owns inner from then on and closes it on Close. A bad Config is
// refused with an error wrapping transport.ErrInvalidConfig that names the
// field.
func New(inner transport.Transport, cfg Config) (transport.Transport, error) {
	if inner == nil {
		return nil, fmt.Errorf("faulty: nil inner transport: %w", transport.ErrInvalidConfig)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Clock == nil {
		cfg.Clock = wallClock{}
	}
	t := &Transport{
		inner:  inner,
		cfg:    cfg,
		rng:    rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x6a09e667f3bcc908)),
		timers: map[uint64]func() bool{},
	}
	if s, ok := inner.(transport.Streamer); ok {
		return &StreamTransport{Transport: t, streamer: s}, nil
	}
	return t, nil
}

type wallClock struct{}

func (wallClock) AfterFunc(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }

// Start starts the inner transport with h: received datagrams are not
// touched.
func (t *Transport) Start(h transport.Handler) error {
	if t.closed.Load() {
		return fmt.Errorf("faulty: start: %w", net.ErrClosed)
	}
	return t.inner.Start(h)
}

// Send refuses what the inner transport would refuse at once (a closed
// transport, a datagram above the MTU), then loses the datagram with
// probability Loss, or hands a copy to the inner transport after Delay plus
// jitter. With no delay it is sent at once and the inner error returned.
func (t *Transport) Send(addr string, b []byte) error {
	if len(b) > t.inner.MTU() {
		return fmt.Errorf("faulty: send %d bytes: %w (MTU %d)", len(b), transport.ErrTooLarge, t.inner.MTU())
	}
	t.mu.Lock()
	if t.closed.Load() {
		t.mu.Unlock()
		return fmt.Errorf("faulty: send to %s: %w", addr, net.ErrClosed)
	}
	if t.cfg.Loss > 0 && t.rng.Float64() < t.cfg.Loss {
		t.mu.Unlock()
		t.lost.Add(1)
		return nil
	}
	delay := t.cfg.Delay
	if t.cfg.Jitter > 0 {
		delay += time.Duration(t.rng.Int64N(int64(t.cfg.Jitter)))
	}
	if delay == 0 {
		t.mu.Unlock()
		t.sent.Add(1)
		return t.inner.Send(addr, b)
	}
	buf := append([]byte(nil), b...) // Send must not retain b
	id := t.nextID
	t.nextID++
	t.pending.Add(1)
	t.delayed.Add(1)
	// The stop function is stored before the lock is released, and fire
	// takes the lock first, so it always finds its own entry.
	t.timers[id] = t.cfg.Clock.AfterFunc(delay, func() { t.fire(id, addr, buf) })
	t.mu.Unlock()
	return nil
}

// fire runs a delayed send.
func (t *Transport) fire(id uint64, addr string, b []byte) {
	defer t.pending.Done()
	t.mu.Lock()
	delete(t.timers, id)
	t.mu.Unlock()
	if t.closed.Load() {
		return
	}
	t.sent.Add(1)
	if err := t.inner.Send(addr, b); err != nil {
		t.failed.Add(1)
	}
}

// LocalAddr returns the inner transport's address.
func (t *Transport) LocalAddr() string { return t.inner.LocalAddr() }

// MTU returns the inner transport's MTU: nothing is added to a datagram.
func (t *Transport) MTU() int { return t.inner.MTU() }

// Drops returns the inner transport's drop counts, when it reports them
// (transport.Counter); the datagrams lost on purpose are in Stats instead.
func (t *Transport) Drops() transport.Drops { return transport.DropsOf(t.inner) }

// Stats returns the counters.
func (t *Transport) Stats() Stats {
	return Stats{Sent: t.sent.Load(), Lost: t.lost.Load(), Delayed: t.delayed.Load(), Failed: t.failed.Load()}
}

// Close drops the datagrams still waiting for their delay, waits for
// delayed sends already under way, then closes the inner transport. Later
// calls return the first call's result. Close must not be called from a
// callback of a virtual Clock that is running a delayed send of this
// transport (no Handler or timer of a transport/mem Network does that
// unless it closes its own transport, which the Handler contract forbids).
func (t *Transport) Close() error {
	t.closeOnce.Do(func() {
		t.mu.Lock()
		t.closed.Store(true)
		for id, stop := range t.timers {
			// A send that stop catches never runs, so its share of pending
			// is released here; one already started releases its own.
			if stop() {
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

// SendStream passes the message to the inner transport unchanged.
func (t *StreamTransport) SendStream(ctx context.Context, addr string, b []byte) error {
	if t.closed.Load() {
		return fmt.Errorf("faulty: send stream to %s: %w", addr, net.ErrClosed)
	}
	return t.streamer.SendStream(ctx, addr, b)
}

// MaxStreamSize returns the inner transport's.
func (t *StreamTransport) MaxStreamSize() int { return t.streamer.MaxStreamSize() }
