package tcp

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/internal/conncfg"
	"github.com/scuttlebutt-go/scuttlebutt/transport/internal/frame"
	"github.com/scuttlebutt-go/scuttlebutt/transport/internal/streamerr"
)

// SendStream delivers b to addr's Handler as one message over a dedicated
// connection, and returns once the receiver acknowledged that its Handler
// returned, or with an error. The connection is closed afterwards, so a
// large transfer never delays the datagrams queued for the same peer.
//
// It blocks while it dials, while it writes b to the connection (a peer
// that reads slowly, or not at all, holds it there once the socket buffers
// are full) and while it waits for the acknowledgement; the dial, the write
// and the wait all end at ctx's deadline, or when ctx is cancelled. It must
// not be called from a Handler.
//
// A message above MaxStreamSize is refused with an error wrapping
// transport.ErrTooLarge; a failed dial returns one wrapping
// transport.ErrUnreachable. When ctx is done first, the error wraps
// ctx.Err(); after Close, net.ErrClosed.
func (t *Transport) SendStream(ctx context.Context, addr string, b []byte) error {
	if len(b) > t.cfg.MaxStreamSize {
		return fmt.Errorf("tcp: stream %d bytes to %s: %w (MaxStreamSize %d)", len(b), addr, transport.ErrTooLarge, t.cfg.MaxStreamSize)
	}
	if err := conncfg.CheckAddr(addr); err != nil {
		return fmt.Errorf("tcp: stream to %q: %w: %v", addr, transport.ErrUnreachable, err)
	}
	if t.isClosed() {
		return fmt.Errorf("tcp: stream to %s: %w", addr, net.ErrClosed)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(t.ctx, cancel)()

	d := net.Dialer{Timeout: t.cfg.DialTimeout}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		t.stats.dialFailures.Add(1)
		return t.streamErr(ctx, addr, fmt.Errorf("%w: %w", transport.ErrUnreachable, err))
	}
	if !t.track(c) {
		c.Close()
		return fmt.Errorf("tcp: stream to %s: %w", addr, net.ErrClosed)
	}
	defer t.release(c)
	// A peer that does not read fills the socket buffers and blocks the
	// write; one that does not answer blocks the read of the
	// acknowledgement. Both end at ctx's deadline, and when ctx is
	// cancelled.
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	defer context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })()

	// Hello, frame header and payload in one writev, without copying b.
	head := frame.AppendHeader(appendHello(nil, kindStream, t.local), len(b))
	bufs := net.Buffers{head, b}
	if _, err := bufs.WriteTo(c); err != nil {
		return t.streamErr(ctx, addr, err)
	}
	var ack [1]byte
	if _, err := c.Read(ack[:]); err != nil {
		return t.streamErr(ctx, addr, fmt.Errorf("no acknowledgement: %w", err))
	}
	if ack[0] != ackOK {
		return fmt.Errorf("tcp: stream to %s: %w: acknowledgement %d", addr, errProtocol, ack[0])
	}
	return nil
}

// streamErr explains a SendStream failure: closed transport first, then a
// done ctx, then err itself.
func (t *Transport) streamErr(ctx context.Context, addr string, err error) error {
	return streamerr.Explain(ctx, "tcp", addr, t.isClosed(), err)
}
