package tcp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/internal/conncfg"
	"github.com/scuttlebutt-go/scuttlebutt/transport/internal/frame"
)

var (
	_ transport.Transport = (*Transport)(nil)
	_ transport.Streamer  = (*Transport)(nil)
)

// Transport is a transport.Transport and transport.Streamer over TCP.
// Create it with New.
type Transport struct {
	cfg    Config
	log    *slog.Logger
	ln     net.Listener
	local  string
	ctx    context.Context // done when Close starts
	cancel context.CancelFunc
	wg     sync.WaitGroup
	stats  counters

	mu      sync.RWMutex
	closed  bool
	handler transport.Handler // set once by Start
	peers   map[string]*peer
	conns   map[net.Conn]struct{} // every open connection, for Close
}

// New listens on cfg.BindAddr. Connections are accepted, and datagrams
// delivered, once Start is called.
func New(cfg Config) (*Transport, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.BindAddr)
	if err != nil {
		return nil, fmt.Errorf("tcp: listen on %s: %w", cfg.BindAddr, err)
	}
	local, err := conncfg.Advertise("tcp", cfg.AdvertiseAddr, cfg.BindAddr, ln.Addr())
	if err != nil {
		ln.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Transport{
		cfg:    cfg,
		log:    cfg.Logger.With("transport", "tcp", "local", local),
		ln:     ln,
		local:  local,
		ctx:    ctx,
		cancel: cancel,
		peers:  make(map[string]*peer),
		conns:  make(map[net.Conn]struct{}),
	}, nil
}

// Start begins accepting connections and delivering their datagrams to h.
func (t *Transport) Start(h transport.Handler) error {
	if h == nil {
		return errors.New("tcp: Start: nil Handler")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.closed:
		return fmt.Errorf("tcp: Start: %w", net.ErrClosed)
	case t.handler != nil:
		return fmt.Errorf("tcp: %w", transport.ErrStarted)
	}
	t.handler = h
	t.wg.Add(1)
	go t.acceptLoop()
	return nil
}

// Send queues b for addr and returns without waiting for the network. A
// datagram larger than MTU is refused with an error wrapping
// transport.ErrTooLarge; an address that is not "host:port" with one
// wrapping transport.ErrUnreachable. A message that finds addr's queue full,
// or addr backing off after a failed dial, is dropped and counted in Stats,
// and Send returns nil: delivery is best effort.
func (t *Transport) Send(addr string, b []byte) error {
	if len(b) > t.cfg.MTU {
		return fmt.Errorf("tcp: send %d bytes to %s: %w (MTU %d)", len(b), addr, transport.ErrTooLarge, t.cfg.MTU)
	}
	now := time.Now()
	// Enqueue only under the lock, so that the writer cannot retire
	// meanwhile: a peer retires with an empty queue only.
	t.mu.RLock()
	if p, ok := t.peers[addr]; ok && !t.closed {
		p.q.Enqueue(b, now)
		t.mu.RUnlock()
		return nil
	}
	t.mu.RUnlock()

	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return fmt.Errorf("tcp: send to %s: %w", addr, net.ErrClosed)
	}
	p, ok := t.peers[addr]
	if !ok {
		if err := conncfg.CheckAddr(addr); err != nil {
			return fmt.Errorf("tcp: send to %q: %w: %v", addr, transport.ErrUnreachable, err)
		}
		p = t.newPeer(addr)
	}
	p.q.Enqueue(b, now)
	return nil
}

// LocalAddr returns the advertised "host:port" that peers send to.
func (t *Transport) LocalAddr() string { return t.local }

// MTU returns the largest datagram Send accepts.
func (t *Transport) MTU() int { return t.cfg.MTU }

// MaxStreamSize returns the largest message SendStream accepts.
func (t *Transport) MaxStreamSize() int { return t.cfg.MaxStreamSize }

// Close closes the listener and every connection, waits for the
// Transport's goroutines to exit and returns. Messages still queued are
// dropped. Later calls return nil.
func (t *Transport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	t.cancel()
	err := t.ln.Close()
	for c := range t.conns {
		c.Close()
	}
	t.mu.Unlock()
	t.wg.Wait()
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("tcp: close listener: %w", err)
	}
	return nil
}

// track registers c so that Close closes it. It reports false, and c must
// be closed by the caller, when the Transport is already closed.
func (t *Transport) track(c net.Conn) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.conns[c] = struct{}{}
	return true
}

// release closes c and forgets it.
func (t *Transport) release(c net.Conn) {
	c.Close()
	t.mu.Lock()
	delete(t.conns, c)
	t.mu.Unlock()
}

func (t *Transport) isClosed() bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.closed
}

func (t *Transport) acceptLoop() {
	defer t.wg.Done()
	for {
		c, err := t.ln.Accept()
		if err != nil {
			if t.isClosed() || errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors or similar: pause, then retry.
			t.log.Warn("accept failed", "err", err)
			select {
			case <-t.ctx.Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		if !t.track(c) {
			c.Close()
			return
		}
		t.wg.Add(1)
		go t.serve(c)
	}
}

// serve reads frames from an inbound connection until it fails or closes.
func (t *Transport) serve(c net.Conn) {
	defer t.wg.Done()
	defer t.release(c)
	r := bufio.NewReaderSize(c, 32<<10)
	_ = c.SetReadDeadline(time.Now().Add(t.cfg.DialTimeout))
	kind, from, err := readHello(r)
	if err != nil {
		t.readFailed(c, "", err)
		return
	}
	limit := t.cfg.MTU
	if kind == kindStream {
		limit = t.cfg.MaxStreamSize
	}
	fr := frame.NewReader(r)
	for {
		_ = c.SetReadDeadline(time.Now().Add(t.cfg.IdleTimeout))
		buf, err := fr.Next(limit)
		if errors.Is(err, frame.ErrTooLarge) {
			err = fmt.Errorf("%w: %w", errProtocol, err)
		}
		if err != nil {
			t.readFailed(c, from, err)
			return
		}
		t.stats.received.Add(1)
		t.handler(from, buf)
		if kind == kindStream {
			_ = c.SetWriteDeadline(time.Now().Add(t.cfg.WriteTimeout))
			if _, err := c.Write([]byte{ackOK}); err != nil {
				return
			}
		}
	}
}

// readFailed counts and logs why an inbound connection ends.
func (t *Transport) readFailed(c net.Conn, from string, err error) {
	switch {
	case errors.Is(err, errProtocol):
		t.stats.protocolErrors.Add(1)
		t.log.Warn("closing connection: protocol error", "remote", c.RemoteAddr(), "from", from, "err", err)
	case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
	default:
		t.log.Debug("connection closed", "remote", c.RemoteAddr(), "from", from, "err", err)
	}
}
