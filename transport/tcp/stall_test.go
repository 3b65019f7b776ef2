package tcp_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stalledPeer listens on 127.0.0.1, accepts every connection and never reads
// from it: the socket buffers toward it fill, and then the writer blocks.
// It closes everything when t ends.
func stalledPeer(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var (
		mu    sync.Mutex
		conns []net.Conn
		done  = make(chan struct{})
	)
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// TestSendStreamStalledPeer: a few MB to a peer that never reads cannot be
// written; SendStream gives up at ctx's deadline with an error wrapping
// context.DeadlineExceeded.
func TestSendStreamStalledPeer(t *testing.T) {
	a, _ := node(t, fastConfig())
	addr := stalledPeer(t)
	const deadline = 200 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	err := a.SendStream(ctx, addr, make([]byte, 6<<20))
	took := time.Since(start)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.GreaterOrEqual(t, took, deadline-10*time.Millisecond, "returned before the deadline: %v", err)
	assert.Less(t, took, deadline+500*time.Millisecond, "overran the deadline")
}
