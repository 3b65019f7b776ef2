// Package store defines the Store: where a node keeps every known node's
// versioned key-value state.
//
// A Store is storage, not protocol. It holds, for each node, a summary
// (generation, max version, tombstone watermark, departure flag) and the
// node's entries (key, value, version, tombstone); it returns them in the
// orders the protocol reads them, and applies writes atomically. Every
// protocol rule (which version a write takes, which remote delta is valid,
// when a replica is pruned, which change raises an event) lives in the
// Scuttlebutt core, so a new Store (a durable one, say) implements only the
// contract below.
//
// Implementations: store/mem (in memory) and store/bolt (a file, durable,
// implementing the optional Batcher and Durable interfaces). Every
// implementation passes the shared suite in store/storetest.
package store

import "errors"

// Entry is one versioned key. Its fields match codec.Entry so the core can
// convert between the two without copying field by field.
type Entry struct {
	Key   string
	Value string
	// Version is the owner's version counter at the write. The core keeps
	// versions of one node's entries unique.
	Version uint64
	// Tombstone marks a deleted key; Value is then empty.
	Tombstone bool
}

// Node is what the store holds of one node besides its entries.
type Node struct {
	ID         string
	Generation uint64
	// MaxVersion is the highest version the replica holds with no gap
	// below it.
	MaxVersion uint64
	// GCVersion is the tombstone watermark: the replica vouches that none
	// of its live keys was deleted at or below it. It may exceed MaxVersion.
	GCVersion uint64
	// Left is set once the node announced a graceful departure.
	Left bool
	// Keys is the number of entries held, tombstones included. The store
	// maintains it; it is ignored in a Write.
	Keys int
}

// Write is a change to one node, applied as a whole. The store applies it in
// this order: Replace, then Drop, then Put, then the summary.
type Write struct {
	// Node is the node's summary after the write; Node.ID names the node,
	// which is created if unknown. Node.Keys is ignored.
	Node Node
	// Replace drops every entry held for the node first (a new generation).
	Replace bool
	// Drop lists keys whose entries are forgotten. An unknown key is
	// ignored.
	Drop []string
	// Put lists entries that become their keys' entries, replacing what is
	// held. A key listed twice takes its last entry.
	Put []Entry
}

// Store holds the state of every known node.
//
// Concurrency: implementations need not be safe for concurrent use; the Node
// serialises every call. Callbacks passed to Range and Entries must not call
// back into the store.
//
// Ownership: the store copies what it keeps of a Write; slices passed in are
// not retained after the call. Entries and Node values returned are the
// caller's (strings are immutable).
//
// Errors: reads cannot fail. Write and Remove return an error only when the
// storage itself fails (a disk, say), and then change nothing: a write is
// applied entirely or not at all.
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
	// Entries calls fn for node id's entries with Version > after, in
	// ascending Version order, tombstones included, until fn returns false.
	Entries(id string, after uint64, fn func(Entry) bool)
	// Write applies w. See Write for what it does.
	Write(w *Write) error
	// Remove forgets node id and all its entries. Removing an unknown node
	// does nothing.
	Remove(id string) error
}

// ErrInvalidWrite is returned by Write for a write no core would issue: an
// empty node ID, or an entry with an empty key. Test for it with errors.Is.
var ErrInvalidWrite = errors.New("store: invalid write")
