// Package bolt is a durable store.Store: every known node's summary and
// entries kept in one file with go.etcd.io/bbolt (a copy-on-write B+tree
// with one writer at a time and atomic, crash-safe commits).
//
// A Node started on a Store that was used before resumes from it (a warm
// restart): it keeps its view of every other node, whose state stays valid
// because only this node's generation changes, so it needs only the deltas
// that arrived while it was down. Its generation is max(stored + 1, now), so
// it never goes back even when the clock does (see store.Durable). Its own
// keys of the previous generation are dropped unless
// scuttlebutt.Config.RepublishLocal is set.
//
//	s, err := bolt.Open("/var/lib/myservice/gossip.db", nil)
//	...
//	defer s.Close() // after the Node's Close: the Node does not close its Store
//	node, err := scuttlebutt.NewBuilder("node-1").Store(s).Build()
//
// # Transactions
//
// Each store.Write is applied in one transaction. Store implements
// store.Batcher, and the core wraps all the writes of one received message
// in one Batch: one transaction per message, not one per node delta. A
// write, or a batch, is applied entirely or not at all, also across a crash.
//
// # Durability: the fsync policy
//
// By default every commit is synced to disk (bbolt's NoSync is off): when
// Write, Remove or Batch returns nil, the change survives a crash of the
// process and of the machine, and an UpdateLocal that returned nil is never
// lost. That costs one fsync per commit (a few milliseconds on a disk, tens
// of microseconds on a fast SSD; BenchmarkUpdateLocal measures it), which bounds
// how many local writes and received messages a node applies per second.
//
// Options.NoSync skips the fsync. Commits then cost microseconds, and a
// crash of the process (kill -9, a panic) still loses nothing, since the
// operating system holds the written pages; but a crash of the machine or a
// power loss may lose the last seconds of commits, or leave the file
// unreadable (bbolt makes no promise about the file's structure without
// fsync). What a user trades is then: local writes acknowledged but lost
// (their peers may hold versions the store forgot; the restarted node takes
// a new generation, so those are retired, not contradicted), and at worst a
// file to delete and a cold restart. Turn it on for caches and tests, not
// where acknowledged writes matter.
//
// # Layout (format 1)
//
// Three top-level buckets:
//
//	meta     "format" -> "1"
//	nodes    node ID -> summary: generation, max version, GC version and
//	         key count (8 bytes each, big-endian), then flags (1: left)
//	entries  node ID -> a bucket of that node's entries:
//	           'k' key                 -> version (8 bytes, big-endian)
//	           'v' version(8) key      -> flags (1: tombstone), value
//
// The 'v' records sort by version, so Entries(after) is one seek and a
// scan; Get is two lookups (key to version, version to entry). Keys and IDs
// are limited by bbolt's key size (MaxKeyLength, MaxIDLength) and values by
// its value size; a write beyond them is refused with ErrTooLarge and
// changes nothing.
//
// # Concurrency and errors
//
// A Store is not safe for concurrent use: the Node serialises every call,
// as the store.Store contract allows. Reads cannot fail: on a closed store
// they find nothing. Write, Remove and Batch return an error wrapping
// store.ErrInvalidWrite for a write no core would issue, ErrTooLarge for one
// the file cannot hold, ErrClosed after Close, and otherwise the disk's
// error (for instance a full disk); each changes nothing when it fails.
package bolt
