package quic

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	quicgo "github.com/quic-go/quic-go"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/internal/conncfg"
	"github.com/scuttlebutt-go/scuttlebutt/transport/internal/peerq"
)

var (
	_ transport.Transport = (*Transport)(nil)
	_ transport.Streamer  = (*Transport)(nil)
)

// Error codes sent when closing a connection or cancelling a stream.
const (
	codeClosing  quicgo.ApplicationErrorCode = 0
	codeProtocol quicgo.ApplicationErrorCode = 1

	streamCancelled quicgo.StreamErrorCode = 0
	streamProtocol  quicgo.StreamErrorCode = 1
)

// Transport is a transport.Transport and transport.Streamer over QUIC.
// Create it with New.
type Transport struct {
	cfg       Config
	log       *slog.Logger
	local     string
	udp       *net.UDPConn
	qt        *quicgo.Transport
	ln        *quicgo.Listener
	qconf     *quicgo.Config
	clientTLS *tls.Config
	ctx       context.Context // done when Close starts
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	stats     counters
	handler   atomic.Pointer[transport.Handler] // set once by Start

	mu     sync.RWMutex
	closed bool
	peers  map[string]*peer
	byAddr map[string]*conn   // the connection used to send to an address
	conns  map[*conn]struct{} // every open connection, for Close
}

// New opens the UDP socket and starts listening for QUIC connections. They
// are accepted, and messages delivered, once Start is called.
func New(cfg Config) (*Transport, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	bind, err := net.ResolveUDPAddr("udp", cfg.BindAddr)
	if err != nil {
		return nil, conncfg.Invalid("quic", "BindAddr", "%v", err)
	}
	udp, err := net.ListenUDP("udp", bind)
	if err != nil {
		return nil, fmt.Errorf("quic: listen on %s: %w", cfg.BindAddr, err)
	}
	local, err := conncfg.Advertise("quic", cfg.AdvertiseAddr, cfg.BindAddr, udp.LocalAddr())
	if err != nil {
		udp.Close()
		return nil, err
	}
	qconf := &quicgo.Config{
		EnableDatagrams:      true,
		HandshakeIdleTimeout: cfg.DialTimeout,
		MaxIdleTimeout:       cfg.IdleTimeout,
	}
	serverTLS := cfg.TLS.Clone()
	serverTLS.NextProtos = []string{ALPN}
	clientTLS := cfg.TLS.Clone()
	clientTLS.NextProtos = []string{ALPN}

	qt := &quicgo.Transport{Conn: udp}
	ln, err := qt.Listen(serverTLS, qconf)
	if err != nil {
		qt.Close()
		udp.Close()
		return nil, fmt.Errorf("quic: listen on %s: %w", cfg.BindAddr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Transport{
		cfg:       cfg,
		log:       cfg.Logger.With("transport", "quic", "local", local),
		local:     local,
		udp:       udp,
		qt:        qt,
		ln:        ln,
		qconf:     qconf,
		clientTLS: clientTLS,
		ctx:       ctx,
		cancel:    cancel,
		peers:     make(map[string]*peer),
		byAddr:    make(map[string]*conn),
		conns:     make(map[*conn]struct{}),
	}, nil
}

// Start begins accepting connections and delivering their messages to h.
func (t *Transport) Start(h transport.Handler) error {
	if h == nil {
		return errors.New("quic: Start: nil Handler")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.closed:
		return fmt.Errorf("quic: Start: %w", net.ErrClosed)
	case !t.handler.CompareAndSwap(nil, &h):
		return fmt.Errorf("quic: %w", transport.ErrStarted)
	}
	t.wg.Add(1)
	go t.acceptLoop()
	return nil
}

// Send queues b for addr and returns without waiting for the network. A
// message larger than MTU is refused with an error wrapping
// transport.ErrTooLarge; an address that is not "host:port" with one
// wrapping transport.ErrUnreachable. A message that finds addr's queue full,
// or addr backing off after a failed dial, is dropped and counted in Stats,
// and Send returns nil: delivery is best effort.
func (t *Transport) Send(addr string, b []byte) error {
	if len(b) > t.cfg.MTU {
		return fmt.Errorf("quic: send %d bytes to %s: %w (MTU %d)", len(b), addr, transport.ErrTooLarge, t.cfg.MTU)
	}
	now := time.Now()
	for {
		t.mu.RLock()
		if t.closed {
			t.mu.RUnlock()
			return fmt.Errorf("quic: send to %s: %w", addr, net.ErrClosed)
		}
		// Enqueue only under the lock, so that the writer cannot retire
		// meanwhile: a peer retires with an empty queue only.
		if p, ok := t.peers[addr]; ok {
			p.q.Enqueue(b, now)
			t.mu.RUnlock()
			return nil
		}
		t.mu.RUnlock()
		if _, err := t.peer(addr); err != nil {
			return fmt.Errorf("quic: send to %q: %w", addr, err)
		}
	}
}

// peer returns addr's peer, creating and starting it if needed.
func (t *Transport) peer(addr string) (*peer, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, net.ErrClosed
	}
	if p, ok := t.peers[addr]; ok {
		return p, nil
	}
	if err := conncfg.CheckAddr(addr); err != nil {
		return nil, fmt.Errorf("%w: %v", transport.ErrUnreachable, err)
	}
	p := &peer{t: t, addr: addr, dialing: make(chan struct{}, 1), q: peerq.New(t.cfg.QueueSize, t.cfg.BackoffMin, t.cfg.BackoffMax, &t.stats.drops)}
	t.peers[addr] = p
	t.wg.Add(1)
	go p.run()
	return p, nil
}

// LocalAddr returns the advertised "host:port" that peers send to.
func (t *Transport) LocalAddr() string { return t.local }

// MTU returns the largest message Send accepts. Messages above the QUIC
// datagram size travel over a stream.
func (t *Transport) MTU() int { return t.cfg.MTU }

// MaxStreamSize returns the largest message SendStream accepts.
func (t *Transport) MaxStreamSize() int { return t.cfg.MaxStreamSize }

// Close closes every connection (telling the peers), the listener and the
// UDP socket, and waits for the Transport's goroutines to exit. Messages
// still queued are dropped. Later calls return nil.
func (t *Transport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	t.cancel()
	conns := make([]*conn, 0, len(t.conns))
	for c := range t.conns {
		conns = append(conns, c)
	}
	t.mu.Unlock()

	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() { c.qc.CloseWithError(codeClosing, "closing") })
	}
	wg.Wait()
	t.ln.Close()
	err := t.qt.Close()
	t.wg.Wait()
	if uerr := t.udp.Close(); err == nil {
		err = uerr
	}
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("quic: close: %w", err)
	}
	return nil
}

func (t *Transport) isClosed() bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.closed
}

func (t *Transport) acceptLoop() {
	defer t.wg.Done()
	for {
		qc, err := t.ln.Accept(t.ctx)
		if err != nil {
			if t.ctx.Err() == nil {
				t.log.Warn("accept failed", "err", err)
			}
			return
		}
		c, ok := t.track(qc)
		if !ok {
			return
		}
		go t.serve(c, true)
	}
}
