package binary

import (
	"fmt"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// Version is the protocol version this codec writes and the only one it
// reads: codec.Version.
const Version = codec.Version

// Magic is the two bytes every message starts with.
const Magic = "SB"

// Section bits of the message's presence flags: which of the hash and the
// lists follow the sender. Bits not defined here must be zero.
const (
	hasHash     = 1 << 0 // the 8-byte hash
	hasCover    = 1 << 1 // Digest.Cover
	hasDigest   = 1 << 2 // Digest.Entries
	hasBuckets  = 1 << 3 // Buckets
	hasRequests = 1 << 4 // Requests
	hasDeltas   = 1 << 5 // Deltas
	hasRates    = 1 << 6 // Rates: two varints after the deltas

	sectionBits = hasHash | hasCover | hasDigest | hasBuckets | hasRequests | hasDeltas | hasRates
)

// Flag bits of the records. Every record that has booleans has one flags
// byte; bits not defined for the record must be zero.
const (
	flagLeft      = 1 << 0 // digest entry: the node left
	flagReset     = 1 << 0 // node delta: replace the receiver's copy
	flagTombstone = 1 << 0 // entry: the key is deleted
)

// Codec is the binary codec. The zero value is ready to use and safe for
// concurrent use.
type Codec struct{}

var _ codec.Codec = Codec{}

// Name returns "binary".
func (Codec) Name() string { return "binary" }

// Match reports whether b starts with this codec's magic number, whatever
// the protocol version.
func (Codec) Match(b []byte) bool { return len(b) >= 2 && b[0] == Magic[0] && b[1] == Magic[1] }

// Append encodes m, appending to dst. It returns an error wrapping
// codec.ErrMalformed, and dst unchanged, if m is nil, has an invalid Kind,
// an empty From or node ID, or a bucket ID that is not Valid.
func (Codec) Append(dst []byte, m *codec.Message) ([]byte, error) {
	if err := validate(m); err != nil {
		return dst, err
	}
	return appendMessage(dst, m, false), nil
}

// sections returns m's presence flags: a section is present when it has
// items, or, with keepEmpty (for forging hostile input in tests), when its
// slice is not nil.
func sections(m *codec.Message, keepEmpty bool) byte {
	var f byte
	set := func(bit byte, n int, isNil bool) {
		if n > 0 || keepEmpty && !isNil {
			f |= bit
		}
	}
	if m.Hash != 0 {
		f |= hasHash
	}
	set(hasCover, len(m.Digest.Cover), m.Digest.Cover == nil)
	set(hasDigest, len(m.Digest.Entries), m.Digest.Entries == nil)
	set(hasBuckets, len(m.Buckets), m.Buckets == nil)
	set(hasRequests, len(m.Requests), m.Requests == nil)
	set(hasDeltas, len(m.Deltas), m.Deltas == nil)
	if !m.Rates.IsZero() {
		f |= hasRates
	}
	return f
}

// appendMessage encodes m without checking it (see sections for
// keepEmpty).
func appendMessage(b []byte, m *codec.Message, keepEmpty bool) []byte {
	f := sections(m, keepEmpty)
	b = append(b, Magic...)
	b = appendUvarint(b, Version)
	b = append(b, byte(m.Kind), f)
	b = appendString(b, m.From)
	if f&hasHash != 0 {
		b = appendUint64(b, m.Hash)
	}
	if f&hasCover != 0 {
		b = appendUvarint(b, uint64(len(m.Digest.Cover)))
		for _, c := range m.Digest.Cover {
			b = append(b, c.Level)
			b = appendUvarint(b, uint64(c.Index))
		}
	}
	if f&hasDigest != 0 {
		b = appendDigestEntries(b, m.Digest.Entries)
	}
	if f&hasBuckets != 0 {
		b = appendUvarint(b, uint64(len(m.Buckets)))
		for i := range m.Buckets {
			k := &m.Buckets[i]
			b = append(b, k.Level)
			b = appendUvarint(b, uint64(k.Index))
			b = appendUint64(b, k.Hash)
			b = appendUvarint(b, uint64(k.Count))
		}
	}
	if f&hasRequests != 0 {
		b = appendDigestEntries(b, m.Requests)
	}
	if f&hasDeltas != 0 {
		b = appendUvarint(b, uint64(len(m.Deltas)))
		for i := range m.Deltas {
			b = appendNodeDelta(b, &m.Deltas[i])
		}
	}
	if f&hasRates != 0 {
		b = appendUvarint(b, m.Rates.Desired)
		b = appendUvarint(b, m.Rates.Max)
	}
	return b
}

// appendDigestEntries appends a count and the entries.
func appendDigestEntries(b []byte, es []codec.DigestEntry) []byte {
	b = appendUvarint(b, uint64(len(es)))
	for i := range es {
		e := &es[i]
		b = append(b, flag(e.Left, flagLeft))
		b = appendString(b, e.ID)
		b = appendUvarint(b, e.Generation)
		b = appendUvarint(b, e.MaxVersion)
		b = appendUvarint(b, e.GCVersion)
	}
	return b
}

func appendNodeDelta(b []byte, d *codec.NodeDelta) []byte {
	b = append(b, flag(d.Reset, flagReset))
	b = appendString(b, d.ID)
	b = appendUvarint(b, d.Generation)
	b = appendUvarint(b, d.From)
	b = appendUvarint(b, d.Upto)
	b = appendUvarint(b, d.GCVersion)
	b = appendUvarint(b, uint64(len(d.Entries)))
	for j := range d.Entries {
		e := &d.Entries[j]
		b = append(b, flag(e.Tombstone, flagTombstone))
		b = appendString(b, e.Key)
		b = appendString(b, e.Value)
		b = appendUvarint(b, e.Version)
	}
	return b
}

func flag(set bool, bit byte) byte {
	if set {
		return bit
	}
	return 0
}

// appendUvarint appends n as an unsigned LEB128 varint: seven bits per byte,
// least significant first, the high bit set on every byte but the last.
func appendUvarint(b []byte, n uint64) []byte {
	for n >= 0x80 {
		b = append(b, byte(n)|0x80)
		n >>= 7
	}
	return append(b, byte(n))
}

// appendUint64 appends n as 8 bytes, least significant first.
func appendUint64(b []byte, n uint64) []byte {
	return append(b, byte(n), byte(n>>8), byte(n>>16), byte(n>>24), byte(n>>32), byte(n>>40), byte(n>>48), byte(n>>56))
}

func appendString(b []byte, s string) []byte {
	b = appendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// validate checks that m can be encoded.
func validate(m *codec.Message) error {
	bad := func(what string) error {
		return fmt.Errorf("binary: cannot encode: %s: %w", what, codec.ErrMalformed)
	}
	switch {
	case m == nil:
		return bad("nil message")
	case !m.Kind.Valid():
		return bad("invalid kind")
	case m.From == "":
		return bad("empty From")
	}
	for _, c := range m.Digest.Cover {
		if !c.Valid() {
			return bad("invalid covered bucket")
		}
	}
	for i := range m.Digest.Entries {
		if m.Digest.Entries[i].ID == "" {
			return bad("empty digest entry ID")
		}
	}
	for i := range m.Buckets {
		if !m.Buckets[i].Valid() {
			return bad("invalid bucket")
		}
	}
	for i := range m.Requests {
		if m.Requests[i].ID == "" {
			return bad("empty request ID")
		}
	}
	for i := range m.Deltas {
		if m.Deltas[i].ID == "" {
			return bad("empty node delta ID")
		}
	}
	return nil
}
