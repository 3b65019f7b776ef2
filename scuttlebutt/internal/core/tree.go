package core

import (
	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// The digest tree: the sum of codec.EntryHash over the nodes of each bucket
// of the ID space, kept up to date on every change, so that comparing two
// nodes' whole state costs one hash, and finding where they differ costs a
// walk down the buckets that differ (see walk.go).

// treeDepth is the deepest level whose bucket sums are kept. Deeper
// buckets are never split: they are listed.
const treeDepth = 3

// leafMax is the largest bucket listed entry by entry rather than split
// into its children.
const leafMax = 8

// bucketSum is what a node holds in one bucket.
type bucketSum struct {
	hash  uint64
	count uint32
}

// tree holds the bucket sums of levels 0..treeDepth. A level is allocated
// once the cluster is large enough for its buckets to be split; until then
// a sum of that level is computed by a scan of the members.
type tree struct {
	levels [treeDepth + 1][]bucketSum
	nodes  int
}

// levelFrom is the node count above which level l's sums are kept: when
// the average bucket of level l-1 would be split.
func levelFrom(l int) int { return leafMax << (codec.BucketBits * (l - 1)) }

// hashed is a node's place in the tree: its ID hash and its entry hash (0:
// not in the tree).
type hashed struct {
	id    uint64
	entry uint64
}

// rehash puts node n's current digest entry in the tree (removed: take it
// out), updating h in place.
func (c *Core) rehash(h *hashed, n store.Node, removed bool) {
	var e uint64
	if !removed {
		d := c.digestEntry(n)
		e = codec.EntryHash(&d)
	}
	if e == h.entry {
		return
	}
	t := &c.tree
	switch {
	case h.entry == 0:
		t.nodes++
	case e == 0:
		t.nodes--
	}
	for l := range t.levels {
		lv := t.levels[l]
		if lv == nil {
			continue
		}
		b := &lv[codec.BucketOf(h.id, uint8(l)).Index]
		b.hash += e - h.entry
		switch {
		case h.entry == 0:
			b.count++
		case e == 0:
			b.count--
		}
	}
	h.entry = e
	c.growTree()
}

// growTree allocates the levels the cluster has grown into, filling them
// from the members.
func (c *Core) growTree() {
	t := &c.tree
	for l := 0; l <= treeDepth; l++ {
		if t.levels[l] != nil || (l > 0 && t.nodes <= levelFrom(l)) {
			continue
		}
		lv := make([]bucketSum, 1<<(codec.BucketBits*l))
		c.eachHashed(func(h *hashed) {
			b := &lv[codec.BucketOf(h.id, uint8(l)).Index]
			b.hash += h.entry
			b.count++
		})
		t.levels[l] = lv
	}
}

// eachHashed calls fn for every node in the tree, this one included.
func (c *Core) eachHashed(fn func(*hashed)) {
	if c.self.entry != 0 {
		fn(&c.self)
	}
	for _, m := range c.order {
		if m.h.entry != 0 {
			fn(&m.h)
		}
	}
}

// rootHash is the digest hash of everything this node holds.
func (c *Core) rootHash() uint64 { return c.sum(codec.BucketID{}).hash }

// sum is what this node holds in bucket b.
func (c *Core) sum(b codec.BucketID) bucketSum {
	if int(b.Level) <= treeDepth {
		if lv := c.tree.levels[b.Level]; lv != nil {
			return lv[b.Index]
		}
	}
	var s bucketSum
	c.eachHashed(func(h *hashed) {
		if b.Contains(h.id) {
			s.hash += h.entry
			s.count++
		}
	})
	return s
}

// claim is bucket b as this node holds it.
func (c *Core) claim(b codec.BucketID) codec.Bucket {
	s := c.sum(b)
	return codec.Bucket{BucketID: b, Hash: s.hash, Count: s.count}
}
