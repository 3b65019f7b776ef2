package binary

import (
	"fmt"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// The smallest encodings of the records, used to refuse counts that cannot
// fit in the remaining input before allocating for them.
const (
	minDigestEntry = 1 + 2 + 4     // flags, 1-byte ID, four 1-byte varints
	minNodeDelta   = 1 + 2 + 4 + 1 // flags, 1-byte ID, four varints, zero count
	minEntry       = 1 + 1 + 1 + 1 // flags, two empty strings, varint
)

// decoder reads a message from b without reflection. It allocates the
// Message, one slice per list and one string per non-empty string.
type decoder struct {
	b []byte
	i int
}

// Decode parses one message. Errors wrap codec.ErrCodecMismatch when b does
// not start with the magic number, codec.ErrVersion when the version is not
// Version, and codec.ErrMalformed otherwise (including when b is shorter than
// the magic number and a prefix of it).
func (c Codec) Decode(b []byte) (*codec.Message, error) {
	if !c.Match(b) {
		if len(b) == 0 || len(b) == 1 && b[0] == Magic[0] {
			return nil, fmt.Errorf("binary: truncated header: %w", codec.ErrMalformed)
		}
		return nil, fmt.Errorf("binary: no magic number: %w", codec.ErrCodecMismatch)
	}
	d := decoder{b: b, i: len(Magic)}
	return d.message()
}

func (d *decoder) fail(what string) error {
	return fmt.Errorf("binary: %s at offset %d: %w", what, d.i, codec.ErrMalformed)
}

func (d *decoder) message() (*codec.Message, error) {
	v, err := d.uvarint()
	if err != nil {
		return nil, err
	}
	if v != Version {
		return nil, fmt.Errorf("binary: protocol version %d: %w", v, codec.ErrVersion)
	}
	k, err := d.byte()
	if err != nil {
		return nil, err
	}
	m := &codec.Message{Kind: codec.Kind(k)}
	if !m.Kind.Valid() {
		d.i--
		return nil, d.fail("invalid kind")
	}
	if m.From, err = d.id(); err != nil {
		return nil, err
	}
	if m.Digest.Lo, err = d.string(); err != nil {
		return nil, err
	}
	if m.Digest.Hi, err = d.string(); err != nil {
		return nil, err
	}
	n, err := d.count(minDigestEntry)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		m.Digest.Entries = make([]codec.DigestEntry, n)
		for i := range m.Digest.Entries {
			if err := d.digestEntry(&m.Digest.Entries[i]); err != nil {
				return nil, err
			}
		}
	}
	if n, err = d.count(minNodeDelta); err != nil {
		return nil, err
	}
	if n > 0 {
		m.Deltas = make([]codec.NodeDelta, n)
		for i := range m.Deltas {
			if err := d.nodeDelta(&m.Deltas[i]); err != nil {
				return nil, err
			}
		}
	}
	if d.i != len(d.b) {
		return nil, d.fail("trailing bytes")
	}
	return m, nil
}

func (d *decoder) digestEntry(e *codec.DigestEntry) (err error) {
	var f byte
	if f, err = d.flags(flagLeft); err != nil {
		return err
	}
	e.Left = f&flagLeft != 0
	if e.ID, err = d.id(); err != nil {
		return err
	}
	if e.Generation, err = d.uvarint(); err != nil {
		return err
	}
	if e.MaxVersion, err = d.uvarint(); err != nil {
		return err
	}
	if e.GCVersion, err = d.uvarint(); err != nil {
		return err
	}
	e.Heartbeat, err = d.uvarint()
	return err
}

func (d *decoder) nodeDelta(n *codec.NodeDelta) (err error) {
	var f byte
	if f, err = d.flags(flagReset); err != nil {
		return err
	}
	n.Reset = f&flagReset != 0
	if n.ID, err = d.id(); err != nil {
		return err
	}
	if n.Generation, err = d.uvarint(); err != nil {
		return err
	}
	if n.From, err = d.uvarint(); err != nil {
		return err
	}
	if n.Upto, err = d.uvarint(); err != nil {
		return err
	}
	if n.GCVersion, err = d.uvarint(); err != nil {
		return err
	}
	count, err := d.count(minEntry)
	if err != nil || count == 0 {
		return err
	}
	n.Entries = make([]codec.Entry, count)
	for i := range n.Entries {
		e := &n.Entries[i]
		if f, err = d.flags(flagTombstone); err != nil {
			return err
		}
		e.Tombstone = f&flagTombstone != 0
		if e.Key, err = d.string(); err != nil {
			return err
		}
		if e.Value, err = d.string(); err != nil {
			return err
		}
		if e.Version, err = d.uvarint(); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) byte() (byte, error) {
	if d.i >= len(d.b) {
		return 0, d.fail("truncated")
	}
	d.i++
	return d.b[d.i-1], nil
}

// flags reads a flags byte and refuses bits outside defined.
func (d *decoder) flags(defined byte) (byte, error) {
	f, err := d.byte()
	if err == nil && f&^defined != 0 {
		d.i--
		err = d.fail("undefined flag bits")
	}
	return f, err
}

// uvarint reads a varint in its shortest form; a longer form or one past
// 64 bits is refused, so every value has exactly one encoding.
func (d *decoder) uvarint() (uint64, error) {
	var n uint64
	for shift := uint(0); ; shift += 7 {
		if d.i >= len(d.b) {
			return 0, d.fail("truncated varint")
		}
		c := d.b[d.i]
		d.i++
		if shift == 63 && c > 1 {
			return 0, d.fail("varint overflows 64 bits")
		}
		n |= uint64(c&0x7f) << shift
		if c < 0x80 {
			if c == 0 && shift > 0 {
				return 0, d.fail("varint not in shortest form")
			}
			return n, nil
		}
	}
}

// count reads a list count and refuses one that cannot fit in the remaining
// input at min bytes per item.
func (d *decoder) count(min int) (int, error) {
	n, err := d.uvarint()
	if err != nil {
		return 0, err
	}
	if n > uint64((len(d.b)-d.i)/min) {
		return 0, d.fail("count larger than the input")
	}
	return int(n), nil
}

// string reads a length-prefixed string, refusing a length past the input.
func (d *decoder) string() (string, error) {
	n, err := d.uvarint()
	if err != nil {
		return "", err
	}
	if n > uint64(len(d.b)-d.i) {
		return "", d.fail("string longer than the input")
	}
	s := string(d.b[d.i : d.i+int(n)])
	d.i += int(n)
	return s, nil
}

// id reads a non-empty string.
func (d *decoder) id() (string, error) {
	s, err := d.string()
	if err == nil && s == "" {
		err = d.fail("empty id")
	}
	return s, err
}
