package quic

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

const (
	magic = "SBQ1"

	// The first byte of a unidirectional stream says what it carries.
	streamHello byte = 'H'
	streamBatch byte = 'B'

	// ackOK is a SendStream receiver's answer once its Handler returned.
	ackOK byte = 0

	frameHeaderLen = 4
	// growStep is the largest amount a frame buffer grows ahead of the
	// bytes that actually arrived.
	growStep = 64 << 10
)

// errProtocol is wrapped by every error about a peer breaking the format.
var errProtocol = errors.New("quic: protocol error")

// appendHello appends a hello stream's content.
func appendHello(dst []byte, addr string) []byte {
	dst = append(dst, streamHello)
	dst = append(dst, magic...)
	dst = append(dst, byte(len(addr)))
	return append(dst, addr...)
}

// writeFrame writes one length-prefixed message of a batch.
func writeFrame(w *bufio.Writer, b []byte) error {
	// Encoding into the spare buffer keeps the header off the heap.
	hdr := binary.BigEndian.AppendUint32(w.AvailableBuffer(), uint32(len(b)))
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	_, err := w.Write(b)
	return err
}

// frameReader reads length-prefixed messages into a buffer it reuses.
type frameReader struct {
	r   io.Reader
	hdr [frameHeaderLen]byte
	buf []byte
}

// next reads one message of at most limit bytes; io.EOF at a clean end of
// the stream. The result is valid until the next call. The declared length
// is checked before anything is allocated, and the buffer grows only as fast
// as bytes arrive.
func (fr *frameReader) next(limit int) ([]byte, error) {
	if _, err := io.ReadFull(fr.r, fr.hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(fr.hdr[:])
	if uint64(n) > uint64(limit) {
		return nil, fmt.Errorf("%w: message of %d bytes exceeds limit %d", errProtocol, n, limit)
	}
	size := int(n)
	buf := fr.buf[:0]
	for len(buf) < size {
		step := min(size-len(buf), max(len(buf), growStep))
		buf = slices.Grow(buf, step)
		m, err := io.ReadFull(fr.r, buf[len(buf):len(buf)+step])
		buf = buf[:len(buf)+m]
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	fr.buf = buf
	return buf, nil
}

// readLimited reads r to its end, refusing more than limit bytes. Memory
// grows with the bytes that arrive, not with what a peer announces.
func readLimited(r io.Reader, limit int) ([]byte, error) {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if n > int64(limit) {
		return nil, fmt.Errorf("%w: message above the limit of %d bytes", errProtocol, limit)
	}
	return buf.Bytes(), nil
}
