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

// Hashes are digest hash values that need care: the smallest, one whose
// little- and big-endian bytes differ in every position, ones with the top
// bit set or with bytes that look like varint continuations or format
// markers, and the largest.
var Hashes = []uint64{1, 0x0102030405060708, 0x80, 0x8000000000000000, 0xcfcfcfcfcfcfcfcf, 0x7f7f7f7f7f7f7f7f, math.MaxUint64}

// Kinds are the valid message kinds, in order.
var Kinds = []codec.Kind{codec.KindSyn, codec.KindSynAck, codec.KindAck, codec.KindPing, codec.KindPong}

// LastIndex returns the largest bucket index at level l.
func LastIndex(l uint8) uint32 {
	return uint32(uint64(1)<<(codec.BucketBits*uint(l)) - 1)
}

// Messages returns a fresh corpus of valid messages covering every kind,
// every field and section and the interesting values of each. Fuzz targets
// use their encodings as seeds.
func Messages() []*codec.Message {
	var ms []*codec.Message
	for _, k := range Kinds {
		ms = append(ms, &codec.Message{Kind: k, From: "a"})
	}
	for _, k := range Kinds {
		ms = append(ms, &codec.Message{Kind: k, From: "a", Hash: 0x0102030405060708})
	}
	ms = append(ms, Full(), TypicalPing(), TypicalSyn(), TypicalWalk(), TypicalListing(),
		TypicalDigest(), TypicalDelta())
	for _, h := range Hashes {
		ms = append(ms, &codec.Message{Kind: codec.KindPing, From: "p", Hash: h})
	}
	for _, n := range Numbers {
		ms = append(ms, numbered(n))
	}
	for _, n := range Numbers {
		if n > 0 { // zero rates are none
			ms = append(ms, rated(n))
		}
	}
	for _, s := range Unicode {
		ms = append(ms, stringed(s))
	}
	for l := uint8(0); l <= codec.MaxLevel; l++ {
		ms = append(ms, leveled(l))
	}
	ms = append(ms,
		// One small message per section, alone, so that hostile counts are
		// spliced into each section's count.
		&codec.Message{Kind: codec.KindSynAck, From: "a", Digest: codec.Digest{Cover: []codec.BucketID{{Level: 1, Index: 9}}}},
		&codec.Message{Kind: codec.KindSyn, From: "a", Digest: codec.Digest{Entries: []codec.DigestEntry{{ID: "z", Left: true}}}},
		&codec.Message{Kind: codec.KindSynAck, From: "a", Buckets: []codec.Bucket{{BucketID: codec.BucketID{Level: 2, Index: 200}, Hash: 7, Count: 3}}},
		&codec.Message{Kind: codec.KindSynAck, From: "a", Requests: []codec.DigestEntry{{ID: "b", Left: true}}},
		&codec.Message{Kind: codec.KindAck, From: "a", Deltas: []codec.NodeDelta{{ID: "b"}, {ID: "c", Reset: true}, {ID: "d", Entries: []codec.Entry{{}}}}},
		// Rates alone, one of them zero.
		WithRates(codec.Rates{Desired: 1500}),
		WithRates(codec.Rates{Max: math.MaxUint64}),
		&codec.Message{Kind: codec.KindSynAck, From: "a", Rates: codec.Rates{Desired: 1, Max: 2},
			Deltas: []codec.NodeDelta{{ID: "b", Entries: []codec.Entry{{Key: "k", Value: "v", Version: 1}}}}},
		// A PONG answering a PING whose hash differed.
		&codec.Message{Kind: codec.KindPong, From: "b", Hash: math.MaxUint64,
			Digest: codec.Digest{Entries: []codec.DigestEntry{{ID: "b", Generation: 2, MaxVersion: 9}, {ID: "c", Generation: 1, Left: true}}}},
		// A SYNACK that both lists a covered bucket and asks for nodes.
		&codec.Message{Kind: codec.KindSynAck, From: "a",
			Digest:   codec.Digest{Cover: []codec.BucketID{{}}, Entries: []codec.DigestEntry{{ID: "a", Generation: 1}}},
			Requests: []codec.DigestEntry{{ID: "b"}, {ID: "a", Generation: 1, MaxVersion: 4, Left: true}}},
		// Empty buckets, a zero bucket hash and the largest count.
		&codec.Message{Kind: codec.KindSynAck, From: "a", Buckets: []codec.Bucket{
			{}, {BucketID: codec.BucketID{Level: 1}, Count: math.MaxUint32}, {BucketID: codec.BucketID{Level: 1, Index: 15}, Hash: math.MaxUint64}}},
	)
	return ms
}

