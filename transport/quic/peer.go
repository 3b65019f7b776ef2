package quic

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	quicgo "github.com/quic-go/quic-go"

	"github.com/scuttlebutt-go/scuttlebutt/transport/internal/frame"
	"github.com/scuttlebutt-go/scuttlebutt/transport/internal/peerq"
)

// errBackingOff: the peer's last dial failed and its backoff is not over.
var errBackingOff = errors.New("quic: backing off after a failed dial")

// peer is the outbound side of one address: a bounded queue and the writer
// goroutine (run) that sends it. Send only enqueues, so a slow or dead peer
// holds up nobody but its own queue.
type peer struct {
	t    *Transport
	addr string
	// q holds the messages for the writer, and the backoff after a failed
	// dial, during which Send drops at once.
	q *peerq.Queue
	// dialing holds a token while a dial runs: one dial at a time, and a
	// SendStream waiting its turn still honours its ctx.
	dialing chan struct{}
}

// run is the writer goroutine: it connects lazily, sends queued messages,
// backs off after a failed dial, and retires after IdleTimeout without
// traffic.
func (p *peer) run() {
	t := p.t
	defer t.wg.Done()
	idle := time.NewTimer(t.cfg.IdleTimeout)
	defer idle.Stop()
	for {
		select {
		case <-t.ctx.Done():
			return
		case <-idle.C:
			if p.retire() {
				return
			}
			idle.Reset(t.cfg.IdleTimeout)
		case m := <-p.q.C():
			idle.Reset(t.cfg.IdleTimeout)
			c, err := p.connect(t.ctx, true)
			if err != nil {
				peerq.Recycle(m)
				if t.ctx.Err() != nil {
					return
				}
				if !errors.Is(err, errBackingOff) {
					backoff := p.q.Backoff.Failed(time.Now())
					t.log.Debug("dial failed", "peer", p.addr, "err", err, "backoff", backoff)
				}
				t.stats.drops.Unreachable.Add(uint64(1 + p.q.Drain()))
				continue
			}
			p.q.Backoff.Succeeded()
			if n, err := p.send(c, m); err != nil {
				t.stats.droppedSend.Add(uint64(n))
				t.log.Debug("send failed", "peer", p.addr, "err", err, "dropped", n)
			}
		}
	}
}

// connect returns the connection to send to p.addr, dialling one if there
// is none. With respectBackoff it fails fast while the peer backs off.
func (p *peer) connect(ctx context.Context, respectBackoff bool) (*conn, error) {
	t := p.t
	if c := t.connFor(p.addr); c != nil {
		return c, nil
	}
	select {
	case p.dialing <- struct{}{}:
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
	defer func() { <-p.dialing }()
	if c := t.connFor(p.addr); c != nil {
		return c, nil // dialled or accepted meanwhile
	}
	if respectBackoff && p.q.Backoff.Down(time.Now()) {
		return nil, errBackingOff
	}
	raddr, err := net.ResolveUDPAddr("udp", p.addr)
	if err != nil {
		t.stats.dialFailures.Add(1)
		return nil, err
	}
	tlsConf := t.clientTLS.Clone()
	if tlsConf.ServerName == "" {
		tlsConf.ServerName, _, _ = net.SplitHostPort(p.addr)
	}
	ctx, cancel := context.WithTimeout(ctx, t.cfg.DialTimeout)
	defer cancel()
	qc, err := t.qt.Dial(ctx, raddr, tlsConf, t.qconf)
	if err != nil {
		t.stats.dialFailures.Add(1)
		return nil, err
	}
	if err := t.sendHello(qc); err != nil {
		qc.CloseWithError(codeClosing, "closing")
		return nil, fmt.Errorf("sending hello: %w", err)
	}
	c, ok := t.track(qc)
	if !ok {
		return nil, net.ErrClosed
	}
	go t.serve(c, false)
	select {
	case <-c.hello:
	case <-ctx.Done():
		t.stats.dialFailures.Add(1)
		t.forget(c)
		return nil, fmt.Errorf("no hello from the peer: %w", context.Cause(ctx))
	case <-c.qc.Context().Done():
		t.stats.dialFailures.Add(1)
		return nil, fmt.Errorf("connection closed before the peer's hello: %w", context.Cause(c.qc.Context()))
	}
	t.useFor(p.addr, c, true)
	return c, nil
}

// Bounds of one batch stream.
const (
	maxBatch      = 256
	maxBatchBytes = 1 << 20
)

// send sends m alone as a datagram when it fits and nothing is queued
// behind it. Otherwise m and what is queued behind it go as one batch over a
// unidirectional stream: a burst of datagrams would overflow the receiver's
// datagram queue, while a stream is flow-controlled and reliable. It takes
// ownership of m and returns how many messages it sent, or lost on error.
func (p *peer) send(c *conn, m *[]byte) (int, error) {
	t := p.t
	if limit := c.maxDatagram.Load(); p.q.Len() == 0 && (limit == 0 || int64(len(*m)) <= limit) {
		err := c.qc.SendDatagram(*m)
		if err == nil {
			peerq.Recycle(m)
			t.stats.sent.Add(1)
			return 1, nil
		}
		var tooLarge *quicgo.DatagramTooLargeError
		if !errors.As(err, &tooLarge) {
			peerq.Recycle(m)
			return 1, err
		}
		c.maxDatagram.Store(tooLarge.MaxDatagramPayloadSize)
	}

	ctx, cancel := context.WithTimeout(t.ctx, t.cfg.WriteTimeout)
	defer cancel()
	s, err := c.qc.OpenUniStreamSync(ctx)
	if err != nil {
		peerq.Recycle(m)
		return 1 + p.q.DrainUpTo(maxBatch-1), fmt.Errorf("opening stream: %w", err)
	}
	_ = s.SetWriteDeadline(time.Now().Add(t.cfg.WriteTimeout))
	w := bufio.NewWriterSize(s, 32<<10)
	w.WriteByte(streamBatch)
	err = frame.Write(w, *m)
	n, size := 1, len(*m)
	peerq.Recycle(m)
batch:
	for err == nil && n < maxBatch && size < maxBatchBytes {
		select {
		case m := <-p.q.C():
			err = frame.Write(w, *m)
			n, size = n+1, size+len(*m)
			peerq.Recycle(m)
		default:
			break batch
		}
	}
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = s.Close()
	}
	if err != nil {
		s.CancelWrite(streamCancelled)
		return n, err
	}
	t.stats.sent.Add(uint64(n))
	t.stats.sentOnStream.Add(uint64(n))
	return n, nil
}

// retire removes the idle peer from the map and reports true, unless
// messages arrived meanwhile. Its connection stays until QUIC's idle
// timeout closes it.
func (p *peer) retire() bool {
	t := p.t
	t.mu.Lock()
	defer t.mu.Unlock()
	if p.q.Len() > 0 {
		return false
	}
	if t.peers[p.addr] == p {
		delete(t.peers, p.addr)
	}
	return true
}
