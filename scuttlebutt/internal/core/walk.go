package core

import "github.com/scuttlebutt-go/scuttlebutt/codec"

// The bucket walk finds where two nodes' states differ in about O(k·log N)
// bytes for k differing nodes. A side that finds its hashes still differ
// sends its root's children (or, when it holds few nodes, lists them all);
// each side then answers each bucket of the other's that differs from its
// own, by the first rule that applies:
//
//   - the peer holds none of it: every node here is unknown to the peer,
//     and goes as a delta;
//   - this node holds none of it: its claim (count 0) says so, and the peer
//     sends its nodes;
//   - this node holds at most leafMax of it, or it is at the deepest level
//     kept: list this node's entries, complete over the bucket (a cover);
//   - the peer holds at most leafMax of it: send this node's claim back,
//     so the peer lists;
//   - otherwise: send the claims of all its children.
//
// A listing is compared like a digest (requests, and deltas for what the
// peer lacks, nodes it never heard of first); buckets only go down a level
// per message, so a walk ends after at most treeDepth+3 messages.

// startWalk begins a walk from this node's root.
func (r *reply) startWalk() {
	root := codec.BucketID{}
	if r.c.sum(root).count <= leafMax {
		r.list(root)
		return
	}
	r.children(root)
}

// compareBuckets answers the peer's bucket claims, in random order so that
// when not all answers fit, none is starved.
func (c *Core) compareBuckets(r *reply, claims []codec.Bucket) {
	if len(claims) == 0 {
		return
	}
	off := c.rng.IntN(len(claims))
	for j := range claims {
		b := &claims[(off+j)%len(claims)]
		if !b.Valid() {
			continue
		}
		mine := c.sum(b.BucketID)
		switch {
		case mine.hash == b.Hash && mine.count == b.Count:
		case b.Count == 0:
			c.eachIn(b.BucketID, c.addUnknown)
		case mine.count == 0:
			r.bucket(c.claim(b.BucketID))
		case mine.count <= leafMax || int(b.Level) >= treeDepth:
			r.list(b.BucketID)
		case b.Count <= leafMax:
			r.bucket(c.claim(b.BucketID))
		default:
			r.children(b.BucketID)
		}
	}
}
