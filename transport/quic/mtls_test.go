package quic_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/quic"
)

// testCA is a certificate authority for tests.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue returns the PEM certificate and key of a node on 127.0.0.1.
func (ca *testCA) issue(t *testing.T, serial int64, notAfter time.Time) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "node"},
		NotBefore: time.Now().Add(-2 * time.Hour), NotAfter: notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	require.NoError(t, err)
	kder, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

func mtlsConfig(t *testing.T, tlsConf *tls.Config) quic.Config {
	cfg := fastConfig()
	cfg.TLS = tlsConf
	cfg.DialTimeout = time.Second
	return cfg
}

// TestMutualTLSRefusesNodesWithoutAValidCertificate: two nodes with
// certificates from the cluster's CA exchange messages; a node with a
// certificate from another CA, or a self-signed one, can neither deliver a
// message to them nor receive one, whichever side dials, on loopback.
func TestMutualTLSRefusesNodesWithoutAValidCertificate(t *testing.T) {
	ca, rogue := newTestCA(t, "cluster CA"), newTestCA(t, "rogue CA")
	conf := func(issuer *testCA, serial int64) *tls.Config {
		certPEM, keyPEM := issuer.issue(t, serial, time.Now().Add(time.Hour))
		c, err := quic.MutualTLS(ca.pem, certPEM, keyPEM) // every node trusts the cluster CA only
		if issuer != ca {
			require.ErrorIs(t, err, transport.ErrInvalidConfig, "a certificate the CA did not issue")
			// The intruder builds its config by hand, trusting the cluster
			// CA so that only the other side's check can stop it.
			cert, err := tls.X509KeyPair(certPEM, keyPEM)
			require.NoError(t, err)
			c = &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: x509.NewCertPool(),
				ClientCAs: x509.NewCertPool(), ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS13}
			c.RootCAs.AddCert(ca.cert)
			c.ClientCAs.AddCert(ca.cert)
		} else {
			require.NoError(t, err)
		}
		return c
	}
	a, atA := node(t, mtlsConfig(t, conf(ca, 2)))
	b, atB := node(t, mtlsConfig(t, conf(ca, 3)))
	self, err := quic.SelfSignedTLS("127.0.0.1")
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		tls  *tls.Config
	}{
		{"another CA", conf(rogue, 4)},
		{"self-signed", self},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, atX := node(t, mtlsConfig(t, tc.tls))
			// The intruder dials a; a dials the intruder.
			for range 20 {
				require.NoError(t, x.Send(a.LocalAddr(), []byte("let me in")))
				require.NoError(t, a.Send(x.LocalAddr(), []byte("secret")))
			}
			// The valid pair still talks, both ways: by the time b's
			// messages arrive, a has had every chance to accept x's.
			got := sendUntilReceived(t, b, a.LocalAddr(), []byte("member"), atA)
			require.Equal(t, "member", string(got.b))
			got = sendUntilReceived(t, a, b.LocalAddr(), []byte("member"), atB)
			require.Equal(t, "member", string(got.b))
			require.Eventually(t, func() bool { return x.Stats().DialFailures > 0 && a.Stats().DialFailures > 0 },
				waitFor, 10*time.Millisecond, "both handshakes fail")
			for len(atA) > 0 {
				require.NotEqual(t, "let me in", string((<-atA).b), "a accepted the intruder's message")
			}
			require.Empty(t, atX, "the intruder received a message")
		})
	}

	// Bad PEM input is refused with a clear error.
	_, err = quic.MutualTLS([]byte("not pem"), nil, nil)
	require.ErrorIs(t, err, transport.ErrInvalidConfig)
	_, err = quic.MutualTLS(ca.pem, []byte("x"), []byte("y"))
	require.ErrorIs(t, err, transport.ErrInvalidConfig)
}
