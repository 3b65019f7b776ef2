package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/codec/binary"
	"github.com/scuttlebutt-go/scuttlebutt/codec/json"
	"github.com/scuttlebutt-go/scuttlebutt/codec/msgpack"
	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/addr"
	"github.com/scuttlebutt-go/scuttlebutt/transport/faulty"
	"github.com/scuttlebutt-go/scuttlebutt/transport/keyring"
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
// when -loss, -delay or -jitter ask for faults (returned as faults too,
// for its counters), and in transport/keyring when -key-file is given.
func newTransport(o options) (t transport.Transport, faults interface{ Stats() faulty.Stats }, err error) {
	if o.keyFile != "" && o.transport == "quic" {
		return nil, nil, errors.New("-key-file: QUIC is encrypted by TLS already; use -tls-cert, -tls-key and -tls-ca")
	}
	bind, err := addr.Resolve(o.bind)
	if err != nil {
		return nil, nil, fmt.Errorf("-bind: %w", err)
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
				return nil, nil, fmt.Errorf("-advertise: %w", err)
			}
		}
		if o.transport == "tcp" {
			inner, err = tcp.New(tcp.Config{BindAddr: bind, AdvertiseAddr: advertise})
			break
		}
		var cfg *tls.Config
		if cfg, err = loadTLS(o); err != nil {
			return nil, nil, err
		}
		inner, err = quic.New(quic.Config{BindAddr: bind, AdvertiseAddr: advertise, TLS: cfg})
	default:
		return nil, nil, fmt.Errorf("-transport %q: want udp, tcp or quic", o.transport)
	}
	if err != nil {
		return nil, nil, err
	}
	if o.loss != 0 || o.delay != 0 || o.jitter != 0 {
		f, err := faulty.New(inner, faulty.Config{Loss: o.loss, Delay: o.delay, Jitter: o.jitter, Seed: o.seed})
		if err != nil {
			inner.Close()
			return nil, nil, fmt.Errorf("-loss, -delay, -jitter: %w", err)
		}
		inner, faults = f, f.(interface{ Stats() faulty.Stats })
	}
	if o.keyFile == "" {
		return inner, faults, nil
	}
	// The keyring wrapper goes outermost, where the Node finds it
	// (Node.Keyring, Node.SetEncryptionMode).
	if t, err = sealed(inner, o); err != nil {
		inner.Close()
		return nil, nil, err
	}
	return t, faults, nil
}

// sealed wraps t in a keyring of the keys in -key-file, in -encryption mode.
func sealed(t transport.Transport, o options) (transport.Transport, error) {
	var mode keyring.Mode
	switch o.encryption {
	case "require":
		mode = keyring.Require
	case "accept-plaintext":
		mode = keyring.AcceptPlaintext
	case "send-plaintext":
		mode = keyring.SendPlaintext
	default:
		return nil, fmt.Errorf("-encryption %q: want require, accept-plaintext or send-plaintext", o.encryption)
	}
	keys, err := readKeys(o.keyFile)
	if err != nil {
		return nil, fmt.Errorf("-key-file: %w", err)
	}
	ring, err := keyring.New(keys[0], keys[1:]...)
	if err != nil {
		return nil, fmt.Errorf("-key-file: %w", err)
	}
	return keyring.Wrap(t, keyring.Config{Keyring: ring, Mode: mode})
}

// readKeys reads base64 keys, one a line; blank lines and lines starting
// with # are skipped.
func readKeys(name string) ([][]byte, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var keys [][]byte
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := base64.StdEncoding.DecodeString(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: not base64: %w", i+1, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s holds no key", name)
	}
	return keys, nil
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
