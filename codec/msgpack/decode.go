package msgpack

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sync"

	mp "github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// The smallest encodings of the records, used to refuse counts that cannot
// fit in the remaining input before allocating for them.
const (
	minCover       = 1 + 1 + 1         // header, two fixints
	minDigestEntry = 1 + 2 + 3 + 1     // header, 1-byte ID, three fixints, bool
	minBucket      = 1 + 4             // header, four fixints
	minNodeDelta   = 1 + 2 + 4 + 1 + 1 // header, 1-byte ID, four fixints, bool, empty array
	minEntry       = 1 + 1 + 1 + 1 + 1 // header, two empty strings, fixint, bool
)

// decoder wraps a library Decoder reading from b, and checks every length
// and count against the bytes left before the library reads it.
type decoder struct {
	b []byte
	r bytes.Reader
	d *mp.Decoder
}

var decoders = sync.Pool{New: func() any {
	d := &decoder{}
	d.d = mp.NewDecoder(&d.r) // bytes.Reader is an io.ByteScanner: no buffering
	return d
}}

// Decode parses one message. Errors wrap codec.ErrCodecMismatch when b
// diverges from this codec's header, codec.ErrVersion when the header holds
// another protocol version, and codec.ErrMalformed otherwise (including when
// b is cut short inside the header).
func (c Codec) Decode(b []byte) (*codec.Message, error) {
	if !c.Match(b) {
		if headerPrefix(b) {
			return nil, fmt.Errorf("msgpack: truncated header: %w", codec.ErrMalformed)
		}
		return nil, fmt.Errorf("msgpack: no header: %w", codec.ErrCodecMismatch)
	}
	d := decoders.Get().(*decoder)
	d.b = b
	d.r.Reset(b)
	m, err := d.message()
	d.b = nil
	d.r.Reset(nil)
	decoders.Put(d)
	return m, err
}

// headerPrefix reports whether b is a strict prefix of some header.
func headerPrefix(b []byte) bool {
	want := []byte{0x90, 0xa0 | byte(len(magic)), magic[0], magic[1]}
	if len(b) >= len(want) {
		return false
	}
	for i, c := range b {
		if i == 0 && c&0xf0 != want[0] || i > 0 && c != want[i] {
			return false
		}
	}
	return true
}

func (d *decoder) pos() int { return len(d.b) - d.r.Len() }

func (d *decoder) fail(what string) error {
	return fmt.Errorf("msgpack: %s at offset %d: %w", what, d.pos(), codec.ErrMalformed)
}

func (d *decoder) message() (*codec.Message, error) {
	fields := int(d.b[0] & 0x0f)
	if _, err := d.r.Seek(4, io.SeekStart); err != nil {
		return nil, d.fail("truncated header")
	}
	v, err := d.uint()
	if err != nil {
		return nil, err
	}
	if v != Version {
		return nil, fmt.Errorf("msgpack: protocol version %d: %w", v, codec.ErrVersion)
	}
	if fields != messageFields && fields != messageFields+1 {
		return nil, d.fail("wrong number of message fields")
	}
	m := &codec.Message{}
	k, err := d.uint()
	if err != nil {
		return nil, err
	}
	if k > 255 || !codec.Kind(k).Valid() {
		return nil, d.fail("invalid kind")
	}
	m.Kind = codec.Kind(k)
	if m.From, err = d.string(); err != nil {
		return nil, err
	}
	if m.From == "" {
		return nil, d.fail("empty from")
	}
	if m.Hash, err = d.uint(); err != nil {
		return nil, err
	}
	n, err := d.arrayLen(minCover)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		m.Digest.Cover = make([]codec.BucketID, n)
		for i := range m.Digest.Cover {
			if err = d.fields(coverFields); err != nil {
				return nil, err
			}
			if m.Digest.Cover[i], err = d.bucketID(); err != nil {
				return nil, err
			}
		}
	}
	if m.Digest.Entries, err = d.digestEntries(); err != nil {
		return nil, err
	}
	if n, err = d.arrayLen(minBucket); err != nil {
		return nil, err
	}
	if n > 0 {
		m.Buckets = make([]codec.Bucket, n)
		for i := range m.Buckets {
			if err := d.bucket(&m.Buckets[i]); err != nil {
				return nil, err
			}
		}
	}
	if m.Requests, err = d.digestEntries(); err != nil {
		return nil, err
	}
	if n, err = d.arrayLen(minNodeDelta); err != nil {
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
	if fields == messageFields+1 {
		if err := d.fields(ratesFields); err != nil {
			return nil, err
		}
		if m.Rates.Desired, err = d.uint(); err != nil {
			return nil, err
		}
		if m.Rates.Max, err = d.uint(); err != nil {
			return nil, err
		}
		if m.Rates.IsZero() {
			return nil, d.fail("zero rates present")
		}
	}
	if d.r.Len() != 0 {
		return nil, d.fail("trailing bytes")
	}
	return m, nil
}

