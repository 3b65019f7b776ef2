package quic

import (
	"context"
	"fmt"
	"io"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/internal/streamerr"
)

// SendStream delivers b to addr's Handler as one message over its own
// bidirectional stream on the peer's connection (dialled if needed), and
// returns once the receiver acknowledged that its Handler returned, or with
// an error.
//
// It blocks while it connects, while it writes b to the stream (a peer that
// reads slowly, or not at all, holds it there once QUIC's flow-control
// window is used up) and while it waits for the acknowledgement; all of it
// ends at ctx's deadline, or when ctx is cancelled. It must not be called
// from a Handler.
//
// A message above MaxStreamSize is refused with an error wrapping
// transport.ErrTooLarge; a failed dial returns one wrapping
// transport.ErrUnreachable. When ctx is done first, the error wraps
// ctx.Err(); after Close, net.ErrClosed.
func (t *Transport) SendStream(ctx context.Context, addr string, b []byte) error {
	if len(b) > t.cfg.MaxStreamSize {
		return fmt.Errorf("quic: stream %d bytes to %s: %w (MaxStreamSize %d)", len(b), addr, transport.ErrTooLarge, t.cfg.MaxStreamSize)
	}
	p, err := t.peer(addr)
	if err != nil {
		return fmt.Errorf("quic: stream to %q: %w", addr, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(t.ctx, cancel)()

	c, err := p.connect(ctx, false)
	if err != nil {
		return t.streamErr(ctx, addr, fmt.Errorf("%w: %w", transport.ErrUnreachable, err))
	}
	s, err := c.qc.OpenStreamSync(ctx)
	if err != nil {
		return t.streamErr(ctx, addr, err)
	}
	// A peer that does not read leaves no flow-control credit and blocks
	// the write; one that does not answer blocks the read of the
	// acknowledgement. Both end at ctx's deadline, and when ctx is
	// cancelled.
	if dl, ok := ctx.Deadline(); ok {
		_ = s.SetDeadline(dl)
	}
	defer context.AfterFunc(ctx, func() {
		s.CancelWrite(streamCancelled)
		s.CancelRead(streamCancelled)
	})()
	if _, err := s.Write(b); err != nil {
		return t.streamErr(ctx, addr, err)
	}
	if err := s.Close(); err != nil {
		return t.streamErr(ctx, addr, err)
	}
	var ack [1]byte
	if _, err := io.ReadFull(s, ack[:]); err != nil {
		return t.streamErr(ctx, addr, fmt.Errorf("no acknowledgement: %w", err))
	}
	if ack[0] != ackOK {
		return fmt.Errorf("quic: stream to %s: %w: acknowledgement %d", addr, errProtocol, ack[0])
	}
	return nil
}

// streamErr explains a SendStream failure: closed transport first, then a
// done ctx, then err itself.
func (t *Transport) streamErr(ctx context.Context, addr string, err error) error {
	return streamerr.Explain(ctx, "quic", addr, t.isClosed(), err)
}
