package mem

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// ErrAddrInUse is returned by NewTransport when a transport that is not
// closed already has the address.
var ErrAddrInUse = errors.New("mem: address in use")

// ErrNilHandler is returned by Start when given a nil Handler.
var ErrNilHandler = errors.New("mem: nil handler")

var (
	_ transport.Transport = (*Transport)(nil)
	_ transport.Streamer  = (*Transport)(nil)
	_ transport.Counter   = (*Transport)(nil)
)

// Transport is one address on a Network. It implements transport.Transport
// and transport.Streamer. Its Handler runs on the goroutine that drives the
// Network.
type Transport struct {
	nw   *Network
	addr string

	// Guarded by nw.mu.
	handler    transport.Handler
	closed     bool
	delivering int // handler calls in progress
	stats      TransportStats
	dropped    transport.Drops
}

// NewTransport attaches a transport at addr, any string unique among the
// Network's open transports (such as "node-7" or "10.0.0.7:7946"). An empty
// addr picks an unused one of the form "mem-N". The address of a closed
// transport may be reused, which simulates a restart: datagrams in flight to
// the address reach the new transport.
func (n *Network) NewTransport(addr string) (*Transport, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if addr == "" {
		for {
			n.autoID++
			addr = "mem-" + strconv.Itoa(n.autoID)
			if _, ok := n.transports[addr]; !ok {
				break
			}
		}
	}
	if _, ok := n.transports[addr]; ok {
		return nil, fmt.Errorf("mem: new transport %q: %w", addr, ErrAddrInUse)
	}
	t := &Transport{nw: n, addr: addr}
	n.transports[addr] = t
	delete(n.closed, addr)
	return t, nil
}

// Start begins delivering datagrams and stream messages to h. Deliveries
// that arrive before Start are dropped (counted as DroppedClosed).
func (t *Transport) Start(h transport.Handler) error {
	n := t.nw
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case t.closed:
		return fmt.Errorf("mem: start %s: %w", t.addr, net.ErrClosed)
	case t.handler != nil:
		return fmt.Errorf("mem: start %s: %w", t.addr, transport.ErrStarted)
	case h == nil:
		return fmt.Errorf("mem: start %s: %w", t.addr, ErrNilHandler)
	}
	t.handler = h
	return nil
}

// Send queues a copy of b for addr, subject to the link's faults and the
// Network's partitions, and returns at once. Like UDP, a datagram to an
// address with no open, started transport when it arrives is dropped
// silently (counted in Stats). Send may be called before Start.
func (t *Transport) Send(addr string, b []byte) error {
	n := t.nw
	n.mu.Lock()
	defer n.mu.Unlock()
	if t.closed {
		return fmt.Errorf("mem: send from %s: %w", t.addr, net.ErrClosed)
	}
	if len(b) > n.mtu {
		n.stats.TooLarge++
		t.dropped.Oversize++
		return fmt.Errorf("mem: send %d bytes to %s, MTU %d: %w", len(b), addr, n.mtu, transport.ErrTooLarge)
	}
	n.stats.Sent++
	n.stats.BytesSent += uint64(len(b))
	n.stats.MaxDatagram = max(n.stats.MaxDatagram, len(b))
	t.stats.Sent++
	t.stats.BytesSent += uint64(len(b))
	if n.cuts.blocked(t.addr, addr) {
		n.stats.DroppedPartition++
		return nil
	}
	l := n.linkLocked(t.addr, addr)
	if l.Loss > 0 && n.rng.Float64() < l.Loss {
		n.stats.DroppedLoss++
		return nil
	}
	copies := 1
	if l.Duplicate > 0 && n.rng.Float64() < l.Duplicate {
		copies = 2
		n.stats.Duplicated++
	}
	for range copies {
		if n.perDst[addr] >= n.qlimit {
			n.stats.DroppedOverflow++
			t.dropped.QueueFull++
			continue
		}
		n.perDst[addr]++
		d, reordered := n.delayLocked(&l, true)
		if reordered {
			n.stats.Reordered++
		}
		n.pushLocked(event{
			at:   addSat(n.now, d),
			kind: evDatagram,
			from: t.addr,
			to:   addr,
			data: append([]byte(nil), b...),
		})
		n.inflight++
	}
	return nil
}

