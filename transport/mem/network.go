package mem

import (
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// Defaults applied by NewNetwork to zero Config fields.
const (
	// DefaultMTU is the datagram size limit when Config.MTU is zero.
	DefaultMTU = 1400
	// DefaultMaxStreamSize is the stream message limit when
	// Config.MaxStreamSize is zero.
	DefaultMaxStreamSize = 16 << 20
	// DefaultQueueLimit is the per-address limit on datagrams in flight when
	// Config.QueueLimit is zero.
	DefaultQueueLimit = 1 << 16
)

// DefaultStart is the virtual time a Network starts at when Config.Start is
// zero.
var DefaultStart = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// Config configures a Network. The zero value is usable: seed 0, a perfect
// link with no delay, DefaultMTU and DefaultStart.
type Config struct {
	// Seed seeds the Network's own random source, which alone decides loss,
	// jitter, duplication and reordering. The same seed and the same sequence
	// of calls give the same run.
	Seed int64
	// Start is the virtual time before the first Advance. Zero means
	// DefaultStart.
	Start time.Time
	// MTU is the largest datagram Send accepts. Zero or less means DefaultMTU.
	MTU int
	// MaxStreamSize is the largest message SendStream accepts. Zero or less
	// means DefaultMaxStreamSize.
	MaxStreamSize int
	// QueueLimit is the most datagrams in flight to one address. A Send
	// beyond it is dropped and counted in Stats.DroppedOverflow, like a
	// datagram that finds a full socket buffer; this bounds memory when a
	// sender floods, as it can under RunRealtime. Zero means
	// DefaultQueueLimit; negative means no limit.
	QueueLimit int
	// DefaultLink applies to every pair of addresses without its own SetLink.
	// Out-of-range values are clamped as described on Link.
	DefaultLink Link
	// OnDeliver, if set, observes every datagram and stream message just
	// before it is handed to its destination's Handler, on the same
	// goroutine. b is valid only during the call. It must not call Advance,
	// RunUntil, Step or Stabilize.
	OnDeliver func(from, to string, b []byte)
}

// Network is a simulated network on a virtual clock. Every Transport created
// by NewTransport sends through it, and every delivery and timer is an event
// in one queue ordered by (virtual time, insertion order). Nothing happens
// until the queue is driven by Advance, RunUntil, Step, Stabilize or
// RunRealtime; those run handlers and timer callbacks synchronously on the
// driving goroutine (the caller's, or RunRealtime's own), one at a time.
//
// Network implements the Clock of package scuttlebutt (Now and AfterFunc).
//
// All methods are safe for concurrent use. The driving methods serialize with
// each other and must not be called from a handler, a timer callback or
// OnDeliver: that deadlocks.
type Network struct {
	runMu sync.Mutex // held by whoever drives the queue

	mu   sync.Mutex
	idle sync.Cond // on mu; broadcast when a closing transport's delivering drops to 0

	start     time.Time
	now       int64 // virtual nanoseconds since start
	seq       uint64
	queue     eventQueue
	inflight  int            // deliveries in queue
	perDst    map[string]int // datagrams in queue, by destination
	qlimit    int
	timers    int // pending timers in queue
	stopped   int // stopped timers still in queue
	rng       *rand.Rand
	mtu       int
	maxStream int
	onDeliver func(from, to string, b []byte)

	defaultLink Link
	links       map[linkKey]Link
	cuts        cutSet
	streamTail  map[linkKey]int64 // latest stream arrival per direction

	transports map[string]*Transport
	closed     map[string]struct{} // addresses whose transport was closed
	autoID     int

	stats Stats
	wake  chan struct{} // non-nil while RunRealtime runs
}

// NewNetwork returns an empty Network configured by cfg.
func NewNetwork(cfg Config) *Network {
	n := &Network{
		start:       cfg.Start,
		rng:         rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5eed_5c07_71eb_b077)),
		mtu:         cfg.MTU,
		maxStream:   cfg.MaxStreamSize,
		qlimit:      cfg.QueueLimit,
		perDst:      make(map[string]int),
		onDeliver:   cfg.OnDeliver,
		defaultLink: cfg.DefaultLink.normalized(),
		links:       make(map[linkKey]Link),
		streamTail:  make(map[linkKey]int64),
		transports:  make(map[string]*Transport),
		closed:      make(map[string]struct{}),
	}
	n.idle.L = &n.mu
	if n.start.IsZero() {
		n.start = DefaultStart
	}
	if n.mtu <= 0 {
		n.mtu = DefaultMTU
	}
	if n.maxStream <= 0 {
		n.maxStream = DefaultMaxStreamSize
	}
	switch {
	case n.qlimit == 0:
		n.qlimit = DefaultQueueLimit
	case n.qlimit < 0:
		n.qlimit = math.MaxInt
	}
	return n
}

// MTU is the largest datagram the Network's transports accept.
func (n *Network) MTU() int { return n.mtu }

// MaxStreamSize is the largest message the Network's transports accept in
// SendStream.
func (n *Network) MaxStreamSize() int { return n.maxStream }

// Now returns the current virtual time. While an event runs, it is the
// event's time.
func (n *Network) Now() time.Time {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.start.Add(time.Duration(n.now))
}

