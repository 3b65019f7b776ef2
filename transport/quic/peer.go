package quic

import (
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
			if err := p.send(c, *m); err != nil {
				t.stats.droppedSend.Add(1)
				t.log.Debug("send failed", "peer", p.addr, "err", err)
			}
			putBuf(m)
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
	c, ok := t.track(qc)
	if !ok {
		return nil, net.ErrClosed
	}
	if err := t.sendHello(c); err != nil {
		t.forget(c)
		return nil, fmt.Errorf("sending hello: %w", err)
	}
	t.useFor(p.addr, c, true)
	t.wg.Add(1)
	go t.serve(c, false)
	return c, nil
}

// send sends m as a datagram if it fits and the connection is ready, else
// over its own stream.
func (p *peer) send(c *conn, m []byte) error {
	t := p.t
	if limit := c.maxDatagram.Load(); c.ready.Load() && (limit == 0 || int64(len(m)) <= limit) {
		err := c.qc.SendDatagram(m)
		if err == nil {
			t.stats.sent.Add(1)
			return nil
		}
		var tooLarge *quicgo.DatagramTooLargeError
		if !errors.As(err, &tooLarge) {
			return err
		}
		c.maxDatagram.Store(tooLarge.MaxDatagramPayloadSize)
	}
	ctx, cancel := context.WithTimeout(t.ctx, t.cfg.WriteTimeout)
	defer cancel()
	s, err := c.qc.OpenUniStreamSync(ctx)
	if err != nil {
		return fmt.Errorf("opening stream: %w", err)
	}
	_ = s.SetWriteDeadline(time.Now().Add(t.cfg.WriteTimeout))
	if _, err := s.Write([]byte{streamMessage}); err != nil {
		return err
	}
	if _, err := s.Write(m); err != nil {
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	t.stats.sent.Add(1)
	t.stats.sentOnStream.Add(1)
	return nil
}

// drain drops everything queued and returns how many.
func (p *peer) drain() int {
	n := 0
	for {
		select {
		case m := <-p.q:
			putBuf(m)
			n++
		default:
			return n
		}
	}
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