// SendStream queues a copy of b for addr's Handler as one message and
// returns at once: a simulated stream never blocks: no virtual time passes
// during a call. That is within the transport.Streamer contract, which says
// SendStream may block; a ctx already done on entry fails it with ctx.Err(). Stream messages are
// never lost, duplicated or reordered: between two addresses they arrive in
// the order sent, after the link's Delay and Jitter, with no MTU limit up to
// MaxStreamSize. It returns an error wrapping transport.ErrUnreachable if
// addr has no open transport or is cut off by a partition. A message in
// flight when a partition starts, or when its destination closes, is
// dropped (counted in Stats.StreamsDropped).
func (t *Transport) SendStream(ctx context.Context, addr string, b []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	n := t.nw
	n.mu.Lock()
	defer n.mu.Unlock()
	if t.closed {
		return fmt.Errorf("mem: stream from %s: %w", t.addr, net.ErrClosed)
	}
	if len(b) > n.maxStream {
		return fmt.Errorf("mem: stream %d bytes to %s, max %d: %w", len(b), addr, n.maxStream, transport.ErrTooLarge)
	}
	if _, ok := n.transports[addr]; !ok {
		return fmt.Errorf("mem: stream to %s: no such transport: %w", addr, transport.ErrUnreachable)
	}
	if n.cuts.blocked(t.addr, addr) {
		return fmt.Errorf("mem: stream to %s: partitioned: %w", addr, transport.ErrUnreachable)
	}
	l := n.linkLocked(t.addr, addr)
	d, _ := n.delayLocked(&l, false)
	key := linkKey{t.addr, addr}
	at := max(addSat(n.now, d), n.streamTail[key]) // in order per direction
	n.streamTail[key] = at
	n.stats.StreamsSent++
	n.stats.StreamBytesSent += uint64(len(b))
	t.stats.StreamsSent++
	n.pushLocked(event{at: at, kind: evStream, from: t.addr, to: addr, data: append([]byte(nil), b...)})
	n.inflight++
	return nil
}

// MaxStreamSize is the largest message SendStream accepts.
func (t *Transport) MaxStreamSize() int { return t.nw.maxStream }

// LocalAddr returns the address given to NewTransport.
func (t *Transport) LocalAddr() string { return t.addr }

// MTU returns the Network's MTU.
func (t *Transport) MTU() int { return t.nw.mtu }

// Stats returns this transport's counters.
func (t *Transport) Stats() TransportStats {
	t.nw.mu.Lock()
	defer t.nw.mu.Unlock()
	return t.stats
}

// Drops reports this transport's datagrams dropped at Send because
// Config.QueueLimit datagrams were already in flight to their address (as
// QueueFull) and the Sends refused for exceeding the MTU (as Oversize).
func (t *Transport) Drops() transport.Drops {
	t.nw.mu.Lock()
	defer t.nw.mu.Unlock()
	return t.dropped
}

// Close detaches the transport from its address and waits for a Handler call
// in progress on another goroutine to return; the Handler is not called
// again. Later Send, SendStream and Start calls return an error wrapping
// net.ErrClosed; deliveries that arrive later are dropped. Close must not be
// called from the transport's own Handler. It is idempotent.
func (t *Transport) Close() error {
	n := t.nw
	n.mu.Lock()
	defer n.mu.Unlock()
	if t.closed {
		return nil
	}
	t.closed = true
	if n.transports[t.addr] == t {
		delete(n.transports, t.addr)
		n.closed[t.addr] = struct{}{}
	}
	for t.delivering > 0 {
		n.idle.Wait()
	}
	t.handler = nil
	return nil
}

// arriveLocked decides the fate of a delivery whose time has come: it
// returns the transport to hand it to, or counts the drop and returns nil.
func (n *Network) arriveLocked(ev *event) *Transport {
	dst := n.transports[ev.to]
	stream := ev.kind == evStream
	var drop *uint64
	switch {
	case stream && (dst == nil || dst.handler == nil || n.cuts.blocked(ev.from, ev.to)):
		drop = &n.stats.StreamsDropped
	case dst == nil:
		if _, ok := n.closed[ev.to]; ok {
			drop = &n.stats.DroppedClosed
		} else {
			drop = &n.stats.DroppedUnknown
		}
	case dst.handler == nil:
		drop = &n.stats.DroppedClosed
	case n.cuts.blocked(ev.from, ev.to):
		drop = &n.stats.DroppedPartition
	}
	if drop != nil {
		*drop++
		return nil
	}
	if stream {
		n.stats.StreamsDelivered++
		dst.stats.StreamsReceived++
	} else {
		n.stats.Delivered++
		n.stats.BytesDelivered += uint64(len(ev.data))
		dst.stats.Received++
		dst.stats.BytesReceived += uint64(len(ev.data))
	}
	return dst
}
