package udp

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

var (
	_ transport.Transport = (*Transport)(nil)

	errNilHandler = errors.New("udp: Start with a nil Handler")
)

// Transport is a transport.Transport over one UDP socket. Create it with New.
// All methods are safe for concurrent use.
type Transport struct {
	conn   *net.UDPConn
	raw    syscall.RawConn // conn's, for the kernel drop counter; nil if unavailable
	mtu    int
	local  string
	log    *slog.Logger
	peers  *resolver
	stats  counters
	kernel kernelDrops

	mu        sync.Mutex // guards started and the closed transition
	started   bool
	closed    atomic.Bool
	done      chan struct{} // closed by Close
	closeOnce sync.Once
	wg        sync.WaitGroup // the reader goroutine
}

// New binds a UDP socket as cfg says. The socket is open when New returns;
// call Start to receive and Close to release it.
func New(cfg Config) (*Transport, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	laddr, err := net.ResolveUDPAddr("udp", cfg.BindAddr)
	if err != nil {
		return nil, fmt.Errorf("udp: resolve BindAddr %q: %w", cfg.BindAddr, err)
	}
	network, family := "udp", "ip"
	switch {
	case laddr.IP == nil:
	case laddr.IP.To4() != nil:
		network, family = "udp4", "ip4"
	default:
		network, family = "udp6", "ip6"
	}
	conn, err := net.ListenUDP(network, laddr)
	if err != nil {
		return nil, fmt.Errorf("udp: listen on %q: %w", cfg.BindAddr, err)
	}
	setBuffers(conn, cfg)
	// SyscallConn fails only for an invalid conn, returning nil; Drops then
	// reports no kernel drops.
	raw, _ := conn.SyscallConn()

	bound := conn.LocalAddr().(*net.UDPAddr).AddrPort()
	bound = netip.AddrPortFrom(bound.Addr().Unmap(), bound.Port())
	local := bound.String()
	if cfg.AdvertiseAddr != "" {
		local = cfg.AdvertiseAddr
		if host, port, _ := splitPort(local); port == 0 {
			local = net.JoinHostPort(host, strconv.Itoa(int(bound.Port())))
		}
	}
	return &Transport{
		conn:  conn,
		raw:   raw,
		mtu:   cfg.MTU,
		local: local,
		log:   cfg.Logger,
		peers: newResolver(family),
		done:  make(chan struct{}),
	}, nil
}

// setBuffers asks for the configured socket buffer sizes; a refusal is only
// logged, since the kernel silently caps the sizes anyway.
func setBuffers(conn *net.UDPConn, cfg Config) {
	if n := cfg.ReadBufferBytes; n > 0 {
		if err := conn.SetReadBuffer(n); err != nil {
			cfg.Logger.Debug("udp: set read buffer", "bytes", n, "err", err)
		}
	}
	if n := cfg.WriteBufferBytes; n > 0 {
		if err := conn.SetWriteBuffer(n); err != nil {
			cfg.Logger.Debug("udp: set write buffer", "bytes", n, "err", err)
		}
	}
}

// Start launches the reader goroutine, which calls h for every datagram, one
// at a time. It returns transport.ErrStarted on a second call and an error
// wrapping net.ErrClosed after Close.
func (t *Transport) Start(h transport.Handler) error {
	if h == nil {
		return errNilHandler
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed.Load() {
		return fmt.Errorf("udp: start: %w", net.ErrClosed)
	}
	if t.started {
		return transport.ErrStarted
	}
	t.started = true
	t.wg.Add(1)
	go t.readLoop(h)
	return nil
}

// Send writes b as one datagram to addr, a "host:port". It returns an error
// wrapping transport.ErrTooLarge if len(b) > MTU, transport.ErrUnreachable if
// addr cannot be resolved to an address of the socket's family, and
// net.ErrClosed after Close. It does not retain b.
func (t *Transport) Send(addr string, b []byte) error {
	if t.closed.Load() {
		return fmt.Errorf("udp: send to %s: %w", addr, net.ErrClosed)
	}
	if len(b) > t.mtu {
		t.stats.sendErrors.Add(1)
		return fmt.Errorf("udp: send %d bytes to %s: %w (MTU %d)", len(b), addr, transport.ErrTooLarge, t.mtu)
	}
	ap, err := t.peers.resolve(addr)
	if err != nil {
		t.stats.sendErrors.Add(1)
		return err
	}
	if _, err := t.conn.WriteToUDPAddrPort(b, ap); err != nil {
		if !errors.Is(err, net.ErrClosed) {
			t.stats.sendErrors.Add(1)
		}
		return fmt.Errorf("udp: send to %s: %w", addr, err)
	}
	t.stats.sent.Add(1)
	t.stats.bytesSent.Add(uint64(len(b)))
	return nil
}

// LocalAddr returns Config.AdvertiseAddr if set, otherwise the bound
// "ip:port".
func (t *Transport) LocalAddr() string { return t.local }

// MTU returns the largest datagram Send accepts.
func (t *Transport) MTU() int { return t.mtu }

// Close closes the socket and waits for the reader goroutine to return; the
// Handler is not called after Close returns. Later calls return nil.
func (t *Transport) Close() error {
	var err error
	t.closeOnce.Do(func() {
		t.mu.Lock()
		t.closed.Store(true)
		t.mu.Unlock()
		close(t.done)
		t.kernel.read(t.raw) // the last count, for Drops after Close
		if cerr := t.conn.Close(); cerr != nil {
			err = fmt.Errorf("udp: close: %w", cerr)
		}
		t.wg.Wait()
	})
	return err
}
