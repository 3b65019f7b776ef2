package msgpack

import (
	"fmt"
	"math"
	"sync"

	mp "github.com/vmihailenco/msgpack/v5"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// Version is the protocol version this codec writes and the only one it
// reads: codec.Version.
const Version = codec.Version

// magic is the string that follows the message's array header.
const magic = "sb"

// Field counts of the records.
const (
	messageFields = 10
	// A message with flow-control rates has one more field, last: the
	// array [desired, max].
	ratesFields       = 2
	coverFields       = 2
	digestEntryFields = 5
	bucketFields      = 4
	nodeDeltaFields   = 7
	entryFields       = 4
)

// Codec is the MessagePack codec. The zero value is ready to use and safe
// for concurrent use.
type Codec struct{}

var _ codec.Codec = Codec{}

// Name returns "msgpack".
func (Codec) Name() string { return "msgpack" }

// Match reports whether b starts with this codec's header, whatever the
// protocol version: a fixarray header and the fixstr "sb".
func (Codec) Match(b []byte) bool {
	return len(b) >= 4 && b[0]&0xf0 == 0x90 && b[1] == 0xa0|byte(len(magic)) && string(b[2:4]) == magic
}

// appender is an io.Writer and io.ByteWriter that appends to a slice.
type appender struct{ b []byte }

func (a *appender) Write(p []byte) (int, error) {
	a.b = append(a.b, p...)
	return len(p), nil
}

func (a *appender) WriteByte(c byte) error {
	a.b = append(a.b, c)
	return nil
}

// encoder pairs a library Encoder with the appender it writes to, so both are
// pooled together.
type encoder struct {
	w appender
	e *mp.Encoder
}

var encoders = sync.Pool{New: func() any {
	enc := &encoder{}
	enc.e = mp.NewEncoder(&enc.w)
	return enc
}}

// Append encodes m, appending to dst. It returns an error wrapping
// codec.ErrMalformed, and dst unchanged, if m is nil, has an invalid Kind, an
// empty From or node ID, a bucket ID that is not Valid, or a string or list
// longer than 2^32-1.
func (Codec) Append(dst []byte, m *codec.Message) ([]byte, error) {
	if err := validate(m); err != nil {
		return dst, err
	}
	return appendMessage(dst, m)
}

// appendMessage encodes m without checking it.
func appendMessage(dst []byte, m *codec.Message) ([]byte, error) {
	enc := encoders.Get().(*encoder)
	enc.w.b = dst
	err := encodeMessage(enc.e, m)
	out := enc.w.b
	enc.w.b = nil
	encoders.Put(enc)
	if err != nil { // the appender never fails; this is defensive
		return dst, fmt.Errorf("msgpack: %v: %w", err, codec.ErrMalformed)
	}
	return out, nil
}

func encodeMessage(e *mp.Encoder, m *codec.Message) error {
	var err error
	try := func(e error) {
		if err == nil {
			err = e
		}
	}
	if m.Rates.IsZero() {
		try(e.EncodeArrayLen(messageFields))
	} else {
		try(e.EncodeArrayLen(messageFields + 1))
	}
	try(e.EncodeString(magic))
	try(e.EncodeUint(Version))
	try(e.EncodeUint(uint64(m.Kind)))
	try(e.EncodeString(m.From))
	if m.Hash == 0 {
		try(e.EncodeUint(0))
	} else {
		// Always 9 bytes, so that the Sizer's HashSize is exact.
		try(e.EncodeUint64(m.Hash))
	}
	try(e.EncodeArrayLen(len(m.Digest.Cover)))
	for _, c := range m.Digest.Cover {
		try(e.EncodeArrayLen(coverFields))
		try(e.EncodeUint(uint64(c.Level)))
		try(e.EncodeUint(uint64(c.Index)))
	}
	try(encodeDigestEntries(e, m.Digest.Entries))
	try(e.EncodeArrayLen(len(m.Buckets)))
	for i := range m.Buckets {
		b := &m.Buckets[i]
		try(e.EncodeArrayLen(bucketFields))
		try(e.EncodeUint(uint64(b.Level)))
		try(e.EncodeUint(uint64(b.Index)))
		try(e.EncodeUint(b.Hash))
		try(e.EncodeUint(uint64(b.Count)))
	}
	try(encodeDigestEntries(e, m.Requests))
	try(e.EncodeArrayLen(len(m.Deltas)))
	for i := range m.Deltas {
		d := &m.Deltas[i]
		try(e.EncodeArrayLen(nodeDeltaFields))
		try(e.EncodeString(d.ID))
		try(e.EncodeUint(d.Generation))
		try(e.EncodeUint(d.From))
		try(e.EncodeUint(d.Upto))
		try(e.EncodeBool(d.Reset))
		try(e.EncodeUint(d.GCVersion))
		try(e.EncodeArrayLen(len(d.Entries)))
		for j := range d.Entries {
			x := &d.Entries[j]
			try(e.EncodeArrayLen(entryFields))
			try(e.EncodeString(x.Key))
			try(e.EncodeString(x.Value))
			try(e.EncodeUint(x.Version))
			try(e.EncodeBool(x.Tombstone))
		}
	}
	if !m.Rates.IsZero() {
		try(e.EncodeArrayLen(ratesFields))
		try(e.EncodeUint(m.Rates.Desired))
		try(e.EncodeUint(m.Rates.Max))
	}
	return err
}

// encodeDigestEntries encodes a list of digest entries or requests.
func encodeDigestEntries(e *mp.Encoder, es []codec.DigestEntry) error {
	var err error
	try := func(e error) {
		if err == nil {
			err = e
		}
	}
	try(e.EncodeArrayLen(len(es)))
	for i := range es {
		d := &es[i]
		try(e.EncodeArrayLen(digestEntryFields))
		try(e.EncodeString(d.ID))
		try(e.EncodeUint(d.Generation))
		try(e.EncodeUint(d.MaxVersion))
		try(e.EncodeUint(d.GCVersion))
		try(e.EncodeBool(d.Left))
	}
	return err
}

// validate checks that m can be encoded.
func validate(m *codec.Message) error {
	bad := func(what string) error {
		return fmt.Errorf("msgpack: cannot encode: %s: %w", what, codec.ErrMalformed)
	}
	long := func(s string) bool { return uint64(len(s)) > math.MaxUint32 }
	tooMany := func(n int) bool { return uint64(n) > math.MaxUint32 }
	switch {
	case m == nil:
		return bad("nil message")
	case !m.Kind.Valid():
		return bad("invalid kind")
	case m.From == "":
		return bad("empty From")
	case long(m.From):
		return bad("string too long")
	case tooMany(len(m.Digest.Cover)) || tooMany(len(m.Digest.Entries)) || tooMany(len(m.Buckets)) ||
		tooMany(len(m.Requests)) || tooMany(len(m.Deltas)):
		return bad("list too long")
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
			if long(e.ID) {
				return bad("string too long")
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
		if long(d.ID) {
			return bad("string too long")
		}
		if tooMany(len(d.Entries)) {
			return bad("list too long")
		}
		for j := range d.Entries {
			if long(d.Entries[j].Key) || long(d.Entries[j].Value) {
				return bad("string too long")
			}
		}
	}
	return nil
}
