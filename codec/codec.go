// Package codec defines the Scuttlebutt wire messages and the Codec interface
// that turns them into bytes and back.
//
// A gossip exchange is three messages (see package scuttlebutt):
//
//	SYN     the initiator's Digest
//	SYNACK  the responder's Digest and the Deltas the initiator lacks
//	ACK     the Deltas the responder lacks
//
// Implementations live in sub-packages (codec/json, codec/msgpack,
// codec/binary). Every implementation must pass the shared suite in
// codec/codectest, which checks round-trips, size prediction and hostile input.
package codec

import "errors"

// Kind says which step of an exchange a Message is.
type Kind uint8

// The message kinds. The zero Kind is invalid so that a zeroed Message never
// passes for a real one.
const (
	// KindSyn opens an exchange: it carries the sender's Digest.
	KindSyn Kind = 1
	// KindSynAck answers a SYN: the responder's Digest and the deltas the
	// initiator lacks.
	KindSynAck Kind = 2
	// KindAck closes an exchange: the deltas the responder lacks.
	KindAck Kind = 3
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
	}
	return "UNKNOWN"
}

// Valid reports whether k is one of the defined kinds.
func (k Kind) Valid() bool { return k >= KindSyn && k <= KindAck }

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
	// needs a reset.
	GCVersion uint64
	// Heartbeat is the node's heartbeat counter as last seen by the sender.
	Heartbeat uint64
	// Left is set once the node announced a graceful departure.
	Left bool
}

// Digest is a summary of the sender's knowledge, one entry per node.
//
// A digest may be partial when the full one does not fit a datagram. It is
// then complete over an ID range: every node whose ID is in [Lo, Hi] that the
// sender knows is listed, so a node in that range that is not listed is unknown
// to the sender. An empty Lo means no lower bound and an empty Hi no upper
// bound; a digest with both empty is complete. Entries outside the range may
// be present (the sender always lists itself) and say nothing about others.
//
// On a SYNACK the digest is a request list instead: the nodes the responder
// wants deltas for, with what it holds of them (Generation 0 for a node it has
// never heard of), plus the responder's own entry, plus the initiator's entry
// as an acknowledgement when the initiator announced it is leaving. Lo and Hi
// are unused there.
type Digest struct {
	Lo, Hi  string
	Entries []DigestEntry
}

// Covers reports whether id lies in the digest's complete range.
func (d *Digest) Covers(id string) bool {
	return (d.Lo == "" || id >= d.Lo) && (d.Hi == "" || id <= d.Hi)
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
	// Digest is set on SYN and SYNACK.
	Digest Digest
	// Deltas is set on SYNACK and ACK.
	Deltas []NodeDelta
}

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
// by piece. The sum of Base, the Digest and Delta terms of what a Message
// holds must equal len(Append(nil, m)) exactly; codectest checks it.
//
// Because some formats use variable-length counts, each method takes the
// number of items the enclosing list will hold, so the sizes stay exact.
type Sizer interface {
	// Base is the size of a message of kind k from sender from with an empty
	// digest (Lo and Hi as given) and no deltas.
	Base(k Kind, from, lo, hi string) int
	// DigestEntry is the size added by one digest entry.
	DigestEntry(e *DigestEntry) int
	// DigestCount is the size added by the count of n digest entries, over
	// the count of zero entries already in Base.
	DigestCount(n int) int
	// NodeDelta is the size added by one node delta with no entries.
	NodeDelta(d *NodeDelta) int
	// DeltaCount is the size added by the count of n node deltas, over the
	// count of zero already in Base.
	DeltaCount(n int) int
	// Entry is the size added by one entry inside a node delta.
	Entry(e *Entry) int
	// EntryCount is the size added by the count of n entries in a node
	// delta, over the count of zero already in NodeDelta.
	EntryCount(n int) int
}

// Size returns the encoded size of m predicted by s: the sum of its parts.
func Size(s Sizer, m *Message) int {
	n := s.Base(m.Kind, m.From, m.Digest.Lo, m.Digest.Hi) + s.DigestCount(len(m.Digest.Entries)) + s.DeltaCount(len(m.Deltas))
	for i := range m.Digest.Entries {
		n += s.DigestEntry(&m.Digest.Entries[i])
	}
	for i := range m.Deltas {
		d := &m.Deltas[i]
		n += s.NodeDelta(d) + s.EntryCount(len(d.Entries))
		for j := range d.Entries {
			n += s.Entry(&d.Entries[j])
		}
	}
	return n
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
