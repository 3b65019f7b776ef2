package quic

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

const (
	magic = "SBQ1"

	// The first byte of a unidirectional stream says what it carries.
	streamHello byte = 'H'
	streamBatch byte = 'B'

	// ackOK is a SendStream receiver's answer once its Handler returned.
	ackOK byte = 0
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
