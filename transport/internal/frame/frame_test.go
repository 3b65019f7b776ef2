package frame

import (
	"bufio"
	"bytes"
	"io"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func encoded(declared uint32, body []byte) []byte {
	return append(AppendHeader(nil, int(declared)), body...)
}

func TestNext(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
		limit int
		want  []byte
		err   error
	}{
		{"empty frame", encoded(0, nil), 10, []byte{}, nil},
		{"at the limit", encoded(3, []byte("abc")), 3, []byte("abc"), nil},
		{"over the limit", encoded(4, []byte("abcd")), 3, nil, ErrTooLarge},
		{"huge declared length", encoded(0xffffffff, nil), 1 << 30, nil, ErrTooLarge},
		{"truncated body", encoded(5, []byte("ab")), 10, nil, io.ErrUnexpectedEOF},
		{"truncated header", []byte{0, 0}, 10, nil, io.ErrUnexpectedEOF},
		{"nothing", nil, 10, nil, io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewReader(bytes.NewReader(tt.input)).Next(tt.limit)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, string(tt.want), string(got))
		})
	}
}

func TestWriteNextRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	msgs := [][]byte{[]byte("one"), {}, bytes.Repeat([]byte{7}, 200<<10), []byte("last")}
	for _, m := range msgs {
		require.NoError(t, Write(w, m))
	}
	require.NoError(t, w.Flush())
	fr := NewReader(&buf)
	for i, m := range msgs {
		got, err := fr.Next(1 << 20)
		require.NoError(t, err, "frame %d", i)
		assert.Equal(t, m, got, "frame %d", i)
	}
	_, err := fr.Next(1 << 20)
	assert.Equal(t, io.EOF, err)
}

// A peer that declares a large frame and sends a few bytes must not make the
// Reader allocate the declared size.
func TestNextAllocatesOnlyWhatArrives(t *testing.T) {
	input := encoded(1<<30, make([]byte, 100))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := NewReader(bytes.NewReader(input)).Next(1 << 30)
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20))
}

func TestNextReusesBuffer(t *testing.T) {
	input := bytes.Repeat(encoded(50, make([]byte, 50)), 200)
	fr := NewReader(bytes.NewReader(input))
	allocs := testing.AllocsPerRun(100, func() {
		out, err := fr.Next(100)
		if err != nil || len(out) != 50 {
			t.Fatal(out, err)
		}
	})
	assert.Zero(t, allocs)
}

func FuzzNext(f *testing.F) {
	f.Add(encoded(3, []byte("abc")))
	f.Add(encoded(0xffffffff, nil))
	f.Add(append(encoded(1, []byte("a")), encoded(2, []byte("b"))...))
	f.Fuzz(func(t *testing.T, in []byte) {
		fr := NewReader(bytes.NewReader(in))
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
