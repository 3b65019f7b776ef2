package msgpack_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	mp "github.com/vmihailenco/msgpack/v5"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/codec/codectest"
	"github.com/scuttlebutt-go/scuttlebutt/codec/msgpack"
)

func TestCodec(t *testing.T) { codectest.Run(t, msgpack.Codec{}) }

func FuzzDecode(f *testing.F) { codectest.Fuzz(f, msgpack.Codec{}) }

func BenchmarkCodec(b *testing.B) { codectest.Bench(b, msgpack.Codec{}) }

// TestGenericReader checks that a schema-less MessagePack reader sees the
// documented layout.
func TestGenericReader(t *testing.T) {
	b, err := msgpack.Codec{}.Append(nil, codectest.Full())
	require.NoError(t, err)
	var v []any
	require.NoError(t, mp.Unmarshal(b, &v))
	require.Len(t, v, 8)
	assert.Equal(t, "sb", v[0])
	assert.EqualValues(t, msgpack.Version, v[1])
	assert.EqualValues(t, codec.KindSynAck, v[2])
	digest := v[6].([]any)
	require.Len(t, digest, 2)
	assert.Equal(t, []any{"a", uint64(1<<64 - 1), uint64(1<<64 - 1), uint64(1<<64 - 1), uint64(1<<64 - 1), true}, digest[0])
	deltas := v[7].([]any)
	entries := deltas[1].([]any)[6].([]any)
	assert.Equal(t, []any{"x", "y", int8(2), false}, entries[0])
}

// TestLenientRepresentation checks that other encoders' choices (wide or
// signed integers, bin instead of str) decode and re-encode canonically.
func TestLenientRepresentation(t *testing.T) {
	b := []byte{0x98, 0xa2, 's', 'b',
		0xd3, 0, 0, 0, 0, 0, 0, 0, msgpack.Version, // the version as int64
		0xcc, 0x03, // kind ACK as uint8
		0xc4, 0x01, 'a', // from as bin8
		0xd9, 0x00, // lo as empty str8
		0xa0,       // hi
		0xdc, 0, 0, // digest as empty array16
		0x91, 0x97, 0xa1, 'b', 0x01, 0x02, 0x03, 0xc2, 0x00, 0x90,
	}
	m, err := msgpack.Codec{}.Decode(b)
	require.NoError(t, err)
	assert.Equal(t, &codec.Message{Kind: codec.KindAck, From: "a",
		Deltas: []codec.NodeDelta{{ID: "b", Generation: 1, From: 2, Upto: 3}}}, m)
	codectest.CheckDecode(t, msgpack.Codec{}, b)
}

