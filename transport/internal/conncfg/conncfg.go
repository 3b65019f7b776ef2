// Package conncfg fills in and checks the Config fields that transport/tcp
// and transport/quic share, and the "host:port" addresses their hellos
// carry. Each Config keeps its own exported fields and hands this package
// pointers to them (Fields), so that users see plain struct fields while the
// defaults and the rules live in one place.
package conncfg

import (
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// MaxAddrLen is the longest address a hello can carry: its length travels
// in one byte.
const MaxAddrLen = 255

// Fields points at the shared fields of one Config. Every pointer must be
// non-nil.
type Fields struct {
	BindAddr, AdvertiseAddr                                        *string
	MTU, MaxStreamSize, QueueSize                                  *int
	DialTimeout, WriteTimeout, IdleTimeout, BackoffMin, BackoffMax *time.Duration
	Logger                                                         **slog.Logger
}

// Defaults are the values Fill gives to zero fields. MaxStreamSize and
// BackoffMax are raised to MTU and BackoffMin when those are larger.
type Defaults struct {
	BindAddr                                                       string
	MTU, MaxStreamSize, QueueSize                                  int
	DialTimeout, WriteTimeout, IdleTimeout, BackoffMin, BackoffMax time.Duration
}

// Fill sets every zero field to its default, and a nil Logger to one that
// discards.
func (f Fields) Fill(d Defaults) {
	setZero(f.BindAddr, d.BindAddr)
	setZero(f.MTU, d.MTU)
	setZero(f.MaxStreamSize, max(d.MaxStreamSize, *f.MTU))
	setZero(f.QueueSize, d.QueueSize)
	setZero(f.DialTimeout, d.DialTimeout)
	setZero(f.WriteTimeout, d.WriteTimeout)
	setZero(f.IdleTimeout, d.IdleTimeout)
	setZero(f.BackoffMin, d.BackoffMin)
	setZero(f.BackoffMax, max(d.BackoffMax, *f.BackoffMin))
	if *f.Logger == nil {
		*f.Logger = slog.New(slog.DiscardHandler)
	}
}

func setZero[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}

// Validate checks the filled fields. maxSize is the ceiling on MTU and
// MaxStreamSize. The error, from Invalid, names the first bad field.
func (f Fields) Validate(pkg string, maxSize int) error {
	bad := func(field, format string, args ...any) error {
		return Invalid(pkg, field, format, args...)
	}
	switch {
	case *f.MTU < 1 || *f.MTU > maxSize:
		return bad("MTU", "%d not in [1, %d]", *f.MTU, maxSize)
	case *f.MaxStreamSize < *f.MTU || *f.MaxStreamSize > maxSize:
		return bad("MaxStreamSize", "%d not in [MTU=%d, %d]", *f.MaxStreamSize, *f.MTU, maxSize)
	case *f.QueueSize < 1:
		return bad("QueueSize", "%d < 1", *f.QueueSize)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"DialTimeout", *f.DialTimeout},
		{"WriteTimeout", *f.WriteTimeout},
		{"IdleTimeout", *f.IdleTimeout},
		{"BackoffMin", *f.BackoffMin},
	} {
		if d.v < 0 {
			return bad(d.name, "%v: must not be negative", d.v)
		}
	}
	if *f.BackoffMax < *f.BackoffMin {
		return bad("BackoffMax", "%v < BackoffMin %v", *f.BackoffMax, *f.BackoffMin)
	}
	if _, _, err := net.SplitHostPort(*f.BindAddr); err != nil {
		return bad("BindAddr", "%v", err)
	}
	if *f.AdvertiseAddr != "" {
		if err := CheckAddr(*f.AdvertiseAddr); err != nil {
			return bad("AdvertiseAddr", "%v", err)
		}
	}
	return nil
}

// Invalid returns the error about a bad Config field of package pkg, as
// "pkg: Config.field: problem: transport: invalid config". It wraps
// transport.ErrInvalidConfig.
func Invalid(pkg, field, format string, args ...any) error {
	return fmt.Errorf("%s: Config.%s: %s: %w", pkg, field, fmt.Sprintf(format, args...), transport.ErrInvalidConfig)
}

// CheckAddr reports whether addr can go in a hello: a "host:port" with both
// parts, at most MaxAddrLen bytes long.
func CheckAddr(addr string) error {
	if len(addr) > MaxAddrLen {
		return fmt.Errorf("address longer than %d bytes", MaxAddrLen)
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

// Advertise returns the address to announce for a socket bound at bound:
// the configured advertise address if set, else bound's. A socket bound to
// an unspecified host (0.0.0.0 or ::) has no address a peer could dial, so
// then advertise is required.
func Advertise(pkg, advertise, bindAddr string, bound net.Addr) (string, error) {
	if advertise != "" {
		return advertise, nil
	}
	var ip net.IP
	switch a := bound.(type) {
	case *net.TCPAddr:
		ip = a.IP
	case *net.UDPAddr:
		ip = a.IP
	default:
		return bound.String(), nil
	}
	if ip == nil || ip.IsUnspecified() {
		return "", Invalid(pkg, "AdvertiseAddr", "required when BindAddr %q has an unspecified host", bindAddr)
	}
	return bound.String(), nil
}
