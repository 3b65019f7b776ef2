package codectest

import (
	"fmt"
	"math"
	"strings"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// Numbers are the boundary values every numeric field is tried with: the
// edges of one-, two- and more-byte varints, of msgpack's integer widths and
// of JSON's exact range.
var Numbers = []uint64{
	0, 1, 127, 128, 255, 256, 16383, 16384, 65535, 65536,
	1<<21 - 1, 1 << 21, math.MaxUint32, 1 << 32, 1<<53 + 1, 1 << 63, math.MaxUint64,
}

// Counts are the list lengths at which a count's encoded width can change
// (msgpack fixarray/array16/array32, varint one/two/three bytes).
var Counts = []int{0, 1, 15, 16, 127, 128, 255, 256, 16383, 16384, 65535, 65536}

// Lengths are the string lengths at which a length prefix can change width.
var Lengths = []int{0, 1, 31, 32, 127, 128, 255, 256, 16383, 16384, 65535, 65536}

// Unicode are valid UTF-8 strings that need care: escapes, control
// characters, multi-byte and astral characters, line separators.
var Unicode = []string{
	"", "a", `"`, `\`, `"\"`, "\x00", "\x01\x1f\x7f", "\b\f\n\r\t", "/</script>&",
	"é", "日本語", "😀", "a😀b\u2028c\u2029", "\ufffd", "\ufeffBOM", "\U0010ffff",
	`\u0041`, "{\"scuttlebutt\":1}",
}

// InvalidUTF8 are strings that are not valid UTF-8. A codec must either
// round-trip them exactly or refuse to encode them; it may never alter them.
var InvalidUTF8 = []string{
	"\xff", "a\xc3", "\xc3(", "\xed\xa0\x80", "\xf4\x90\x80\x80", "ok\x80ok", "\xe2\x82",
}

// Messages returns a fresh corpus of valid messages covering every kind,
// every field and the interesting values of each. Fuzz targets use their
// encodings as seeds.
func Messages() []*codec.Message {
	var ms []*codec.Message
	for _, k := range []codec.Kind{codec.KindSyn, codec.KindSynAck, codec.KindAck} {
		ms = append(ms, &codec.Message{Kind: k, From: "a"})
	}
	ms = append(ms, Full(), TypicalDigest(), TypicalDelta())
	for _, n := range Numbers {
		ms = append(ms, numbered(n))
	}
	for _, s := range Unicode {
		ms = append(ms, stringed(s))
	}
	ms = append(ms, &codec.Message{
		Kind: codec.KindSyn, From: "a",
		Digest: codec.Digest{Lo: "m", Entries: []codec.DigestEntry{{ID: "z", Left: true}}},
	}, &codec.Message{
		Kind: codec.KindSyn, From: "a",
		Digest: codec.Digest{Hi: "m", Entries: []codec.DigestEntry{{ID: "a"}, {ID: "b"}}},
	}, &codec.Message{
		Kind: codec.KindAck, From: "a",
		Deltas: []codec.NodeDelta{{ID: "b"}, {ID: "c", Reset: true}, {ID: "d", Entries: []codec.Entry{{}}}},
	})
	return ms
}

// Full returns a message with every field set to a non-zero value, every flag
// on and the largest numbers.
func Full() *codec.Message {
	const max = math.MaxUint64
	return &codec.Message{
		Kind: codec.KindSynAck,
		From: "node-" + strings.Repeat("x", 300),
		Digest: codec.Digest{
			Lo: "lo-" + strings.Repeat("l", 40),
			Hi: "hi-" + strings.Repeat("h", 40),
			Entries: []codec.DigestEntry{
				{ID: "a", Generation: max, MaxVersion: max, GCVersion: max, Heartbeat: max, Left: true},
				{ID: "b", Generation: 1, MaxVersion: 2, GCVersion: 4, Heartbeat: 3},
			},
		},
		Deltas: []codec.NodeDelta{{
			ID: "a", Generation: max, From: max - 2, Upto: max, Reset: true, GCVersion: max,
			Entries: []codec.Entry{
				{Key: "k", Value: strings.Repeat("v", 1000), Version: max - 1},
				{Key: "t", Version: max, Tombstone: true},
			},
		}, {
			ID: "b", Generation: 5, From: 1, Upto: 3,
			Entries: []codec.Entry{{Key: "x", Value: "y", Version: 2}, {Key: "z", Value: "w", Version: 3}},
		}},
	}
}

// numbered returns a SYNACK with n in every numeric field.
func numbered(n uint64) *codec.Message {
	return &codec.Message{
		Kind: codec.KindSynAck, From: "n",
		Digest: codec.Digest{Entries: []codec.DigestEntry{{ID: "n", Generation: n, MaxVersion: n, GCVersion: n, Heartbeat: n}}},
		Deltas: []codec.NodeDelta{{
			ID: "n", Generation: n, From: n, Upto: n, GCVersion: n,
			Entries: []codec.Entry{{Key: "k", Value: "v", Version: n}},
		}},
	}
}

// stringed returns a SYNACK with s in every string field (prefixed where the
// field must not be empty).
func stringed(s string) *codec.Message {
	id := "id" + s
	return &codec.Message{
		Kind: codec.KindSynAck, From: id,
		Digest: codec.Digest{Lo: s, Hi: s, Entries: []codec.DigestEntry{{ID: id, Heartbeat: 1}}},
		Deltas: []codec.NodeDelta{{
			ID: id, Upto: 1,
			Entries: []codec.Entry{{Key: s, Value: s, Version: 1}},
		}},
	}
}

// WithStrings returns a message like stringed(s) for strings the codec may
// refuse, such as InvalidUTF8.
func WithStrings(s string) *codec.Message { return stringed(s) }

// WithCounts returns a SYNACK with nd digest entries, nn node deltas and ne
// entries in its first node delta (nn is raised to 1 when ne > 0).
func WithCounts(nd, nn, ne int) *codec.Message {
	m := &codec.Message{Kind: codec.KindSynAck, From: "c"}
	for i := range nd {
		m.Digest.Entries = append(m.Digest.Entries, codec.DigestEntry{
			ID: fmt.Sprint("n", i), Generation: 1, MaxVersion: uint64(i), Heartbeat: uint64(i) * 3,
		})
	}
	if ne > 0 && nn == 0 {
		nn = 1
	}
	for i := range nn {
		m.Deltas = append(m.Deltas, codec.NodeDelta{ID: fmt.Sprint("n", i), Generation: 1, Upto: uint64(i)})
	}
	if ne > 0 {
		d := &m.Deltas[0]
		d.Entries = make([]codec.Entry, ne)
		for i := range ne {
			d.Entries[i] = codec.Entry{Key: fmt.Sprint("k", i), Value: "v", Version: uint64(i + 1)}
		}
		d.Upto = uint64(ne)
	}
	return m
}

// WithLength returns a SYNACK whose every string field is n bytes long.
func WithLength(n int) *codec.Message {
	s := strings.Repeat("s", n)
	id := s
	if id == "" {
		id = "i"
	}
	return &codec.Message{
		Kind: codec.KindSynAck, From: id,
		Digest: codec.Digest{Lo: s, Hi: s, Entries: []codec.DigestEntry{{ID: id}}},
		Deltas: []codec.NodeDelta{{ID: id, Entries: []codec.Entry{{Key: s, Value: s}}}},
	}
}

// TypicalDigest returns a SYN with a 50-node digest of realistic IDs and
// counters.
func TypicalDigest() *codec.Message {
	m := &codec.Message{Kind: codec.KindSyn, From: "node-00"}
	for i := range 50 {
		m.Digest.Entries = append(m.Digest.Entries, codec.DigestEntry{
			ID:         fmt.Sprintf("node-%02d", i),
			Generation: 1_717_000_000 + uint64(i),
			MaxVersion: 10_000 + uint64(i)*997,
			Heartbeat:  5_000 + uint64(i)*13,
		})
	}
	return m
}

// StandardState returns the reference node state used to compare codecs: one
// node delta holding 64 keys of 16 bytes and values of 32 bytes, with
// versions between 10^4 and 10^6, in ascending order.
func StandardState() codec.NodeDelta {
	d := codec.NodeDelta{ID: "node-17", Generation: 1_717_000_017}
	const lo, hi = 10_000, 1_000_000
	for i := range 64 {
		v := uint64(lo + i*(hi-lo)/63)
		d.Entries = append(d.Entries, codec.Entry{
			Key:     fmt.Sprintf("service/key-%04d", i),
			Value:   fmt.Sprintf("10.0.%d.%d:7946/%-18s", i/8, i%8, "healthy"),
			Version: v,
		})
	}
	d.Upto = d.Entries[len(d.Entries)-1].Version
	return d
}

// TypicalDelta returns an ACK carrying StandardState.
func TypicalDelta() *codec.Message {
	return &codec.Message{Kind: codec.KindAck, From: "node-00", Deltas: []codec.NodeDelta{StandardState()}}
}
