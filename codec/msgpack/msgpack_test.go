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

func TestHostile(t *testing.T) {
	codectest.Hostile(t, msgpack.Codec{}, codectest.Forgery{Append: msgpack.Forge})
}

// TestGenericReader checks that a schema-less MessagePack reader sees the
// documented layout.
func TestGenericReader(t *testing.T) {
	b, err := msgpack.Codec{}.Append(nil, codectest.Full())
	require.NoError(t, err)
	var v []any
	require.NoError(t, mp.Unmarshal(b, &v))
	require.Len(t, v, 10)
	assert.Equal(t, "sb", v[0])
	assert.EqualValues(t, msgpack.Version, v[1])
	assert.EqualValues(t, codec.KindSynAck, v[2])
	assert.Equal(t, uint64(0xfedcba9876543210), v[4])
	assert.Equal(t, []any{[]any{int8(1), int8(3)}, []any{int8(codec.MaxLevel), uint32(1<<28 - 1)}}, v[5])
	digest := v[6].([]any)
	require.Len(t, digest, 2)
	assert.Equal(t, []any{"a", uint64(1<<64 - 1), uint64(1<<64 - 1), uint64(1<<64 - 1), true}, digest[0])
	buckets := v[7].([]any)
	assert.Equal(t, []any{int8(2), int8(0x35), uint64(1<<64 - 1), uint32(1<<32 - 1)}, buckets[0])
	requests := v[8].([]any)
	assert.Equal(t, []any{"d", int8(0), int8(0), int8(0), false}, requests[1])
	deltas := v[9].([]any)
	entries := deltas[1].([]any)[6].([]any)
	assert.Equal(t, []any{"x", "y", int8(2), false}, entries[0])

	b, err = msgpack.Codec{}.Append(nil, codectest.TypicalPing())
	require.NoError(t, err)
	v = nil
	require.NoError(t, mp.Unmarshal(b, &v))
	assert.Equal(t, []any{"sb", int8(msgpack.Version), int8(codec.KindPing), "node-42", uint64(codectest.TypicalHash),
		[]any{}, []any{}, []any{}, []any{}, []any{}}, v)
}

// TestLenientRepresentation checks that other encoders' choices (wide or
// signed integers, bin instead of str, a hash of 0 in a wide integer) decode
// and re-encode canonically.
func TestLenientRepresentation(t *testing.T) {
	b := []byte{0x9a, 0xa2, 's', 'b',
		0xd3, 0, 0, 0, 0, 0, 0, 0, msgpack.Version, // the version as int64
		0xcc, 0x03, // kind ACK as uint8
		0xc4, 0x01, 'a', // from as bin8
		0xcf, 0, 0, 0, 0, 0, 0, 0, 0, // no hash, as a uint64
		0xdc, 0, 0, // cover as empty array16
		0x90,                                                                // digest
		0x91, 0x94, 0x01, 0xcd, 0x00, 0x0f, 0xd0, 0x05, 0xce, 0, 0, 0, 0x02, // buckets: wide index, int8 hash, uint32 count
		0x90, // requests
		0x91, 0x97, 0xa1, 'b', 0x01, 0x02, 0x03, 0xc2, 0x00, 0x90,
	}
	m, err := msgpack.Codec{}.Decode(b)
	require.NoError(t, err)
	assert.Equal(t, &codec.Message{Kind: codec.KindAck, From: "a",
		Buckets: []codec.Bucket{{BucketID: codec.BucketID{Level: 1, Index: 15}, Hash: 5, Count: 2}},
		Deltas:  []codec.NodeDelta{{ID: "b", Generation: 1, From: 2, Upto: 3}}}, m)
	codectest.CheckDecode(t, msgpack.Codec{}, b)

	// A hash written in its shortest form instead of the 9-byte uint64.
	b = []byte{0x9a, 0xa2, 's', 'b', msgpack.Version, 0x04, 0xa1, 'a', 0x07, 0x90, 0x90, 0x90, 0x90, 0x90}
	m, err = msgpack.Codec{}.Decode(b)
	require.NoError(t, err)
	assert.Equal(t, &codec.Message{Kind: codec.KindPing, From: "a", Hash: 7}, m)
	codectest.CheckDecode(t, msgpack.Codec{}, b)
}

