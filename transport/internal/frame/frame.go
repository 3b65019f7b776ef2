// Package frame writes and reads the length-prefixed frames that
// transport/tcp and transport/quic carry: a 4-byte big-endian length, then
// that many bytes.
//
// A Reader checks a frame's declared length against the caller's limit
// before it allocates anything, and grows its buffer only as fast as the
// frame's bytes arrive, so a peer cannot make it reserve memory it never
// sends.
package frame

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// HeaderLen is the size of a frame's length prefix.
const HeaderLen = 4

// growStep is the largest amount a Reader's buffer grows ahead of the bytes
// that actually arrived.
const growStep = 64 << 10

// ErrTooLarge is wrapped by Reader.Next's error for a frame whose declared
// length exceeds the limit: the peer broke the format.
var ErrTooLarge = errors.New("frame: declared length above the limit")

// AppendHeader appends the length prefix of an n-byte frame to dst.
func AppendHeader(dst []byte, n int) []byte {
	return binary.BigEndian.AppendUint32(dst, uint32(n))
}

// Write writes b as one frame to w. It does not flush.
func Write(w *bufio.Writer, b []byte) error {
	// Encoding into the spare buffer keeps the header off the heap.
	if _, err := w.Write(AppendHeader(w.AvailableBuffer(), len(b))); err != nil {
		return err
	}
	_, err := w.Write(b)
	return err
}

// Reader reads frames from an io.Reader into a buffer it reuses. It is not
// safe for concurrent use.
type Reader struct {
	r   io.Reader
	hdr [HeaderLen]byte
	buf []byte
}

// NewReader returns a Reader of the frames in r.
func NewReader(r io.Reader) *Reader { return &Reader{r: r} }

// Next reads one frame of at most limit bytes. The result is valid until the
// next call. It returns io.EOF when r ends cleanly before a frame,
// io.ErrUnexpectedEOF when it ends inside one, and an error wrapping
// ErrTooLarge when the declared length exceeds limit; then nothing of the
// frame's body has been read or allocated.
func (fr *Reader) Next(limit int) ([]byte, error) {
	if _, err := io.ReadFull(fr.r, fr.hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(fr.hdr[:])
	if uint64(n) > uint64(limit) {
		return nil, fmt.Errorf("%w: frame of %d bytes, limit %d", ErrTooLarge, n, limit)
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
