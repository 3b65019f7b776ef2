package binary_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/codec/binary"
	"github.com/scuttlebutt-go/scuttlebutt/codec/codectest"
)

func TestCodec(t *testing.T) { codectest.Run(t, binary.Codec{}) }

func BenchmarkCodec(b *testing.B) { codectest.Bench(b, binary.Codec{}) }

// FuzzDecode adds to the shared property that the format is canonical: a
// decoded message re-encodes to exactly the input.
func FuzzDecode(f *testing.F) {
	for _, b := range codectest.Seeds(binary.Codec{}) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		codectest.CheckDecode(t, binary.Codec{}, b)
		m, err := binary.Codec{}.Decode(b)
		if err != nil {
			return
		}
		again, err := binary.Codec{}.Append(nil, m)
		require.NoError(t, err)
		if !bytes.Equal(again, b) {
			t.Fatalf("decoded %x, re-encoded %x", b, again)
		}
	})
}

func TestDecodeErrors(t *testing.T) {
	msg := func(tail ...byte) []byte { return append([]byte{'S', 'B'}, tail...) }
	syn := func(tail ...byte) []byte {
		return msg(append([]byte{binary.Version, 0x01, 0x01, 'a', 0x00, 0x00}, tail...)...)
	}
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"valid", syn(0x00, 0x00), nil},
		{"next version", msg(binary.Version+1, 0x01, 0x01, 'a', 0x00, 0x00, 0x00, 0x00), codec.ErrVersion},
		{"version 0", msg(0x00), codec.ErrVersion},
		{"version 128", msg(0x80, 0x01), codec.ErrVersion},
		{"other magic", []byte{'S', 'C', 0x01}, codec.ErrCodecMismatch},
		{"json", []byte(`{"scuttlebutt":1}`), codec.ErrCodecMismatch},
		{"empty", nil, codec.ErrMalformed},
		{"half magic", []byte{'S'}, codec.ErrMalformed},
		{"no version", msg(), codec.ErrMalformed},
		{"long version", msg(0x81, 0x00), codec.ErrMalformed},
		{"kind 0", msg(binary.Version, 0x00, 0x01, 'a', 0x00, 0x00, 0x00, 0x00), codec.ErrMalformed},
		{"kind 4", msg(binary.Version, 0x04, 0x01, 'a', 0x00, 0x00, 0x00, 0x00), codec.ErrMalformed},
		{"empty from", msg(binary.Version, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00), codec.ErrMalformed},
		{"trailing", syn(0x00, 0x00, 0x00), codec.ErrMalformed},
		{"non-shortest count", syn(0x80, 0x00, 0x00), codec.ErrMalformed},
		{"varint 11 bytes", syn(0x01, 0x00, 0x01, 'b', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0, 0x00), codec.ErrMalformed},
		{"varint past 64 bits", syn(0x01, 0x00, 0x01, 'b', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0x00), codec.ErrMalformed},
		{"max varint", syn(0x01, 0x00, 0x01, 'b', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0, 0x00), nil},
		{"undefined flag", syn(0x01, 0x02, 0x01, 'b', 0, 0, 0, 0, 0x00), codec.ErrMalformed},
		{"empty id", syn(0x01, 0x00, 0x00, 0, 0, 0, 0, 0x00), codec.ErrMalformed},
		// A 10-byte packet cannot declare a 4 GB string or a million entries.
		{"huge string", msg(binary.Version, 0x01, 0xff, 0xff, 0xff, 0xff, 0x0f, 'a'), codec.ErrMalformed},
		{"huge digest", syn(0xc0, 0x84, 0x3d), codec.ErrMalformed},
		{"huge deltas", syn(0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), codec.ErrMalformed},
		{"huge entries", syn(0x00, 0x01, 0x00, 0x01, 'b', 0, 0, 0, 0, 0xff, 0xff, 0x03), codec.ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := binary.Codec{}.Decode(tc.in)
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

// TestAllocations checks the decoder's allocation budget: the Message, one
// slice per list and one string per non-empty string, and nothing for a
// hostile count.
func TestAllocations(t *testing.T) {
	c := binary.Codec{}
	m := codectest.TypicalDelta() // 1 delta, 64 entries: 2 slices, 2 IDs, 128 strings
	b, err := c.Append(nil, m)
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(20, func() { _, _ = c.Decode(b) })
	assert.LessOrEqual(t, allocs, float64(1+2+2+128))

	hostile := []byte{'S', 'B', 0x01, 0x01, 0x01, 'a', 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f}
	allocs = testing.AllocsPerRun(20, func() { _, _ = c.Decode(hostile) })
	assert.LessOrEqual(t, allocs, 6.0, "the Message, the From string and the error: not the declared count")

	buf := make([]byte, 0, 2048)
	allocs = testing.AllocsPerRun(20, func() { buf, _ = c.Append(buf[:0], m) })
	assert.Zero(t, allocs, "Append into a large enough buffer")
}

func TestMatch(t *testing.T) {
	assert.True(t, binary.Codec{}.Match([]byte("SB\x07")))
	assert.False(t, binary.Codec{}.Match([]byte("S")))
	assert.False(t, binary.Codec{}.Match([]byte(`{"scuttlebutt":1}`)))
}

// Example encodes the message shown in FORMAT.md.
func Example() {
	c := binary.Codec{}
	m := &codec.Message{
		Kind:   codec.KindSyn,
		From:   "a",
		Digest: codec.Digest{Entries: []codec.DigestEntry{{ID: "a", Generation: 7, MaxVersion: 300, Heartbeat: 2}}},
	}
	b, err := c.Append(nil, m)
	if err != nil {
		panic(err)
	}
	fmt.Printf("% x\n", b)
	fmt.Println(len(b), codec.Size(c, m))
	got, err := c.Decode(b)
	if err != nil {
		panic(err)
	}
	fmt.Println(got.Kind, got.From, got.Digest.Entries[0].MaxVersion)
	// Output:
	// 53 42 02 01 01 61 00 00 01 00 01 61 07 ac 02 00 02 00
	// 18 18
	// SYN a 300
}
