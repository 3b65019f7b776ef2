package tcp

import (
	"errors"
	"fmt"
	"io"

	"github.com/scuttlebutt-go/scuttlebutt/transport/internal/conncfg"
)

const (
	magic = "SBT1"

	kindDatagram byte = 'D'
	kindStream   byte = 'S'

	// ackOK is a stream receiver's answer once its Handler returned.
	ackOK byte = 0
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
	if err := conncfg.CheckAddr(addr); err != nil {
		return 0, "", fmt.Errorf("%w: hello address: %v", errProtocol, err)
	}
	return kind, addr, nil
}
