package tcp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/tcp"
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

func TestOrderAndContentPreserved(t *testing.T) {
	a, _ := node(t, fastConfig())
	b, bIn := node(t, fastConfig())
	const n = 200
	for i := range n {
		// Sizes from 0 up, so that empty and multi-buffer frames occur.
		require.NoError(t, a.Send(b.LocalAddr(), bytes.Repeat([]byte{byte(i)}, i*50)))
	}
	for i := range n {
		m := receive(t, bIn)
		require.Len(t, m.b, i*50)
		if i > 0 {
			require.Equal(t, byte(i), m.b[0])
		}
	}
}

func TestMTU(t *testing.T) {
	cfg := fastConfig()
	cfg.MTU = 1000
	a, _ := node(t, cfg)
	b, bIn := node(t, cfg)
	assert.Equal(t, 1000, a.MTU())

	err := a.Send(b.LocalAddr(), make([]byte, 1001))
	require.ErrorIs(t, err, transport.ErrTooLarge)

	require.NoError(t, a.Send(b.LocalAddr(), make([]byte, 1000)))
	assert.Len(t, receive(t, bIn).b, 1000)
}

func TestDefaultMTUIsLarge(t *testing.T) {
	a, _ := node(t, tcp.Config{})
	b, bIn := node(t, tcp.Config{})
	assert.Equal(t, tcp.DefaultMTU, a.MTU())
	assert.Equal(t, tcp.DefaultMaxStreamSize, a.MaxStreamSize())
	msg := bytes.Repeat([]byte("x"), tcp.DefaultMTU)
	require.NoError(t, a.Send(b.LocalAddr(), msg))
	assert.Equal(t, msg, receive(t, bIn).b)
	require.ErrorIs(t, a.Send(b.LocalAddr(), append(msg, 'y')), transport.ErrTooLarge)
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
	// SendStream returns after the receiver's Handler returned, so the
	// message is already in the channel.
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
	err := a.SendStream(context.Background(), b.LocalAddr(), make([]byte, 1<<20+1))
	require.ErrorIs(t, err, transport.ErrTooLarge)
}

func TestSendStreamAboveReceiverLimitFails(t *testing.T) {
	a, _ := node(t, fastConfig())
	cfg := fastConfig()
	cfg.MaxStreamSize = 1 << 20
	b, bIn := node(t, cfg)
	err := a.SendStream(context.Background(), b.LocalAddr(), make([]byte, 2<<20))
	require.Error(t, err)
	require.Eventually(t, func() bool { return b.Stats().ProtocolErrors == 1 }, waitFor, time.Millisecond)
	assert.Empty(t, bIn)
}

func TestSendStreamUnreachable(t *testing.T) {
	a, _ := node(t, fastConfig())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := ln.Addr().String()
	require.NoError(t, ln.Close())

	err = a.SendStream(context.Background(), dead, []byte("x"))
	require.ErrorIs(t, err, transport.ErrUnreachable)
}

func TestSendStreamContextDeadline(t *testing.T) {
	a, _ := node(t, fastConfig())
	silent, _ := silentListener(t) // accepts, never answers
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := a.SendStream(ctx, silent, []byte("never acknowledged"))
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestManyConcurrentSenders(t *testing.T) {
	const senders, goroutines, perGoroutine = 4, 4, 50
	cfg := fastConfig()
	cfg.QueueSize = goroutines * perGoroutine
	dst, in := node(t, cfg)
	var wg sync.WaitGroup
	for s := range senders {
		src, _ := node(t, cfg)
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
		m := receive(t, in)
		require.False(t, seen[string(m.b)], "duplicate %s", m.b)
		seen[string(m.b)] = true
	}
	assert.Len(t, seen, senders*goroutines*perGoroutine)
}

func TestPeerGoneThenBack(t *testing.T) {
	a, _ := node(t, fastConfig())
	c, cIn := node(t, fastConfig())

	b, err := tcp.New(fastConfig())
	require.NoError(t, err)
	bIn := make(chan message, 16)
	require.NoError(t, b.Start(func(from string, p []byte) { bIn <- message{from, append([]byte(nil), p...)} }))
	bAddr := b.LocalAddr()
	require.NoError(t, a.Send(bAddr, []byte("before")))
	assert.Equal(t, "before", string(receive(t, bIn).b))
	require.NoError(t, b.Close())

	// b is gone: sends to it keep returning at once, and are counted as
	// dropped once a dial failed, while c still gets its messages.
	deadline := time.After(waitFor)
	for a.Stats().DroppedUnreachable == 0 {
		require.NoError(t, a.Send(bAddr, []byte("lost")))
		require.NoError(t, a.Send(c.LocalAddr(), []byte("to c")))
		assert.Equal(t, "to c", string(receive(t, cIn).b))
		select {
		case <-deadline:
			t.Fatal("no message to the dead peer was dropped")
		default:
		}
	}
	assert.NotZero(t, a.Stats().DialFailures, "drops come from a failed dial")

	// b comes back at the same address: a reconnects after its backoff.
	cfg := fastConfig()
	cfg.BindAddr = bAddr
	b2, b2In := node(t, cfg)
	require.Equal(t, bAddr, b2.LocalAddr())
	m := sendUntilReceived(t, a, bAddr, []byte("after"), b2In)
	assert.Equal(t, a.LocalAddr(), m.from)
}

func TestSlowPeerDoesNotBlockOthers(t *testing.T) {
	cfg := fastConfig()
	cfg.QueueSize = 16
	cfg.WriteTimeout = 10 * time.Second // the slow peer must not be rescued by a timeout
	a, _ := node(t, cfg)
	c, cIn := node(t, fastConfig())
	slow, _ := silentListener(t)

	big := make([]byte, 60<<10)
	// Far more than the socket buffers and the queue hold: the writer for
	// slow blocks, its queue fills, and Send drops instead of blocking.
	for range 1000 {
		require.NoError(t, a.Send(slow, big))
	}
	assert.NotZero(t, a.Stats().DroppedQueueFull)

	require.NoError(t, a.Send(c.LocalAddr(), []byte("still flowing")))
	assert.Equal(t, "still flowing", string(receive(t, cIn).b))
}

func TestMalformedInputClosesConnection(t *testing.T) {
	hello := func(addr string) []byte {
		return append([]byte{'S', 'B', 'T', '1', 'D', byte(len(addr))}, addr...)
	}
	tests := []struct {
		name  string
		input []byte
	}{
		{"huge frame length", append(hello("127.0.0.1:1"), 0xff, 0xff, 0xff, 0xf0)},
		{"frame just over the MTU", append(hello("127.0.0.1:1"), 0x00, 0x01, 0x00, 0x01)},
		{"bad magic", []byte("HTTP/1.1 GET /\r\n\r\n")},
		{"unknown kind", []byte{'S', 'B', 'T', '1', 'X', 0}},
		{"address without port", hello("no-port")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, bIn := node(t, fastConfig())
			c, err := net.Dial("tcp", b.LocalAddr())
			require.NoError(t, err)
			defer c.Close()
			_, err = c.Write(tt.input)
			require.NoError(t, err)

			// The receiver hangs up: Read ends with EOF or a reset.
			require.NoError(t, c.SetReadDeadline(time.Now().Add(waitFor)))
			_, err = c.Read(make([]byte, 1))
			require.Error(t, err)
			var ne net.Error
			require.False(t, errors.As(err, &ne) && ne.Timeout(), "connection was not closed")

			assert.Equal(t, uint64(1), b.Stats().ProtocolErrors)
			assert.Empty(t, bIn)
		})
	}
}

