package binary

import (
	"math/bits"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// Base is the size of a message with no digest entries and no deltas: the
// header, three strings and two zero counts.
func (Codec) Base(_ codec.Kind, from, lo, hi string) int {
	return len(Magic) + uvarintLen(Version) + 1 + strLen(from) + strLen(lo) + strLen(hi) + 1 + 1
}

// DigestEntry is the size of one digest entry.
func (Codec) DigestEntry(e *codec.DigestEntry) int {
	return 1 + strLen(e.ID) + uvarintLen(e.Generation) + uvarintLen(e.MaxVersion) +
		uvarintLen(e.GCVersion) + uvarintLen(e.Heartbeat)
}

// DigestCount is the growth of the digest count's varint for n entries.
func (Codec) DigestCount(n int) int { return uvarintLen(uint64(n)) - 1 }

// NodeDelta is the size of one node delta with no entries.
func (Codec) NodeDelta(d *codec.NodeDelta) int {
	return 1 + strLen(d.ID) + uvarintLen(d.Generation) + uvarintLen(d.From) + uvarintLen(d.Upto) +
		uvarintLen(d.GCVersion) + 1
}

// DeltaCount is the growth of the delta count's varint for n node deltas.
func (Codec) DeltaCount(n int) int { return uvarintLen(uint64(n)) - 1 }

// Entry is the size of one entry.
func (Codec) Entry(e *codec.Entry) int {
	return 1 + strLen(e.Key) + strLen(e.Value) + uvarintLen(e.Version)
}

// EntryCount is the growth of a node delta's entry count varint for n
// entries.
func (Codec) EntryCount(n int) int { return uvarintLen(uint64(n)) - 1 }

// uvarintLen is the size of n as a varint: one byte per started 7 bits.
func uvarintLen(n uint64) int { return (bits.Len64(n|1) + 6) / 7 }

func strLen(s string) int { return uvarintLen(uint64(len(s))) + len(s) }
