package tcp

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/internal/conncfg"
	"github.com/scuttlebutt-go/scuttlebutt/transport/internal/frame"
)

// SendStream delivers b to addr's Handler as one message over a dedicated
// connection, and returns once the receiver acknowledged that its Handler
// returned, or with an error. The connection is closed afterwards, so a
// large transfer never delays the datagrams queued for the same peer.
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
	// Abort blocked I/O when ctx ends.
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
	if t.isClosed() {
		return fmt.Errorf("tcp: stream to %s: %w", addr, net.ErrClosed)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("tcp: stream to %s: %w: %v", addr, context.Cause(ctx), err)
	}
	return fmt.Errorf("tcp: stream to %s: %w", addr, err)
}