func TestDecodeErrors(t *testing.T) {
	hdr := []byte{0x9a, 0xa2, 's', 'b'}
	msg := func(tail ...byte) []byte { return append(append([]byte(nil), hdr...), tail...) }
	// lists is the tail of a message whose five lists are as given.
	lists := func(cover, digest, buckets, requests, deltas []byte) []byte {
		var b []byte
		for _, l := range [][]byte{cover, digest, buckets, requests, deltas} {
			if l == nil {
				l = []byte{0x90}
			}
			b = append(b, l...)
		}
		return b
	}
	// syn is a SYNACK from "a" with no hash and the given lists.
	syn := func(cover, digest, buckets, requests, deltas []byte) []byte {
		return msg(append([]byte{msgpack.Version, 0x02, 0xa1, 'a', 0x00}, lists(cover, digest, buckets, requests, deltas)...)...)
	}
	empty := lists(nil, nil, nil, nil, nil)
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"valid", syn(nil, nil, nil, nil, nil), nil},
		{"valid ping", msg(append([]byte{msgpack.Version, 0x04, 0xa1, 'a', 0xcf, 1, 2, 3, 4, 5, 6, 7, 8}, empty...)...), nil},
		{"version 2", []byte{0x98, 0xa2, 's', 'b', 0x02, 0x01, 0xa1, 'a', 0xa0, 0xa0, 0x90, 0x90}, codec.ErrVersion},
		{"next version", msg(append([]byte{msgpack.Version + 1, 0x01, 0xa1, 'a', 0x00}, empty...)...), codec.ErrVersion},
		{"next version, more fields", []byte{0x9b, 0xa2, 's', 'b', msgpack.Version + 1}, codec.ErrVersion},
		{"version 0", msg(0x00), codec.ErrVersion},
		{"other magic", []byte{0x9a, 0xa2, 's', 'c', 0x03}, codec.ErrCodecMismatch},
		{"map", []byte{0x8a, 0xa2, 's', 'b', 0x03}, codec.ErrCodecMismatch},
		{"header prefix", []byte{0x9a, 0xa2, 's'}, codec.ErrMalformed},
		{"nine fields", []byte{0x99, 0xa2, 's', 'b', msgpack.Version, 0x01, 0xa1, 'a', 0x00, 0x90, 0x90, 0x90, 0x90}, codec.ErrMalformed},
		{"negative version", msg(0xff), codec.ErrMalformed},
		{"negative number", syn(nil, []byte{0x91, 0x95, 0xa1, 'b', 0xd0, 0xff, 0, 0, 0xc2}, nil, nil, nil), codec.ErrMalformed},
		{"kind 0", msg(append([]byte{msgpack.Version, 0x00, 0xa1, 'a', 0x00}, empty...)...), codec.ErrMalformed},
		{"kind 6", msg(append([]byte{msgpack.Version, 0x06, 0xa1, 'a', 0x00}, empty...)...), codec.ErrMalformed},
		{"kind 257", msg(append([]byte{msgpack.Version, 0xcd, 0x01, 0x01, 0xa1, 'a', 0x00}, empty...)...), codec.ErrMalformed},
		{"empty from", msg(append([]byte{msgpack.Version, 0x01, 0xa0, 0x00}, empty...)...), codec.ErrMalformed},
		{"nil from", msg(append([]byte{msgpack.Version, 0x01, 0xc0, 0x00}, empty...)...), codec.ErrMalformed},
		{"nil hash", msg(append([]byte{msgpack.Version, 0x01, 0xa1, 'a', 0xc0}, empty...)...), codec.ErrMalformed},
		{"negative hash", msg(append([]byte{msgpack.Version, 0x01, 0xa1, 'a', 0xff}, empty...)...), codec.ErrMalformed},
		{"hash as bin", msg(append([]byte{msgpack.Version, 0x01, 0xa1, 'a', 0xc4, 0x01, 0x01}, empty...)...), codec.ErrMalformed},
		{"trailing", append(syn(nil, nil, nil, nil, nil), 0x00), codec.ErrMalformed},
		{"bool as int", syn(nil, []byte{0x91, 0x95, 0xa1, 'b', 0, 0, 0, 0x01}, nil, nil, nil), codec.ErrMalformed},
		{"digest entry with heartbeat", syn(nil, []byte{0x91, 0x96, 0xa1, 'b', 0, 0, 0, 0, 0xc2}, nil, nil, nil), codec.ErrMalformed},
		{"empty request id", syn(nil, nil, nil, []byte{0x91, 0x95, 0xa0, 0, 0, 0, 0xc2}, nil), codec.ErrMalformed},
		{"cover", syn([]byte{0x92, 0x92, 0x00, 0x00, 0x92, 0x07, 0xce, 0x0f, 0xff, 0xff, 0xff}, nil, nil, nil, nil), nil},
		{"cover level 8", syn([]byte{0x91, 0x92, 0x08, 0x00}, nil, nil, nil, nil), codec.ErrMalformed},
		{"cover level 256", syn([]byte{0x91, 0x92, 0xcd, 0x01, 0x00, 0x00}, nil, nil, nil, nil), codec.ErrMalformed},
		{"cover root index 1", syn([]byte{0x91, 0x92, 0x00, 0x01}, nil, nil, nil, nil), codec.ErrMalformed},
		{"cover level 1 index 16", syn([]byte{0x91, 0x92, 0x01, 0x10}, nil, nil, nil, nil), codec.ErrMalformed},
		{"cover MaxLevel index 2^28", syn([]byte{0x91, 0x92, 0x07, 0xce, 0x10, 0, 0, 0}, nil, nil, nil, nil), codec.ErrMalformed},
		{"cover index 2^32", syn([]byte{0x91, 0x92, 0x07, 0xcf, 0, 0, 0, 0x01, 0, 0, 0, 0}, nil, nil, nil, nil), codec.ErrMalformed},
		{"cover three fields", syn([]byte{0x91, 0x93, 0x01, 0x01, 0x01}, nil, nil, nil, nil), codec.ErrMalformed},
		{"bucket", syn(nil, nil, []byte{0x91, 0x94, 0x01, 0x0f, 0x00, 0x00}, nil, nil), nil},
		{"bucket level 8", syn(nil, nil, []byte{0x91, 0x94, 0x08, 0x00, 0x00, 0x00}, nil, nil), codec.ErrMalformed},
		{"bucket level 1 index 16", syn(nil, nil, []byte{0x91, 0x94, 0x01, 0x10, 0x00, 0x00}, nil, nil), codec.ErrMalformed},
		{"bucket count 2^32", syn(nil, nil, []byte{0x91, 0x94, 0x01, 0x00, 0x00, 0xcf, 0, 0, 0, 0x01, 0, 0, 0, 0}, nil, nil), codec.ErrMalformed},
		{"bucket three fields", syn(nil, nil, []byte{0x91, 0x93, 0x01, 0x00, 0x00}, nil, nil), codec.ErrMalformed},
		// A short packet cannot hold a 4 GB string or a million items.
		{"huge string", msg(msgpack.Version, 0x01, 0xdb, 0xff, 0xff, 0xff, 0xff, 'a'), codec.ErrMalformed},
		{"huge cover", syn([]byte{0xdd, 0x00, 0x0f, 0x42, 0x40}, nil, nil, nil, nil), codec.ErrMalformed},
		{"huge digest", syn(nil, []byte{0xdd, 0x00, 0x0f, 0x42, 0x40}, nil, nil, nil), codec.ErrMalformed},
		{"huge buckets", syn(nil, nil, []byte{0xdc, 0xff, 0xff}, nil, nil), codec.ErrMalformed},
		{"huge requests", syn(nil, nil, nil, []byte{0xdd, 0xff, 0xff, 0xff, 0xff}, nil), codec.ErrMalformed},
		{"huge deltas", syn(nil, nil, nil, nil, []byte{0xdc, 0xff, 0xff}), codec.ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := msgpack.Codec{}.Decode(tc.in)
			if tc.want == nil {
				assert.NoError(t, err)
				codectest.CheckDecode(t, msgpack.Codec{}, tc.in)
				return
			}
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

// TestHostileAllocations checks that a declared count is not trusted.
func TestHostileAllocations(t *testing.T) {
	in := []byte{0x9a, 0xa2, 's', 'b', msgpack.Version, 0x01, 0xa1, 'a', 0x00, 0xdd, 0xff, 0xff, 0xff, 0xff}
	allocs := testing.AllocsPerRun(10, func() { _, _ = msgpack.Codec{}.Decode(in) })
	assert.LessOrEqual(t, allocs, 8.0)
}

func TestMatch(t *testing.T) {
	b, err := msgpack.Codec{}.Append(nil, codectest.Full())
	require.NoError(t, err)
	assert.True(t, msgpack.Codec{}.Match(b))
	assert.True(t, msgpack.Codec{}.Match([]byte{0x9f, 0xa2, 's', 'b'}), "any fixarray length")
	assert.False(t, msgpack.Codec{}.Match([]byte(`{"scuttlebutt":3}`)))
}

func Example() {
	c := msgpack.Codec{}
	m := &codec.Message{
		Kind:   codec.KindSyn,
		From:   "node-a",
		Hash:   0x0123456789abcdef,
		Digest: codec.Digest{Entries: []codec.DigestEntry{{ID: "node-a", Generation: 7, MaxVersion: 12}}},
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
	fmt.Printf("%s %#x %d\n", got.Kind, got.Hash, got.Digest.Entries[0].MaxVersion)
	// Output:
	// 9a a2 73 62 03 01 a6 6e 6f 64 65 2d 61 cf 01 23 45 67 89 ab cd ef 90 91 95 a6 6e 6f 64 65 2d 61 07 0c 00 c2 90 90 90
	// true
	// SYN 0x123456789abcdef 12
}
