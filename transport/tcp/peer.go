package tcp

import (
	"bufio"
	"net"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/transport/internal/frame"
	"github.com/scuttlebutt-go/scuttlebutt/transport/internal/peerq"
)

// maxBatch is the most queued datagrams written with one flush.
const maxBatch = 64

// peer is the outbound side of one address: a bounded queue and the writer
// goroutine (run) that owns the connection. Send only enqueues, so a slow or
// dead peer holds up nobody but its own queue.
type peer struct {
	t    *Transport
	addr string
	// q holds the messages for the writer, and the backoff after a failed
	// dial, during which Send drops at once.
	q *peerq.Queue
}

// newPeer creates and starts the peer for addr. t.mu must be held.
func (t *Transport) newPeer(addr string) *peer {
	p := &peer{t: t, addr: addr, q: peerq.New(t.cfg.QueueSize, t.cfg.BackoffMin, t.cfg.BackoffMax, &t.stats.drops)}
	t.peers[addr] = p
	t.wg.Add(1)
	go p.run()
	return p
}

// run is the writer goroutine: it dials lazily, writes queued datagrams in
// batches, backs off after a failed dial, and retires after IdleTimeout
// without traffic.
func (p *peer) run() {
	t := p.t
	defer t.wg.Done()
	var (
		conn net.Conn
		dead chan struct{} // closed when conn is closed by the remote end
		w    = bufio.NewWriterSize(nil, 32<<10)
	)
	closeConn := func() {
		if conn != nil {
			t.release(conn)
			conn, dead = nil, nil
		}
	}
	defer closeConn()
	idle := time.NewTimer(t.cfg.IdleTimeout)
	defer idle.Stop()
	for {
		select {
		case <-t.ctx.Done():
			return
		case <-dead:
			closeConn()
		case <-idle.C:
			closeConn()
			if p.retire() {
				return
			}
			idle.Reset(t.cfg.IdleTimeout)
		case m := <-p.q.C():
			idle.Reset(t.cfg.IdleTimeout)
			select {
			case <-dead:
				closeConn()
			default:
			}
			if conn == nil {
				if p.q.Backoff.Down(time.Now()) {
					peerq.Recycle(m)
					t.stats.drops.Unreachable.Add(1)
					continue
				}
				c, err := p.dial()
				if err != nil {
					if t.ctx.Err() != nil {
						peerq.Recycle(m)
						return
					}
					backoff := p.q.Backoff.Failed(time.Now())
					peerq.Recycle(m)
					n := 1 + p.q.Drain()
					t.stats.drops.Unreachable.Add(uint64(n))
					t.log.Debug("dial failed", "peer", p.addr, "err", err, "backoff", backoff, "dropped", n)
					continue
				}
				p.q.Backoff.Succeeded()
				conn, dead = c, make(chan struct{})
				w.Reset(c)
				w.Write(appendHello(nil, kindDatagram, t.local))
				t.wg.Add(1)
				go t.watch(c, dead)
			}
			if err := p.write(conn, w, m); err != nil {
				t.log.Debug("write failed", "peer", p.addr, "err", err)
				closeConn()
			}
		}
	}
}

func (p *peer) dial() (net.Conn, error) {
	t := p.t
	d := net.Dialer{Timeout: t.cfg.DialTimeout}
	c, err := d.DialContext(t.ctx, "tcp", p.addr)
	if err != nil {
		t.stats.dialFailures.Add(1)
		return nil, err
	}
	if !t.track(c) {
		c.Close()
		return nil, net.ErrClosed
	}
	return c, nil
}

// watch reads from an outbound connection, on which the peer never writes,
// so that the writer learns at once when the peer closes it and redials
// instead of losing the next batch into a dead socket.
func (t *Transport) watch(c net.Conn, dead chan struct{}) {
	defer t.wg.Done()
	defer close(dead)
	var b [1]byte
	c.Read(b[:]) // returns on close, reset, or a peer that breaks the protocol
}

// write writes m and whatever else is queued, up to maxBatch, with one
// flush under WriteTimeout.
func (p *peer) write(c net.Conn, w *bufio.Writer, m *[]byte) error {
	t := p.t
	_ = c.SetWriteDeadline(time.Now().Add(t.cfg.WriteTimeout))
	err := frame.Write(w, *m)
	peerq.Recycle(m)
	n := 1
batch:
	for err == nil && n < maxBatch {
		select {
		case m := <-p.q.C():
			err = frame.Write(w, *m)
			peerq.Recycle(m)
			n++
		default:
			break batch
		}
	}
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		t.stats.droppedWr.Add(uint64(n))
		return err
	}
	t.stats.sent.Add(uint64(n))
	return nil
}

// retire removes the idle peer from the map and reports true, unless
// messages arrived meanwhile.
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
