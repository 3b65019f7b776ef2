// Package mem is the in-memory store.Store: every known node's versioned
// key-value state held in maps and slices, sized for clusters of about 10,000
// nodes with tens of keys each.
//
// A Store is not safe for concurrent use. The Node serialises every call, as
// the store.Store contract allows; wrap it in a mutex to share it otherwise.
//
// # Layout
//
// Nodes live in a map by ID and in a slice sorted by ID, so Range is a binary
// search and a scan. Each node keeps its entries in a slice in ascending
// version order (its log) and a map from key to log position. A key has one
// entry, its latest: overwriting it blanks the old slot and appends the new
// entry, which always carries the node's highest version, so the log stays
// sorted. Blank slots are squeezed out once they outnumber the live ones, so
// every write costs O(keys) at worst and O(1) amortised. Entries(after) is a
// binary search in the log and a scan. Range, Entries, Get and Node do not
// allocate; Put and Apply do not allocate once the node's log and map have
// grown to their working size.
//
// # Apply
//
// Apply checks, in this order and before changing anything:
//
//   - d.Generation below the known one: ErrStaleGeneration.
//   - The delta's own shape: From <= Upto, From == 0 on a reset, every entry's
//     Version in (From, Upto] and strictly ascending, keys non-empty,
//     tombstones with an empty Value (a tombstone carrying a value is refused,
//     not cleaned up). Otherwise ErrInvalidDelta.
//   - d.From above the node's MaxVersion (0 for an unknown node or a newer
//     generation): ErrGap.
//
// An unknown node is added at d.Generation, and a newer generation drops the
// old one's state first (heartbeat 0, Left false), even when the delta holds
// no entries. Otherwise a delta with Upto <= MaxVersion is already held: nil,
// no change, no callback.
//
// A plain delta applies its entries above MaxVersion, in order, and sets
// MaxVersion to Upto. It must not skip tombstones the receiver lacks: if the
// node already holds state (MaxVersion > 0) and MaxVersion < d.GCVersion, the
// sender has dropped tombstones the receiver may never have seen, so Apply
// returns ErrGap and the sender owes a reset. A node that holds nothing
// (MaxVersion 0) installs a plain delta as it would a reset.
//
// A reset (or the first delta of a new node or generation) installs its
// entries in place of the node's, sets MaxVersion to Upto and adopts
// min(d.GCVersion, Upto) as GCVersion. One refinement keeps a reset cut short
// by the MTU from erasing keys: an old entry that the reset does not mention
// and whose Version is above d.GCVersion is kept, because the sender holds
// every tombstone above its watermark, so that key was rewritten above Upto,
// not deleted. Old entries at or below d.GCVersion that the reset does not
// mention are dropped: their deletions were garbage-collected. A new
// generation keeps nothing of the old one.
//
// # Apply callbacks
//
// fn reports changes to the node's visible state, the map from live keys to
// values, in ascending version order:
//
//   - a live entry whose key was missing, tombstoned or held another value:
//     fn(entry);
//   - a tombstone over a live value: fn(tombstone);
//   - a live key that a reset or a new generation dropped: after the delta's
//     own entries, in key order, fn(store.Entry{Key: key, Tombstone: true,
//     Version: d.Upto}). This tombstone is synthetic: it is not stored.
//
// Entries that change no visible state are stored but not reported: a
// tombstone for a key that was missing or already deleted, and a live entry
// rewriting the same value at a newer version. So applying the same state
// twice, by any route, reports nothing the second time. Duplicate keys in one
// delta (which a correct sender never produces) apply one after the other.
package mem
