package bolt

import (
	"encoding/binary"

	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// The records of the layout in doc.go.

const (
	summaryLen = 4*8 + 1
	flagLeft   = 1 // summary flag
	flagTomb   = 1 // entry flag
	prefixKey  = 'k'
	prefixVer  = 'v'
	verRecHead = 1 + 8 // 'v' and the version, before the key
)

// encodeSummary encodes n's summary with keys entries, in a new slice.
func encodeSummary(n *store.Node, keys uint64) []byte {
	b := make([]byte, summaryLen)
	binary.BigEndian.PutUint64(b[0:], n.Generation)
	binary.BigEndian.PutUint64(b[8:], n.MaxVersion)
	binary.BigEndian.PutUint64(b[16:], n.GCVersion)
	binary.BigEndian.PutUint64(b[24:], keys)
	if n.Left {
		b[32] = flagLeft
	}
	return b
}

// decodeSummary decodes node id's summary record, and reports whether it
// has the expected length.
func decodeSummary(id []byte, b []byte) (store.Node, bool) {
	if len(b) != summaryLen {
		return store.Node{ID: string(id)}, false
	}
	return store.Node{
		ID:         string(id),
		Generation: binary.BigEndian.Uint64(b[0:]),
		MaxVersion: binary.BigEndian.Uint64(b[8:]),
		GCVersion:  binary.BigEndian.Uint64(b[16:]),
		Keys:       int(binary.BigEndian.Uint64(b[24:])),
		Left:       b[32]&flagLeft != 0,
	}, true
}

// summaryKeys returns the key count of a summary record (0 if malformed).
func summaryKeys(b []byte) uint64 {
	if len(b) != summaryLen {
		return 0
	}
	return binary.BigEndian.Uint64(b[24:])
}

// keyRecord appends the 'k' record key of key to dst.
func keyRecord(dst []byte, key string) []byte {
	dst = append(dst, prefixKey)
	return append(dst, key...)
}

// verRecord appends the 'v' record key of key at version v to dst.
func verRecord(dst []byte, v uint64, key string) []byte {
	dst = append(dst, prefixVer)
	dst = binary.BigEndian.AppendUint64(dst, v)
	return append(dst, key...)
}

// encodeVersion encodes a 'k' record's value, in a new slice.
func encodeVersion(v uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), v) }

// decodeVersion decodes a 'k' record's value.
func decodeVersion(b []byte) (uint64, bool) {
	if len(b) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(b), true
}

// encodeEntry encodes e's 'v' record value, in a new slice.
func encodeEntry(e *store.Entry) []byte {
	b := make([]byte, 1, 1+len(e.Value))
	if e.Tombstone {
		b[0] = flagTomb
	}
	return append(b, e.Value...)
}

// decodeEntry decodes a 'v' record: its key k (with the prefix) and value b.
func decodeEntry(k, b []byte) (store.Entry, bool) {
	if len(k) <= verRecHead || k[0] != prefixVer || len(b) < 1 {
		return store.Entry{}, false
	}
	return store.Entry{
		Key:       string(k[verRecHead:]),
		Version:   binary.BigEndian.Uint64(k[1:verRecHead]),
		Value:     string(b[1:]),
		Tombstone: b[0]&flagTomb != 0,
	}, true
}
