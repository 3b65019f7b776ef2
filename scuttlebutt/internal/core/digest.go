package core

import (
	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// hintRounds is how many rounds a change stays in the recent list, whose
// entries ride in SYNs and PONGs: long enough for most of an epidemic, short
// enough that a SYN in a churning cluster stays small. What a peer lacks
// beyond it is found by the bucket walk.
const hintRounds = 4

// hintMax is the most recent changes a SYNACK or PONG lists. A SYN, which
// carries nothing else, lists as many as fit its MTU: under load every
// node changes every round, and each one listed there is one the responder
// can answer with deltas at once, ordered with all the others, instead of
// one found by a bucket walk later (see examples/paper: at 1,600 bytes an
// exchange carried 216 deltas with 8, 225 with this).
const hintMax = 8

// synMessage builds the SYN this node sends this round: its digest hash
// and the entries of the nodes that changed lately, newest first.
func (c *Core) synMessage() *codec.Message {
	m := &codec.Message{Kind: codec.KindSyn, From: c.cfg.ID, Hash: c.rootHash()}
	m.Digest.Entries = c.hints(nil, codec.KindSyn)
	return m
}

// hints appends the digest entries of the nodes that changed lately, newest
// first: for a SYN as many as fit, else up to hintMax and a quarter of the
// MTU.
func (c *Core) hints(dst []codec.DigestEntry, k codec.Kind) []codec.DigestEntry {
	c.pruneRecent()
	budget := (c.cfg.MTU - c.sizer.Base(k, c.cfg.ID) - c.sizer.HashSize()) / 4
	most := hintMax
	if k == codec.KindSyn {
		budget = c.cfg.MTU - c.sizer.Base(k, c.cfg.ID) - c.sizer.HashSize() - c.sizer.Rates(c.rates())
		most = len(c.recent)
	}
	used := 0
	for i := len(c.recent) - 1; i >= 0 && len(dst) < most; i-- {
		r := c.recent[i]
		if c.recentAt[r.id] != r.round {
			continue // superseded by a later change, listed from there
		}
		n, ok := c.st.Node(r.id)
		if !ok {
			continue
		}
		e := &c.scratchDigest // sized through an interface: keep it off the heap
		*e = c.digestEntry(n)
		cost := c.entryCost(e, len(dst))
		if used+cost > budget {
			break
		}
		used += cost
		dst = append(dst, *e)
	}
	return dst
}

// entryCost is what one more digest entry e adds to a list of k entries.
func (c *Core) entryCost(e *codec.DigestEntry, k int) int {
	return c.sizer.DigestEntry(e) + c.sizer.DigestCount(k+1) - c.sizer.DigestCount(k)
}

// recentChange records that a node's state changed in a round.
type recentChange struct {
	id    string
	round uint64
}

// noteChange records that node id's state changed this round.
func (c *Core) noteChange(id string) {
	c.noteActivity()
	r := c.stats.Rounds
	if c.recentAt[id] == r && len(c.recent) > 0 {
		return
	}
	c.recentAt[id] = r
	c.recentPeak = max(c.recentPeak, len(c.recentAt))
	c.recent = append(c.recent, recentChange{id: id, round: r})
}

// pruneRecent drops changes older than hintRounds.
func (c *Core) pruneRecent() {
	k := 0
	for k < len(c.recent) && c.recent[k].round+hintRounds < c.stats.Rounds {
		if c.recentAt[c.recent[k].id] == c.recent[k].round {
			delete(c.recentAt, c.recent[k].id)
		}
		k++
	}
	if k > 0 {
		c.recent = append(c.recent[:0], c.recent[k:]...)
	}
	if len(c.recent) == 0 && c.recentPeak > shrinkAbove {
		c.recent, c.recentAt, c.recentPeak = nil, map[string]uint64{}, 0
	}
}

// shrinkAbove is the size above which a scratch map left empty is made
// again rather than cleared: Go maps keep their largest size.
const shrinkAbove = 256

// selfEntry is this node's own digest entry.
func (c *Core) selfEntry() codec.DigestEntry {
	n, _ := c.st.Node(c.cfg.ID)
	return c.digestEntry(n)
}

// digestEntry is the digest entry of a node the store holds.
func (c *Core) digestEntry(n store.Node) codec.DigestEntry {
	n = c.advertised(n)
	return codec.DigestEntry{
		ID: n.ID, Generation: n.Generation, MaxVersion: n.MaxVersion,
		GCVersion: n.GCVersion, Left: n.Left,
	}
}

// entryOf is this node's digest entry for id, and whether it holds id.
func (c *Core) entryOf(id string) (codec.DigestEntry, bool) {
	n, ok := c.st.Node(id)
	if !ok {
		return codec.DigestEntry{}, false
	}
	return c.digestEntry(n), true
}

// touch puts node id's current state in the digest tree, or takes it out
// when the store no longer holds it.
func (c *Core) touch(id string) {
	var h *hashed
	if id == c.cfg.ID {
		h = &c.self
	} else if m := c.members[id]; m != nil {
		h = &m.h
	} else {
		return
	}
	n, ok := c.st.Node(id)
	c.rehash(h, n, !ok)
}
