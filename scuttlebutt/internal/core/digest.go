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
	entries := []codec.DigestEntry{self}
	lo := c.digestFrom
	base := c.sizer.Base(codec.KindSyn, c.cfg.ID, lo, "")
	used := base + c.sizer.DigestEntry(&self) + c.sizer.DigestCount(1)
	hi, next := "", ""
	c.st.Range(lo, "", func(n store.Node) bool {
		if n.ID == c.cfg.ID {
			return true
		}
		e := digestEntry(n)
		k := len(entries)
		cost := c.sizer.DigestEntry(&e) + c.sizer.DigestCount(k+1) - c.sizer.DigestCount(k)
		// If n is the last ID to fit, it becomes Hi: charge that too.
		hiCost := c.sizer.Base(codec.KindSyn, c.cfg.ID, lo, n.ID) - base
		if used+cost+hiCost > c.cfg.MTU {
			next = n.ID
			return false
		}
		used += cost
		entries = append(entries, e)
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
