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
// no entries. Otherwise a delta with Upto <= MaxVersion is already held
// (nil, no change, no callback), unless it is a reset the node needs.
//
// A node's GCVersion is a promise: it holds no tombstone at or below
// GCVersion, and no live key whose latest write at or below GCVersion is a
// delete. GCVersion may exceed MaxVersion, after a reset cut short.
//
// A reset carries every entry the sender holds from version 0 through Upto,
// tombstones included, in ascending version order; the sender holds no
// tombstone at or below its own watermark, d.GCVersion. Applying it drops
// the node's entries, installs the delta's, and sets MaxVersion to Upto and
// GCVersion to d.GCVersion, which may lower the node's watermark, and which
// exceeds Upto when the MTU cut the reset short below the sender's
// watermark. Plain deltas from MaxVersion then continue it. A reset lands
// when Upto > MaxVersion, and also when the node needs it: MaxVersion <
// d.GCVersion and GCVersion < d.GCVersion, so it may hold keys whose
// tombstones the sender collected (a plain delta would be ErrGap, below).
// A needed reset lands even when the MTU cut it at or below MaxVersion,
// which then drops to Upto; else the reset would never land.
//
// A plain delta applies its entries above MaxVersion, in order, and sets
// MaxVersion to Upto. A node that held nothing (MaxVersion 0) adopts
// min(d.GCVersion, Upto) as its GCVersion; any other keeps its own. For a
// node holding state (MaxVersion > 0), Apply returns ErrGap when:
//
//   - MaxVersion < d.GCVersion and GCVersion < d.GCVersion: the sender
//     dropped tombstones above MaxVersion that the node may never have seen
//     and has not adopted that watermark from a reset, so it may hold keys
//     they deleted. The sender owes a reset.
//   - MaxVersion < GCVersion, d.GCVersion < GCVersion and Upto < GCVersion:
//     the node holds a reset cut short and vouches for every delete through
//     GCVersion. A sender that has collected less, and whose delta stops
//     short of GCVersion, may not yet know of a delete in (Upto, GCVersion]
//     and would bring the deleted key back for good. A sender whose
//     watermark is at least GCVersion (the reset's sender) continues the
//     reset, and so does any delta reaching GCVersion: its sender knows of
//     every delete through it.
//
// A tombstone at or below the GCVersion the node holds after the delta
// deletes its key but is not stored. A delta continuing a cut reset may
// carry one; a correct reset or first delta never does.
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
// Entries that change no visible state are stored (but for tombstones at or
// below the watermark) and not reported: a tombstone for a key that was
// missing or already deleted, and a live entry rewriting the same value at a
// newer version. So applying the same state twice, by any route, reports
// nothing the second time. Duplicate keys in one delta (which a correct
// sender never produces) apply one after the other.
package mem
