package core

import "github.com/scuttlebutt-go/scuttlebutt/store"

// inBatch runs apply, which applies the deltas of one received message, as
// one store batch when the store is a store.Batcher (a durable store: one
// transaction, and one fsync, per message rather than per node delta).
//
// If the batch fails, the store holds what it held before, so nothing
// happened: the events apply queued are taken back, the members it added
// whose state did not land are forgotten, and the counters and this node's
// generation (which a delta about itself may have bumped) are restored (but
// StoreErrors). Peers send the same deltas again, since the digest
// still shows them missing.
func (c *Core) inBatch(apply func()) {
	b, ok := c.st.(store.Batcher)
	if !ok {
		apply()
		return
	}
	events, members, stats, gen := len(c.events), len(c.order), c.stats, c.cfg.Generation
	err := b.Batch(func() error { apply(); return nil })
	if err == nil {
		return
	}
	clear(c.events[events:])
	c.events = c.events[:events]
	for i := len(c.order) - 1; i >= members; i-- {
		if m := c.order[i]; !c.holds(m.id) {
			c.removeMember(m)
		}
	}
	c.stats, c.cfg.Generation = stats, gen
	c.touch(c.cfg.ID) // the digest tree follows the store back
	for _, m := range c.order {
		c.touch(m.id)
	}
	c.stats.StoreErrors++
	c.log.Error("store batch failed; the message's deltas changed nothing", "err", err)
}

// holds reports whether the store holds node id.
func (c *Core) holds(id string) bool {
	_, ok := c.st.Node(id)
	return ok
}
