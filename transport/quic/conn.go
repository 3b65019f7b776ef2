package quic

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	quicgo "github.com/quic-go/quic-go"

	"github.com/scuttlebutt-go/scuttlebutt/transport/internal/conncfg"
	"github.com/scuttlebutt-go/scuttlebutt/transport/internal/frame"
)

// conn is one QUIC connection, dialled or accepted.
type conn struct {
	qc *quicgo.Conn
	// maxDatagram is the largest datagram payload the connection took, as
	// learned from a refusal; 0 until then.
	maxDatagram atomic.Int64
	// hello is closed once the peer's hello arrived: its side of the
	// connection runs. connect waits for it before a dialled connection is
	// used, because a datagram sent right after the handshake is
	// occasionally lost.
	hello chan struct{}
	// keys are the byAddr entries pointing at this conn. Guarded by t.mu.
	keys []string
}

// track registers qc so that Close closes it, and counts the goroutine
// that will serve it in t.wg (under the lock, so that Close cannot be
// waiting already): the caller must run t.serve. It reports false, having
// closed qc, when the Transport is already closed.
func (t *Transport) track(qc *quicgo.Conn) (*conn, bool) {
	c := &conn{qc: qc, hello: make(chan struct{})}
	t.mu.Lock()
	closed := t.closed
	if !closed {
		t.conns[c] = struct{}{}
		t.wg.Add(1)
	}
	t.mu.Unlock()
	if closed {
		qc.CloseWithError(codeClosing, "closing")
		return nil, false
	}
	return c, true
}

// connFor returns the live connection used to send to addr, or nil.
func (t *Transport) connFor(addr string) *conn {
	t.mu.RLock()
	c := t.byAddr[addr]
	t.mu.RUnlock()
	if c == nil || c.qc.Context().Err() != nil {
		return nil
	}
	return c
}

// useFor makes c the connection to send to addr: always for a connection
// we dialled to addr (replace), otherwise only if addr has no live one.
func (t *Transport) useFor(addr string, c *conn, replace bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if old := t.byAddr[addr]; !replace && old != nil && old.qc.Context().Err() == nil {
		return
	}
	t.byAddr[addr] = c
	c.keys = append(c.keys, addr)
}

// forget closes c and removes it from the maps.
func (t *Transport) forget(c *conn) {
	c.qc.CloseWithError(codeClosing, "closing")
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.conns, c)
	for _, k := range c.keys {
		if t.byAddr[k] == c {
			delete(t.byAddr, k)
		}
	}
}

// serve runs a connection: it exchanges hellos, then delivers datagrams
// and streams until the connection ends. accepted says the peer dialled,
// so must say hello within DialTimeout.
func (t *Transport) serve(c *conn, accepted bool) {
	defer t.wg.Done()
	defer t.forget(c)
	if accepted {
		// A dialled connection said hello in connect, before any message
		// could take the first stream.
		if err := t.sendHello(c.qc); err != nil {
			t.log.Debug("sending hello failed", "remote", c.qc.RemoteAddr(), "err", err)
			return
		}
	}
	from, err := t.readHello(c, accepted)
	if err != nil {
		if errors.Is(err, errProtocol) {
			t.stats.protocolErrors.Add(1)
			t.log.Warn("closing connection: bad hello", "remote", c.qc.RemoteAddr(), "err", err)
			c.qc.CloseWithError(codeProtocol, "bad hello")
		}
		return
	}
	t.useFor(from, c, false)
	close(c.hello)
	t.wg.Add(2)
	go t.readDatagrams(c, from)
	go t.acceptStreams(c, from)
	t.acceptUniStreams(c, from)
}

// sendHello announces our address on qc's first unidirectional stream.
func (t *Transport) sendHello(qc *quicgo.Conn) error {
	s, err := qc.OpenUniStream()
	if err != nil {
		return err
	}
	b := appendHello(nil, t.local)
	_ = s.SetWriteDeadline(time.Now().Add(t.cfg.WriteTimeout))
	if _, err := s.Write(b); err != nil {
		return err
	}
	return s.Close()
}

