package quic

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func frame(declared uint32, body []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, declared), body...)
}

func TestFrameRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	msgs := [][]byte{nil, []byte("a"), bytes.Repeat([]byte("xy"), 70_000)}
	for _, m := range msgs {
		require.NoError(t, writeFrame(w, m))
	}
	require.NoError(t, w.Flush())
	fr := &frameReader{r: &buf}
	for _, m := range msgs {
		got, err := fr.next(1 << 20)
		require.NoError(t, err)
		assert.Equal(t, string(m), string(got))
	}
	_, err := fr.next(1 << 20)
	require.ErrorIs(t, err, io.EOF)
}

func TestFrameReaderLimits(t *testing.T) {
	_, err := (&frameReader{r: bytes.NewReader(frame(11, make([]byte, 11)))}).next(10)
	require.ErrorIs(t, err, errProtocol)

	// A huge declared length with few bytes behind it allocates little.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = (&frameReader{r: bytes.NewReader(frame(MaxMessageSize, make([]byte, 100)))}).next(MaxMessageSize)
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20))
}

func TestReadLimited(t *testing.T) {
	b, err := readLimited(bytes.NewReader([]byte("abc")), 3)
	require.NoError(t, err)
	assert.Equal(t, "abc", string(b))
	_, err = readLimited(bytes.NewReader([]byte("abcd")), 3)
	require.ErrorIs(t, err, errProtocol)
}

func FuzzFrameReader(f *testing.F) {
	f.Add(frame(3, []byte("abc")))
	f.Add(frame(0xffffffff, nil))
	f.Add(append(frame(0, nil), frame(2, []byte("zz"))...))
	f.Fuzz(func(t *testing.T, in []byte) {
		fr := &frameReader{r: bytes.NewReader(in)}
		for {
			b, err := fr.next(1 << 16)
			if err != nil {
				return
			}
			if len(b) > 1<<16 {
				t.Fatalf("message of %d bytes above the limit", len(b))
			}
		}
	})
}