// AfterFunc schedules f to run once d of virtual time from now, on the
// goroutine that drives the Network. A d of zero or less runs f at the next
// drive (or later in the current one, if called from a handler or callback).
// Timers due at the same instant run in the order they were scheduled. The
// returned stop cancels the timer and reports whether it did so before f
// started.
func (n *Network) AfterFunc(d time.Duration, f func()) (stop func() bool) {
	t := &timer{f: f}
	n.mu.Lock()
	n.pushLocked(event{at: addSat(n.now, d), kind: evTimer, timer: t})
	n.timers++
	n.mu.Unlock()
	return func() bool {
		n.mu.Lock()
		defer n.mu.Unlock()
		if t.state != timerPending {
			return false
		}
		t.state = timerStopped
		t.f = nil
		n.timers--
		n.stopped++
		if n.stopped > 1024 && n.stopped > len(n.queue)/2 {
			n.queue.compact()
			n.stopped = 0
		}
		return true
	}
}

// Advance runs, in order, every event due within d of virtual time from now,
// including events those events schedule, then sets the clock to now+d. A
// negative d counts as zero.
func (n *Network) Advance(d time.Duration) {
	n.runMu.Lock()
	defer n.runMu.Unlock()
	n.mu.Lock()
	limit := addSat(n.now, d)
	n.mu.Unlock()
	for n.runNext(limit) {
	}
	n.setNowAtLeast(limit)
}

// RunUntil runs events in order until cond returns true or no event is due at
// or before deadline; cond is checked before the first event and after each
// one. It reports whether cond returned true. When it did, the clock stays at
// the time of the last event run; otherwise it is set to deadline (if later
// than now). cond runs on the calling goroutine without locks held.
func (n *Network) RunUntil(deadline time.Time, cond func() bool) bool {
	n.runMu.Lock()
	defer n.runMu.Unlock()
	limit := int64(deadline.Sub(n.start))
	for {
		if cond() {
			return true
		}
		if !n.runNext(limit) {
			break
		}
	}
	n.setNowAtLeast(limit)
	return cond()
}

// Step runs the single earliest event, whatever its time, moving the clock
// to it. It reports false if the queue held no event.
func (n *Network) Step() bool {
	n.runMu.Lock()
	defer n.runMu.Unlock()
	return n.runNext(math.MaxInt64)
}

// Stabilize runs events until no datagram or stream message is in flight,
// for at most limit of virtual time, and reports whether the network went
// quiet. It returns at once if nothing is in flight, even if timers are
// pending. Timers due before the last delivery run too; with periodic timers
// that keep sending, it may never go quiet.
func (n *Network) Stabilize(limit time.Duration) bool {
	return n.RunUntil(n.Now().Add(limit), func() bool { return n.InFlight() == 0 })
}

// InFlight returns the number of datagrams and stream messages queued for
// delivery.
func (n *Network) InFlight() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.inflight
}

// PendingTimers returns the number of timers scheduled and neither fired nor
// stopped.
func (n *Network) PendingTimers() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.timers
}

// pushLocked queues ev with the next sequence number.
func (n *Network) pushLocked(ev event) {
	n.seq++
	ev.seq = n.seq
	n.queue.push(ev)
	if n.wake != nil && ev.at <= n.now {
		select {
		case n.wake <- struct{}{}:
		default:
		}
	}
}

// setNowAtLeast moves the clock forward to at, never back.
func (n *Network) setNowAtLeast(at int64) {
	n.mu.Lock()
	if at > n.now {
		n.now = at
	}
	n.mu.Unlock()
}

// runNext runs the earliest event if it is due at or before limit and reports
// whether it ran one. Stopped timers are discarded on the way.
func (n *Network) runNext(limit int64) bool {
	n.mu.Lock()
	var ev event
	for {
		if len(n.queue) == 0 || n.queue.peek().at > limit {
			n.mu.Unlock()
			return false
		}
		ev = n.queue.pop()
		if ev.kind == evTimer && ev.timer.state == timerStopped {
			n.stopped--
			continue
		}
		break
	}
	if ev.at > n.now {
		n.now = ev.at
	}
	if ev.kind == evTimer {
		f := ev.timer.f
		ev.timer.state = timerFired
		ev.timer.f = nil
		n.timers--
		n.mu.Unlock()
		if f != nil {
			f()
		}
		return true
	}
	n.inflight--
	if ev.kind == evDatagram {
		if c := n.perDst[ev.to]; c > 1 {
			n.perDst[ev.to] = c - 1
		} else {
			delete(n.perDst, ev.to)
		}
	}
	dst := n.arriveLocked(&ev)
	if dst == nil {
		n.mu.Unlock()
		return true
	}
	h, observe := dst.handler, n.onDeliver
	dst.delivering++
	n.mu.Unlock()
	n.deliver(dst, h, observe, &ev)
	return true
}

// deliver hands a delivery to the observer and the handler without locks
// held, then releases dst for Close.
func (n *Network) deliver(dst *Transport, h func(string, []byte), observe func(string, string, []byte), ev *event) {
	defer func() {
		n.mu.Lock()
		dst.delivering--
		if dst.delivering == 0 && dst.closed {
			n.idle.Broadcast()
		}
		n.mu.Unlock()
	}()
	if observe != nil {
		observe(ev.from, ev.to, ev.data)
	}
	h(ev.from, ev.data)
}

// addSat returns at+d, treating a negative d as zero and saturating instead
// of overflowing.
func addSat(at int64, d time.Duration) int64 {
	if d <= 0 {
		return at
	}
	if int64(d) > math.MaxInt64-at {
		return math.MaxInt64
	}
	return at + int64(d)
}
