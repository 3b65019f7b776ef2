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

func TestHostile(t *testing.T) {
	codectest.Hostile(t, binary.Codec{}, codectest.Forgery{Append: binary.Forge, RefusesEmpty: true})
}

func TestDecodeErrors(t *testing.T) {
	msg := func(tail ...byte) []byte { return append([]byte{'S', 'B'}, tail...) }
	// head is the header of a message of kind k from "a" with presence
	// flags f.
	head := func(k, f byte, tail ...byte) []byte {
		return msg(append([]byte{binary.Version, k, f, 0x01, 'a'}, tail...)...)
	}
	const (
		syn, synack, ack, ping, pong                   = 0x01, 0x02, 0x03, 0x04, 0x05
		hash, cover, digest, buckets, requests, deltas = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
	)
	h := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	with := func(parts ...[]byte) []byte {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	entry := []byte{0x00, 0x01, 'b', 0x01, 0x02, 0x03}
	bucket := func(level, index byte) []byte { return with([]byte{level, index}, h, []byte{0x05}) }
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"valid", head(syn, 0), nil},
		{"valid ping", head(ping, hash, h...), nil},
		{"valid pong", head(pong, hash|digest, with(h, []byte{0x01}, entry)...), nil},
		{"every section", head(synack, hash|cover|digest|buckets|requests|deltas, with(h,
			[]byte{0x01, 0x01, 0x0f},
			[]byte{0x01}, entry,
			[]byte{0x01}, bucket(codec.MaxLevel, 0x7f),
			[]byte{0x01}, entry,
			[]byte{0x01, 0x00, 0x01, 'c', 0, 0, 0, 0, 0x00})...), nil},
		{"version 2", msg(0x02, 0x01, 0x01, 'a', 0x00, 0x00, 0x00, 0x00), codec.ErrVersion},
		{"version 2, short", msg(0x02), codec.ErrVersion},
		{"next version", msg(binary.Version+1, 0x01, 0x00, 0x01, 'a'), codec.ErrVersion},
		{"version 0", msg(0x00), codec.ErrVersion},
		{"version 128", msg(0x80, 0x01), codec.ErrVersion},
		{"other magic", []byte{'S', 'C', 0x01}, codec.ErrCodecMismatch},
		{"json", []byte(`{"scuttlebutt":3}`), codec.ErrCodecMismatch},
		{"empty", nil, codec.ErrMalformed},
		{"half magic", []byte{'S'}, codec.ErrMalformed},
		{"no version", msg(), codec.ErrMalformed},
		{"long version", msg(0x83, 0x00), codec.ErrMalformed},
		{"no kind", msg(binary.Version), codec.ErrMalformed},
		{"no flags", msg(binary.Version, syn), codec.ErrMalformed},
		{"kind 0", head(0x00, 0), codec.ErrMalformed},
		{"kind 6", head(0x06, 0), codec.ErrMalformed},
		{"kind 255", head(0xff, hash, h...), codec.ErrMalformed},
		{"flag bit 6", head(syn, 0x40), codec.ErrMalformed},
		{"flag bit 7", head(ping, 0x80|hash, h...), codec.ErrMalformed},
		{"empty from", msg(binary.Version, syn, 0x00, 0x00), codec.ErrMalformed},
		{"trailing", head(syn, 0, 0x00), codec.ErrMalformed},
		{"hash absent, bytes follow", head(ping, 0, h...), codec.ErrMalformed},
		{"hash truncated", head(ping, hash, h[:7]...), codec.ErrMalformed},
		{"zero hash marked present", head(ping, hash, 0, 0, 0, 0, 0, 0, 0, 0), codec.ErrMalformed},
		{"present empty cover", head(synack, cover, 0x00), codec.ErrMalformed},
		{"present empty digest", head(syn, digest, 0x00), codec.ErrMalformed},
		{"present empty buckets", head(synack, buckets, 0x00), codec.ErrMalformed},
		{"present empty requests", head(synack, requests, 0x00), codec.ErrMalformed},
		{"present empty deltas", head(ack, deltas, 0x00), codec.ErrMalformed},
		{"present section missing", head(synack, cover|digest, 0x01, 0x01, 0x03), codec.ErrMalformed},
		{"sections out of order", head(synack, cover|digest, with([]byte{0x01}, entry, []byte{0x01, 0x01, 0x03})...), codec.ErrMalformed},
		{"non-shortest count", head(syn, digest, with([]byte{0x81, 0x00}, entry)...), codec.ErrMalformed},
		{"cover level 8", head(synack, cover, 0x01, codec.MaxLevel+1, 0x00), codec.ErrMalformed},
		{"cover level 255", head(synack, cover, 0x01, 0xff, 0x00), codec.ErrMalformed},
		{"cover root index 1", head(synack, cover, 0x01, 0x00, 0x01), codec.ErrMalformed},
		{"cover root", head(synack, cover, 0x01, 0x00, 0x00), nil},
		{"cover level 1 index 15", head(synack, cover, 0x01, 0x01, 0x0f), nil},
		{"cover level 1 index 16", head(synack, cover, 0x01, 0x01, 0x10), codec.ErrMalformed},
		{"cover MaxLevel last index", head(synack, cover, 0x01, codec.MaxLevel, 0xff, 0xff, 0xff, 0x7f), nil},
		{"cover MaxLevel index 2^28", head(synack, cover, 0x01, codec.MaxLevel, 0x80, 0x80, 0x80, 0x80, 0x01), codec.ErrMalformed},
		{"cover index past 32 bits", head(synack, cover, 0x01, codec.MaxLevel, 0x80, 0x80, 0x80, 0x80, 0x10), codec.ErrMalformed},
		{"bucket level 8", head(synack, buckets, with([]byte{0x01}, bucket(codec.MaxLevel+1, 0))...), codec.ErrMalformed},
		{"bucket level 1 index 16", head(synack, buckets, with([]byte{0x01}, bucket(1, 0x10))...), codec.ErrMalformed},
		{"bucket count 2^32", head(synack, buckets, with([]byte{0x01, 0x01, 0x00}, h, []byte{0x80, 0x80, 0x80, 0x80, 0x10})...), codec.ErrMalformed},
		{"bucket count 2^32-1", head(synack, buckets, with([]byte{0x01, 0x01, 0x00}, h, []byte{0xff, 0xff, 0xff, 0xff, 0x0f})...), nil},
		{"bucket truncated hash", head(synack, buckets, 0x01, 0x01, 0x00, 1, 2, 3, 4, 5, 6, 7, 8), codec.ErrMalformed},
		{"varint 11 bytes", head(syn, digest, 0x01, 0x00, 0x01, 'b', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0), codec.ErrMalformed},
		{"varint past 64 bits", head(syn, digest, 0x01, 0x00, 0x01, 'b', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0), codec.ErrMalformed},
		{"max varint", head(syn, digest, 0x01, 0x00, 0x01, 'b', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0), nil},
		{"undefined entry flag", head(syn, digest, 0x01, 0x02, 0x01, 'b', 0, 0, 0), codec.ErrMalformed},
		{"undefined request flag", head(synack, requests, 0x01, 0x80, 0x01, 'b', 0, 0, 0), codec.ErrMalformed},
		{"undefined delta flag", head(ack, deltas, 0x01, 0x02, 0x01, 'b', 0, 0, 0, 0, 0x00), codec.ErrMalformed},
		{"undefined tombstone flag", head(ack, deltas, 0x01, 0x00, 0x01, 'b', 0, 0, 0, 0, 0x01, 0x04, 0x00, 0x00, 0x01), codec.ErrMalformed},
		{"empty id", head(syn, digest, 0x01, 0x00, 0x00, 0, 0, 0), codec.ErrMalformed},
		{"empty request id", head(synack, requests, 0x01, 0x01, 0x00, 0, 0, 0), codec.ErrMalformed},
		// A short packet cannot declare a 4 GB string or a million items.
		{"huge string", msg(binary.Version, syn, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 'a'), codec.ErrMalformed},
		{"huge cover", head(synack, cover, 0xc0, 0x84, 0x3d, 0x01, 0x00), codec.ErrMalformed},
		{"huge digest", head(syn, digest, 0xc0, 0x84, 0x3d), codec.ErrMalformed},
		{"huge buckets", head(synack, buckets, with([]byte{0x02}, bucket(1, 1))...), codec.ErrMalformed},
		{"huge requests", head(synack, requests, 0xff, 0xff, 0xff, 0xff, 0x0f), codec.ErrMalformed},
		{"huge deltas", head(ack, deltas, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), codec.ErrMalformed},
		{"huge entries", head(ack, deltas, 0x01, 0x00, 0x01, 'b', 0, 0, 0, 0, 0xff, 0xff, 0x03), codec.ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := binary.Codec{}.Decode(tc.in)
			if tc.want == nil {
				assert.NoError(t, err)
				codectest.CheckDecode(t, binary.Codec{}, tc.in)
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

	hostile := []byte{'S', 'B', binary.Version, 0x02, 0x10, 0x01, 'a', 0xff, 0xff, 0xff, 0xff, 0x0f}
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
		Hash:   0x0123456789abcdef,
		Digest: codec.Digest{Entries: []codec.DigestEntry{{ID: "a", Generation: 7, MaxVersion: 300}}},
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
	fmt.Printf("%s %s %#x %d\n", got.Kind, got.From, got.Hash, got.Digest.Entries[0].MaxVersion)
	// Output:
	// 53 42 03 01 05 01 61 ef cd ab 89 67 45 23 01 01 00 01 61 07 ac 02 00
	// 23 23
	// SYN a 0x123456789abcdef 300
}

// Example_ping shows the smallest message with a hash: a PING is the
// header, one presence byte, the sender and the 8-byte hash.
func Example_ping() {
	c := binary.Codec{}
	m := &codec.Message{Kind: codec.KindPing, From: "node-42", Hash: 0x0123456789abcdef}
	b, err := c.Append(nil, m)
	if err != nil {
		panic(err)
	}
	fmt.Printf("% x\n", b)
	fmt.Println(len(b), codec.Size(c, m))
	// Output:
	// 53 42 03 04 01 07 6e 6f 64 65 2d 34 32 ef cd ab 89 67 45 23 01
	// 21 21
}

// Rates are an optional trailing part: a message without them encodes as
// before (no flag, no bytes), one with them sets flag bit 6 and ends with
// two varints, and rates marked present but both zero are refused.
func TestRatesOptional(t *testing.T) {
	c := binary.Codec{}
	plain := codectest.WithRates(codec.Rates{})
	without, err := c.Append(nil, plain)
	require.NoError(t, err)
	rated := codectest.WithRates(codec.Rates{Desired: 1000, Max: 2})
	with, err := c.Append(nil, rated)
	require.NoError(t, err)
	flags := len(binary.Magic) + 1 + 1 // magic, version varint, kind
	assert.Zero(t, without[flags]&(1<<6), "no rates, no flag")
	assert.NotZero(t, with[flags]&(1<<6), "rates set flag bit 6")
	assert.Equal(t, without[flags+1:], with[flags+1:len(with)-3], "rates only add their varints at the end")
	assert.Equal(t, []byte{0xe8, 0x07, 0x02}, with[len(with)-3:])
	m, err := c.Decode(with)
	require.NoError(t, err)
	assert.Equal(t, rated.Rates, m.Rates)

	zero := append(bytes.Clone(with[:len(with)-3]), 0, 0)
	_, err = c.Decode(zero)
	assert.ErrorIs(t, err, codec.ErrMalformed)
}
