package binary

import (
	"math/bits"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// Base is the size of a message with no hash and no sections: the magic,
// version, kind and presence flags, and the sender.
func (Codec) Base(_ codec.Kind, from string) int {
	return len(Magic) + uvarintLen(Version) + 1 + 1 + strLen(from)
}

// HashSize is 8: the hash is written as a fixed 8-byte word.
func (Codec) HashSize() int { return 8 }

// DigestEntry is the size of one digest entry or request.
func (Codec) DigestEntry(e *codec.DigestEntry) int {
	return 1 + strLen(e.ID) + uvarintLen(e.Generation) + uvarintLen(e.MaxVersion) + uvarintLen(e.GCVersion)
}

// DigestCount is the size of the digest entry count: none for no entries.
func (Codec) DigestCount(n int) int { return countLen(n) }

// Cover is the size of one covered bucket: its level and index.
func (Codec) Cover(b codec.BucketID) int { return 1 + uvarintLen(uint64(b.Index)) }

// CoverCount is the size of the count of covered buckets: none for none.
func (Codec) CoverCount(n int) int { return countLen(n) }

// Bucket is the size of one bucket hash: level, index, hash and count.
func (Codec) Bucket(b *codec.Bucket) int {
	return 1 + uvarintLen(uint64(b.Index)) + 8 + uvarintLen(uint64(b.Count))
}

// BucketCount is the size of the bucket count: none for no buckets.
func (Codec) BucketCount(n int) int { return countLen(n) }

// RequestCount is the size of the request count: none for no requests.
func (Codec) RequestCount(n int) int { return countLen(n) }

// NodeDelta is the size of one node delta with no entries.
func (Codec) NodeDelta(d *codec.NodeDelta) int {
	return 1 + strLen(d.ID) + uvarintLen(d.Generation) + uvarintLen(d.From) + uvarintLen(d.Upto) +
		uvarintLen(d.GCVersion) + 1
}

// DeltaCount is the size of the node delta count: none for no deltas.
func (Codec) DeltaCount(n int) int { return countLen(n) }

// Entry is the size of one entry.
func (Codec) Entry(e *codec.Entry) int {
	return 1 + strLen(e.Key) + strLen(e.Value) + uvarintLen(e.Version)
}

// EntryCount is the growth of a node delta's entry count varint for n
// entries, over the one byte of a zero count in NodeDelta.
func (Codec) EntryCount(n int) int { return uvarintLen(uint64(n)) - 1 }

// Rates is the size of the rates: two varints, none when absent.
func (Codec) Rates(r codec.Rates) int {
	if r.IsZero() {
		return 0
	}
	return uvarintLen(r.Desired) + uvarintLen(r.Max)
}

// countLen is the size of a section's count: absent when the section is.
func countLen(n int) int {
	if n <= 0 {
		return 0
	}
	return uvarintLen(uint64(n))
}

// uvarintLen is the size of n as a varint: one byte per started 7 bits.
func uvarintLen(n uint64) int { return (bits.Len64(n|1) + 6) / 7 }

func strLen(s string) int { return uvarintLen(uint64(len(s))) + len(s) }
