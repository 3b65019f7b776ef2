// Package codec defines the Scuttlebutt wire messages and the Codec interface
// that turns them into bytes and back.
//
// An anti-entropy exchange starts with a SYN carrying the sender's digest
// hash (see hash.go) and the digest entries of nodes that changed lately.
// When the hashes differ and those entries do not explain the difference,
// the two sides walk a tree of bucket hashes over the ID space down to the
// buckets that differ, list the entries of those buckets, and send each
// other the deltas the other lacks. Every message after the SYN is a
// SYNACK (more to say, an answer expected) or an ACK (deltas only). PING
// and PONG carry liveness between a monitor and the nodes it watches, with
// the digest hash, so that in a quiet cluster one small exchange does both.
//
// Implementations live in sub-packages (codec/json, codec/msgpack,
// codec/binary). Every implementation must pass the shared suite in
// codec/codectest, which checks round-trips, size prediction and hostile input.
package codec

import "errors"

// Version is the protocol version every codec writes and reads. Version 3
// replaced per-node heartbeats and digest windows with digest hashes,
// bucket trees and PING/PONG.
const Version = 3

// Kind says which step of an exchange a Message is.
type Kind uint8

// The message kinds. The zero Kind is invalid so that a zeroed Message never
// passes for a real one.
const (
	// KindSyn opens an exchange: the sender's Hash and, in Digest, the
	// entries of nodes that changed lately.
	KindSyn Kind = 1
	// KindSynAck continues an exchange: any of Digest, Buckets, Requests
	// and Deltas; the receiver answers what it can.
	KindSynAck Kind = 2
	// KindAck closes an exchange: Deltas only, no answer expected.
	KindAck Kind = 3
	// KindPing asks a monitored node for a PONG; it carries the sender's
	// Hash.
	KindPing Kind = 4
	// KindPong answers a PING: proof of life, with the sender's Hash and,
	// when the hashes differed, Digest entries as in a SYN.
	KindPong Kind = 5
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case KindSyn:
		return "SYN"
	case KindSynAck:
		return "SYNACK"
	case KindAck:
		return "ACK"
	case KindPing:
		return "PING"
	case KindPong:
		return "PONG"
	}
	return "UNKNOWN"
}

// Valid reports whether k is one of the defined kinds.
func (k Kind) Valid() bool { return k >= KindSyn && k <= KindPong }

// DigestEntry summarises what the sender knows of one node.
type DigestEntry struct {
	// ID is the node's identifier. Never empty.
	ID string
	// Generation is the node's incarnation; a higher one replaces a lower one.
	Generation uint64
	// MaxVersion is the highest version of the node's state the sender holds
	// without a gap.
	MaxVersion uint64
	// GCVersion is the sender's tombstone garbage-collection watermark for
	// the node (see NodeDelta.GCVersion); it tells a peer whether the sender
	// needs a prune.
	GCVersion uint64
	// Left is set once the node announced a graceful departure.
	Left bool
}

// BucketID names a bucket of the ID space: the nodes whose IDHash starts
// with the Level·BucketBits bits of Index. Level 0 (Index 0) is the whole
// ID space; a bucket at level l has 1<<BucketBits children at level l+1.
type BucketID struct {
	Level uint8
	Index uint32
}

// Bucket is what the sender holds in one bucket: the sum of the EntryHash
// of its entries and how many there are.
type Bucket struct {
	BucketID
	Hash  uint64
	Count uint32
}

// Digest lists digest entries, each a node the sender knows.
//
// Entries say nothing about the nodes they do not list, except over the
// buckets in Cover: there the list is complete, so a node in a covered
// bucket that is not listed is unknown to the sender.
type Digest struct {
	Cover   []BucketID
	Entries []DigestEntry
}

// Covers reports whether id lies in one of the digest's covered buckets.
func (d *Digest) Covers(id string) bool {
	if len(d.Cover) == 0 {
		return false
	}
	h := IDHash(id)
	for _, b := range d.Cover {
		if b.Contains(h) {
			return true
		}
	}
	return false
}

// Entry is one versioned key of a node's state.
type Entry struct {
	Key   string
	Value string
	// Version is the owner's version counter at the write. Versions of one
	// node are unique and grow with every write.
	Version uint64
	// Tombstone marks a deleted key; Value is then empty.
	Tombstone bool
}

// NodeDelta carries entries of one node's state.
//
// Entries are in ascending Version order and are the complete set of the
// sender's entries with From < Version <= Upto: a receiver whose max version
// for the node is at least From may apply them and then holds the node's state
// without a gap through Upto. Upto may exceed the last entry's version when
// later versions were tombstones already garbage-collected by the sender.
type NodeDelta struct {
	ID         string
	Generation uint64
	// From is the exclusive lower bound the sender used (the receiver's max
	// version as the sender last knew it).
	From uint64
	// Upto is the inclusive upper bound the entries are complete through.
	Upto uint64
	// Reset marks a prune, sent by the node itself only: Entries list every
	// key the node holds live at version Upto (Key and Version; no Value,
	// no tombstone), and From is 0. A receiver that may hold keys whose
	// tombstones the sender has collected deletes the keys the list does
	// not name, once the plain deltas that follow the prune have brought it
	// to Upto; until then it shows its copy unchanged.
	Reset bool
	// GCVersion is the sender's tombstone garbage-collection watermark for the
	// node: tombstones at or below it were dropped. A receiver of a reset
	// adopts it.
	GCVersion uint64
	Entries   []Entry
}

