package quic_test

import (
	"context"
	"sync"
	"testing"
	"time"

	quicgo "github.com/quic-go/quic-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/transport/quic"
)

// stalledPeer is a bare QUIC endpoint on 127.0.0.1 that completes the
// handshake and says hello, then never accepts or reads a stream: a
// SendStream to it uses up the stream's flow-control window and blocks. It
// closes everything when t ends.
func stalledPeer(t testing.TB) string {
	t.Helper()
	tlsConf := clusterTLS().Clone()
	tlsConf.NextProtos = []string{quic.ALPN}
	ln, err := quicgo.ListenAddr("127.0.0.1:0", tlsConf, &quicgo.Config{EnableDatagrams: true})
	require.NoError(t, err)
	addr := ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	var (
		mu    sync.Mutex
		conns []*quicgo.Conn
		done  = make(chan struct{})
	)
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept(ctx)
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			if s, err := c.OpenUniStream(); err == nil {
				if _, err := s.Write(hello(addr)); err == nil {
					_ = s.Close()
				}
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.CloseWithError(0, "")
		}
		mu.Unlock()
		ln.Close()
	})
	return addr
}

// TestSendStreamStalledPeer: a few MB to a peer that never reads its
// stream cannot be written; SendStream gives up at ctx's deadline with an
// error wrapping context.DeadlineExceeded.
func TestSendStreamStalledPeer(t *testing.T) {
	a, _ := node(t, fastConfig())
	addr := stalledPeer(t)
	const deadline = 500 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	err := a.SendStream(ctx, addr, make([]byte, 4<<20))
	took := time.Since(start)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, took, deadline+time.Second, "overran the deadline")
}

// TestSendStreamWaitsForDialWithinCtx: while the peer's writer is dialling
// an address that never answers, a SendStream to it waits its turn only
// until its own ctx's deadline, not for the writer's DialTimeout.
func TestSendStreamWaitsForDialWithinCtx(t *testing.T) {
	cfg := fastConfig()
	cfg.DialTimeout = 3 * time.Second
	a, _ := node(t, cfg)
	dead := silentUDP(t)
	require.NoError(t, a.Send(dead, []byte("starts the writer's dial")))
	time.Sleep(50 * time.Millisecond) // let the writer take the dial

	const deadline = 200 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	err := a.SendStream(ctx, dead, []byte("x"))
	took := time.Since(start)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, took, deadline+time.Second, "waited for the writer's dial of %v", cfg.DialTimeout)
}