// Full returns a message with every field and section set to non-zero
// values, every flag on and the largest numbers.
func Full() *codec.Message {
	const max = math.MaxUint64
	return &codec.Message{
		Kind: codec.KindSynAck,
		From: "node-" + strings.Repeat("x", 300),
		Hash: 0xfedcba9876543210,
		Digest: codec.Digest{
			Cover: []codec.BucketID{{Level: 1, Index: 3}, {Level: codec.MaxLevel, Index: LastIndex(codec.MaxLevel)}},
			Entries: []codec.DigestEntry{
				{ID: "a", Generation: max, MaxVersion: max, GCVersion: max, Left: true},
				{ID: "b", Generation: 1, MaxVersion: 2, GCVersion: 4},
			},
		},
		Buckets: []codec.Bucket{
			{BucketID: codec.BucketID{Level: 2, Index: 0x35}, Hash: max, Count: math.MaxUint32},
			{BucketID: codec.BucketID{Level: codec.MaxLevel, Index: 1 << 27}, Hash: 0x8080808080808080, Count: 1},
		},
		Requests: []codec.DigestEntry{
			{ID: "c", Generation: max, MaxVersion: max, GCVersion: max, Left: true},
			{ID: "d"},
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

// rated returns a SYN and a SYNACK with flow-control rates: the SYN with n
// as its desired rate and none allowed, the SYNACK with every section and n
// as both rates.
func rated(n uint64) *codec.Message {
	m := numbered(n)
	m.Rates = codec.Rates{Desired: n, Max: n}
	return m
}

// WithRates returns a SYN carrying only a hash and the given rates.
func WithRates(r codec.Rates) *codec.Message {
	return &codec.Message{Kind: codec.KindSyn, From: "r", Hash: TypicalHash, Rates: r}
}

// numbered returns a SYNACK with n in every numeric field (bucket counts
// are truncated to 32 bits, indexes to the deepest level's 28 bits).
func numbered(n uint64) *codec.Message {
	id := codec.BucketID{Level: codec.MaxLevel, Index: uint32(n) & LastIndex(codec.MaxLevel)}
	return &codec.Message{
		Kind: codec.KindSynAck, From: "n", Hash: n,
		Digest: codec.Digest{
			Cover:   []codec.BucketID{id},
			Entries: []codec.DigestEntry{{ID: "n", Generation: n, MaxVersion: n, GCVersion: n}},
		},
		Buckets:  []codec.Bucket{{BucketID: id, Hash: n, Count: uint32(n)}},
		Requests: []codec.DigestEntry{{ID: "r", Generation: n, MaxVersion: n, GCVersion: n}},
		Deltas: []codec.NodeDelta{{
			ID: "n", Generation: n, From: n, Upto: n, GCVersion: n,
			Entries: []codec.Entry{{Key: "k", Value: "v", Version: n}},
		}},
	}
}

// leveled returns a SYNACK with the first and last bucket of level l, as
// cover and as bucket hashes.
func leveled(l uint8) *codec.Message {
	first, last := codec.BucketID{Level: l}, codec.BucketID{Level: l, Index: LastIndex(l)}
	return &codec.Message{
		Kind: codec.KindSynAck, From: "l",
		Digest:  codec.Digest{Cover: []codec.BucketID{first, last}},
		Buckets: []codec.Bucket{{BucketID: first, Hash: 1, Count: 1}, {BucketID: last, Hash: 2, Count: 2}},
	}
}

// stringed returns a SYNACK with s in every string field (prefixed where the
// field must not be empty).
func stringed(s string) *codec.Message {
	id := "id" + s
	return &codec.Message{
		Kind: codec.KindSynAck, From: id,
		Digest:   codec.Digest{Entries: []codec.DigestEntry{{ID: id, MaxVersion: 1}}},
		Requests: []codec.DigestEntry{{ID: id}},
		Deltas: []codec.NodeDelta{{
			ID: id, Upto: 1,
			Entries: []codec.Entry{{Key: s, Value: s, Version: 1}},
		}},
	}
}

// WithStrings returns a message like stringed(s) for strings the codec may
// refuse, such as InvalidUTF8.
func WithStrings(s string) *codec.Message { return stringed(s) }

// ListCounts are the lengths of a message's lists, for WithCounts.
type ListCounts struct {
	// Cover, Digest, Buckets, Requests and Deltas are the lengths of
	// Digest.Cover, Digest.Entries, Buckets, Requests and Deltas.
	Cover, Digest, Buckets, Requests, Deltas int
	// Entries is the number of entries in the first node delta; Deltas is
	// raised to 1 when it is positive.
	Entries int
}

// WithCounts returns a SYNACK whose lists have the lengths in n. Its
// buckets and covered buckets run through the levels' indexes in order.
func WithCounts(n ListCounts) *codec.Message {
	m := &codec.Message{Kind: codec.KindSynAck, From: "c"}
	for i := range n.Cover {
		m.Digest.Cover = append(m.Digest.Cover, nthBucket(i))
	}
	for i := range n.Digest {
		m.Digest.Entries = append(m.Digest.Entries, codec.DigestEntry{
			ID: fmt.Sprint("n", i), Generation: 1, MaxVersion: uint64(i), GCVersion: uint64(i) / 3,
		})
	}
	for i := range n.Buckets {
		m.Buckets = append(m.Buckets, codec.Bucket{BucketID: nthBucket(i), Hash: uint64(i) * 0x9e3779b97f4a7c15, Count: uint32(i)})
	}
	for i := range n.Requests {
		m.Requests = append(m.Requests, codec.DigestEntry{ID: fmt.Sprint("r", i), MaxVersion: uint64(i)})
	}
	nn := n.Deltas
	if n.Entries > 0 && nn == 0 {
		nn = 1
	}
	for i := range nn {
		m.Deltas = append(m.Deltas, codec.NodeDelta{ID: fmt.Sprint("n", i), Generation: 1, Upto: uint64(i)})
	}
	if n.Entries > 0 {
		d := &m.Deltas[0]
		d.Entries = make([]codec.Entry, n.Entries)
		for i := range n.Entries {
			d.Entries[i] = codec.Entry{Key: fmt.Sprint("k", i), Value: "v", Version: uint64(i + 1)}
		}
		d.Upto = uint64(n.Entries)
	}
	return m
}

// nthBucket numbers the buckets of levels 1, 2, ... in order.
func nthBucket(i int) codec.BucketID {
	for l := uint8(1); ; l++ {
		if n := int(LastIndex(l)) + 1; i >= n && l < codec.MaxLevel {
			i -= n
			continue
		}
		return codec.BucketID{Level: l, Index: uint32(i)}
	}
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
		Digest:   codec.Digest{Entries: []codec.DigestEntry{{ID: id}}},
		Requests: []codec.DigestEntry{{ID: id}},
		Deltas:   []codec.NodeDelta{{ID: id, Entries: []codec.Entry{{Key: s, Value: s}}}},
	}
}

// TypicalHash is the digest hash the typical messages carry.
const TypicalHash = 0x9d5a_3c7e_41b2_f086

// TypicalPing returns a PING from "node-42" carrying its hash: the message
// a quiet cluster sends most.
func TypicalPing() *codec.Message {
	return &codec.Message{Kind: codec.KindPing, From: "node-42", Hash: TypicalHash}
}

// TypicalSyn returns a SYN from "node-42" carrying its hash and the digest
// entries of the two nodes that changed lately.
func TypicalSyn() *codec.Message {
	return &codec.Message{Kind: codec.KindSyn, From: "node-42", Hash: TypicalHash,
		Digest: codec.Digest{Entries: []codec.DigestEntry{
			{ID: "node-07", Generation: 1_717_000_007, MaxVersion: 16_979},
			{ID: "node-42", Generation: 1_717_000_042, MaxVersion: 51_874, GCVersion: 51_000},
		}},
	}
}

// TypicalWalk returns a SYNACK from "node-42" that starts a bucket walk: its
// hash and the 16 buckets of level 1 of a 100-node cluster.
func TypicalWalk() *codec.Message {
	m := &codec.Message{Kind: codec.KindSynAck, From: "node-42", Hash: TypicalHash}
	for i := range 1 << codec.BucketBits {
		m.Buckets = append(m.Buckets, codec.Bucket{
			BucketID: codec.BucketID{Level: 1, Index: uint32(i)},
			Hash:     TypicalHash * uint64(2*i+1),
			Count:    uint32(4 + i%5),
		})
	}
	return m
}

// TypicalListing returns a SYNACK of a bucket walk in a 100-node cluster
// (nodes "node-00" to "node-99"): the complete listing of two level-1
// buckets, and a request for one node.
func TypicalListing() *codec.Message {
	m := &codec.Message{Kind: codec.KindSynAck, From: "node-42",
		Digest: codec.Digest{Cover: []codec.BucketID{{Level: 1, Index: 3}, {Level: 1, Index: 12}}}}
	for i := range 100 {
		id := fmt.Sprintf("node-%02d", i)
		if m.Digest.Covers(id) {
			m.Digest.Entries = append(m.Digest.Entries, codec.DigestEntry{
				ID:         id,
				Generation: 1_717_000_000 + uint64(i),
				MaxVersion: 10_000 + uint64(i)*997,
			})
		}
	}
	m.Requests = []codec.DigestEntry{{ID: "node-11", Generation: 1_717_000_011, MaxVersion: 20_967}}
	return m
}

// TypicalDigest returns a SYN with its hash and a 50-node digest of
// realistic IDs and counters.
func TypicalDigest() *codec.Message {
	m := &codec.Message{Kind: codec.KindSyn, From: "node-00", Hash: TypicalHash}
	for i := range 50 {
		m.Digest.Entries = append(m.Digest.Entries, codec.DigestEntry{
			ID:         fmt.Sprintf("node-%02d", i),
			Generation: 1_717_000_000 + uint64(i),
			MaxVersion: 10_000 + uint64(i)*997,
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