// Message is one datagram of the protocol.
type Message struct {
	Kind Kind
	// From is the sender's node ID.
	From string
	// Hash is the sender's digest hash (the sum of EntryHash over every
	// node it holds) when the message was built; zero when not given (a sum
	// that wraps to exactly zero, one chance in 2^64, is sent as none, and
	// then merely looks different from every peer's). Set on SYN,
	// PING and PONG, and on a SYNACK that starts a bucket walk.
	Hash uint64
	// Digest holds entries to compare: a SYN's and PONG's lately changed
	// nodes, or a SYNACK's complete listing of its covered buckets.
	Digest Digest
	// Buckets holds bucket hashes for the receiver to compare with its own.
	Buckets []Bucket
	// Requests lists the nodes the sender wants deltas for, with what it
	// holds of them (Generation 0 for a node it has never heard of). The
	// entry of a departing receiver, Left set, acknowledges its departure.
	Requests []DigestEntry
	// Deltas holds node deltas the receiver lacks.
	Deltas []NodeDelta
	// Rates is the sender's flow-control state; the zero value means
	// none was given (a node without flow control never sends it). Set on
	// the SYN and on the SYNACK that answers it.
	Rates Rates
}

// Rates is a node's flow-control state (the paper's section 4), in
// thousandths of an update per second: Desired is the rate of the
// sender's own writes as it measured them, Max the rate at which it is
// allowed to spread them. Both sides of an exchange redistribute their
// Max in proportion to their Desired.
type Rates struct {
	Desired uint64
	Max     uint64
}

// IsZero reports whether r carries nothing: no rates were given.
func (r Rates) IsZero() bool { return r == Rates{} }

// Codec encodes Messages to bytes and decodes them back.
//
// Implementations must be safe for concurrent use by multiple goroutines and
// must not retain the Message passed to Encode or Size, nor the bytes passed
// to Decode: a decoded Message owns all its strings and slices.
//
// Decode must never panic, whatever the input: malformed, truncated or hostile
// bytes return an error that wraps ErrMalformed (or ErrCodecMismatch /
// ErrVersion for a well-formed header of another codec or protocol version),
// and refuse lengths or counts that cannot fit in the input before allocating.
type Codec interface {
	// Name is a stable, lower-case name such as "json" or "binary".
	Name() string
	// Append encodes m, appending to dst, and returns the extended slice.
	Append(dst []byte, m *Message) ([]byte, error)
	// Decode parses one whole message from b.
	Decode(b []byte) (*Message, error)
	// Sizer predicts encoded sizes; the packer uses it to fill a datagram
	// tightly without encoding trial messages.
	Sizer
}

// Sizer predicts the exact encoded size of a message as it is built up piece
// by piece. The sum of Base, Hash when the message has one, and the terms of
// each section must equal len(Append(nil, m)) exactly; codectest checks it.
//
// Because some formats use variable-length counts, each count method takes
// the number of items the section will hold and returns the size of that
// count over an empty section (n = 0 returns 0), so sizes stay exact.
type Sizer interface {
	// Base is the size of a message of kind k from sender from with no
	// Hash and every section empty.
	Base(k Kind, from string) int
	// HashSize is the size a non-zero Hash adds.
	HashSize() int
	// DigestEntry is the size added by one entry of Digest.Entries or
	// Requests.
	DigestEntry(e *DigestEntry) int
	// DigestCount is the size added by the count of n Digest.Entries.
	DigestCount(n int) int
	// Cover is the size added by one covered bucket.
	Cover(b BucketID) int
	// CoverCount is the size added by the count of n covered buckets.
	CoverCount(n int) int
	// Bucket is the size added by one bucket hash.
	Bucket(b *Bucket) int
	// BucketCount is the size added by the count of n buckets.
	BucketCount(n int) int
	// RequestCount is the size added by the count of n requests.
	RequestCount(n int) int
	// NodeDelta is the size added by one node delta with no entries.
	NodeDelta(d *NodeDelta) int
	// DeltaCount is the size added by the count of n node deltas.
	DeltaCount(n int) int
	// Entry is the size added by one entry inside a node delta.
	Entry(e *Entry) int
	// EntryCount is the size added by the count of n entries in a node
	// delta, over the count of zero already in NodeDelta.
	EntryCount(n int) int
	// Rates is the size added by the message's flow-control rates: zero
	// when r.IsZero().
	Rates(r Rates) int
}

// Size returns the encoded size of m predicted by s: the sum of its parts.
func Size(s Sizer, m *Message) int {
	n := s.Base(m.Kind, m.From)
	if m.Hash != 0 {
		n += s.HashSize()
	}
	n += s.CoverCount(len(m.Digest.Cover)) + s.DigestCount(len(m.Digest.Entries)) +
		s.BucketCount(len(m.Buckets)) + s.RequestCount(len(m.Requests)) + s.DeltaCount(len(m.Deltas))
	for _, b := range m.Digest.Cover {
		n += s.Cover(b)
	}
	for i := range m.Digest.Entries {
		n += s.DigestEntry(&m.Digest.Entries[i])
	}
	for i := range m.Buckets {
		n += s.Bucket(&m.Buckets[i])
	}
	for i := range m.Requests {
		n += s.DigestEntry(&m.Requests[i])
	}
	for i := range m.Deltas {
		d := &m.Deltas[i]
		n += s.NodeDelta(d) + s.EntryCount(len(d.Entries))
		for j := range d.Entries {
			n += s.Entry(&d.Entries[j])
		}
	}
	return n + s.Rates(m.Rates)
}

// Errors returned by codecs. Test for them with errors.Is.
var (
	// ErrMalformed: the bytes are not a valid message of this codec.
	ErrMalformed = errors.New("codec: malformed message")
	// ErrCodecMismatch: the bytes carry another codec's header.
	ErrCodecMismatch = errors.New("codec: message from another codec")
	// ErrVersion: the bytes carry an unknown protocol version.
	ErrVersion = errors.New("codec: unsupported protocol version")
)
