package tcp

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/transport/internal/frame"
)

func TestHelloRoundTrip(t *testing.T) {
	b := appendHello(nil, kindStream, "10.0.0.1:7946")
	kind, addr, err := readHello(bytes.NewReader(b))
	require.NoError(t, err)
	assert.Equal(t, kindStream, kind)
	assert.Equal(t, "10.0.0.1:7946", addr)

	for n := range len(b) {
		_, _, err := readHello(bytes.NewReader(b[:n]))
		require.Error(t, err, "truncated at %d", n)
		require.True(t, errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF), "truncated at %d: %v", n, err)
	}
}

// FuzzReadConnection reads what an inbound connection carries: a hello,
// then frames.
func FuzzReadConnection(f *testing.F) {
	hello := appendHello(nil, kindDatagram, "127.0.0.1:1")
	f.Add(append(frame.AppendHeader(hello, 3), "abc"...))
	f.Add(frame.AppendHeader(hello, 0xffffffff))
	f.Add([]byte("SBT1X"))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bytes.NewReader(in)
		if _, _, err := readHello(r); err != nil {
			return
		}
		fr := frame.NewReader(r)
		for {
			b, err := fr.Next(1 << 16)
			if err != nil {
				return
			}
			if len(b) > 1<<16 {
				t.Fatalf("frame of %d bytes above the limit", len(b))
			}
		}
	})
}
