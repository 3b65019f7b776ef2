package quic

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	quicgo "github.com/quic-go/quic-go"
)

// errBackingOff: the peer's last dial failed and its backoff is not over.
var errBackingOff = errors.New("quic: backing off after a failed dial")

// peer is the outbound side of one address: a bounded queue and the writer
// goroutine (run) that sends it. Send only enqueues, so a slow or dead peer
// holds up nobody but its own queue.
type peer struct {
	t    *Transport
	addr string
	q    chan *[]byte
	// downUntil (Unix nanoseconds) is when the backoff after a failed dial
	// ends; until then Send drops at once.
	downUntil atomic.Int64
	dialMu    sync.Mutex // one dial at a time
}

// enqueue copies b into the queue, or drops and counts it. t.mu must be
// held (read or write), so that the writer cannot retire meanwhile.
func (p *peer) enqueue(b []byte, now time.Time) {
	s := &p.t.stats
	if now.UnixNano() < p.downUntil.Load() {
		s.droppedUnreach.Add(1)
		return
	}
	if len(p.q) == cap(p.q) {
		s.droppedFull.Add(1)
		return
	}
	m := getBuf(len(b))
	copy(*m, b)
	select {
	case p.q <- m:
	default:
		putBuf(m)
		s.droppedFull.Add(1)
	}
}

// run is the writer goroutine: it connects lazily, sends queued messages,
// backs off after a failed dial, and retires after IdleTimeout without
// traffic.
func (p *peer) run() {
	t := p.t
	defer t.wg.Done()
	var backoff time.Duration
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
		case m := <-p.q:
			idle.Reset(t.cfg.IdleTimeout)
			c, err := p.connect(t.ctx, true)
			if err != nil {
				putBuf(m)
				if t.ctx.Err() != nil {
					return
				}
				if !errors.Is(err, errBackingOff) {
					backoff = nextBackoff(backoff, t.cfg.BackoffMin, t.cfg.BackoffMax)
					p.downUntil.Store(time.Now().Add(backoff).UnixNano())
					t.log.Debug("dial failed", "peer", p.addr, "err", err, "backoff", backoff)
				}
				t.stats.droppedUnreach.Add(uint64(1 + p.drain()))
				continue
			}
			backoff = 0
			if n, err := p.send(c, m); err != nil {
				t.stats.droppedSend.Add(uint64(n))
				t.log.Debug("send failed", "peer", p.addr, "err", err, "dropped", n)
			}
		}
	}
}

// nextBackoff doubles cur within [lo, hi].
func nextBackoff(cur, lo, hi time.Duration) time.Duration {
	return min(max(2*cur, lo), hi)
}

// connect returns the connection to send to p.addr, dialling one if there
// is none. With respectBackoff it fails fast while the peer backs off.
func (p *peer) connect(ctx context.Context, respectBackoff bool) (*conn, error) {
	t := p.t
	if c := t.connFor(p.addr); c != nil {
		return c, nil
	}
	p.dialMu.Lock()
	defer p.dialMu.Unlock()
	if c := t.connFor(p.addr); c != nil {
		return c, nil // dialled or accepted meanwhile
	}
	if respectBackoff && time.Now().UnixNano() < p.downUntil.Load() {
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
	if limit := c.maxDatagram.Load(); len(p.q) == 0 && (limit == 0 || int64(len(*m)) <= limit) {
		err := c.qc.SendDatagram(*m)
		if err == nil {
			putBuf(m)
			t.stats.sent.Add(1)
			return 1, nil
		}
		var tooLarge *quicgo.DatagramTooLargeError
		if !errors.As(err, &tooLarge) {
			putBuf(m)
			return 1, err
		}
		c.maxDatagram.Store(tooLarge.MaxDatagramPayloadSize)
	}

	ctx, cancel := context.WithTimeout(t.ctx, t.cfg.WriteTimeout)
	defer cancel()
	s, err := c.qc.OpenUniStreamSync(ctx)
	if err != nil {
		putBuf(m)
		return 1 + p.drainUpTo(maxBatch-1), fmt.Errorf("opening stream: %w", err)
	}
	_ = s.SetWriteDeadline(time.Now().Add(t.cfg.WriteTimeout))
	w := bufio.NewWriterSize(s, 32<<10)
	w.WriteByte(streamBatch)
	err = writeFrame(w, *m)
	n, size := 1, len(*m)
	putBuf(m)
batch:
	for err == nil && n < maxBatch && size < maxBatchBytes {
		select {
		case m := <-p.q:
			err = writeFrame(w, *m)
			n, size = n+1, size+len(*m)
			putBuf(m)
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

// drainUpTo drops up to n queued messages and returns how many.
func (p *peer) drainUpTo(n int) int {
	for i := range n {
		select {
		case m := <-p.q:
			putBuf(m)
		default:
			return i
		}
	}
	return n
}

// drain drops everything queued and returns how many.
func (p *peer) drain() int {
	return p.drainUpTo(cap(p.q))
}

// retire removes the idle peer from the map and reports true, unless
// messages arrived meanwhile. Its connection stays until QUIC's idle
// timeout closes it.
func (p *peer) retire() bool {
	t := p.t
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(p.q) > 0 {
		return false
	}
	if t.peers[p.addr] == p {
		delete(t.peers, p.addr)
	}
	return true
}

// bufPool recycles message copies between Send and the writers.
var bufPool sync.Pool // of *[]byte

func getBuf(n int) *[]byte {
	if b, ok := bufPool.Get().(*[]byte); ok && cap(*b) >= n {
		*b = (*b)[:n]
		return b
	}
	b := make([]byte, n, max(n, 512))
	return &b
}

func putBuf(b *[]byte) {
	if cap(*b) <= DefaultMTU {
		bufPool.Put(b)
	}
}