func TestDecodeErrors(t *testing.T) {
	hdr := []byte{0x98, 0xa2, 's', 'b'}
	msg := func(tail ...byte) []byte { return append(append([]byte(nil), hdr...), tail...) }
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"next version", msg(msgpack.Version+1, 0x01, 0xa1, 'a', 0xa0, 0xa0, 0x90, 0x90), codec.ErrVersion},
		{"next version, more fields", []byte{0x99, 0xa2, 's', 'b', msgpack.Version + 1}, codec.ErrVersion},
		{"version 0", msg(0x00), codec.ErrVersion},
		{"other magic", []byte{0x98, 0xa2, 's', 'c', 0x01}, codec.ErrCodecMismatch},
		{"map", []byte{0x88, 0xa2, 's', 'b', 0x01}, codec.ErrCodecMismatch},
		{"header prefix", []byte{0x98, 0xa2, 's'}, codec.ErrMalformed},
		{"seven fields", []byte{0x97, 0xa2, 's', 'b', msgpack.Version, 0x01, 0xa1, 'a', 0xa0, 0xa0, 0x90}, codec.ErrMalformed},
		{"negative version", msg(0xff), codec.ErrMalformed},
		{"negative number", msg(msgpack.Version, 0x01, 0xa1, 'a', 0xa0, 0xa0, 0x91, 0x96, 0xa1, 'b', 0xd0, 0xff, 0, 0, 0, 0xc2, 0x90), codec.ErrMalformed},
		{"kind 4", msg(msgpack.Version, 0x04, 0xa1, 'a', 0xa0, 0xa0, 0x90, 0x90), codec.ErrMalformed},
		{"kind 257", msg(msgpack.Version, 0xcd, 0x01, 0x01, 0xa1, 'a', 0xa0, 0xa0, 0x90, 0x90), codec.ErrMalformed},
		{"empty from", msg(msgpack.Version, 0x01, 0xa0, 0xa0, 0xa0, 0x90, 0x90), codec.ErrMalformed},
		{"nil from", msg(msgpack.Version, 0x01, 0xc0, 0xa0, 0xa0, 0x90, 0x90), codec.ErrMalformed},
		{"trailing", msg(msgpack.Version, 0x01, 0xa1, 'a', 0xa0, 0xa0, 0x90, 0x90, 0x00), codec.ErrMalformed},
		{"bool as int", msg(msgpack.Version, 0x01, 0xa1, 'a', 0xa0, 0xa0, 0x91, 0x96, 0xa1, 'b', 0, 0, 0, 0, 0x01, 0x90), codec.ErrMalformed},
		// A 14-byte packet cannot hold a 4 GB string or a million entries.
		{"huge string", msg(msgpack.Version, 0x01, 0xdb, 0xff, 0xff, 0xff, 0xff, 'a'), codec.ErrMalformed},
		{"huge digest", msg(msgpack.Version, 0x01, 0xa1, 'a', 0xa0, 0xa0, 0xdd, 0x00, 0x0f, 0x42, 0x40), codec.ErrMalformed},
		{"huge deltas", msg(msgpack.Version, 0x01, 0xa1, 'a', 0xa0, 0xa0, 0x90, 0xdc, 0xff, 0xff), codec.ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := msgpack.Codec{}.Decode(tc.in)
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

// TestHostileAllocations checks that a declared count is not trusted.
func TestHostileAllocations(t *testing.T) {
	in := []byte{0x98, 0xa2, 's', 'b', 0x01, 0x01, 0xa1, 'a', 0xa0, 0xa0, 0xdd, 0xff, 0xff, 0xff, 0xff}
	allocs := testing.AllocsPerRun(10, func() { _, _ = msgpack.Codec{}.Decode(in) })
	assert.LessOrEqual(t, allocs, 8.0)
}

func TestMatch(t *testing.T) {
	b, err := msgpack.Codec{}.Append(nil, codectest.Full())
	require.NoError(t, err)
	assert.True(t, msgpack.Codec{}.Match(b))
	assert.True(t, msgpack.Codec{}.Match([]byte{0x9f, 0xa2, 's', 'b'}), "any fixarray length")
	assert.False(t, msgpack.Codec{}.Match([]byte(`{"scuttlebutt":1}`)))
}

func Example() {
	c := msgpack.Codec{}
	m := &codec.Message{
		Kind:   codec.KindSyn,
		From:   "node-a",
		Digest: codec.Digest{Entries: []codec.DigestEntry{{ID: "node-a", Generation: 7, MaxVersion: 12, Heartbeat: 40}}},
	}
	b, err := c.Append(nil, m)
	if err != nil {
		panic(err)
	}
	fmt.Printf("% x\n", b)
	fmt.Println(len(b) == codec.Size(c, m))
	got, err := c.Decode(b)
	if err != nil {
		panic(err)
	}
	fmt.Println(got.Kind, got.Digest.Entries[0].Heartbeat)
	// Output:
	// 98 a2 73 62 02 01 a6 6e 6f 64 65 2d 61 a0 a0 91 96 a6 6e 6f 64 65 2d 61 07 0c 00 28 c2 90
	// true
	// SYN 40
}