func TestStartTwice(t *testing.T) {
	a, _ := node(t, fastConfig())
	require.ErrorIs(t, a.Start(func(string, []byte) {}), transport.ErrStarted)
}

func TestClose(t *testing.T) {
	a, err := tcp.New(fastConfig())
	require.NoError(t, err)
	b, _ := node(t, fastConfig())
	require.NoError(t, a.Start(func(string, []byte) {}))
	require.NoError(t, a.Send(b.LocalAddr(), []byte("x")))

	require.NoError(t, a.Close())
	require.NoError(t, a.Close(), "Close is idempotent")
	require.ErrorIs(t, a.Send(b.LocalAddr(), []byte("x")), net.ErrClosed)
	require.ErrorIs(t, a.SendStream(context.Background(), b.LocalAddr(), []byte("x")), net.ErrClosed)
	require.ErrorIs(t, a.Start(func(string, []byte) {}), net.ErrClosed)

	// The listener is gone.
	_, err = net.DialTimeout("tcp", a.LocalAddr(), time.Second)
	require.Error(t, err)
}

func TestCloseUnblocksSendStream(t *testing.T) {
	a, err := tcp.New(fastConfig())
	require.NoError(t, err)
	require.NoError(t, a.Start(func(string, []byte) {}))
	silent, accepted := silentListener(t)
	errc := make(chan error, 1)
	go func() { errc <- a.SendStream(context.Background(), silent, make([]byte, tcp.DefaultMaxStreamSize)) }()

	// Close while SendStream writes 16 MiB to a peer that never reads.
	select {
	case <-accepted:
	case <-time.After(waitFor):
		t.Fatal("SendStream did not connect")
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
	a, err := tcp.New(fastConfig())
	require.NoError(t, err)
	require.NoError(t, a.Close())
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name  string
		cfg   tcp.Config
		field string
	}{
		{"negative MTU", tcp.Config{MTU: -1}, "MTU"},
		{"MTU above the ceiling", tcp.Config{MTU: tcp.MaxFrameSize + 1}, "MTU"},
		{"stream size below MTU", tcp.Config{MTU: 2000, MaxStreamSize: 1000}, "MaxStreamSize"},
		{"negative queue", tcp.Config{QueueSize: -1}, "QueueSize"},
		{"negative dial timeout", tcp.Config{DialTimeout: -1}, "DialTimeout"},
		{"backoff max below min", tcp.Config{BackoffMin: time.Second, BackoffMax: time.Millisecond}, "BackoffMax"},
		{"bind without port", tcp.Config{BindAddr: "127.0.0.1"}, "BindAddr"},
		{"advertise without port", tcp.Config{AdvertiseAddr: "example.com"}, "AdvertiseAddr"},
		{"unspecified bind without advertise", tcp.Config{BindAddr: "0.0.0.0:0"}, "AdvertiseAddr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := tcp.New(tt.cfg)
			require.ErrorIs(t, err, transport.ErrInvalidConfig)
			assert.ErrorIs(t, err, tcp.ErrConfig, "the deprecated alias still matches")
			assert.Contains(t, err.Error(), "tcp: Config."+tt.field+":", "the message names the field")
			require.Nil(t, tr)
		})
	}
}
