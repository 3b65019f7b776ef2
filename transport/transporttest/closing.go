package transporttest

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// assertClosed checks what a closed transport must do: Close, Send and
// Start (and SendStream) return promptly, Close with nil, the others with
// net.ErrClosed.
func (s *Suite) assertClosed(t *testing.T, tr transport.Transport, peer string) {
	t.Helper()
	var closeErr, sendErr, startErr, streamErr error
	within(t, s.Timeout, "calls on a closed transport", func() {
		closeErr = tr.Close()
		sendErr = tr.Send(peer, []byte("after close"))
		startErr = tr.Start(func(string, []byte) {})
		if st, ok := tr.(transport.Streamer); ok {
			streamErr = st.SendStream(context.Background(), peer, []byte("after close"))
		} else {
			streamErr = net.ErrClosed
		}
	})
	assert.NoError(t, closeErr, "second Close")
	assert.ErrorIs(t, sendErr, net.ErrClosed, "Send after Close")
	assert.ErrorIs(t, startErr, net.ErrClosed, "Start after Close")
	assert.ErrorIs(t, streamErr, net.ErrClosed, "SendStream after Close")
}

// testCloseUnstarted: a transport that was never started closes cleanly.
func testCloseUnstarted(t *testing.T, s *Suite) {
	a, b := s.fresh(t), s.fresh(t)
	var err error
	within(t, s.Timeout, "Close of an unstarted transport", func() { err = a.Close() })
	require.NoError(t, err)
	s.assertClosed(t, a, b.LocalAddr())
}

// testCloseStarted: concurrent Close calls on a started transport all
// return nil, and the transport then refuses work.
func testCloseStarted(t *testing.T, s *Suite) {
	a, b := s.start(t), s.start(t)
	s.deliver(t, a, b, []byte("before close"))
	errs := make([]error, 3)
	within(t, s.Timeout, "concurrent Close", func() {
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() { errs[i] = a.tr.Close() })
		}
		wg.Wait()
	})
	for _, err := range errs {
		assert.NoError(t, err, "Close")
	}
	s.assertClosed(t, a.tr, b.tr.LocalAddr())
	// The peer is unaffected.
	c := s.start(t)
	s.deliver(t, b, c, []byte("peer still works"))
}

// testNoHandlerAfterClose: while a peer keeps sending, the Handler is not
// called once Close has returned.
func testNoHandlerAfterClose(t *testing.T, s *Suite) {
	a, b, c := s.start(t), s.start(t), s.start(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		pace := time.NewTicker(time.Millisecond)
		defer pace.Stop()
		for i := 0; ; i++ {
			_ = a.tr.Send(b.tr.LocalAddr(), pattern(32, byte(i)))
			select {
			case <-stop:
				return
			case <-pace.C:
			}
		}
	})
	defer func() {
		close(stop)
		wg.Wait()
	}()
	// Close while datagrams are arriving.
	require.True(t, b.rec.await(s.Timeout, nil, func(msgs []message) bool { return len(msgs) > 0 }),
		"nothing arrived before Close")
	require.NoError(t, b.tr.Close())
	b.rec.closed.Store(true)
	// Let the sender run on for a few round trips between other transports.
	for i := range 5 {
		s.deliver(t, c, a, pattern(16, byte(100+i)))
	}
	assert.Zero(t, b.rec.late.Load(), "Handler calls after Close returned")
}

// testNoLeaks: after use and Close, no goroutine of the transport is left.
func testNoLeaks(t *testing.T, s *Suite) {
	a, b := s.start(t), s.start(t)
	s.deliver(t, a, b, []byte("ping"))
	s.deliver(t, b, a, []byte("pong"))
	if st, ok := a.tr.(transport.Streamer); ok {
		ctx, cancel := context.WithTimeout(context.Background(), s.Timeout)
		defer cancel()
		require.NoError(t, st.SendStream(ctx, b.tr.LocalAddr(), pattern(a.tr.MTU()+1, 1)))
	}
	require.NoError(t, a.tr.Close())
	require.NoError(t, b.tr.Close())
	goleak.VerifyNone(t, s.LeakOptions...)
}
