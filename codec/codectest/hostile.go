package codectest

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// CheckDecode decodes arbitrary bytes and checks what a codec promises
// whatever its input: Decode does not panic; an error wraps ErrMalformed,
// ErrCodecMismatch or ErrVersion; and a decoded message is valid: it
// re-encodes, its Size is predicted exactly, and the re-encoding decodes to
// the same message and encodes to the same bytes again. Fuzz targets call it.
func CheckDecode(t testing.TB, c codec.Codec, b []byte) {
	t.Helper()
	m, err := decodeNoPanic(c, b)
	if err != nil {
		if !isCodecError(err) {
			t.Fatalf("Decode(%x): error %v wraps none of the codec errors", b, err)
		}
		return
	}
	e1, err := c.Append(nil, m)
	if err != nil {
		t.Fatalf("Decode(%x) accepted a message that does not encode: %v", b, err)
	}
	if n := codec.Size(c, m); n != len(e1) {
		t.Fatalf("Decode(%x): Size %d, encoded %d bytes", b, n, len(e1))
	}
	m2, err := c.Decode(e1)
	if err != nil {
		t.Fatalf("Decode(%x): re-encoding %x does not decode: %v", b, e1, err)
	}
	if !equal(m, m2) {
		t.Fatalf("Decode(%x): re-encoding decodes differently:\n%+v\n%+v", b, m, m2)
	}
	e2, err := c.Append(nil, m2)
	if err != nil || !bytes.Equal(e1, e2) {
		t.Fatalf("Decode(%x): encoding is not stable: %x then %x (%v)", b, e1, e2, err)
	}
}

// decodeNoPanic turns a panic into an error that wraps none of the codec's.
func decodeNoPanic(c codec.Codec, b []byte) (m *codec.Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return c.Decode(b)
}

// small returns the corpus messages whose encoding is at most max bytes.
func small(t *testing.T, c codec.Codec, max int) [][]byte {
	var out [][]byte
	for _, m := range Messages() {
		b, err := c.Append(nil, m)
		require.NoError(t, err)
		if len(b) <= max {
			out = append(out, b)
		}
	}
	require.NotEmpty(t, out)
	return out
}

// testTruncated checks that every strict prefix of an encoding is refused as
// malformed: all the codecs are self-delimiting.
func testTruncated(t *testing.T, c codec.Codec) {
	for _, b := range small(t, c, 400) {
		for i := range len(b) {
			_, err := decodeNoPanic(c, b[:i])
			if !errors.Is(err, codec.ErrMalformed) {
				t.Fatalf("Decode of %d-byte prefix of %x: got %v, want ErrMalformed", i, b, err)
			}
		}
	}
}

// testCorrupted flips every bit and overwrites every byte of small
// encodings.
func testCorrupted(t *testing.T, c codec.Codec) {
	for _, b := range small(t, c, 200) {
		buf := make([]byte, len(b))
		for i := range b {
			for bit := range 8 {
				copy(buf, b)
				buf[i] ^= 1 << bit
				CheckDecode(t, c, buf)
			}
			for _, v := range []byte{0x00, 0x7f, 0x80, 0xff} {
				copy(buf, b)
				buf[i] = v
				CheckDecode(t, c, buf)
			}
		}
	}
}

// hugeTokens declare enormous lengths or counts in the encodings a codec is
// likely to use: unsigned varints and msgpack array and string headers.
var hugeTokens = [][]byte{
	{0xc0, 0x84, 0x3d},             // varint 1,000,000
	{0xff, 0xff, 0xff, 0xff, 0x0f}, // varint 2^32-1
	{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, // varint 2^64-1
	{0xdc, 0xff, 0xff},             // msgpack array16 65535
	{0xdd, 0x00, 0x0f, 0x42, 0x40}, // msgpack array32 1,000,000
	{0xdd, 0xff, 0xff, 0xff, 0xff}, // msgpack array32 2^32-1
	{0xda, 0xff, 0xff},             // msgpack str16 65535
	{0xdb, 0xff, 0xff, 0xff, 0xff}, // msgpack str32 2^32-1
}

// testInflated splices huge lengths and counts into every position of small
// encodings and checks that decoding allocates in proportion to the input,
// not to what the input declares.
func testInflated(t *testing.T, c codec.Codec) {
	var ms runtime.MemStats
	allocated := func(b []byte) uint64 {
		runtime.ReadMemStats(&ms)
		before := ms.TotalAlloc
		CheckDecode(t, c, b)
		runtime.ReadMemStats(&ms)
		return ms.TotalAlloc - before
	}
	var worst uint64
	for _, b := range small(t, c, 120) {
		for i := range len(b) {
			for _, tok := range hugeTokens {
				inserted := append(append(append([]byte(nil), b[:i]...), tok...), b[i:]...)
				overwritten := append([]byte(nil), b...)
				copy(overwritten[i:], tok)
				for _, in := range [][]byte{inserted, overwritten} {
					n := allocated(in)
					worst = max(worst, n)
					// Decoding and re-encoding a valid result may allocate a
					// small multiple of the input; a declared length must
					// never be trusted.
					if limit := uint64(64*len(in) + 64<<10); n > limit {
						t.Fatalf("decoding %x allocated %d bytes (limit %d)", in, n, limit)
					}
				}
			}
		}
	}
	t.Logf("most allocated for one input: %d bytes", worst)
}

// foreign holds minimal messages of the codecs in this module and bytes of
// other protocols. A codec must report each one not its own as
// ErrCodecMismatch. The module's samples carry protocol version 2.
var foreign = []struct {
	codec string // name of the codec that owns the bytes, or ""
	b     []byte
}{
	{"json", []byte(`{"scuttlebutt":2,"kind":"SYN","from":"a"}`)},
	{"msgpack", []byte{0x98, 0xa2, 's', 'b', 0x02, 0x01, 0xa1, 'a', 0xa0, 0xa0, 0x90, 0x90}},
	{"binary", []byte{'S', 'B', 0x02, 0x01, 0x01, 'a', 0x00, 0x00, 0x00, 0x00}},
	{"", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")},
	{"", []byte{0x1f, 0x8b, 0x08, 0x00}},
	{"", []byte(`{"kind":"SYN","from":"a"}`)},
	{"", []byte(`[1,2,3]`)},
	{"", []byte{0x00}},
	{"", []byte{0xff, 0xff, 0xff, 0xff}},
}

func testForeign(t *testing.T, c codec.Codec) {
	own := 0
	for _, f := range foreign {
		_, err := decodeNoPanic(c, f.b)
		if f.codec == c.Name() {
			own++
			assert.NoError(t, err, "own sample %q", f.b)
			continue
		}
		assert.ErrorIs(t, err, codec.ErrCodecMismatch, "foreign sample %q", f.b)
	}
	_, err := decodeNoPanic(c, nil)
	assert.ErrorIs(t, err, codec.ErrMalformed, "empty input")
	t.Logf("own samples decoded: %d", own)
}

// equal compares messages, treating nil and empty slices alike.
func equal(a, b *codec.Message) bool {
	return reflect.DeepEqual(Normalize(a), Normalize(b))
}
