package udp

import (
	"fmt"
	"log/slog"
	"net"
	"strconv"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// Defaults used by New for zero Config fields.
const (
	// DefaultMTU is the datagram size limit when Config.MTU is zero: it fits
	// a 1,500-byte Ethernet frame with room for IP, UDP and tunnel headers.
	DefaultMTU = 1400
	// DefaultBufferBytes is the socket receive and send buffer size asked for
	// when Config.ReadBufferBytes or Config.WriteBufferBytes is zero. The
	// kernel may grant less (on Linux, net.core.rmem_max and wmem_max).
	DefaultBufferBytes = 2 << 20
	// MaxMTU is the largest UDP payload over IPv4.
	MaxMTU = 65507
)

// ErrInvalidConfig is the error New returns for a bad Config wraps; the
// message names the field.
//
// Deprecated: test for transport.ErrInvalidConfig, which every transport's
// config errors wrap; ErrInvalidConfig is the same value.
var ErrInvalidConfig = transport.ErrInvalidConfig

// Config configures New. Zero fields take the documented defaults.
type Config struct {
	// BindAddr is the local "host:port" to listen on. Port 0 picks a free
	// port. An IPv4 literal host (including 0.0.0.0) opens an IPv4 socket, an
	// IPv6 literal (including ::) an IPv6 one, and an empty host a
	// dual-stack socket on all addresses. Required.
	BindAddr string
	// AdvertiseAddr, when set, is what LocalAddr reports: the "host:port"
	// peers should send to, for a socket bound to a wildcard address or
	// behind NAT. A port of 0 is replaced by the bound port.
	AdvertiseAddr string
	// MTU is the largest datagram, in bytes, that Send accepts and the
	// reader delivers. Default DefaultMTU; at most MaxMTU.
	MTU int
	// ReadBufferBytes is the socket receive buffer size to ask for. Default
	// DefaultBufferBytes; negative keeps the operating system's default.
	// Setting it is best effort: a refusal is logged, not returned.
	ReadBufferBytes int
	// WriteBufferBytes is the socket send buffer size, as ReadBufferBytes.
	WriteBufferBytes int
	// Logger receives debug logs of dropped datagrams and warnings of
	// socket errors. Nil means silent.
	Logger *slog.Logger
}

// withDefaults returns a copy of c with zero fields filled in, or an error
// naming the first invalid field.
func (c Config) withDefaults() (Config, error) {
	if c.MTU == 0 {
		c.MTU = DefaultMTU
	}
	if c.ReadBufferBytes == 0 {
		c.ReadBufferBytes = DefaultBufferBytes
	}
	if c.WriteBufferBytes == 0 {
		c.WriteBufferBytes = DefaultBufferBytes
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.BindAddr == "" {
		return c, invalid("BindAddr", "required")
	}
	if _, _, err := splitPort(c.BindAddr); err != nil {
		return c, invalid("BindAddr", "%q: %v", c.BindAddr, err)
	}
	if c.AdvertiseAddr != "" {
		if _, _, err := splitPort(c.AdvertiseAddr); err != nil {
			return c, invalid("AdvertiseAddr", "%q: %v", c.AdvertiseAddr, err)
		}
	}
	if c.MTU < 0 || c.MTU > MaxMTU {
		return c, invalid("MTU", "%d not in [1, %d]", c.MTU, MaxMTU)
	}
	return c, nil
}

// invalid returns the error about a bad Config field.
func invalid(field, format string, args ...any) error {
	return fmt.Errorf("udp: Config.%s: %s: %w", field, fmt.Sprintf(format, args...), transport.ErrInvalidConfig)
}

// splitPort splits "host:port" and checks that port is a number in
// [0, 65535]. Service names are not accepted.
func splitPort(hostport string) (host string, port uint16, err error) {
	host, p, err := net.SplitHostPort(hostport)
	if err != nil {
		return "", 0, err
	}
	n, err := strconv.ParseUint(p, 10, 16)
	if err != nil {
		return "", 0, fmt.Errorf("port %q is not a number in [0, 65535]", p)
	}
	return host, uint16(n), nil
}
