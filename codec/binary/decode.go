package binary

import (
	"fmt"
	"math"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// The smallest encodings of the records, used to refuse counts that cannot
// fit in the remaining input before allocating for them.
const (
	minCover       = 1 + 1         // level, 1-byte index
	minDigestEntry = 1 + 2 + 3     // flags, 1-byte ID, three 1-byte varints
	minBucket      = 1 + 1 + 8 + 1 // level, 1-byte index, hash, 1-byte count
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
	f, err := d.flags(sectionBits)
	if err != nil {
		return nil, err
	}
	if m.From, err = d.id(); err != nil {
		return nil, err
	}
	if f&hasHash != 0 {
		if m.Hash, err = d.uint64(); err != nil {
			return nil, err
		}
		if m.Hash == 0 {
			d.i -= 8
			return nil, d.fail("zero hash marked present")
		}
	}
	if f&hasCover != 0 {
		n, err := d.section(minCover)
		if err != nil {
			return nil, err
		}
		m.Digest.Cover = make([]codec.BucketID, n)
		for i := range m.Digest.Cover {
			if m.Digest.Cover[i], err = d.bucketID(); err != nil {
				return nil, err
			}
		}
	}
	if f&hasDigest != 0 {
		if m.Digest.Entries, err = d.digestEntries(); err != nil {
			return nil, err
		}
	}
	if f&hasBuckets != 0 {
		n, err := d.section(minBucket)
		if err != nil {
			return nil, err
		}
		m.Buckets = make([]codec.Bucket, n)
		for i := range m.Buckets {
			if err := d.bucket(&m.Buckets[i]); err != nil {
				return nil, err
			}
		}
	}
	if f&hasRequests != 0 {
		if m.Requests, err = d.digestEntries(); err != nil {
			return nil, err
		}
	}
	if f&hasDeltas != 0 {
		n, err := d.section(minNodeDelta)
		if err != nil {
			return nil, err
		}
		m.Deltas = make([]codec.NodeDelta, n)
		for i := range m.Deltas {
			if err := d.nodeDelta(&m.Deltas[i]); err != nil {
				return nil, err
			}
		}
	}
	if f&hasRates != 0 {
		if m.Rates.Desired, err = d.uvarint(); err != nil {
			return nil, err
		}
		if m.Rates.Max, err = d.uvarint(); err != nil {
			return nil, err
		}
		if m.Rates.IsZero() {
			return nil, d.fail("zero rates marked present")
		}
	}
	if d.i != len(d.b) {
		return nil, d.fail("trailing bytes")
	}
	return m, nil
}

// section reads the count of a present section: at least 1, and no more
// than fit in the remaining input at min bytes per item.
func (d *decoder) section(min int) (int, error) {
	n, err := d.count(min)
	if err == nil && n == 0 {
		d.i--
		err = d.fail("present section with no items")
	}
	return n, err
}

// digestEntries reads a present section of digest entries or requests.
func (d *decoder) digestEntries() ([]codec.DigestEntry, error) {
	n, err := d.section(minDigestEntry)
	if err != nil {
		return nil, err
	}
	es := make([]codec.DigestEntry, n)
	for i := range es {
		if err := d.digestEntry(&es[i]); err != nil {
			return nil, err
		}
	}
	return es, nil
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
	e.GCVersion, err = d.uvarint()
	return err
}

// bucketID reads a level byte and an index varint and refuses a bucket ID
// that is not Valid.
func (d *decoder) bucketID() (codec.BucketID, error) {
	start := d.i
	l, err := d.byte()
	if err != nil {
		return codec.BucketID{}, err
	}
	n, err := d.uvarint()
	if err != nil {
		return codec.BucketID{}, err
	}
	b := codec.BucketID{Level: l, Index: uint32(n)}
	if n > math.MaxUint32 || !b.Valid() {
		d.i = start
		return codec.BucketID{}, d.fail("invalid bucket ID")
	}
	return b, nil
}

func (d *decoder) bucket(b *codec.Bucket) (err error) {
	if b.BucketID, err = d.bucketID(); err != nil {
		return err
	}
	if b.Hash, err = d.uint64(); err != nil {
		return err
	}
	n, err := d.uvarint()
	if err != nil {
		return err
	}
	if n > math.MaxUint32 {
		return d.fail("bucket count overflows 32 bits")
	}
	b.Count = uint32(n)
	return nil
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

// uint64 reads 8 bytes, least significant first.
func (d *decoder) uint64() (uint64, error) {
	if len(d.b)-d.i < 8 {
		return 0, d.fail("truncated hash")
	}
	var n uint64
	for j := 7; j >= 0; j-- {
		n = n<<8 | uint64(d.b[d.i+j])
	}
	d.i += 8
	return n, nil
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