// readHello reads the peer's hello from its first unidirectional stream
// and returns the address it announces.
func (t *Transport) readHello(c *conn, accepted bool) (string, error) {
	ctx := t.ctx
	if accepted {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.cfg.DialTimeout)
		defer cancel()
	}
	s, err := c.qc.AcceptUniStream(ctx)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return "", fmt.Errorf("%w: no hello within %v", errProtocol, t.cfg.DialTimeout)
		}
		return "", err
	}
	done := false
	defer func() {
		if !done {
			s.CancelRead(streamProtocol)
		}
	}()
	if dl, ok := ctx.Deadline(); ok {
		_ = s.SetReadDeadline(dl)
	}
	// A short or late hello is the peer's fault; a closed connection is not.
	readErr := func(err error) error {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("%w: reading hello: %v", errProtocol, err)
		}
		return err
	}
	var hdr [1 + len(magic) + 1]byte
	if _, err := io.ReadFull(s, hdr[:]); err != nil {
		return "", readErr(err)
	}
	if hdr[0] != streamHello || string(hdr[1:1+len(magic)]) != magic {
		return "", fmt.Errorf("%w: first stream is not a hello: %q", errProtocol, hdr[:])
	}
	addr := make([]byte, hdr[len(hdr)-1])
	if _, err := io.ReadFull(s, addr); err != nil {
		return "", readErr(err)
	}
	if err := conncfg.CheckAddr(string(addr)); err != nil {
		return "", fmt.Errorf("%w: hello address: %v", errProtocol, err)
	}
	// Read up to the FIN, which completes the stream and returns its credit.
	// Cancelling instead would race with the peer's Close.
	switch n, err := io.ReadAtLeast(s, hdr[:1], 1); {
	case n > 0:
		return "", fmt.Errorf("%w: bytes after the hello", errProtocol)
	case err != io.EOF:
		return "", readErr(err)
	}
	done = true
	return string(addr), nil
}

func (t *Transport) readDatagrams(c *conn, from string) {
	defer t.wg.Done()
	for {
		b, err := c.qc.ReceiveDatagram(t.ctx)
		if err != nil {
			return
		}
		t.deliver(from, b)
	}
}

// acceptUniStreams reads the batches of messages on unidirectional
// streams, one goroutine per stream.
func (t *Transport) acceptUniStreams(c *conn, from string) {
	for {
		s, err := c.qc.AcceptUniStream(t.ctx)
		if err != nil {
			return
		}
		t.wg.Add(1)
		go func() {
			defer t.wg.Done()
			if err := t.readBatch(s, from); err != nil && errors.Is(err, errProtocol) {
				t.streamProtocolError(from, err)
				s.CancelRead(streamProtocol)
			}
		}()
	}
}

// readBatch delivers the messages of one batch stream.
func (t *Transport) readBatch(s *quicgo.ReceiveStream, from string) error {
	_ = s.SetReadDeadline(time.Now().Add(t.cfg.IdleTimeout))
	r := bufio.NewReaderSize(s, 16<<10)
	kind, err := r.ReadByte()
	if err != nil {
		return err
	}
	if kind != streamBatch {
		return fmt.Errorf("%w: unknown stream kind %q", errProtocol, kind)
	}
	fr := frame.NewReader(r)
	for {
		b, err := fr.Next(t.cfg.MTU)
		switch {
		case errors.Is(err, frame.ErrTooLarge):
			return fmt.Errorf("%w: %w", errProtocol, err)
		case err == io.EOF:
			return nil
		case errors.Is(err, io.ErrUnexpectedEOF):
			// FIN in the middle of a message: a peer that resets a stream
			// gets a stream error instead.
			return fmt.Errorf("%w: stream ends inside a message", errProtocol)
		case err != nil:
			return err
		}
		t.deliver(from, b)
	}
}

// acceptStreams serves SendStream: one message per bidirectional stream,
// acknowledged once the Handler returned.
func (t *Transport) acceptStreams(c *conn, from string) {
	defer t.wg.Done()
	for {
		s, err := c.qc.AcceptStream(t.ctx)
		if err != nil {
			return
		}
		t.wg.Add(1)
		go func() {
			defer t.wg.Done()
			_ = s.SetDeadline(time.Now().Add(t.cfg.IdleTimeout))
			b, err := readLimited(s, t.cfg.MaxStreamSize)
			if err != nil {
				if errors.Is(err, errProtocol) {
					t.streamProtocolError(from, err)
				}
				s.CancelRead(streamProtocol)
				s.CancelWrite(streamProtocol)
				return
			}
			t.deliver(from, b)
			if _, err := s.Write([]byte{ackOK}); err == nil {
				s.Close()
			}
		}()
	}
}

func (t *Transport) streamProtocolError(from string, err error) {
	t.stats.protocolErrors.Add(1)
	t.log.Warn("cancelling stream: protocol error", "from", from, "err", err)
}

// deliver hands a message to the Handler, if Start set one.
func (t *Transport) deliver(from string, b []byte) {
	h := t.handler.Load()
	if h == nil {
		return
	}
	t.stats.received.Add(1)
	(*h)(from, b)
}
