package scuttlebutt

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/internal/core"
	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// Node is one member of a Scuttlebutt cluster: it owns a set of key-value
// pairs that it spreads to every other node, and holds an eventually
// consistent copy of theirs. All methods are safe for concurrent use.
type Node struct {
	cfg   Config
	tr    transport.Transport
	codec codec.Codec
	clock Clock
	err   error // set only on a Node returned by Create after a failure
	// label is the cluster label header every message starts with (nil
	// without a Config.Label); see label.go.
	label []byte

	// wall is set when the clock is the wall clock: events are then
	// delivered, and streams sent, from goroutines of the Node's own; on
	// any other clock (a virtual one) both happen inline, deterministically.
	wall bool

	mu          sync.Mutex // guards everything below and the core
	core        *core.Core
	closed      bool
	stopTimer   func() bool
	stopCheck   func() bool
	pending     []Event
	draining    bool
	subs        []*subscription
	streams     []core.Outgoing // waiting for the stream sender (wall clock)
	sending     bool            // a stream sender goroutine runs
	leaving     chan struct{}   // closed when enough peers acknowledged Leave
	leaveNeed   int
	seedNames   []string
	stopRefresh func() bool

	closeOnce sync.Once
	closeErr  error
	// workers counts the delivery and stream goroutines; inCallback is
	// set while the delivery goroutine runs a subscriber.
	workers    sync.WaitGroup
	inCallback atomic.Bool

	decodeErrors atomic.Uint64
	sendErrors   atomic.Uint64
	oversize     atomic.Uint64
	messagesSent atomic.Uint64
	bytesSent    atomic.Uint64
	messagesRecv atomic.Uint64
	bytesRecv    atomic.Uint64
	largestSent  atomic.Int64
	streamsSent  atomic.Uint64
	encodeErrors atomic.Uint64
	streamDrops  atomic.Uint64
	labelDrops   atomic.Uint64
	sentByKind   [codec.KindPong + 1]traffic
	recvByKind   [codec.KindPong + 1]traffic
	// mtu is the MTU in force: Config.MTU, or what SetMTU set.
	mtu atomic.Int64
}

// traffic counts messages and their bytes.
type traffic struct{ messages, bytes atomic.Uint64 }

func (t *traffic) add(n int) {
	t.messages.Add(1)
	t.bytes.Add(uint64(n))
}

func (t *traffic) load() Traffic { return Traffic{Messages: t.messages.Load(), Bytes: t.bytes.Load()} }

// ErrClosed is returned by the methods of a closed Node. It wraps
// net.ErrClosed.
var ErrClosed = fmt.Errorf("scuttlebutt: node closed: %w", net.ErrClosed)

// New builds a Node from cfg, fills the defaults, validates, starts the
// transport and begins gossiping (alone until Join). The Node takes
// ownership of cfg.Transport and closes it on Close, also when New fails
// after the transport was given.
func New(cfg Config) (*Node, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		closeQuietly(cfg.Transport)
		return nil, err
	}
	if err := cfg.setParts(); err != nil {
		closeQuietly(cfg.Transport)
		return nil, err
	}
	_, wall := cfg.Clock.(wallClock)
	n := &Node{cfg: cfg, tr: cfg.Transport, codec: cfg.Codec, clock: newMonotonic(cfg.Clock), wall: wall,
		label: labelHeader(cfg.Label)}
	streamMax := 0
	if s, ok := cfg.Transport.(transport.Streamer); ok && !cfg.DisableStreams {
		streamMax = s.MaxStreamSize() - len(n.label)
	}
	c, err := core.New(core.Config{
		ID:                cfg.ID,
		Generation:        cfg.Generation,
		Addr:              cfg.AdvertiseAddr,
		Fanout:            cfg.Fanout,
		MTU:               cfg.MTU - len(n.label),
		Ordering:          cfg.Ordering,
		HeartbeatInterval: cfg.HeartbeatInterval,
		Monitors:          cfg.Monitors,
		Quiet:             !cfg.DisableQuiet,
		NoPush:            cfg.DisablePush,
		FlowControl:       cfg.FlowControl,
		RemoveAfter:       cfg.RemoveAfter,
		RememberRemoved:   cfg.RememberRemoved,
		TombstoneGrace:    cfg.TombstoneGrace,
		StreamMax:         streamMax,
		StreamCooldown:    2 * cfg.GossipInterval,
		RepublishLocal:    cfg.RepublishLocal,
		Amplification:     max(cfg.AmplificationFactor, 0),
		MaxGenerationSkew: max(cfg.MaxGenerationSkew, 0),
		Limits:            cfg.Limits.core(),
		Store:             cfg.Store,
		Detector:          cfg.Detector,
		Sizer:             cfg.Codec,
		Rand:              cfg.Rand,
		Logger:            cfg.Logger,
	}, n.clock.Now())
	if err != nil {
		closeQuietly(cfg.Transport)
		return nil, fmt.Errorf("scuttlebutt: %w", err)
	}
	n.core = c
	n.mtu.Store(int64(cfg.MTU))
	if cfg.EventSubscriber != nil {
		n.subs = append(n.subs, &subscription{fn: cfg.EventSubscriber.OnEvent})
	}
	if err := n.tr.Start(n.receive); err != nil {
		closeQuietly(cfg.Transport)
		return nil, fmt.Errorf("scuttlebutt: starting transport: %w", err)
	}
	n.mu.Lock()
	// The first round comes at a random point of the first interval, so
	// nodes started together do not gossip in lockstep.
	first := time.Duration(cfg.Rand.Int64N(int64(cfg.GossipInterval)) + 1)
	n.stopTimer = n.clock.AfterFunc(first, n.tick)
	n.stopCheck = n.clock.AfterFunc(time.Duration(cfg.Rand.Int64N(int64(checkEvery(&cfg))))+1, n.check)
	n.mu.Unlock()
	return n, nil
}

