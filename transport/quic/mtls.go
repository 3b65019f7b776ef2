package quic

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// MutualTLS returns the production mutual-TLS configuration of one node,
// from PEM data: caPEM holds the certificates of the CAs that issue the
// cluster's node certificates (one or more), certPEM this node's
// certificate (followed by any intermediates) and keyPEM its private key.
//
// Every connection is verified in both directions against those CAs:
// ClientAuth is tls.RequireAndVerifyClientCert with ClientCAs set, so a
// peer that presents no certificate, or one from another CA, or an expired
// one, fails the handshake and never delivers a message, whichever side
// dialled. RootCAs is the same pool, and the dialling side checks the
// accepting node's certificate against the host of the address it dials:
// issue each node a certificate whose IP or DNS subject alternative names
// cover its advertised address, with both the server and the client
// extended key usages (or none). TLS 1.3 is the minimum.
//
// A bad argument is refused with an error wrapping
// transport.ErrInvalidConfig. The returned config may be adjusted before
// it goes into Config.TLS (ServerName, VerifyPeerCertificate to pin node
// names, GetCertificate to reload a renewed certificate).
func MutualTLS(caPEM, certPEM, keyPEM []byte) (*tls.Config, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("quic: MutualTLS: no CA certificate in caPEM: %w", transport.ErrInvalidConfig)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("quic: MutualTLS: node certificate and key: %v: %w", err, transport.ErrInvalidConfig)
	}
	if _, err := cert.Leaf.Verify(x509.VerifyOptions{Roots: pool, Intermediates: intermediates(cert),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		return nil, fmt.Errorf("quic: MutualTLS: the node certificate does not verify against caPEM as a client certificate: %v: %w",
			err, transport.ErrInvalidConfig)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		RootCAs:      pool,
		ClientCAs:    pool,
		ClientAuth:   tls.RequireAndVerifyClientCert,
		MinVersion:   tls.VersionTLS13,
		NextProtos:   []string{ALPN},
	}, nil
}

// intermediates pools the certificates after the leaf of cert's chain.
func intermediates(cert tls.Certificate) *x509.CertPool {
	pool := x509.NewCertPool()
	for _, der := range cert.Certificate[1:] {
		if c, err := x509.ParseCertificate(der); err == nil {
			pool.AddCert(c)
		}
	}
	return pool
}
