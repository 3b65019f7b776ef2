package tcp

import (
	"log/slog"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/internal/conncfg"
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

// fields points conncfg at the fields tcp and quic share.
func (c *Config) fields() conncfg.Fields {
	return conncfg.Fields{
		BindAddr: &c.BindAddr, AdvertiseAddr: &c.AdvertiseAddr,
		MTU: &c.MTU, MaxStreamSize: &c.MaxStreamSize, QueueSize: &c.QueueSize,
		DialTimeout: &c.DialTimeout, WriteTimeout: &c.WriteTimeout, IdleTimeout: &c.IdleTimeout,
		BackoffMin: &c.BackoffMin, BackoffMax: &c.BackoffMax, Logger: &c.Logger,
	}
}

func (c Config) withDefaults() Config {
	c.fields().Fill(conncfg.Defaults{
		BindAddr: DefaultBindAddr, MTU: DefaultMTU, MaxStreamSize: DefaultMaxStreamSize, QueueSize: DefaultQueueSize,
		DialTimeout: DefaultDialTimeout, WriteTimeout: DefaultWriteTimeout, IdleTimeout: DefaultIdleTimeout,
		BackoffMin: DefaultBackoffMin, BackoffMax: DefaultBackoffMax,
	})
	return c
}

func (c Config) validate() error {
	return c.fields().Validate("tcp", MaxFrameSize)
}
