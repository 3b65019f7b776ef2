// Package mem is the in-memory store.Store: every known node's summary and
// entries held in maps and slices, sized for clusters of thousands of nodes.
//
// A Store is pure storage: it applies each store.Write as given and enforces
// no protocol rule (versions, generations, watermarks and departures are the
// core's business). The only write it refuses is one no core would issue: a
// nil Write, an empty node ID, or a Put entry with an empty key. That returns
// an error wrapping store.ErrInvalidWrite and changes nothing. Nothing else
// can fail.
//
// A Store is not safe for concurrent use. The Node serialises every call, as
// the store.Store contract allows; wrap it in a mutex to share it otherwise.
//
// # Layout
//
// Nodes live in a map by ID and in a slice sorted by ID, so Node and Get are
// a map lookup and Range is a binary search and a scan.
//
// Each node keeps its entries in one slice in ascending version order (its
// log). A key has one entry: replacing or dropping it blanks its slot (the
// slot keeps its version, so the log stays sorted for binary search). A put
// at or above the tail's version, the common case, appends; a put below it is
// inserted in place, into a blank slot where one sits at the right position,
// else shifting the slots up to the next blank one. Blank slots are squeezed
// out once they are as many as the live ones, or when a full log is a quarter
// blank and would otherwise grow, so a node overwriting its few keys keeps a
// log of about their number, and every write costs O(1) amortised when
// versions arrive in ascending order. Entries(after) is a binary search and
// a scan.
//
// A node with fewer than eight entries finds a key by scanning its log; a
// larger one builds a map from key to slot. So a node with two keys costs
// its summary (80 bytes), its two entries (96 bytes) and its place in the
// map and slice of nodes: about 200 to 230 bytes in all on 64-bit platforms,
// besides the strings, which the store shares with the caller
// (BenchmarkBytesPerNode measures it). Reads do not allocate, and writes do
// not allocate once a node's log has grown to its working size.
package mem
