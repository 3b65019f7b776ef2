package scuttlebutt

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
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

	mu          sync.Mutex // guards everything below and the core
	core        *core.Core
	closed      bool
	stopTimer   func() bool
	pending     []Event
	draining    bool
	subs        []*subscription
	leaving     chan struct{} // closed when enough peers acknowledged Leave
	leaveNeed   int
	seedNames   []string
	stopRefresh func() bool

	closeOnce sync.Once
	closeErr  error

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
}

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
	n := &Node{cfg: cfg, tr: cfg.Transport, codec: cfg.Codec, clock: cfg.Clock}
	streamMax := 0
	if s, ok := cfg.Transport.(transport.Streamer); ok && !cfg.DisableStreams {
		streamMax = s.MaxStreamSize()
	}
	c, err := core.New(core.Config{
		ID:              cfg.ID,
		Generation:      cfg.Generation,
		Addr:            cfg.AdvertiseAddr,
		Fanout:          cfg.Fanout,
		MTU:             cfg.MTU,
		Ordering:        cfg.Ordering,
		GossipInterval:  cfg.GossipInterval,
		RemoveAfter:     cfg.RemoveAfter,
		RememberRemoved: cfg.RememberRemoved,
		TombstoneGrace:  cfg.TombstoneGrace,
		StreamMax:       streamMax,
		StreamCooldown:  2 * cfg.GossipInterval,
		Store:           cfg.Store,
		Detector:        cfg.Detector,
		Sizer:           cfg.Codec,
		Rand:            cfg.Rand,
	}, cfg.Clock.Now())
	if err != nil {
		closeQuietly(cfg.Transport)
		return nil, fmt.Errorf("scuttlebutt: %w", err)
	}
	n.core = c
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

// Generation returns this incarnation's generation.
func (n *Node) Generation() uint64 { return n.cfg.Generation }

// UpdateLocal sets key to value in this node's state, to be spread to every
// other node. Setting the current value is a no-op. Keys may not be empty
// or start with the reserved prefix "_sb.".
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
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return
	}
	n.core.Tick(n.clock.Now())
	out := n.takeReady()
	iv := n.cfg.GossipInterval
	jitter := time.Duration(n.cfg.Rand.Int64N(int64(iv)/5+1)) - iv/10
	n.stopTimer = n.clock.AfterFunc(iv+jitter, n.tick)
	n.mu.Unlock()
	n.send(out)
	n.deliver()
}

// receive is the transport Handler: it decodes outside the lock, then steps
// the core. Malformed datagrams are counted and logged, never fatal.
func (n *Node) receive(from string, b []byte) {
	n.messagesRecv.Add(1)
	n.bytesRecv.Add(uint64(len(b)))
	m, err := n.codec.Decode(b)
	if err != nil {
		n.decodeErrors.Add(1)
		n.cfg.Logger.Debug("dropping malformed datagram", "from", from, "bytes", len(b), "err", err)
		return
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

// send encodes and sends messages; it is called without the lock.
func (n *Node) send(out []core.Outgoing) {
	if len(out) == 0 {
		return
	}
	var buf []byte
	for _, o := range out {
		var err error
		buf, err = n.codec.Append(buf[:0], o.Msg)
		if err != nil {
			n.encodeErrors.Add(1)
			n.cfg.Logger.Error("encoding message", "kind", o.Msg.Kind, "err", err)
			continue
		}
		if len(buf) > n.cfg.MTU && !o.Stream {
			// The packer sizes every message to fit; this is a bug guard.
			n.oversize.Add(1)
			n.cfg.Logger.Error("message over MTU not sent", "kind", o.Msg.Kind, "bytes", len(buf), "mtu", n.cfg.MTU)
			continue
		}
		if o.Stream {
			err = n.sendStream(o.To, buf)
		} else {
			err = n.tr.Send(o.To, buf)
		}
		if err != nil {
			n.sendErrors.Add(1)
			n.cfg.Logger.Debug("send failed", "to", o.To, "err", err)
			continue
		}
		n.messagesSent.Add(1)
		n.bytesSent.Add(uint64(len(buf)))
		if o.Stream {
			n.streamsSent.Add(1)
		} else if l := int64(len(buf)); l > n.largestSent.Load() {
			n.largestSent.Store(l)
		}
	}
}

func (n *Node) sendStream(to string, b []byte) error {
	s, ok := n.tr.(transport.Streamer)
	if !ok {
		return errors.New("scuttlebutt: transport has no stream capability")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*n.cfg.GossipInterval)
	defer cancel()
	return s.SendStream(ctx, to, b)
}

// Lookup returns node id's value for key.
func (n *Node) Lookup(id, key string) (string, bool) {
	if n.err != nil || strings.HasPrefix(key, core.ReservedPrefix) {
		return "", false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return "", false
	}
	e, ok := n.cfg.Store.Get(id, key)
	if !ok || e.Tombstone {
		return "", false
	}
	return e.Value, true
}

// Close stops gossiping, closes the transport and waits for its goroutines.
// It does not announce a departure: call Leave first for that. Close is
// idempotent.
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
		if n.stopRefresh != nil {
			n.stopRefresh()
		}
		if n.leaving != nil {
			close(n.leaving)
			n.leaving = nil
		}
		n.mu.Unlock()
		n.closeErr = n.tr.Close()
	})
	return n.closeErr
}

// Stats is a snapshot of a Node's counters.
type Stats struct {
	core.Stats
	MessagesSent     uint64
	BytesSent        uint64
	MessagesReceived uint64
	BytesReceived    uint64
	// LargestSent is the largest datagram sent, in bytes (stream messages
	// not included).
	LargestSent int
	// StreamsSent counts messages sent over the transport's stream
	// capability (included in MessagesSent and BytesSent).
	StreamsSent  uint64
	DecodeErrors uint64
	SendErrors   uint64
	EncodeErrors uint64
	// Oversize counts messages that came out larger than the MTU and were
	// not sent (always zero unless there is a bug).
	Oversize uint64
}

// Stats returns the node's counters.
func (n *Node) Stats() Stats {
	if n.err != nil {
		return Stats{}
	}
	n.mu.Lock()
	cs := n.core.Stats()
	n.mu.Unlock()
	return Stats{
		Stats:            cs,
		MessagesSent:     n.messagesSent.Load(),
		BytesSent:        n.bytesSent.Load(),
		MessagesReceived: n.messagesRecv.Load(),
		BytesReceived:    n.bytesRecv.Load(),
		LargestSent:      int(n.largestSent.Load()),
		StreamsSent:      n.streamsSent.Load(),
		DecodeErrors:     n.decodeErrors.Load(),
		SendErrors:       n.sendErrors.Load(),
		EncodeErrors:     n.encodeErrors.Load(),
		Oversize:         n.oversize.Load(),
	}
}
