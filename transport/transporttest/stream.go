package transporttest

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// maxStreamTest caps the message sizes the stream cases send.
const maxStreamTest = 1 << 20

// streamer returns a started node whose transport is a Streamer, or skips t.
func (s *Suite) streamer(t *testing.T) (*node, transport.Streamer) {
	t.Helper()
	a := s.start(t)
	st, ok := a.tr.(transport.Streamer)
	if !ok {
		t.Skipf("%T does not implement transport.Streamer", a.tr)
	}
	return a, st
}

// testStream: messages larger than the MTU arrive whole, from the sender's
// LocalAddr, and SendStream does not retain its buffer.
func testStream(t *testing.T, s *Suite) {
	a, st := s.streamer(t)
	b := s.start(t)
	mtu, limit := a.tr.MTU(), st.MaxStreamSize()
	require.Greater(t, limit, mtu, "MaxStreamSize is not above the MTU")
	sizes := []int{mtu + 1, min(limit, 256<<10)}
	if limit <= maxStreamTest {
		sizes = append(sizes, limit)
	}
	for i, size := range sizes {
		want := pattern(size, byte(i))
		buf := append([]byte(nil), want...)
		ctx, cancel := context.WithTimeout(context.Background(), s.Timeout)
		err := st.SendStream(ctx, b.tr.LocalAddr(), buf)
		cancel()
		require.NoError(t, err, "SendStream of %d bytes", size)
		scribble(buf)
		got, ok := b.rec.find(s.Timeout, nil, func(m message) bool { return string(m.b) == string(want) })
		require.True(t, ok, "a %d-byte stream message did not arrive intact", size)
		assert.Equal(t, a.tr.LocalAddr(), got.from, "sender address of a stream message")
	}
}

// testStreamLimits: a message above MaxStreamSize fails with ErrTooLarge.
func testStreamLimits(t *testing.T, s *Suite) {
	_, st := s.streamer(t)
	b := s.start(t)
	limit := st.MaxStreamSize()
	if limit > 64<<20 {
		t.Skipf("MaxStreamSize %d is too large to exceed in a test", limit)
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.Timeout)
	defer cancel()
	err := st.SendStream(ctx, b.tr.LocalAddr(), make([]byte, limit+1))
	assert.ErrorIs(t, err, transport.ErrTooLarge)
}

// testStreamDeadPeer: SendStream to a closed peer fails instead of hanging
// past its context, and the sender is still usable.
func testStreamDeadPeer(t *testing.T, s *Suite) {
	a, st := s.streamer(t)
	gone, live := s.start(t), s.start(t)
	deadAddr := gone.tr.LocalAddr()
	require.NoError(t, gone.tr.Close())
	var err error
	within(t, 2*s.Timeout, "SendStream to a closed peer", func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.Timeout/2)
		defer cancel()
		err = st.SendStream(ctx, deadAddr, pattern(a.tr.MTU()+1, 9))
	})
	require.Error(t, err, "SendStream to a closed peer reported success")
	assert.False(t, errors.Is(err, net.ErrClosed), "the sender is not closed: %v", err)
	s.deliver(t, a, live, []byte("after the dead peer"))
}

// Bounds of the stalled-peer case: the message is large enough to fill the
// socket buffers or flow-control window on the way, and SendStream may
// overrun its ctx's deadline by stallSlack at most.
const (
	stallSize     = 8 << 20
	stallDeadline = 300 * time.Millisecond
	stallSlack    = time.Second
)

// testStreamStalledPeer: SendStream to a peer that accepts but never reads
// returns within its ctx's deadline (plus slack), with an error that wraps
// context.DeadlineExceeded if it fails, and the sender is still usable.
func testStreamStalledPeer(t *testing.T, s *Suite) {
	a, st := s.streamer(t)
	if s.StalledPeer == nil {
		t.Skip("Suite.StalledPeer is not set")
	}
	stalled := s.StalledPeer(t)
	live := s.start(t)
	msg := pattern(min(st.MaxStreamSize(), stallSize), 13)
	var (
		err  error
		took time.Duration
	)
	within(t, stallDeadline+stallSlack+s.Timeout, "SendStream to a stalled peer", func() {
		ctx, cancel := context.WithTimeout(context.Background(), stallDeadline)
		defer cancel()
		start := time.Now()
		err = st.SendStream(ctx, stalled, msg)
		took = time.Since(start)
	})
	assert.LessOrEqual(t, took, stallDeadline+stallSlack, "SendStream of %d bytes to a stalled peer overran its deadline of %v", len(msg), stallDeadline)
	if err != nil {
		assert.ErrorIs(t, err, context.DeadlineExceeded, "SendStream to a stalled peer")
	}
	s.deliver(t, a, live, []byte("after the stalled peer"))
}
