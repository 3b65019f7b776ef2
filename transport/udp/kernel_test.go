package udp_test

import (
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/transport/udp"
)

// TestKernelDrops overflows a small receive buffer for real: the handler
// blocks on the first datagram while a plain socket floods the transport,
// so the kernel drops most of the flood, and Drops reports it as Kernel.
func TestKernelDrops(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Drops().Kernel is reported on Linux only; it is 0 on", runtime.GOOS)
	}
	const (
		flood = 3000
		size  = 512
	)
	// The kernel raises a buffer this small to its minimum, a few
	// datagrams' worth.
	rx, err := udp.New(udp.Config{BindAddr: "127.0.0.1:0", ReadBufferBytes: 1024})
	require.NoError(t, err)
	t.Cleanup(func() { _ = rx.Close() })

	release := make(chan struct{})
	var unblock sync.Once
	t.Cleanup(func() { unblock.Do(func() { close(release) }) }) // before Close
	blocked := make(chan struct{}, 1)
	require.NoError(t, rx.Start(func(string, []byte) {
		select {
		case blocked <- struct{}{}:
		default:
		}
		<-release
	}))

	to, err := net.ResolveUDPAddr("udp", rx.LocalAddr())
	require.NoError(t, err)
	tx, err := net.DialUDP("udp", nil, to)
	require.NoError(t, err)
	defer tx.Close()

	_, err = tx.Write([]byte("block"))
	require.NoError(t, err)
	select {
	case <-blocked:
	case <-time.After(waitFor):
		t.Fatal("the first datagram did not reach the handler within", waitFor)
	}
	assert.Zero(t, rx.Drops().Kernel, "nothing dropped before the flood")

	sent := uint64(1)
	msg := make([]byte, size)
	for range flood {
		// A write can fail transiently (ENOBUFS); only those that
		// succeed reach the receiver's socket.
		if _, err := tx.Write(msg); err == nil {
			sent++
		}
	}
	require.Greater(t, sent, uint64(flood/2), "most of the flood was written")

	var kernel uint64
	for deadline := time.Now().Add(waitFor); ; time.Sleep(time.Millisecond) {
		if kernel = rx.Drops().Kernel; kernel > 0 || time.Now().After(deadline) {
			break
		}
	}
	require.NotZero(t, kernel, "Drops().Kernel after overflowing the receive buffer")
	t.Logf("kernel dropped %d of %d datagrams", kernel, sent)

	unblock.Do(func() { close(release) })
	require.NoError(t, rx.Close())
	d := rx.Drops()
	assert.GreaterOrEqual(t, d.Kernel, kernel, "Drops after Close keeps the count, which only grows")
	assert.LessOrEqual(t, rx.Stats().Received+d.Kernel, sent, "a datagram is received or dropped, not both")
	assert.Zero(t, d.Oversize)
	assert.Zero(t, d.Decode)
}
