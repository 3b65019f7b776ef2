package json

import (
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// decoder is a strict recursive-descent parser for the message schema. It
// never recurses deeper than the schema (message, list, object, list, object).
type decoder struct {
	b       []byte
	i       int
	scratch []byte // unescaped string bytes
}

// errOverflow marks an integer beyond 2^64-1.
var errOverflow = errors.New("integer overflows 64 bits")

func (d *decoder) fail(what string) error {
	return fmt.Errorf("json: %s at offset %d: %w", what, d.i, codec.ErrMalformed)
}

// message parses what follows the header.
func (d *decoder) message() (*codec.Message, error) {
	d.ws()
	v, err := d.uint()
	if errors.Is(err, errOverflow) || err == nil && v != Version {
		return nil, fmt.Errorf("json: protocol version %s: %w", d.b[len(header):d.i], codec.ErrVersion)
	}
	if err != nil {
		return nil, err
	}
	m := &codec.Message{}
	var seen uint
	for {
		d.ws()
		c, ok := d.next()
		if c == '}' {
			break
		}
		if !ok || c != ',' {
			return nil, d.fail("expected ',' or '}'")
		}
		key, err := d.key()
		if err != nil {
			return nil, err
		}
		bit := uint(0)
		switch string(key) {
		case "kind":
			bit = 1
			err = d.kind(m)
		case "from":
			bit = 2
			m.From, err = d.string()
		case "hash":
			bit = 4
			m.Hash, err = d.hash()
		case "cover":
			bit = 8
			err = d.array(func() error {
				var b codec.Bucket
				err := d.bucket(&b, false)
				m.Digest.Cover = append(m.Digest.Cover, b.BucketID)
				return err
			})
		case "digest":
			bit = 16
			err = d.array(func() error {
				m.Digest.Entries = append(m.Digest.Entries, codec.DigestEntry{})
				return d.digestEntry(&m.Digest.Entries[len(m.Digest.Entries)-1])
			})
		case "buckets":
			bit = 32
			err = d.array(func() error {
				m.Buckets = append(m.Buckets, codec.Bucket{})
				return d.bucket(&m.Buckets[len(m.Buckets)-1], true)
			})
		case "requests":
			bit = 64
			err = d.array(func() error {
				m.Requests = append(m.Requests, codec.DigestEntry{})
				return d.digestEntry(&m.Requests[len(m.Requests)-1])
			})
		case "deltas":
			bit = 128
			err = d.array(func() error {
				m.Deltas = append(m.Deltas, codec.NodeDelta{})
				return d.nodeDelta(&m.Deltas[len(m.Deltas)-1])
			})
		case "rates":
			bit = 256
			err = d.rates(&m.Rates)
		default:
			return nil, d.fail("unknown field")
		}
		if err != nil {
			return nil, err
		}
		if seen&bit != 0 {
			return nil, d.fail("repeated field")
		}
		seen |= bit
	}
	d.ws()
	if d.i != len(d.b) {
		return nil, d.fail("trailing bytes")
	}
	if !m.Kind.Valid() {
		return nil, d.fail("missing kind")
	}
	if m.From == "" {
		return nil, d.fail("missing or empty from")
	}
	return m, nil
}

func (d *decoder) kind(m *codec.Message) error {
	s, err := d.rawString()
	if err != nil {
		return err
	}
	switch string(s) {
	case "SYN":
		m.Kind = codec.KindSyn
	case "SYNACK":
		m.Kind = codec.KindSynAck
	case "ACK":
		m.Kind = codec.KindAck
	case "PING":
		m.Kind = codec.KindPing
	case "PONG":
		m.Kind = codec.KindPong
	default:
		return d.fail("unknown kind")
	}
	return nil
}

// rates parses the rates object: both numbers, not both zero.
func (d *decoder) rates(r *codec.Rates) error {
	var seen uint
	err := d.object(func(key []byte) (err error) {
		bit := uint(0)
		switch string(key) {
		case "desired":
			bit = 1
			r.Desired, err = d.uint()
		case "max":
			bit = 2
			r.Max, err = d.uint()
		default:
			return d.fail("unknown field")
		}
		return d.once(&seen, bit, err)
	})
	if err == nil && (seen != 3 || r.IsZero()) {
		err = d.fail("rates need desired and max, not both zero")
	}
	return err
}

func (d *decoder) digestEntry(e *codec.DigestEntry) error {
	var seen uint
	err := d.object(func(key []byte) (err error) {
		bit := uint(0)
		switch string(key) {
		case "id":
			bit = 1
			e.ID, err = d.string()
		case "generation":
			bit = 2
			e.Generation, err = d.uint()
		case "maxVersion":
			bit = 4
			e.MaxVersion, err = d.uint()
		case "gcVersion":
			bit = 8
			e.GCVersion, err = d.uint()
		case "left":
			bit = 16
			e.Left, err = d.bool()
		default:
			return d.fail("unknown field")
		}
		return d.once(&seen, bit, err)
	})
	if err == nil && e.ID == "" {
		err = d.fail("missing or empty id")
	}
	return err
}

// bucket parses a bucket object, or with full unset a covered bucket object
// (level and index only), and refuses a bucket ID that is not Valid.
func (d *decoder) bucket(b *codec.Bucket, full bool) error {
	var seen uint
	var level, index uint64
	err := d.object(func(key []byte) (err error) {
		bit := uint(0)
		switch k := string(key); {
		case k == "level":
			bit = 1
			level, err = d.uint()
		case k == "index":
			bit = 2
			index, err = d.uint()
		case k == "hash" && full:
			bit = 4
			b.Hash, err = d.hash()
		case k == "count" && full:
			bit = 8
			var n uint64
			if n, err = d.uint(); err == nil && n > math.MaxUint32 {
				err = d.fail("bucket count overflows 32 bits")
			}
			b.Count = uint32(n)
		default:
			return d.fail("unknown field")
		}
		return d.once(&seen, bit, err)
	})
	if err != nil {
		return err
	}
	if seen&3 != 3 {
		return d.fail("missing level or index")
	}
	b.BucketID = codec.BucketID{Level: uint8(level), Index: uint32(index)}
	if level > math.MaxUint8 || index > math.MaxUint32 || !b.Valid() {
		return d.fail("invalid bucket ID")
	}
	return nil
}

func (d *decoder) nodeDelta(n *codec.NodeDelta) error {
	var seen uint
	err := d.object(func(key []byte) (err error) {
		bit := uint(0)
		switch string(key) {
		case "id":
			bit = 1
			n.ID, err = d.string()
		case "generation":
			bit = 2
			n.Generation, err = d.uint()
		case "from":
			bit = 4
			n.From, err = d.uint()
		case "upto":
			bit = 8
			n.Upto, err = d.uint()
		case "reset":
			bit = 16
			n.Reset, err = d.bool()
		case "gcVersion":
			bit = 32
			n.GCVersion, err = d.uint()
		case "entries":
			bit = 64
			err = d.array(func() error {
				n.Entries = append(n.Entries, codec.Entry{})
				return d.entry(&n.Entries[len(n.Entries)-1])
			})
		default:
			return d.fail("unknown field")
		}
		return d.once(&seen, bit, err)
	})
	if err == nil && n.ID == "" {
		err = d.fail("missing or empty id")
	}
	return err
}

func (d *decoder) entry(e *codec.Entry) error {
	var seen uint
	err := d.object(func(key []byte) (err error) {
		bit := uint(0)
		switch string(key) {
		case "key":
			bit = 1
			e.Key, err = d.string()
		case "value":
			bit = 2
			e.Value, err = d.string()
		case "version":
			bit = 4
			e.Version, err = d.uint()
		case "tombstone":
			bit = 8
			e.Tombstone, err = d.bool()
		default:
			return d.fail("unknown field")
		}
		return d.once(&seen, bit, err)
	})
	if err == nil && seen&1 == 0 {
		err = d.fail("missing key")
	}
	return err
}

// once records field bit as seen, failing if it was seen before.
func (d *decoder) once(seen *uint, bit uint, err error) error {
	if err != nil {
		return err
	}
	if *seen&bit != 0 {
		return d.fail("repeated field")
	}
	*seen |= bit
	return nil
}

// object parses an object, calling member for each field with the decoder
// positioned at the field's value. The key aliases the input or scratch and
// does not outlive the call.
func (d *decoder) object(member func(key []byte) error) error {
	d.ws()
	if c, _ := d.next(); c != '{' {
		return d.fail("expected '{'")
	}
	d.ws()
	if d.peek() == '}' {
		d.i++
		return nil
	}
	for {
		key, err := d.key()
		if err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		d.ws()
		c, _ := d.next()
		if c == '}' {
			return nil
		}
		if c != ',' {
			return d.fail("expected ',' or '}'")
		}
	}
}

// array parses a list, calling item for each element.
func (d *decoder) array(item func() error) error {
	if c, _ := d.next(); c != '[' {
		return d.fail("expected '['")
	}
	d.ws()
	if d.peek() == ']' {
		d.i++
		return nil
	}
	for {
		if err := item(); err != nil {
			return err
		}
		d.ws()
		c, _ := d.next()
		if c == ']' {
			return nil
		}
		if c != ',' {
			return d.fail("expected ',' or ']'")
		}
	}
}

// key parses `"name":` with surrounding whitespace and leaves the decoder at
// the value. The result aliases the input or scratch.
func (d *decoder) key() ([]byte, error) {
	d.ws()
	k, err := d.rawString()
	if err != nil {
		return nil, err
	}
	d.ws()
	if c, _ := d.next(); c != ':' {
		return nil, d.fail("expected ':'")
	}
	d.ws()
	return k, nil
}

func (d *decoder) string() (string, error) {
	s, err := d.rawString()
	return string(s), err
}

// rawString parses a string and returns its unescaped bytes, which alias the
// input or the scratch buffer.
func (d *decoder) rawString() ([]byte, error) {
	if d.peek() != '"' {
		return nil, d.fail("expected string")
	}
	d.i++
	start := d.i
	for j := start; j < len(d.b); j++ {
		switch c := d.b[j]; {
		case c == '"':
			s := d.b[start:j]
			if !utf8.Valid(s) {
				return nil, d.fail("invalid UTF-8 in string")
			}
			d.i = j + 1
			return s, nil
		case c == '\\':
			d.i = j
			return d.escaped(start)
		case c < 0x20:
			d.i = j
			return nil, d.fail("control character in string")
		}
	}
	d.i = len(d.b)
	return nil, d.fail("unterminated string")
}

// escaped continues a string at its first backslash; start is where the
// string's contents began.
func (d *decoder) escaped(start int) ([]byte, error) {
	out := append(d.scratch[:0], d.b[start:d.i]...)
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			d.scratch = out
			if !utf8.Valid(out) {
				return nil, d.fail("invalid UTF-8 in string")
			}
			return out, nil
		case c < 0x20:
			return nil, d.fail("control character in string")
		case c != '\\':
			out = append(out, c)
			d.i++
			continue
		}
		if d.i+1 >= len(d.b) {
			break
		}
		e := d.b[d.i+1]
		d.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return nil, d.fail("bad \\u escape")
			}
			if r >= 0xdc00 && r < 0xe000 {
				return nil, d.fail("unpaired surrogate")
			}
			if r >= 0xd800 && r < 0xdc00 {
				if d.i+2 > len(d.b) || d.b[d.i] != '\\' || d.b[d.i+1] != 'u' {
					return nil, d.fail("unpaired surrogate")
				}
				d.i += 2
				lo, ok := d.hex4()
				if !ok || lo < 0xdc00 || lo >= 0xe000 {
					return nil, d.fail("unpaired surrogate")
				}
				r = 0x10000 + (r-0xd800)<<10 + (lo - 0xdc00)
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, d.fail("bad escape")
		}
	}
	return nil, d.fail("unterminated string")
}

