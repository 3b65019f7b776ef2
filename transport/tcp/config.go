package tcp

import (
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// Defaults applied by New to zero fields of Config.
const (
	// DefaultBindAddr listens on loopback on a random port: right for tests,
	// wrong for a cluster, which must set BindAddr.
	DefaultBindAddr = "127.0.0.1:0"
	// DefaultMTU is the largest datagram Send accepts.
	DefaultMTU = 64 << 10
	// DefaultMaxStreamSize is the largest message SendStream accepts.
	DefaultMaxStreamSize = 16 << 20
	// DefaultQueueSize is the number of messages queued per peer.
	DefaultQueueSize = 256
	// DefaultDialTimeout bounds a connection attempt and the wait for an
	// inbound connection's hello.
	DefaultDialTimeout = 5 * time.Second
	// DefaultWriteTimeout bounds one write of queued datagrams.
	DefaultWriteTimeout = 10 * time.Second
	// DefaultIdleTimeout closes connections without traffic.
	DefaultIdleTimeout = 2 * time.Minute
	// DefaultBackoffMin is the first pause after a failed dial.
	DefaultBackoffMin = 100 * time.Millisecond
	// DefaultBackoffMax caps the pause between dials to a failing peer.
	DefaultBackoffMax = 10 * time.Second
)

// MaxFrameSize is the hard ceiling on MTU and MaxStreamSize.
const MaxFrameSize = 1 << 30

// maxAddrLen is the longest address a hello can carry.
const maxAddrLen = 255

// ErrConfig is the error New's errors about an invalid Config wrap.
//
// Deprecated: test for transport.ErrInvalidConfig, which every transport's
// config errors wrap; ErrConfig is the same value.
var ErrConfig = transport.ErrInvalidConfig

// Config configures a Transport. Zero fields take the Default values.
type Config struct {
	// BindAddr is the "host:port" to listen on. Port 0 picks a free port.
	BindAddr string
	// AdvertiseAddr is the address peers dial to reach this node, reported
	// by LocalAddr and sent in every connection's hello. It defaults to the
	// listener's address, and must be set when BindAddr's host is
	// unspecified (0.0.0.0 or ::) or behind NAT.
	AdvertiseAddr string
	// MTU is the largest datagram Send accepts and the largest frame
	// accepted on an inbound datagram connection.
	MTU int
	// MaxStreamSize is the largest message SendStream sends and the largest
	// frame accepted on an inbound stream connection. At least MTU.
	MaxStreamSize int
	// QueueSize is the number of messages buffered per peer; Send drops
	// (and counts) a message that finds the queue full.
	QueueSize int
	// DialTimeout bounds a dial, and the wait for an inbound hello.
	DialTimeout time.Duration
	// WriteTimeout bounds one batched write of datagrams to a peer; a peer
	// that does not read in time loses its connection.
	WriteTimeout time.Duration
	// IdleTimeout is the read deadline for each inbound frame, and the idle
	// time after which an outbound connection is closed (and its writer
	// goroutine stops) until the next Send.
	IdleTimeout time.Duration
	// BackoffMin and BackoffMax bound the exponential pause after a failed
	// dial. While a peer backs off, Send drops its messages at once.
	BackoffMin, BackoffMax time.Duration
	// Logger receives connection events. nil is silent.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.BindAddr == "" {
		c.BindAddr = DefaultBindAddr
	}
	if c.MTU == 0 {
		c.MTU = DefaultMTU
	}
	if c.MaxStreamSize == 0 {
		c.MaxStreamSize = max(DefaultMaxStreamSize, c.MTU)
	}
	if c.QueueSize == 0 {
		c.QueueSize = DefaultQueueSize
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.BackoffMin == 0 {
		c.BackoffMin = DefaultBackoffMin
	}
	if c.BackoffMax == 0 {
		c.BackoffMax = max(DefaultBackoffMax, c.BackoffMin)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

func (c Config) validate() error {
	bad := func(field string, format string, args ...any) error {
		return fmt.Errorf("tcp: Config.%s: %s: %w", field, fmt.Sprintf(format, args...), transport.ErrInvalidConfig)
	}
	switch {
	case c.MTU < 1 || c.MTU > MaxFrameSize:
		return bad("MTU", "%d not in [1, %d]", c.MTU, MaxFrameSize)
	case c.MaxStreamSize < c.MTU || c.MaxStreamSize > MaxFrameSize:
		return bad("MaxStreamSize", "%d not in [MTU=%d, %d]", c.MaxStreamSize, c.MTU, MaxFrameSize)
	case c.QueueSize < 1:
		return bad("QueueSize", "%d < 1", c.QueueSize)
	case c.DialTimeout < 0:
		return bad("DialTimeout", "must not be negative")
	case c.WriteTimeout < 0:
		return bad("WriteTimeout", "must not be negative")
	case c.IdleTimeout < 0:
		return bad("IdleTimeout", "must not be negative")
	case c.BackoffMin < 0:
		return bad("BackoffMin", "must not be negative")
	case c.BackoffMax < c.BackoffMin:
		return bad("BackoffMax", "%v < BackoffMin %v", c.BackoffMax, c.BackoffMin)
	}
	if _, _, err := net.SplitHostPort(c.BindAddr); err != nil {
		return bad("BindAddr", "%v", err)
	}
	if c.AdvertiseAddr != "" {
		if err := checkAddr(c.AdvertiseAddr); err != nil {
			return bad("AdvertiseAddr", "%v", err)
		}
	}
	return nil
}

// checkAddr reports whether addr can go in a hello.
func checkAddr(addr string) error {
	if len(addr) > maxAddrLen {
		return fmt.Errorf("address longer than %d bytes", maxAddrLen)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "" || port == "" {
		return fmt.Errorf("address %q needs a host and a port", addr)
	}
	return nil
}

// advertise returns the address to put in hellos for a listener bound at
// bound.
func (c Config) advertise(bound net.Addr) (string, error) {
	if c.AdvertiseAddr != "" {
		return c.AdvertiseAddr, nil
	}
	if a, ok := bound.(*net.TCPAddr); ok && (a.IP == nil || a.IP.IsUnspecified()) {
		return "", fmt.Errorf("tcp: Config.AdvertiseAddr: required when BindAddr %q has an unspecified host: %w", c.BindAddr, transport.ErrInvalidConfig)
	}
	return bound.String(), nil
}
