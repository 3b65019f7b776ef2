package quic_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/quic"
)

func TestSendReceiveReply(t *testing.T) {
	a, aIn := node(t, fastConfig())
	b, bIn := node(t, fastConfig())

	require.NoError(t, a.Send(b.LocalAddr(), []byte("ping")))
	m := receive(t, bIn)
	assert.Equal(t, "ping", string(m.b))
	assert.Equal(t, a.LocalAddr(), m.from, "from must be the sender's listen address")

	require.NoError(t, b.Send(m.from, []byte("pong")))
	m = receive(t, aIn)
	assert.Equal(t, "pong", string(m.b))
	assert.Equal(t, b.LocalAddr(), m.from)
	// b answered on the connection a dialled: nobody dialled twice.
	assert.Zero(t, b.Stats().DialFailures)
}

func TestAdvertiseAddrIsFrom(t *testing.T) {
	cfg := fastConfig()
	cfg.AdvertiseAddr = "node-a.example:7946"
	a, _ := node(t, cfg)
	b, bIn := node(t, fastConfig())
	assert.Equal(t, "node-a.example:7946", a.LocalAddr())
	require.NoError(t, a.Send(b.LocalAddr(), []byte("hi")))
	assert.Equal(t, "node-a.example:7946", receive(t, bIn).from)
}

func TestMessagesAboveDatagramSizeGoOverStreams(t *testing.T) {
	a, _ := node(t, fastConfig())
	b, bIn := node(t, fastConfig())
	sizes := []int{0, 1, 1000, 1500, 10_000, quic.DefaultMTU}
	for _, n := range sizes {
		msg := bytes.Repeat([]byte{byte(n)}, n)
		require.NoError(t, a.Send(b.LocalAddr(), msg))
		m := receive(t, bIn)
		require.Equal(t, string(msg), string(m.b), "size %d", n)
		require.Equal(t, a.LocalAddr(), m.from)
	}
	// The sender counts a message once its write returned, which may be
	// after the receiver already has it.
	require.Eventually(t, func() bool { s := a.Stats(); return s.Sent == uint64(len(sizes)) && s.SentOnStream >= 3 },
		5*time.Second, time.Millisecond)
	assert.Equal(t, uint64(3), a.Stats().SentOnStream, "1500, 10000 and 64 KiB exceed a datagram")
}

func TestMTU(t *testing.T) {
	cfg := fastConfig()
	cfg.MTU = 5000
	a, _ := node(t, cfg)
	b, bIn := node(t, cfg)
	assert.Equal(t, 5000, a.MTU())
	require.ErrorIs(t, a.Send(b.LocalAddr(), make([]byte, 5001)), transport.ErrTooLarge)
	require.NoError(t, a.Send(b.LocalAddr(), make([]byte, 5000)))
	assert.Len(t, receive(t, bIn).b, 5000)
}

func TestSendBadAddress(t *testing.T) {
	a, _ := node(t, fastConfig())
	for _, addr := range []string{"", "no-port", "127.0.0.1:", ":80"} {
		t.Run(addr, func(t *testing.T) {
			require.ErrorIs(t, a.Send(addr, []byte("x")), transport.ErrUnreachable)
			require.ErrorIs(t, a.SendStream(context.Background(), addr, []byte("x")), transport.ErrUnreachable)
		})
	}
}

func TestSendStreamLarge(t *testing.T) {
	a, _ := node(t, fastConfig())
	b, bIn := node(t, fastConfig())
	big := make([]byte, 4<<20)
	for i := range big {
		big[i] = byte(i * 7)
	}
	require.NoError(t, a.SendStream(context.Background(), b.LocalAddr(), big))
	select {
	case m := <-bIn:
		assert.Equal(t, a.LocalAddr(), m.from)
		assert.True(t, bytes.Equal(big, m.b), "content differs")
	default:
		t.Fatal("SendStream returned before the Handler saw the message")
	}
}

func TestSendStreamTooLarge(t *testing.T) {
	cfg := fastConfig()
	cfg.MaxStreamSize = 1 << 20
	a, _ := node(t, cfg)
	b, _ := node(t, fastConfig())
	require.ErrorIs(t, a.SendStream(context.Background(), b.LocalAddr(), make([]byte, 1<<20+1)), transport.ErrTooLarge)
}

func TestSendStreamAboveReceiverLimitFails(t *testing.T) {
	a, _ := node(t, fastConfig())
	cfg := fastConfig()
	cfg.MaxStreamSize = 1 << 20
	b, bIn := node(t, cfg)
	err := a.SendStream(context.Background(), b.LocalAddr(), make([]byte, 2<<20))
	require.Error(t, err)
	assert.NotErrorIs(t, err, transport.ErrUnreachable)
	assert.Equal(t, uint64(1), b.Stats().ProtocolErrors, "SendStream: %v", err)
	assert.Empty(t, bIn)
}

