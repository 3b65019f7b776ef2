package core

import (
	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// synMessage builds the SYN this node sends this round: its own entry, then
// as many nodes as fit from a window that rotates over the ID space, so a
// digest never exceeds the MTU and every node is covered over successive
// rounds. The window is complete over [Lo, Hi] (see codec.Digest).
func (c *Core) synMessage() *codec.Message {
	m := &codec.Message{Kind: codec.KindSyn, From: c.cfg.ID}
	self := c.selfEntry()
	entries := make([]codec.DigestEntry, 1, c.cfg.MTU/12)
	entries[0] = self
	lo := c.digestFrom
	base := c.sizer.Base(codec.KindSyn, c.cfg.ID, lo, "")
	used := base + c.sizer.DigestEntry(&self) + c.sizer.DigestCount(1)
	clear(c.listed)
	c.listed[c.cfg.ID] = struct{}{}
	// Nodes that changed lately come first, in up to a third of the room:
	// they are what peers most likely lack, and a window alone would reach
	// them only once per cycle over the ID space.
	c.pruneRecent()
	for i := len(c.recent) - 1; i >= 0; i-- {
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
		cost := c.entryCost(e, len(entries))
		if used+cost > base+(c.cfg.MTU-base)/3 {
			break
		}
		used += cost
		entries = append(entries, *e)
		c.listed[r.id] = struct{}{}
	}
	hi, next := "", ""
	c.st.Range(lo, "", func(n store.Node) bool {
		if _, ok := c.listed[n.ID]; ok {
			return true
		}
		e := &c.scratchDigest // sized through an interface: keep it off the heap
		*e = c.digestEntry(n)
		cost := c.entryCost(e, len(entries))
		// If n is the last ID to fit, it becomes Hi: charge that too.
		hiCost := c.sizer.Base(codec.KindSyn, c.cfg.ID, lo, n.ID) - base
		if used+cost+hiCost > c.cfg.MTU {
			next = n.ID
			return false
		}
		used += cost
		entries = append(entries, *e)
		hi = n.ID
		return true
	})
	if next == "" {
		hi = "" // reached the end of the ID space
	}
	c.digestFrom = next
	m.Digest = codec.Digest{Lo: lo, Hi: hi, Entries: entries}
	return m
}

// recentChange records that a node's state changed in a round.
type recentChange struct {
	id    string
	round uint64
}

// recentRounds is how many rounds a change stays in the recent list: long
// enough for an epidemic to reach a large cluster.
const recentRounds = 24

// noteChange records that node id's state changed this round.
func (c *Core) noteChange(id string) {
	if id == c.cfg.ID {
		return // the own entry is always in the digest
	}
	r := c.stats.Rounds
	if c.recentAt[id] == r && len(c.recent) > 0 {
		return
	}
	c.recentAt[id] = r
	c.recent = append(c.recent, recentChange{id: id, round: r})
}

// pruneRecent drops changes older than recentRounds.
func (c *Core) pruneRecent() {
	k := 0
	for k < len(c.recent) && c.recent[k].round+recentRounds < c.stats.Rounds {
		if c.recentAt[c.recent[k].id] == c.recent[k].round {
			delete(c.recentAt, c.recent[k].id)
		}
		k++
	}
	if k > 0 {
		c.recent = append(c.recent[:0], c.recent[k:]...)
	}
}
