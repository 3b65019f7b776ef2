package quic

import (
	"crypto/tls"
	"log/slog"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/internal/conncfg"
)

// ALPN is the TLS application protocol name the transport negotiates.
const ALPN = "scuttlebutt-gossip/1"

// Defaults applied by New to zero fields of Config.
const (
	// DefaultBindAddr listens on loopback on a random port: right for tests,
	// wrong for a cluster, which must set BindAddr.
	DefaultBindAddr = "127.0.0.1:0"
	// DefaultMTU is the largest message Send accepts.
	DefaultMTU = 64 << 10
	// DefaultMaxStreamSize is the largest message SendStream accepts.
	DefaultMaxStreamSize = 16 << 20
	// DefaultQueueSize is the number of messages queued per peer.
	DefaultQueueSize = 256
	// DefaultDialTimeout bounds a QUIC handshake and the wait for a hello.
	DefaultDialTimeout = 5 * time.Second
	// DefaultWriteTimeout bounds opening and writing one message stream.
	DefaultWriteTimeout = 10 * time.Second
	// DefaultIdleTimeout closes connections without traffic.
	DefaultIdleTimeout = 30 * time.Second
	// DefaultBackoffMin is the first pause after a failed dial.
	DefaultBackoffMin = 100 * time.Millisecond
	// DefaultBackoffMax caps the pause between dials to a failing peer.
	DefaultBackoffMax = 10 * time.Second
)

// MaxMessageSize is the hard ceiling on MTU and MaxStreamSize.
const MaxMessageSize = 1 << 30

// ErrConfig is the error New's errors about an invalid Config wrap.
//
// Deprecated: test for transport.ErrInvalidConfig, which every transport's
// config errors wrap; ErrConfig is the same value.
var ErrConfig = transport.ErrInvalidConfig

// Config configures a Transport. Zero fields take the Default values,
// except TLS, which is required.
type Config struct {
	// BindAddr is the UDP "host:port" to listen on. Port 0 picks a free
	// port.
	BindAddr string
	// AdvertiseAddr is the address peers dial to reach this node, reported
	// by LocalAddr and announced in every connection's hello. It defaults to
	// the socket's address, and must be set when BindAddr's host is
	// unspecified (0.0.0.0 or ::) or behind NAT.
	AdvertiseAddr string
	// TLS is required: see the package documentation. It is cloned; later
	// changes have no effect.
	TLS *tls.Config
	// MTU is the largest message Send accepts, and the largest message
	// accepted on an inbound unidirectional stream.
	MTU int
	// MaxStreamSize is the largest message SendStream sends and accepts. At
	// least MTU.
	MaxStreamSize int
	// QueueSize is the number of messages buffered per peer; Send drops
	// (and counts) a message that finds the queue full.
	QueueSize int
	// DialTimeout bounds a QUIC handshake, and the wait for a hello.
	DialTimeout time.Duration
	// WriteTimeout bounds opening and writing one message stream.
	WriteTimeout time.Duration
	// IdleTimeout closes a connection without traffic (QUIC's max idle
	// timeout), bounds reading one inbound stream, and retires a peer's
	// writer goroutine until the next Send.
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
	switch {
	case c.TLS == nil:
		return conncfg.Invalid("quic", "TLS", "required (see SelfSignedTLS for tests)")
	case len(c.TLS.Certificates) == 0 && c.TLS.GetCertificate == nil && c.TLS.GetConfigForClient == nil:
		return conncfg.Invalid("quic", "TLS.Certificates", "no certificate to present")
	}
	return c.fields().Validate("quic", MaxMessageSize)
}