func TestSendStreamUnreachable(t *testing.T) {
	cfg := fastConfig()
	cfg.DialTimeout = 300 * time.Millisecond
	a, _ := node(t, cfg)
	err := a.SendStream(context.Background(), silentUDP(t), []byte("x"))
	require.ErrorIs(t, err, transport.ErrUnreachable)
}

func TestSendStreamContextDeadline(t *testing.T) {
	a, _ := node(t, fastConfig())
	release := make(chan struct{})
	b, err := quic.New(fastConfig())
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	t.Cleanup(func() { close(release) }) // runs first: unblock the Handler
	require.NoError(t, b.Start(func(string, []byte) { <-release }))

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err = a.SendStream(ctx, b.LocalAddr(), []byte("never acknowledged"))
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestManyConcurrentSenders(t *testing.T) {
	const senders, goroutines, perGoroutine = 4, 4, 25
	cfg := fastConfig()
	cfg.QueueSize = goroutines * perGoroutine
	dst, in := node(t, cfg)
	var wg sync.WaitGroup
	var srcs []*quic.Transport
	for s := range senders {
		src, _ := node(t, cfg)
		srcs = append(srcs, src)
		for g := range goroutines {
			wg.Go(func() {
				for i := range perGoroutine {
					msg := fmt.Appendf(nil, "%d/%d/%d", s, g, i)
					assert.NoError(t, src.Send(dst.LocalAddr(), msg))
				}
			})
		}
	}
	wg.Wait()
	seen := make(map[string]bool)
	for range senders * goroutines * perGoroutine {
		var m message
		select {
		case m = <-in:
		case <-time.After(waitFor):
			t.Logf("dst %+v", dst.Stats())
			for _, s := range srcs {
				t.Logf("src %+v", s.Stats())
			}
			t.Fatalf("timeout after %d", len(seen))
		}
		require.False(t, seen[string(m.b)], "duplicate %s", m.b)
		seen[string(m.b)] = true
	}
	assert.Len(t, seen, senders*goroutines*perGoroutine)
}

func TestPeerGoneThenBack(t *testing.T) {
	cfg := fastConfig()
	cfg.DialTimeout = time.Second // dials to the dead peer time out
	a, _ := node(t, cfg)
	c, cIn := node(t, fastConfig())

	b, err := quic.New(fastConfig())
	require.NoError(t, err)
	bIn := make(chan message, 16)
	require.NoError(t, b.Start(func(from string, p []byte) { bIn <- message{from, append([]byte(nil), p...)} }))
	bAddr := b.LocalAddr()
	assert.Equal(t, "before", string(sendUntilReceived(t, a, bAddr, []byte("before"), bIn).b))
	require.NoError(t, b.Close())

	// b is gone: sends to it return at once and are dropped once a dial
	// failed, while c still gets its messages.
	deadline := time.After(waitFor)
	for a.Stats().DroppedUnreachable == 0 {
		require.NoError(t, a.Send(bAddr, []byte("lost")))
		assert.Equal(t, "to c", string(sendUntilReceived(t, a, c.LocalAddr(), []byte("to c"), cIn).b))
		select {
		case <-deadline:
			t.Fatal("no message to the dead peer was dropped")
		case <-time.After(10 * time.Millisecond):
		}
	}
	assert.NotZero(t, a.Stats().DialFailures, "drops come from a failed dial")

	cfg = fastConfig()
	cfg.BindAddr = bAddr
	b2, b2In := node(t, cfg)
	require.Equal(t, bAddr, b2.LocalAddr())
	m := sendUntilReceived(t, a, bAddr, []byte("after"), b2In)
	assert.Equal(t, a.LocalAddr(), m.from)
}

func TestDeadPeerDoesNotBlockOthers(t *testing.T) {
	cfg := fastConfig()
	cfg.QueueSize = 16
	cfg.DialTimeout = 10 * time.Second // the dial to the dead peer hangs
	a, _ := node(t, cfg)
	c, cIn := node(t, fastConfig())
	dead := silentUDP(t)

	for range 1000 {
		require.NoError(t, a.Send(dead, make([]byte, 1000)))
	}
	assert.NotZero(t, a.Stats().DroppedQueueFull)
	require.NoError(t, a.Send(c.LocalAddr(), []byte("still flowing")))
	assert.Equal(t, "still flowing", string(receive(t, cIn).b))
}

func TestOtherCertificateIsRefused(t *testing.T) {
	other, err := quic.SelfSignedTLS()
	require.NoError(t, err)
	cfg := fastConfig()
	cfg.TLS = other
	a, _ := node(t, cfg)
	b, bIn := node(t, fastConfig())

	require.NoError(t, a.Send(b.LocalAddr(), []byte("let me in")))
	require.Eventually(t, func() bool { return a.Stats().DialFailures > 0 }, waitFor, time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	require.ErrorIs(t, a.SendStream(ctx, b.LocalAddr(), []byte("x")), transport.ErrUnreachable)
	assert.Empty(t, bIn)
}

func TestStartTwice(t *testing.T) {
	a, _ := node(t, fastConfig())
	require.ErrorIs(t, a.Start(func(string, []byte) {}), transport.ErrStarted)
}

func TestClose(t *testing.T) {
	a, err := quic.New(fastConfig())
	require.NoError(t, err)
	b, bIn := node(t, fastConfig())
	require.NoError(t, a.Start(func(string, []byte) {}))
	sendUntilReceived(t, a, b.LocalAddr(), []byte("x"), bIn)

	require.NoError(t, a.Close())
	require.NoError(t, a.Close(), "Close is idempotent")
	require.ErrorIs(t, a.Send(b.LocalAddr(), []byte("x")), net.ErrClosed)
	require.ErrorIs(t, a.SendStream(context.Background(), b.LocalAddr(), []byte("x")), net.ErrClosed)
	require.ErrorIs(t, a.Start(func(string, []byte) {}), net.ErrClosed)
}

func TestCloseUnblocksSendStream(t *testing.T) {
	a, err := quic.New(fastConfig())
	require.NoError(t, err)
	require.NoError(t, a.Start(func(string, []byte) {}))
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	b, err := quic.New(fastConfig())
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	t.Cleanup(func() { close(release) }) // runs first: unblock the Handler
	require.NoError(t, b.Start(func(string, []byte) {
		entered <- struct{}{}
		<-release
	}))

	errc := make(chan error, 1)
	go func() { errc <- a.SendStream(context.Background(), b.LocalAddr(), []byte("never acknowledged")) }()
	select {
	case <-entered: // the message arrived; its acknowledgement never will
	case <-time.After(waitFor):
		t.Fatal("the stream message did not arrive")
	}
	require.NoError(t, a.Close())
	select {
	case err := <-errc:
		require.ErrorIs(t, err, net.ErrClosed)
	case <-time.After(waitFor):
		t.Fatal("SendStream still blocked after Close")
	}
}

func TestCloseWithoutStart(t *testing.T) {
	a, err := quic.New(fastConfig())
	require.NoError(t, err)
	require.NoError(t, a.Close())
}

func TestConfigValidation(t *testing.T) {
	tlsConf := clusterTLS()
	tests := []struct {
		name  string
		cfg   quic.Config
		field string
	}{
		{"no TLS", quic.Config{}, "TLS"},
		{"TLS without certificate", quic.Config{TLS: &tls.Config{}}, "TLS.Certificates"},
		{"negative MTU", quic.Config{TLS: tlsConf, MTU: -1}, "MTU"},
		{"stream size below MTU", quic.Config{TLS: tlsConf, MTU: 2000, MaxStreamSize: 1000}, "MaxStreamSize"},
		{"negative queue", quic.Config{TLS: tlsConf, QueueSize: -1}, "QueueSize"},
		{"backoff max below min", quic.Config{TLS: tlsConf, BackoffMin: time.Second, BackoffMax: time.Millisecond}, "BackoffMax"},
		{"bind without port", quic.Config{TLS: tlsConf, BindAddr: "127.0.0.1"}, "BindAddr"},
		{"advertise without port", quic.Config{TLS: tlsConf, AdvertiseAddr: "example.com"}, "AdvertiseAddr"},
		{"unspecified bind without advertise", quic.Config{TLS: tlsConf, BindAddr: "0.0.0.0:0"}, "AdvertiseAddr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := quic.New(tt.cfg)
			require.ErrorIs(t, err, transport.ErrInvalidConfig)
			assert.ErrorIs(t, err, quic.ErrConfig, "the deprecated alias still matches")
			assert.Contains(t, err.Error(), "quic: Config."+tt.field+":", "the message names the field")
			require.Nil(t, tr)
		})
	}
}

// silentUDP is a UDP socket that never answers: a dead QUIC peer.
func silentUDP(t testing.TB) string {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c.LocalAddr().String()
}
