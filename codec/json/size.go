package json

import "github.com/scuttlebutt-go/scuttlebutt/codec"

// Base is the size of a message with no hash and no lists. For an invalid
// kind it counts the name "UNKNOWN"; such a message cannot be encoded.
func (Codec) Base(k codec.Kind, from string) int {
	return len(header) + uintLen(Version) + len(fKind) + stringLen(k.String()) +
		len(fFrom) + stringLen(from) + 1 // the closing brace
}

// HashSize is the size of the "hash" field: always 16 hex digits.
func (Codec) HashSize() int { return len(fHash) + hashLen }

// DigestEntry is the size of one digest entry or request object.
func (Codec) DigestEntry(e *codec.DigestEntry) int {
	n := len(fID) + stringLen(e.ID) + 1 +
		optUintLen(fGeneration, e.Generation) +
		optUintLen(fMaxVersion, e.MaxVersion) +
		optUintLen(fGCVersion, e.GCVersion)
	if e.Left {
		n += len(fLeft)
	}
	return n
}

// DigestCount is the size of the "digest" field and the commas between n
// entries; the field is omitted when n is zero.
func (Codec) DigestCount(n int) int { return listLen(fDigest, n) }

// Cover is the size of one covered bucket object.
func (Codec) Cover(b codec.BucketID) int { return bucketIDLen(b) + 1 }

// CoverCount is the size of the "cover" field and the commas between n
// buckets; the field is omitted when n is zero.
func (Codec) CoverCount(n int) int { return listLen(fCover, n) }

// Bucket is the size of one bucket object.
func (Codec) Bucket(b *codec.Bucket) int {
	n := bucketIDLen(b.BucketID) + optUintLen(fCount, uint64(b.Count)) + 1
	if b.Hash != 0 {
		n += len(fHash) + hashLen
	}
	return n
}

// BucketCount is the size of the "buckets" field and the commas between n
// buckets; the field is omitted when n is zero.
func (Codec) BucketCount(n int) int { return listLen(fBuckets, n) }

// RequestCount is the size of the "requests" field and the commas between n
// requests; the field is omitted when n is zero.
func (Codec) RequestCount(n int) int { return listLen(fRequests, n) }

// Rates is the size of the "rates" field, both numbers always written:
// none when absent.
func (Codec) Rates(r codec.Rates) int {
	if r.IsZero() {
		return 0
	}
	return len(fRates) + uintLen(r.Desired) + len(fRatesMax) + uintLen(r.Max) + 1
}

// bucketIDLen is the size of a bucket object's opening, level and index.
func bucketIDLen(b codec.BucketID) int {
	return len(fLevel) + uintLen(uint64(b.Level)) + len(fIndex) + uintLen(uint64(b.Index))
}

// NodeDelta is the size of one node delta object without its entries.
func (Codec) NodeDelta(d *codec.NodeDelta) int {
	n := len(fID) + stringLen(d.ID) + 1 +
		optUintLen(fGeneration, d.Generation) +
		optUintLen(fDeltaFrom, d.From) +
		optUintLen(fUpto, d.Upto) +
		optUintLen(fGCVersion, d.GCVersion)
	if d.Reset {
		n += len(fReset)
	}
	return n
}

// DeltaCount is the size of the "deltas" field and the commas between n
// node deltas; the field is omitted when n is zero.
func (Codec) DeltaCount(n int) int { return listLen(fDeltas, n) }

// Entry is the size of one entry object.
func (Codec) Entry(e *codec.Entry) int {
	n := len(fKey) + stringLen(e.Key) + 1 +
		optStringLen(fValue, e.Value) +
		optUintLen(fVersion, e.Version)
	if e.Tombstone {
		n += len(fTombstone)
	}
	return n
}

// EntryCount is the size of the "entries" field and the commas between n
// entries; the field is omitted when n is zero.
func (Codec) EntryCount(n int) int { return listLen(fEntries, n) }

// listLen is the size of a list field (prefix, commas, closing bracket).
func listLen(field string, n int) int {
	if n <= 0 {
		return 0
	}
	return len(field) + (n - 1) + 1
}

func optUintLen(field string, n uint64) int {
	if n == 0 {
		return 0
	}
	return len(field) + uintLen(n)
}

func optStringLen(field, s string) int {
	if s == "" {
		return 0
	}
	return len(field) + stringLen(s)
}

// uintLen is the number of decimal digits of n.
func uintLen(n uint64) int {
	l := 1
	for n >= 10 {
		n /= 10
		l++
	}
	return l
}

// stringLen is the size of s as appendString writes it, quotes included.
func stringLen(s string) int {
	n := len(s) + 2
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f':
			n++
		case c < 0x20:
			n += 5
		}
	}
	return n
}