// digestEntries reads a list of digest entries or requests; nil when it is
// empty.
func (d *decoder) digestEntries() ([]codec.DigestEntry, error) {
	n, err := d.arrayLen(minDigestEntry)
	if err != nil || n == 0 {
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
	if err = d.fields(digestEntryFields); err != nil {
		return err
	}
	if e.ID, err = d.id(); err != nil {
		return err
	}
	for _, p := range []*uint64{&e.Generation, &e.MaxVersion, &e.GCVersion} {
		if *p, err = d.uint(); err != nil {
			return err
		}
	}
	e.Left, err = d.bool()
	return err
}

// bucketID reads a level and an index and refuses a bucket ID that is not
// Valid.
func (d *decoder) bucketID() (codec.BucketID, error) {
	start := d.pos()
	l, err := d.uint()
	if err != nil {
		return codec.BucketID{}, err
	}
	i, err := d.uint()
	if err != nil {
		return codec.BucketID{}, err
	}
	b := codec.BucketID{Level: uint8(l), Index: uint32(i)}
	if l > math.MaxUint8 || i > math.MaxUint32 || !b.Valid() {
		return codec.BucketID{}, fmt.Errorf("msgpack: invalid bucket ID at offset %d: %w", start, codec.ErrMalformed)
	}
	return b, nil
}

func (d *decoder) bucket(b *codec.Bucket) (err error) {
	if err = d.fields(bucketFields); err != nil {
		return err
	}
	if b.BucketID, err = d.bucketID(); err != nil {
		return err
	}
	if b.Hash, err = d.uint(); err != nil {
		return err
	}
	n, err := d.uint()
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
	if err = d.fields(nodeDeltaFields); err != nil {
		return err
	}
	if n.ID, err = d.id(); err != nil {
		return err
	}
	for _, p := range []*uint64{&n.Generation, &n.From, &n.Upto} {
		if *p, err = d.uint(); err != nil {
			return err
		}
	}
	if n.Reset, err = d.bool(); err != nil {
		return err
	}
	if n.GCVersion, err = d.uint(); err != nil {
		return err
	}
	count, err := d.arrayLen(minEntry)
	if err != nil || count == 0 {
		return err
	}
	n.Entries = make([]codec.Entry, count)
	for i := range n.Entries {
		e := &n.Entries[i]
		if err = d.fields(entryFields); err != nil {
			return err
		}
		if e.Key, err = d.string(); err != nil {
			return err
		}
		if e.Value, err = d.string(); err != nil {
			return err
		}
		if e.Version, err = d.uint(); err != nil {
			return err
		}
		if e.Tombstone, err = d.bool(); err != nil {
			return err
		}
	}
	return nil
}

// code returns the next type code without consuming it.
func (d *decoder) code() (byte, error) {
	if d.r.Len() == 0 {
		return 0, d.fail("truncated")
	}
	return d.b[d.pos()], nil
}

// fields reads a record's array header and checks its length.
func (d *decoder) fields(want int) error {
	n, err := d.arrayLen(1)
	if err == nil && n != want {
		err = d.fail("wrong number of fields")
	}
	return err
}

// arrayLen reads an array header and refuses a length that cannot fit in the
// remaining input at min bytes per element.
func (d *decoder) arrayLen(min int) (int, error) {
	c, err := d.code()
	if err != nil {
		return 0, err
	}
	if !msgpcode.IsFixedArray(c) && c != msgpcode.Array16 && c != msgpcode.Array32 {
		return 0, d.fail("expected array")
	}
	n, err := d.d.DecodeArrayLen()
	if err != nil {
		return 0, d.fail("truncated array header")
	}
	if n > d.r.Len()/min {
		return 0, d.fail("array longer than the input")
	}
	return n, nil
}

// id reads a non-empty string.
func (d *decoder) id() (string, error) {
	s, err := d.string()
	if err == nil && s == "" {
		err = d.fail("empty id")
	}
	return s, err
}

// string reads a str or bin after checking that its length fits.
func (d *decoder) string() (string, error) {
	c, err := d.code()
	if err != nil {
		return "", err
	}
	var hdr int
	switch {
	case msgpcode.IsFixedString(c):
		hdr = 1
	case c == msgpcode.Str8 || c == msgpcode.Bin8:
		hdr = 2
	case c == msgpcode.Str16 || c == msgpcode.Bin16:
		hdr = 3
	case c == msgpcode.Str32 || c == msgpcode.Bin32:
		hdr = 5
	default:
		return "", d.fail("expected string")
	}
	if d.r.Len() < hdr {
		return "", d.fail("truncated string header")
	}
	h := d.b[d.pos()+1 : d.pos()+hdr]
	var n uint64
	switch hdr {
	case 1:
		n = uint64(c & msgpcode.FixedStrMask)
	case 2:
		n = uint64(h[0])
	case 3:
		n = uint64(binary.BigEndian.Uint16(h))
	case 5:
		n = uint64(binary.BigEndian.Uint32(h))
	}
	if n > uint64(d.r.Len()-hdr) {
		return "", d.fail("string longer than the input")
	}
	s, err := d.d.DecodeString()
	if err != nil {
		return "", d.fail("bad string")
	}
	return s, nil
}

// uint reads a non-negative integer of any width.
func (d *decoder) uint() (uint64, error) {
	c, err := d.code()
	if err != nil {
		return 0, err
	}
	switch {
	case c <= msgpcode.PosFixedNumHigh || c >= msgpcode.Uint8 && c <= msgpcode.Uint64:
		v, err := d.d.DecodeUint64()
		if err != nil {
			return 0, d.fail("truncated integer")
		}
		return v, nil
	case c >= msgpcode.Int8 && c <= msgpcode.Int64:
		v, err := d.d.DecodeInt64()
		if err != nil {
			return 0, d.fail("truncated integer")
		}
		if v < 0 {
			return 0, d.fail("negative integer")
		}
		return uint64(v), nil
	}
	return 0, d.fail("expected unsigned integer")
}

func (d *decoder) bool() (bool, error) {
	c, err := d.code()
	if err != nil {
		return false, err
	}
	if c != msgpcode.True && c != msgpcode.False {
		return false, d.fail("expected boolean")
	}
	_, _ = d.r.ReadByte() // cannot fail: code saw the byte
	return c == msgpcode.True, nil
}