// Create is New for the seed API, which has no error result: on failure it
// returns a Node whose Err reports why and whose methods all return that
// error (or nothing). Prefer New in new code.
func Create(cfg *Config) *Node {
	if cfg == nil {
		return &Node{err: configErr("Config", "nil")}
	}
	n, err := New(*cfg)
	if err != nil {
		return &Node{err: err}
	}
	return n
}

// Err returns the error that made Create fail, or nil.
func (n *Node) Err() error { return n.err }

func closeQuietly(t transport.Transport) {
	if t != nil {
		_ = t.Close()
	}
}

// ID returns the node's ID.
func (n *Node) ID() string { return n.cfg.ID }

// Addr returns the address other nodes reach this node at.
func (n *Node) Addr() string { return n.cfg.AdvertiseAddr }

// Generation returns this incarnation's generation: Config.Generation,
// unless the node found the cluster holding a newer generation of its ID
// and took one above it (see Stats.GenerationBumps).
func (n *Node) Generation() uint64 {
	if n.err != nil {
		return 0
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.core.Generation()
}

// UpdateLocal sets key to value in this node's state, to be spread to every
// other node. Setting the current value is a no-op.
//
// Keys and values are UTF-8 text (ErrNotText otherwise); keys may not be
// empty (ErrEmptyKey) or start with the reserved prefix "_sb."
// (ErrReservedKey). A write that could never reach a peer is refused with
// ErrTooLarge: its key and value must fit one message (a datagram of MTU
// bytes, or a stream message when the transport streams), and so must the
// list of this node's keys, which a peer that missed deletes is sent (about
// the key lengths plus 4 bytes a key).
func (n *Node) UpdateLocal(key, value string) error {
	return n.do(func(c *core.Core) error { return c.Put(key, value) })
}

// DeleteLocal deletes key from this node's state. Deleting a missing key is
// a no-op.
func (n *Node) DeleteLocal(key string) error {
	return n.do(func(c *core.Core) error { return c.Delete(key) })
}

// do runs f on the core under the lock, then sends what it queued and
// delivers the events.
func (n *Node) do(f func(c *core.Core) error) error {
	if n.err != nil {
		return n.err
	}
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return ErrClosed
	}
	err := f(n.core)
	out := n.takeReady()
	n.mu.Unlock()
	n.send(out)
	n.deliver()
	return err
}

// takeReady drains the core; the caller holds n.mu.
func (n *Node) takeReady() []core.Outgoing {
	out, evs := n.core.Ready()
	for _, e := range evs {
		n.pending = append(n.pending, Event(e))
	}
	if n.leaving != nil && n.core.LeaveAcks() >= n.leaveQuorum() {
		close(n.leaving)
		n.leaving = nil
	}
	return out
}

