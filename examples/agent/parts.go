package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/codec/binary"
	"github.com/scuttlebutt-go/scuttlebutt/codec/json"
	"github.com/scuttlebutt-go/scuttlebutt/codec/msgpack"
	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/addr"
	"github.com/scuttlebutt-go/scuttlebutt/transport/faulty"
	"github.com/scuttlebutt-go/scuttlebutt/transport/quic"
	"github.com/scuttlebutt-go/scuttlebutt/transport/tcp"
	"github.com/scuttlebutt-go/scuttlebutt/transport/udp"
)

func newCodec(name string) (codec.Codec, error) {
	switch name {
	case "binary":
		return binary.Codec{}, nil
	case "msgpack":
		return msgpack.Codec{}, nil
	case "json":
		return json.Codec{}, nil
	}
	return nil, fmt.Errorf("-codec %q: want binary, msgpack or json", name)
}

// newTransport builds the -transport on -bind, wrapped in transport/faulty
// when -loss, -delay or -jitter ask for faults.
func newTransport(o options) (transport.Transport, error) {
	bind, err := addr.Resolve(o.bind)
	if err != nil {
		return nil, fmt.Errorf("-bind: %w", err)
	}
	advertise := o.advertise
	var inner transport.Transport
	switch o.transport {
	case "udp":
		inner, err = udp.New(udp.Config{BindAddr: bind, AdvertiseAddr: advertise})
	case "tcp", "quic":
		// Stream transports announce their address in every connection,
		// so a wildcard bind host needs one chosen here (and a port).
		if advertise == "" && unspecifiedHost(bind) {
			if advertise, err = addr.Advertise(bind); err != nil {
				return nil, fmt.Errorf("-advertise: %w", err)
			}
		}
		if o.transport == "tcp" {
			inner, err = tcp.New(tcp.Config{BindAddr: bind, AdvertiseAddr: advertise})
			break
		}
		var cfg *tls.Config
		if cfg, err = loadTLS(o); err != nil {
			return nil, err
		}
		inner, err = quic.New(quic.Config{BindAddr: bind, AdvertiseAddr: advertise, TLS: cfg})
	default:
		return nil, fmt.Errorf("-transport %q: want udp, tcp or quic", o.transport)
	}
	if err != nil {
		return nil, err
	}
	if o.loss == 0 && o.delay == 0 && o.jitter == 0 {
		return inner, nil
	}
	t, err := faulty.New(inner, faulty.Config{Loss: o.loss, Delay: o.delay, Jitter: o.jitter, Seed: o.seed})
	if err != nil {
		inner.Close()
		return nil, fmt.Errorf("-loss, -delay, -jitter: %w", err)
	}
	return t, nil
}

// loadTLS reads the mutual-TLS configuration for QUIC: this node's
// certificate and key, and the CA that peers' certificates chain to.
func loadTLS(o options) (*tls.Config, error) {
	if o.tlsCert == "" || o.tlsKey == "" || o.tlsCA == "" {
		return nil, errors.New("-transport quic needs -tls-cert, -tls-key and -tls-ca")
	}
	cert, err := tls.LoadX509KeyPair(o.tlsCert, o.tlsKey)
	if err != nil {
		return nil, fmt.Errorf("-tls-cert, -tls-key: %w", err)
	}
	pem, err := os.ReadFile(o.tlsCA)
	if err != nil {
		return nil, fmt.Errorf("-tls-ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("-tls-ca %s: no PEM certificate", o.tlsCA)
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		RootCAs:      pool,
		ClientCAs:    pool,
		ClientAuth:   tls.RequireAndVerifyClientCert,
	}, nil
}

// unspecifiedHost reports whether hostport's host is empty, 0.0.0.0 or ::.
func unspecifiedHost(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return host == "" || (ip != nil && ip.IsUnspecified())
}
