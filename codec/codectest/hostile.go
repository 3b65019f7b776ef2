package codectest

import (
	"bytes"
	"errors"
	"fmt"
	"math"
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
// ErrCodecMismatch. The module's samples carry protocol version 3.
var foreign = []struct {
	codec string // name of the codec that owns the bytes, or ""
	b     []byte
}{
	{"json", []byte(`{"scuttlebutt":3,"kind":"SYN","from":"a"}`)},
	{"msgpack", []byte{0x9a, 0xa2, 's', 'b', 0x03, 0x01, 0xa1, 'a', 0x00, 0x90, 0x90, 0x90, 0x90, 0x90}},
	{"binary", []byte{'S', 'B', 0x03, 0x01, 0x00, 0x01, 'a'}},
	{"json", []byte(`{"scuttlebutt":3,"kind":"PING","from":"a","hash":"0102030405060708"}`)},
	{"msgpack", []byte{0x9a, 0xa2, 's', 'b', 0x03, 0x04, 0xa1, 'a', 0xcf, 1, 2, 3, 4, 5, 6, 7, 8, 0x90, 0x90, 0x90, 0x90, 0x90}},
	{"binary", []byte{'S', 'B', 0x03, 0x04, 0x01, 0x01, 'a', 8, 7, 6, 5, 4, 3, 2, 1}},
	{"", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")},
	{"", []byte{0x1f, 0x8b, 0x08, 0x00}},
	{"", []byte(`{"kind":"SYN","from":"a"}`)},
	{"", []byte(`[1,2,3]`)},
	{"", []byte{0x00}},
	{"", []byte{0xff, 0xff, 0xff, 0xff}},
}

// previous holds minimal messages of the codecs in this module in protocol
// version 2. A codec must report its own as ErrVersion and the others as
// ErrCodecMismatch.
var previous = []struct {
	codec string
	b     []byte
}{
	{"json", []byte(`{"scuttlebutt":2,"kind":"SYN","from":"a"}`)},
	{"msgpack", []byte{0x98, 0xa2, 's', 'b', 0x02, 0x01, 0xa1, 'a', 0xa0, 0xa0, 0x90, 0x90}},
	{"binary", []byte{'S', 'B', 0x02, 0x01, 0x01, 'a', 0x00, 0x00, 0x00, 0x00}},
}

func testForeign(t *testing.T, c codec.Codec) {
	own, old := 0, 0
	for _, f := range foreign {
		_, err := decodeNoPanic(c, f.b)
		if f.codec == c.Name() {
			own++
			assert.NoError(t, err, "own sample %q", f.b)
			continue
		}
		assert.ErrorIs(t, err, codec.ErrCodecMismatch, "foreign sample %q", f.b)
	}
	for _, f := range previous {
		_, err := decodeNoPanic(c, f.b)
		if f.codec == c.Name() {
			old++
			assert.ErrorIs(t, err, codec.ErrVersion, "own version-2 sample %q", f.b)
			continue
		}
		assert.ErrorIs(t, err, codec.ErrCodecMismatch, "foreign version-2 sample %q", f.b)
	}
	_, err := decodeNoPanic(c, nil)
	assert.ErrorIs(t, err, codec.ErrMalformed, "empty input")
	t.Logf("own samples decoded: %d; own version-2 samples refused: %d", own, old)
}

// Invalid returns messages that no codec may encode, by what is wrong with
// them: kinds outside 1–5, empty sender and node IDs in every list, and
// bucket IDs past MaxLevel or with an index wider than their level in the
// cover and the bucket list. Append must refuse each with an error wrapping
// codec.ErrMalformed, and Hostile checks that decoders refuse them too.
func Invalid() map[string]*codec.Message {
	bad := []struct {
		name string
		id   codec.BucketID
	}{
		{"level past MaxLevel", codec.BucketID{Level: codec.MaxLevel + 1}},
		{"level 255", codec.BucketID{Level: 255, Index: 1}},
		{"root index 1", codec.BucketID{Index: 1}},
		{"level 1 index 16", codec.BucketID{Level: 1, Index: 16}},
		{"level 6 index past 24 bits", codec.BucketID{Level: 6, Index: 1 << 24}},
		{"MaxLevel index past 28 bits", codec.BucketID{Level: codec.MaxLevel, Index: 1 << 28}},
		{"largest index", codec.BucketID{Level: codec.MaxLevel, Index: math.MaxUint32}},
	}
	ms := map[string]*codec.Message{
		"kind 0":           {From: "a"},
		"kind 6":           {Kind: codec.KindPong + 1, From: "a"},
		"kind 255":         {Kind: 255, From: "a", Hash: 1},
		"empty from":       {Kind: codec.KindPing, Hash: 1},
		"empty digest ID":  {Kind: codec.KindSyn, From: "a", Digest: codec.Digest{Entries: []codec.DigestEntry{{}}}},
		"second digest ID": {Kind: codec.KindPong, From: "a", Digest: codec.Digest{Entries: []codec.DigestEntry{{ID: "b"}, {Left: true}}}},
		"empty request ID": {Kind: codec.KindSynAck, From: "a", Requests: []codec.DigestEntry{{ID: "b"}, {Generation: 1}}},
		"empty delta ID":   {Kind: codec.KindAck, From: "a", Deltas: []codec.NodeDelta{{}}},
		"second delta bad": {Kind: codec.KindAck, From: "a", Deltas: []codec.NodeDelta{{ID: "b"}, {}}},
	}
	for _, b := range bad {
		ms["cover "+b.name] = &codec.Message{Kind: codec.KindSynAck, From: "a",
			Digest: codec.Digest{Cover: []codec.BucketID{{Level: 1}, b.id}}}
		ms["bucket "+b.name] = &codec.Message{Kind: codec.KindSynAck, From: "a",
			Buckets: []codec.Bucket{{BucketID: codec.BucketID{Level: 1}}, {BucketID: b.id, Hash: 1, Count: 1}}}
	}
	return ms
}

// Forgery lets Hostile hand a codec's decoder what its Append refuses to
// write.
type Forgery struct {
	// Append encodes m exactly as the codec's Append does, but without its
	// checks: it writes whatever kind, bucket ID and string m holds. A
	// section whose slice is empty but not nil is written as present and
	// empty, where the format can tell that from an absent section. Hostile
	// checks that it agrees with Append on valid messages.
	Append func(dst []byte, m *codec.Message) []byte
	// RefusesEmpty is set for a format that marks which sections are
	// present and refuses a present section with no items (which no encoder
	// writes). Otherwise an empty section must decode as an absent one.
	RefusesEmpty bool
}

// Hostile checks c's decoder against forged encodings (see Forgery): every
// message of Invalid must be refused with an error wrapping
// codec.ErrMalformed, and each message section forged present but empty is
// refused or decodes as absent, as f.RefusesEmpty says. A codec's test is
// one line, with the unchecked encoder exported to tests only:
//
//	func TestHostile(t *testing.T) { codectest.Hostile(t, Codec{}, codectest.Forgery{Append: forge}) }
func Hostile(t *testing.T, c codec.Codec, f Forgery) {
	t.Run("Faithful", func(t *testing.T) {
		for _, m := range Messages() {
			want, err := c.Append(nil, m)
			require.NoError(t, err)
			require.Equal(t, want, f.Append(nil, Normalize(m)), "the forger must encode valid messages as Append does")
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		for name, m := range Invalid() {
			b := f.Append(nil, m)
			_, err := decodeNoPanic(c, b)
			assert.ErrorIs(t, err, codec.ErrMalformed, "%s: %x", name, b)
		}
	})
	t.Run("EmptySections", func(t *testing.T) {
		empty := map[string]func(m *codec.Message){
			"cover":    func(m *codec.Message) { m.Digest.Cover = []codec.BucketID{} },
			"digest":   func(m *codec.Message) { m.Digest.Entries = []codec.DigestEntry{} },
			"buckets":  func(m *codec.Message) { m.Buckets = []codec.Bucket{} },
			"requests": func(m *codec.Message) { m.Requests = []codec.DigestEntry{} },
			"deltas":   func(m *codec.Message) { m.Deltas = []codec.NodeDelta{} },
		}
		for name, set := range empty {
			for _, base := range []*codec.Message{{Kind: codec.KindSynAck, From: "a"}, {Kind: codec.KindPong, From: "a", Hash: 5}} {
				m := Normalize(base)
				set(m)
				b := f.Append(nil, m)
				got, err := decodeNoPanic(c, b)
				if f.RefusesEmpty {
					assert.ErrorIs(t, err, codec.ErrMalformed, "present empty %s: %x", name, b)
					continue
				}
				if assert.NoError(t, err, "present empty %s: %x", name, b) {
					assert.Equal(t, Normalize(base), Normalize(got), "present empty %s", name)
					CheckDecode(t, c, b)
				}
			}
		}
	})
}

// equal compares messages, treating nil and empty slices alike.
func equal(a, b *codec.Message) bool {
	return reflect.DeepEqual(Normalize(a), Normalize(b))
}