// tick runs one gossip round and schedules the next.
func (n *Node) tick() {
	n.onTimer(n.core.Tick, func() {
		iv := n.cfg.GossipInterval
		jitter := time.Duration(n.cfg.Rand.Int64N(int64(iv)/5+1)) - iv/10
		n.stopTimer = n.clock.AfterFunc(iv+jitter, n.tick)
	})
}

// checkEvery is the period of the liveness checks: four a heartbeat, and
// at least one a gossip round (a new watched node is pinged soon even when
// heartbeats are minutes apart).
func checkEvery(cfg *Config) time.Duration {
	return max(min(cfg.HeartbeatInterval/4, cfg.GossipInterval), 1)
}

// check runs the liveness checks (PINGs, verdicts) and schedules the next.
// They run on a timer of their own, four times a heartbeat interval (at
// least once a gossip round), so a failure is noticed soon after the
// detector suspects it, whatever the gossip interval.
func (n *Node) check() {
	n.onTimer(n.core.CheckLiveness, func() {
		n.stopCheck = n.clock.AfterFunc(checkEvery(&n.cfg), n.check)
	})
}

// onTimer runs a timer's work on the core, then next (which schedules the
// timer again), both under the lock unless the Node is closed; then it
// sends what the core queued and delivers the events.
func (n *Node) onTimer(step func(now time.Time), next func()) {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return
	}
	step(n.clock.Now())
	out := n.takeReady()
	next()
	n.mu.Unlock()
	n.send(out)
	n.deliver()
}

// receive is the transport Handler: it decodes outside the lock, then steps
// the core. Malformed datagrams are counted and logged, never fatal.
func (n *Node) receive(from string, b []byte) {
	n.messagesRecv.Add(1)
	n.bytesRecv.Add(uint64(len(b)))
	body, ok := unlabel(n.label, b)
	if !ok {
		n.labelDrops.Add(1)
		n.cfg.Logger.Debug("dropping a message of another cluster label", "from", from, "bytes", len(b))
		return
	}
	m, err := n.codec.Decode(body)
	if err != nil {
		n.decodeErrors.Add(1)
		n.cfg.Logger.Debug("dropping malformed datagram", "from", from, "bytes", len(b), "err", err)
		return
	}
	if m.Kind.Valid() {
		n.recvByKind[m.Kind].add(len(b))
	}
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return
	}
	n.core.Step(n.clock.Now(), from, m)
	out := n.takeReady()
	n.mu.Unlock()
	n.send(out)
	n.deliver()
}

// Lookup returns node id's value for key.
func (n *Node) Lookup(id, key string) (string, bool) {
	if n.err != nil {
		return "", false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return "", false
	}
	return n.core.Lookup(id, key)
}

// Close stops gossiping, closes the transport and waits for its goroutines
// and the Node's own. It does not announce a departure: call Leave first for
// that. Close is idempotent, and may be called from a subscriber: it then
// returns without waiting for the goroutine it runs on (the delivery
// goroutine, or on a virtual clock the transport's handler), and what
// remains of closing finishes when the subscriber returns. No event is delivered after Close returns,
// except to a subscriber already running.
func (n *Node) Close() error {
	if n.err != nil {
		return nil
	}
	n.closeOnce.Do(func() {
		n.mu.Lock()
		n.closed = true
		if n.stopTimer != nil {
			n.stopTimer()
		}
		if n.stopCheck != nil {
			n.stopCheck()
		}
		if n.stopRefresh != nil {
			n.stopRefresh()
		}
		if n.leaving != nil {
			close(n.leaving)
			n.leaving = nil
		}
		n.pending, n.streams = nil, nil
		// A subscriber delivered inline (a virtual clock) runs on the
		// transport's handler, which may not close its transport: close it
		// once the handler has returned.
		inline := !n.wall && n.draining
		if inline {
			n.workers.Add(1)
		}
		n.mu.Unlock()
		if inline {
			go func() {
				defer n.workers.Done()
				if err := n.tr.Close(); err != nil {
					n.cfg.Logger.Warn("closing the transport", "err", err)
				}
			}()
			return
		}
		n.closeErr = n.tr.Close()
		n.mu.Lock()
		workers := n.draining || n.sending
		n.mu.Unlock()
		if workers && !n.inCallback.Load() {
			n.workers.Wait()
		}
	})
	return n.closeErr
}