// hex4 reads four hex digits.
func (d *decoder) hex4() (rune, bool) {
	if d.i+4 > len(d.b) {
		return 0, false
	}
	var r rune
	for _, c := range d.b[d.i : d.i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	d.i += 4
	return r, true
}

// hash parses a string of 16 hex digits.
func (d *decoder) hash() (uint64, error) {
	s, err := d.rawString()
	if err != nil {
		return 0, err
	}
	if len(s) != 16 {
		return 0, d.fail("hash is not 16 hex digits")
	}
	var h uint64
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			h = h<<4 | uint64(c-'0')
		case c >= 'a' && c <= 'f':
			h = h<<4 | uint64(c-'a'+10)
		case c >= 'A' && c <= 'F':
			h = h<<4 | uint64(c-'A'+10)
		default:
			return 0, d.fail("hash is not 16 hex digits")
		}
	}
	return h, nil
}

// uint parses an unsigned decimal integer with no sign, fraction, exponent
// or leading zero.
func (d *decoder) uint() (uint64, error) {
	start := d.i
	var n uint64
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		digit := uint64(d.b[d.i] - '0')
		if n > (math.MaxUint64-digit)/10 {
			return 0, fmt.Errorf("json: at offset %d: %w: %w", start, errOverflow, codec.ErrMalformed)
		}
		n = n*10 + digit
		d.i++
	}
	switch {
	case d.i == start:
		return 0, d.fail("expected unsigned integer")
	case d.b[start] == '0' && d.i-start > 1:
		return 0, d.fail("leading zero")
	}
	if c := d.peek(); c == '.' || c == 'e' || c == 'E' {
		return 0, d.fail("not an integer")
	}
	return n, nil
}

func (d *decoder) bool() (bool, error) {
	rest := d.b[d.i:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		d.i += 4
		return true, nil
	case len(rest) >= 5 && string(rest[:5]) == "false":
		d.i += 5
		return false, nil
	}
	return false, d.fail("expected true or false")
}

// ws skips insignificant whitespace.
func (d *decoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek returns the next byte, or 0 at the end.
func (d *decoder) peek() byte {
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

// next consumes and returns the next byte; ok is false at the end.
func (d *decoder) next() (byte, bool) {
	if d.i < len(d.b) {
		d.i++
		return d.b[d.i-1], true
	}
	return 0, false
}
