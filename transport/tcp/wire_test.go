package tcp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func frame(declared uint32, body []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, declared), body...)
}

func TestReadFrame(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
		limit int
		want  []byte
		err   error
	}{
		{"empty frame", frame(0, nil), 10, []byte{}, nil},
		{"at the limit", frame(3, []byte("abc")), 3, []byte("abc"), nil},
		{"over the limit", frame(4, []byte("abcd")), 3, nil, errProtocol},
		{"huge declared length", frame(0xffffffff, nil), MaxFrameSize, nil, errProtocol},
		{"truncated body", frame(5, []byte("ab")), 10, nil, io.ErrUnexpectedEOF},
		{"truncated header", []byte{0, 0}, 10, nil, io.ErrUnexpectedEOF},
		{"nothing", nil, 10, nil, io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := (&frameReader{r: bytes.NewReader(tt.input)}).next(tt.limit)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, string(tt.want), string(got))
		})
	}
}

// A peer that declares a large frame and sends a few bytes must not make us
// allocate the declared size.
func TestReadFrameAllocatesOnlyWhatArrives(t *testing.T) {
	input := frame(MaxFrameSize, make([]byte, 100))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := (&frameReader{r: bytes.NewReader(input)}).next(MaxFrameSize)
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20))
}

func TestReadFrameReusesBuffer(t *testing.T) {
	input := bytes.Repeat(frame(50, make([]byte, 50)), 200)
	fr := &frameReader{r: bytes.NewReader(input)}
	allocs := testing.AllocsPerRun(100, func() {
		out, err := fr.next(100)
		if err != nil || len(out) != 50 {
			t.Fatal(out, err)
		}
	})
	assert.Zero(t, allocs)
}

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

func FuzzReadFrame(f *testing.F) {
	f.Add(frame(3, []byte("abc")))
	f.Add(frame(0xffffffff, nil))
	f.Add(appendHello(nil, kindDatagram, "127.0.0.1:1"))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bytes.NewReader(in)
		if _, _, err := readHello(r); err != nil {
			return
		}
		fr := &frameReader{r: r}
		for {
			b, err := fr.next(1 << 16)
			if err != nil {
				return
			}
			if len(b) > 1<<16 {
				t.Fatalf("frame of %d bytes above the limit", len(b))
			}
		}
	})
}
