package msgpack

import (
	"math"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// Base is the size of a message with no hash (a 0 in the hash's place) and
// empty lists.
func (Codec) Base(k codec.Kind, from string) int {
	return arrayLen(messageFields) + strLen(magic) + uintLen(Version) + uintLen(uint64(k)) +
		strLen(from) + uintLen(0) + 5*arrayLen(0)
}

// HashSize is 8: a non-zero hash is always a 9-byte uint64 where a missing
// one is the 1-byte 0.
func (Codec) HashSize() int { return 9 - uintLen(0) }

// DigestEntry is the size of one digest entry or request record.
func (Codec) DigestEntry(e *codec.DigestEntry) int {
	return arrayLen(digestEntryFields) + strLen(e.ID) + uintLen(e.Generation) + uintLen(e.MaxVersion) +
		uintLen(e.GCVersion) + 1
}

// DigestCount is the growth of the digest's array header for n entries.
func (Codec) DigestCount(n int) int { return arrayLen(n) - arrayLen(0) }

// Cover is the size of one covered bucket record.
func (Codec) Cover(b codec.BucketID) int {
	return arrayLen(coverFields) + uintLen(uint64(b.Level)) + uintLen(uint64(b.Index))
}

// CoverCount is the growth of the cover's array header for n buckets.
func (Codec) CoverCount(n int) int { return arrayLen(n) - arrayLen(0) }

// Bucket is the size of one bucket record.
func (Codec) Bucket(b *codec.Bucket) int {
	return arrayLen(bucketFields) + uintLen(uint64(b.Level)) + uintLen(uint64(b.Index)) +
		uintLen(b.Hash) + uintLen(uint64(b.Count))
}

// BucketCount is the growth of the buckets' array header for n buckets.
func (Codec) BucketCount(n int) int { return arrayLen(n) - arrayLen(0) }

// RequestCount is the growth of the requests' array header for n requests.
func (Codec) RequestCount(n int) int { return arrayLen(n) - arrayLen(0) }

// NodeDelta is the size of one node delta record with no entries.
func (Codec) NodeDelta(d *codec.NodeDelta) int {
	return arrayLen(nodeDeltaFields) + strLen(d.ID) + uintLen(d.Generation) + uintLen(d.From) +
		uintLen(d.Upto) + 1 + uintLen(d.GCVersion) + arrayLen(0)
}

// DeltaCount is the growth of the deltas' array header for n node deltas.
func (Codec) DeltaCount(n int) int { return arrayLen(n) - arrayLen(0) }

// Entry is the size of one entry record.
func (Codec) Entry(e *codec.Entry) int {
	return arrayLen(entryFields) + strLen(e.Key) + strLen(e.Value) + uintLen(e.Version) + 1
}

// EntryCount is the growth of a node delta's entry array header for n
// entries.
func (Codec) EntryCount(n int) int { return arrayLen(n) - arrayLen(0) }

// Rates is the size of the rates field, [desired, max]: none when absent.
// The message's array header stays one byte (fixarray) with it.
func (Codec) Rates(r codec.Rates) int {
	if r.IsZero() {
		return 0
	}
	return arrayLen(messageFields+1) - arrayLen(messageFields) + arrayLen(ratesFields) +
		uintLen(r.Desired) + uintLen(r.Max)
}

// arrayLen is the size of an array header for n elements.
func arrayLen(n int) int {
	switch {
	case n < 16:
		return 1
	case n <= math.MaxUint16:
		return 3
	}
	return 5
}

// strLen is the size of s as a str.
func strLen(s string) int {
	switch n := len(s); {
	case n < 32:
		return 1 + n
	case n <= math.MaxUint8:
		return 2 + n
	case n <= math.MaxUint16:
		return 3 + n
	default:
		return 5 + n
	}
}

// uintLen is the size of n as the shortest MessagePack integer.
func uintLen(n uint64) int {
	switch {
	case n <= 127:
		return 1
	case n <= math.MaxUint8:
		return 2
	case n <= math.MaxUint16:
		return 3
	case n <= math.MaxUint32:
		return 5
	}
	return 9
}
