package quic_test

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	quicgo "github.com/quic-go/quic-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/transport/quic"
)

// rawDial opens a bare QUIC connection to addr with the cluster's TLS.
func rawDial(t *testing.T, addr string) *quicgo.Conn {
	t.Helper()
	tlsConf := clusterTLS().Clone()
	tlsConf.NextProtos = []string{quic.ALPN}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	c, err := quicgo.DialAddr(ctx, addr, tlsConf, &quicgo.Config{EnableDatagrams: true})
	require.NoError(t, err)
	t.Cleanup(func() { c.CloseWithError(0, "") })
	return c
}

// writeUni sends b on a new unidirectional stream. The receiver may cancel
// the stream before Close, so write errors are the receiver's verdict, not
// the test's: the assertions look at the receiver.
func writeUni(t *testing.T, c *quicgo.Conn, b []byte) {
	t.Helper()
	s, err := c.OpenUniStream()
	require.NoError(t, err)
	if _, err := s.Write(b); err == nil {
		_ = s.Close()
	}
}

// batch encodes a batch stream of msgs.
func batch(msgs ...[]byte) []byte {
	b := []byte{'B'}
	for _, m := range msgs {
		b = binary.BigEndian.AppendUint32(b, uint32(len(m)))
		b = append(b, m...)
	}
	return b
}

func hello(addr string) []byte {
	return append([]byte{'H', 'S', 'B', 'Q', '1', byte(len(addr))}, addr...)
}

func TestMalformedInput(t *testing.T) {
	tests := []struct {
		name       string
		send       func(t *testing.T, c *quicgo.Conn)
		closesConn bool
	}{
		{"no hello", func(*testing.T, *quicgo.Conn) {}, true},
		{"batch before hello", func(t *testing.T, c *quicgo.Conn) {
			writeUni(t, c, batch([]byte("hello")))
		}, true},
		{"hello with bad magic", func(t *testing.T, c *quicgo.Conn) {
			writeUni(t, c, []byte("HXXXX\x0b127.0.0.1:1"))
		}, true},
		{"hello address without port", func(t *testing.T, c *quicgo.Conn) {
			writeUni(t, c, hello("no-port"))
		}, true},
		{"truncated hello", func(t *testing.T, c *quicgo.Conn) {
			writeUni(t, c, hello("127.0.0.1:1")[:8])
		}, true},
		{"unknown stream kind", func(t *testing.T, c *quicgo.Conn) {
			writeUni(t, c, hello("127.0.0.1:1"))
			writeUni(t, c, []byte("Zzz"))
		}, false},
		{"message above the MTU", func(t *testing.T, c *quicgo.Conn) {
			writeUni(t, c, hello("127.0.0.1:1"))
			writeUni(t, c, batch(make([]byte, 4001)))
		}, false},
		{"huge declared length", func(t *testing.T, c *quicgo.Conn) {
			writeUni(t, c, hello("127.0.0.1:1"))
			writeUni(t, c, []byte{'B', 0xff, 0xff, 0xff, 0xf0})
		}, false},
		{"truncated message", func(t *testing.T, c *quicgo.Conn) {
			writeUni(t, c, hello("127.0.0.1:1"))
			writeUni(t, c, batch([]byte("abcdef"))[:6])
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := fastConfig()
			cfg.MTU = 4000
			b, bIn := node(t, cfg)
			c := rawDial(t, b.LocalAddr())
			tt.send(t, c)

			require.Eventually(t, func() bool { return b.Stats().ProtocolErrors == 1 }, waitFor, time.Millisecond)
			if tt.closesConn {
				select {
				case <-c.Context().Done():
					var appErr *quicgo.ApplicationError
					require.ErrorAs(t, context.Cause(c.Context()), &appErr)
				case <-time.After(waitFor):
					t.Fatal("connection not closed")
				}
			} else {
				assert.NoError(t, c.Context().Err(), "a bad stream must not close the connection")
			}
			assert.Empty(t, bIn)
		})
	}
}

// A well-formed raw peer proves that the tests above fail for the reason
// they name.
func TestRawPeerWithHelloIsServed(t *testing.T) {
	b, bIn := node(t, fastConfig())
	c := rawDial(t, b.LocalAddr())
	writeUni(t, c, hello("10.1.2.3:4"))
	writeUni(t, c, batch([]byte("over"), nil, []byte("a stream")))
	for _, want := range []string{"over", "", "a stream"} {
		m := receive(t, bIn)
		assert.Equal(t, "10.1.2.3:4", m.from)
		assert.Equal(t, want, string(m.b))
	}
	var m message
	require.NoError(t, c.SendDatagram([]byte("as a datagram")))
	m = receive(t, bIn)
	assert.Equal(t, "as a datagram", string(m.b))
	assert.Zero(t, b.Stats().ProtocolErrors)
}
