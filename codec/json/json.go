package json

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// Version is the protocol version this codec writes and the only one it
// reads: codec.Version.
const Version = codec.Version

// header starts every message; the version number follows it.
const header = `{"scuttlebutt":`

// Codec is the JSON codec. The zero value is ready to use and safe for
// concurrent use.
type Codec struct{}

var _ codec.Codec = Codec{}

// Name returns "json".
func (Codec) Name() string { return "json" }

// Match reports whether b starts with this codec's header, whatever the
// protocol version. A node can use it to tell codecs apart.
func (Codec) Match(b []byte) bool { return bytes.HasPrefix(b, []byte(header)) }

// Append encodes m, appending to dst. It returns an error wrapping
// codec.ErrMalformed, and dst unchanged, if m is nil, has an invalid Kind, an
// empty From or node ID, a bucket ID that is not Valid, or a string that is
// not valid UTF-8.
func (Codec) Append(dst []byte, m *codec.Message) ([]byte, error) {
	if err := validate(m); err != nil {
		return dst, err
	}
	return appendMessage(dst, m, false), nil
}

// Decode parses one message. Errors wrap codec.ErrCodecMismatch when b
// diverges from this codec's header, codec.ErrVersion when the header holds
// another protocol version, and codec.ErrMalformed otherwise (including when
// b is cut short inside the header).
func (Codec) Decode(b []byte) (*codec.Message, error) {
	if !bytes.HasPrefix(b, []byte(header)) {
		if bytes.HasPrefix([]byte(header), b) {
			return nil, fmt.Errorf("json: truncated header: %w", codec.ErrMalformed)
		}
		return nil, fmt.Errorf("json: no %s header: %w", header, codec.ErrCodecMismatch)
	}
	d := decoder{b: b, i: len(header)}
	return d.message()
}

// validate checks that m can be encoded.
func validate(m *codec.Message) error {
	bad := func(what string) error {
		return fmt.Errorf("json: cannot encode: %s: %w", what, codec.ErrMalformed)
	}
	switch {
	case m == nil:
		return bad("nil message")
	case !m.Kind.Valid():
		return bad("invalid kind")
	case m.From == "":
		return bad("empty From")
	case !utf8.ValidString(m.From):
		return bad("string is not valid UTF-8")
	}
	for _, c := range m.Digest.Cover {
		if !c.Valid() {
			return bad("invalid covered bucket")
		}
	}
	for _, es := range [][]codec.DigestEntry{m.Digest.Entries, m.Requests} {
		for i := range es {
			e := &es[i]
			if e.ID == "" {
				return bad("empty digest entry or request ID")
			}
			if !utf8.ValidString(e.ID) {
				return bad("string is not valid UTF-8")
			}
		}
	}
	for i := range m.Buckets {
		if !m.Buckets[i].Valid() {
			return bad("invalid bucket")
		}
	}
	for i := range m.Deltas {
		d := &m.Deltas[i]
		if d.ID == "" {
			return bad("empty node delta ID")
		}
		if !utf8.ValidString(d.ID) {
			return bad("string is not valid UTF-8")
		}
		for j := range d.Entries {
			e := &d.Entries[j]
			if !utf8.ValidString(e.Key) || !utf8.ValidString(e.Value) {
				return bad("string is not valid UTF-8")
			}
		}
	}
	return nil
}
