package binary

import (
	"fmt"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// Version is the protocol version this codec writes and the only one it
// reads.
const Version = 2

// Magic is the two bytes every message starts with.
const Magic = "SB"

// Flag bits. Every record has one flags byte; bits not defined for the
// record must be zero.
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
// codec.ErrMalformed, and dst unchanged, if m is nil, has an invalid Kind or
// an empty From or node ID.
func (Codec) Append(dst []byte, m *codec.Message) ([]byte, error) {
	if err := validate(m); err != nil {
		return dst, err
	}
	b := append(dst, Magic...)
	b = appendUvarint(b, Version)
	b = append(b, byte(m.Kind))
	b = appendString(b, m.From)
	b = appendString(b, m.Digest.Lo)
	b = appendString(b, m.Digest.Hi)
	b = appendUvarint(b, uint64(len(m.Digest.Entries)))
	for i := range m.Digest.Entries {
		e := &m.Digest.Entries[i]
		b = append(b, flag(e.Left, flagLeft))
		b = appendString(b, e.ID)
		b = appendUvarint(b, e.Generation)
		b = appendUvarint(b, e.MaxVersion)
		b = appendUvarint(b, e.GCVersion)
		b = appendUvarint(b, e.Heartbeat)
	}
	b = appendUvarint(b, uint64(len(m.Deltas)))
	for i := range m.Deltas {
		d := &m.Deltas[i]
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
	}
	return b, nil
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
	for i := range m.Digest.Entries {
		if m.Digest.Entries[i].ID == "" {
			return bad("empty digest entry ID")
		}
	}
	for i := range m.Deltas {
		if m.Deltas[i].ID == "" {
			return bad("empty node delta ID")
		}
	}
	return nil
}
