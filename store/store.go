// Package store defines the Store: every known node's versioned key-value
// state, as the Scuttlebutt core reads and writes it.
//
// For each node the store holds its generation, one version counter shared by
// all its keys, its heartbeat, and its keys as (value, version, tombstone).
// The store enforces the protocol's state rules: owner writes take the next
// version and unchanged writes are no-ops; remote deltas are validated
// (stale, duplicate, gapped and wrong-generation deltas change nothing); a
// newer generation replaces an older one wholesale.
//
// Implementations: store/mem. Every implementation passes the shared suite in
// store/storetest.
package store

import "errors"

// Entry is one versioned key. Its fields match codec.Entry so the core can
// convert between the two without copying field by field.
type Entry struct {
	Key   string
	Value string
	// Version is the owner's version counter at the write.
	Version uint64
	// Tombstone marks a deleted key; Value is then empty.
	Tombstone bool
}

// Node summarises what the store holds of one node.
type Node struct {
	ID         string
	Generation uint64
	// MaxVersion is the highest version held with no gap below it.
	MaxVersion uint64
	// GCVersion is the tombstone garbage-collection watermark: the node holds
	// no tombstone at or below it, and no live key whose latest write at or
	// below it is a delete. It may exceed MaxVersion after a reset cut short.
	GCVersion uint64
	// Heartbeat is the highest heartbeat seen.
	Heartbeat uint64
	// Left is set once the node announced a graceful departure.
	Left bool
	// Keys is the number of entries held, tombstones included.
	Keys int
}

// Delta is a validated unit of remote state for one node: the complete set of
// the sender's entries with From < Version <= Upto, tombstones included, in
// ascending version order. A reset (From 0) carries every entry the sender
// holds through Upto; the sender holds no tombstone at or below its
// GCVersion, which the Delta carries. It mirrors codec.NodeDelta.
type Delta struct {
	ID         string
	Generation uint64
	From, Upto uint64
	// Reset replaces the node's entries with these (From must be 0).
	Reset     bool
	GCVersion uint64
	Entries   []Entry
}

// Store holds the state of every known node.
//
// Implementations need not be safe for concurrent use: the Node serialises
// every call. Entries passed in are copied or kept as the store likes (strings
// are immutable); slices passed in are not retained. Callbacks passed to
// iterating methods must not call back into the store.
type Store interface {
	// Node returns the summary of node id.
	Node(id string) (Node, bool)
	// Len is the number of known nodes.
	Len() int
	// Range calls fn for each node with lo <= ID <= hi in ascending ID order
	// until fn returns false. An empty lo or hi is unbounded.
	Range(lo, hi string, fn func(Node) bool)
	// Get returns node id's entry for key, tombstones included.
	Get(id, key string) (Entry, bool)
	// Entries calls fn for node id's entries with Version > after in
	// ascending Version order until fn returns false.
	Entries(id string, after uint64, fn func(Entry) bool)

	// AddNode makes id known at generation gen with empty state. If id is
	// known at an older generation, its state is dropped and replaced (the
	// result is true); at the same generation nothing changes (false); at a
	// newer one it returns ErrStaleGeneration.
	AddNode(id string, gen uint64) (replaced bool, err error)
	// Put is an owner write: key takes value (or a tombstone if tombstone is
	// set) at version MaxVersion+1. Writing the current value, or deleting a
	// missing or deleted key, is a no-op that returns changed == false.
	// Returns ErrUnknownNode if id is not known.
	Put(id, key, value string, tombstone bool) (e Entry, changed bool, err error)
	// Apply applies a remote delta and calls fn, in ascending version order,
	// for each change of the node's visible state (fn may be nil). An older
	// generation returns ErrStaleGeneration; entries unordered or outside
	// (From, Upto] return ErrInvalidDelta; From above MaxVersion returns
	// ErrGap. A newer generation replaces the node's state first; an unknown
	// node is added.
	//
	// A reset replaces the node's entries with d's and sets MaxVersion to
	// Upto and GCVersion to d.GCVersion (which may exceed Upto or lower the
	// old watermark). It lands when Upto > MaxVersion, or when the node needs
	// it (MaxVersion < d.GCVersion and GCVersion < d.GCVersion), then even at
	// or below MaxVersion.
	//
	// A plain delta adds its entries above MaxVersion and sets MaxVersion to
	// Upto; a node that held nothing adopts min(d.GCVersion, Upto) as its
	// GCVersion. A node holding state returns ErrGap if MaxVersion <
	// d.GCVersion and GCVersion < d.GCVersion (the sender owes a reset), or
	// if MaxVersion < GCVersion and both d.GCVersion and Upto are below
	// GCVersion (the node holds a cut reset that only a sender that collected
	// as far, or a delta reaching the watermark, may continue). A tombstone at
	// or below the node's GCVersion deletes its key but is not kept.
	//
	// Any other delta with Upto <= MaxVersion is already held: no error, no
	// change. Every error changes nothing.
	Apply(d *Delta, fn func(Entry)) error
	// Heartbeat raises node id's heartbeat to hb at generation gen and
	// reports whether it rose. Other generations are ignored.
	Heartbeat(id string, gen, hb uint64) bool
	// SetLeft marks node id at generation gen as having left and reports
	// whether that changed anything.
	SetLeft(id string, gen uint64) bool
	// Remove forgets node id entirely.
	Remove(id string)
	// GC drops node id's tombstones with Version <= upto, raises its
	// GCVersion to upto, and returns how many it dropped. upto is capped at
	// MaxVersion.
	GC(id string, upto uint64) int
}

// Errors returned by stores. Test for them with errors.Is.
var (
	// ErrUnknownNode: the node is not in the store.
	ErrUnknownNode = errors.New("store: unknown node")
	// ErrStaleGeneration: the delta or call is for an older generation.
	ErrStaleGeneration = errors.New("store: stale generation")
	// ErrGap: applying the delta would leave a gap in the versions.
	ErrGap = errors.New("store: delta leaves a version gap")
	// ErrInvalidDelta: the delta's entries break its own bounds or order.
	ErrInvalidDelta = errors.New("store: invalid delta")
)
