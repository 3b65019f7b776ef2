package tcp

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

const (
	magic = "SBT1"

	kindDatagram byte = 'D'
	kindStream   byte = 'S'

	// ackOK is a stream receiver's answer once its Handler returned.
	ackOK byte = 0

	frameHeaderLen = 4
	// growStep is the largest amount a frame buffer grows ahead of the
	// bytes that actually arrived.
	growStep = 64 << 10
)

// errProtocol is wrapped by every error about a peer breaking the format.
var errProtocol = errors.New("tcp: protocol error")

// appendHello appends the connection preamble.
func appendHello(dst []byte, kind byte, addr string) []byte {
	dst = append(dst, magic...)
	dst = append(dst, kind, byte(len(addr)))
	return append(dst, addr...)
}

// readHello reads and checks the connection preamble.
func readHello(r io.Reader) (kind byte, addr string, err error) {
	var hdr [len(magic) + 2]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, "", err
	}
	if string(hdr[:len(magic)]) != magic {
		return 0, "", fmt.Errorf("%w: bad magic %q", errProtocol, hdr[:len(magic)])
	}
	kind = hdr[len(magic)]
	if kind != kindDatagram && kind != kindStream {
		return 0, "", fmt.Errorf("%w: unknown connection kind %q", errProtocol, kind)
	}
	buf := make([]byte, hdr[len(magic)+1])
	if _, err := io.ReadFull(r, buf); err != nil {
		return 0, "", err
	}
	addr = string(buf)
	if err := checkAddr(addr); err != nil {
		return 0, "", fmt.Errorf("%w: hello address: %v", errProtocol, err)
	}
	return kind, addr, nil
}

// writeFrame writes one length-prefixed frame.
func writeFrame(w *bufio.Writer, b []byte) error {
	// Encoding into the spare buffer keeps the header off the heap.
	hdr := binary.BigEndian.AppendUint32(w.AvailableBuffer(), uint32(len(b)))
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	_, err := w.Write(b)
	return err
}

// frameReader reads length-prefixed frames into a buffer it reuses.
type frameReader struct {
	r   io.Reader
	hdr [frameHeaderLen]byte
	buf []byte
}

// next reads one frame of at most limit bytes. The result is valid until
// the next call. The declared length is checked before anything is
// allocated, and a frame larger than the buffer grows it only as fast as its
// bytes arrive, so a peer cannot make us allocate memory it never sends.
func (fr *frameReader) next(limit int) ([]byte, error) {
	if _, err := io.ReadFull(fr.r, fr.hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(fr.hdr[:])
	if uint64(n) > uint64(limit) {
		return nil, fmt.Errorf("%w: frame of %d bytes exceeds limit %d", errProtocol, n, limit)
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
