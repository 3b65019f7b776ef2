package core

import (
	"slices"
	"strings"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// The rules for remote deltas. For a node r, a replica holds (generation,
// max version H, watermark W) and r's entries: H is the highest version held
// with no gap below it, and W <= H the replica's tombstone watermark
// (tombstones at or below it are no longer kept).
//
//   - A delta of an older generation is stale. A delta of a newer
//     generation, or of a node never seen, replaces the replica wholesale;
//     it must start at version 0 and is not a prune. The replica adopts
//     min(d.GC, Upto) as its watermark.
//   - A plain delta (From, Upto] lands when From <= H < Upto, unless the
//     sender collected tombstones above H (H < d.GC): the replica may hold
//     a key one of them deleted, and the sender owes it a prune first.
//     Entries at or below H are skipped.
//   - A prune (Reset) comes from the owner only: it lists the owner's live
//     keys at its max version Upto, and goes with the plain deltas from H
//     that follow it. It is staged, not shown, until those deltas reach
//     Upto; see stage.go. (A replica cannot prune: a key it lacks may be
//     one whose latest write it has not received yet, not a deleted one.)
//
// Every refused delta changes nothing and raises no event.

// applyDeltas applies the node deltas of one message. A delta that is
// stale, a duplicate, gapped, from an old generation or about a removed node
// is dropped without a change or an event; the others still apply. The
// message's writes go to the store as one batch (see inBatch).
func (c *Core) applyDeltas(now time.Time, from string, deltas []codec.NodeDelta) {
	if len(deltas) == 0 {
		return
	}
	c.inBatch(func() {
		for i := range deltas {
			c.applyDelta(now, from, &deltas[i])
		}
	})
}

// outcome is what became of one node delta.
type outcome uint8

const (
	applied outcome = iota
	stale
	rejected
)

func (c *Core) applyDelta(now time.Time, sender string, d *codec.NodeDelta) {
	if d.ID == c.cfg.ID {
		c.noticeSelf(d.Generation, d.Upto)
		c.stats.DeltasRejected++
		return
	}
	if d.ID == "" || d.Generation == 0 || c.isRemoved(d.ID, d.Generation, d.Upto) || !validDelta(d) {
		c.stats.DeltasRejected++
		return
	}
	if !c.deltaWithinLimits(d) {
		c.stats.LimitDrops++
		c.stats.DeltasRejected++
		return
	}
	before, known := c.st.Node(d.ID)
	c.changed = c.changed[:0]
	var o outcome
	s := c.staged[d.ID]
	switch {
	case known && d.Generation < before.Generation:
		o = stale
	case !known || d.Generation > before.Generation:
		delete(c.staged, d.ID)
		o = c.applyFresh(now, d, before, known)
	case d.Reset && sender != d.ID:
		o = rejected // only the owner knows which of its keys are gone
	case d.Reset:
		o = c.stagePrune(d, before)
	case s != nil && s.gen == before.Generation:
		o = c.stagePlain(d, s, before)
	default:
		o = c.applyPlain(d, before)
	}
	if o == applied {
		delete(c.removed, d.ID)
		c.touch(d.ID)
		switch {
		case d.Reset:
		case carriesVerdict(c.changed):
			c.forward(d, sender)
		case !c.cfg.NoPush && !c.forwardedNews:
			// Any other news is passed on too, but one delta a round at
			// most: a write reaches the cluster in a few network hops,
			// rounds then find the hashes equal, and a busy writer
			// costs each node at most one forward a round.
			c.forwardedNews = true
			c.forward(d, sender)
		}
	}
	switch o {
	case applied:
		c.stats.DeltasApplied++
		c.stats.EntriesApplied += uint64(len(c.changed))
		c.noteChange(d.ID)
	case stale:
		c.stats.DeltasStale++
	default:
		c.stats.DeltasRejected++
	}
}

// applyFresh installs the first delta of a node, or of a newer generation of
// a known one, in place of what was held.
func (c *Core) applyFresh(now time.Time, d *codec.NodeDelta, before store.Node, known bool) outcome {
	if d.Reset {
		return stale // nothing held at this generation to prune
	}
	if d.From > 0 {
		return rejected // a continuation of state never held
	}
	gc := min(d.GCVersion, d.Upto)
	w := c.newWrite(store.Node{ID: d.ID, Generation: d.Generation, MaxVersion: d.Upto, GCVersion: gc})
	w.Replace = known
	changed := c.changed[:0]
	for i := range d.Entries {
		e := store.Entry(d.Entries[i])
		if e.Tombstone && e.Version <= gc {
			continue // a correct sender holds none; nothing to delete either
		}
		w.Put = append(w.Put, e)
		if !e.Tombstone {
			changed = append(changed, e) // compared with empty state
		}
	}
	if !c.write(w) {
		return rejected
	}
	c.changed = changed
	restart := known
	m := c.members[d.ID]
	switch {
	case m == nil:
		m = c.addMember(now, d.ID)
		c.emit(Event{Kind: EventJoin, Node: d.ID, Generation: d.Generation})
	case restart:
		// The old incarnation is retired at once: its keys vanished with
		// the replacement, in one event; every key of the new one follows
		// as an update.
		c.forgetMonitor(d.ID)
		m.inc = 0
		c.signOfLife(now, d.ID)
		c.mon.dirty[d.ID] = struct{}{}
		delete(c.gcMarks, d.ID)
		if m.status != StatusAlive {
			m.status, m.since = StatusAlive, now
			c.markAlive(m)
			c.mon.ringStale = true
		}
		c.emit(Event{Kind: EventRestart, Node: d.ID, Generation: d.Generation})
	}
	c.emitChanges(d.ID, m, d.Generation, changed)
	return applied
}

// applyPlain applies a plain delta to a replica of the same generation.
func (c *Core) applyPlain(d *codec.NodeDelta, n store.Node) outcome {
	h := n.MaxVersion
	switch {
	case d.From > h:
		return rejected // a gap
	case d.Upto <= h:
		return stale // already held
	case h < d.GCVersion:
		return rejected // the sender owes a prune first
	}
	n.MaxVersion = d.Upto
	w := c.newWrite(n)
	changed := c.changed[:0]
	clear(c.overlay)
	for i := range d.Entries {
		e := store.Entry(d.Entries[i])
		if e.Version <= h {
			continue
		}
		prev, had := c.prevEntry(d.ID, e.Key)
		if visibleChange(prev, had, e) {
			changed = append(changed, e)
		}
		c.overlay[e.Key] = e
		w.Put = append(w.Put, e)
	}
	if !c.write(w) {
		return rejected
	}
	c.changed = changed
	c.emitChanges(d.ID, c.members[d.ID], n.Generation, changed)
	return applied
}

// prevEntry returns the entry a delta being applied replaces: an earlier
// entry of the same key in that delta, else the stored one.
func (c *Core) prevEntry(id, key string) (store.Entry, bool) {
	if e, ok := c.overlay[key]; ok {
		return e, true
	}
	return c.st.Get(id, key)
}

// validDelta checks a delta's own shape: bounds, ascending versions, keys
// and values as UTF-8 text, tombstones without values, and a prune that
// lists live keys only.
func validDelta(d *codec.NodeDelta) bool {
	if d.From > d.Upto || (d.Reset && d.From != 0) || !validText(d.ID) {
		return false
	}
	prev := d.From
	for i := range d.Entries {
		e := &d.Entries[i]
		switch {
		case e.Version <= prev || e.Version > d.Upto:
			return false
		case e.Key == "" || !validText(e.Key) || !validText(e.Value):
			return false
		case e.Tombstone && e.Value != "":
			return false
		case d.Reset && (e.Tombstone || e.Value != ""):
			return false
		}
		prev = e.Version
	}
	return true
}

// visibleChange reports whether e, replacing prev (had says whether there
// was one), changes what a reader sees: the live key -> value map.
func visibleChange(prev store.Entry, had bool, e store.Entry) bool {
	wasLive := had && !prev.Tombstone
	if e.Tombstone {
		return wasLive
	}
	return !wasLive || prev.Value != e.Value
}

// emitChanges queues the events of one delta's visible changes, in version
// order, and follows the reserved keys: the address and the liveness keys.
func (c *Core) emitChanges(id string, m *member, gen uint64, changed []store.Entry) {
	for _, e := range changed {
		switch {
		case e.Key == KeyAddr:
			if m != nil && !e.Tombstone {
				m.addr = e.Value
			}
		case isReserved(e.Key):
			c.indexKey(c.now, id, m, e)
		default:
			c.emitEntry(id, gen, e)
		}
	}
}

// emitEntry queues the event for a change of a node's key; reserved keys
// raise none.
func (c *Core) emitEntry(id string, gen uint64, e store.Entry) {
	if isReserved(e.Key) {
		return
	}
	ev := Event{Kind: EventUpdate, Node: id, Generation: gen, Key: e.Key, Value: e.Value, Version: e.Version}
	if e.Tombstone {
		ev.Kind, ev.Value = EventDelete, ""
	}
	c.emit(ev)
}

func (c *Core) emit(ev Event) { c.events = append(c.events, ev) }

// carriesVerdict reports whether changes include a monitor's new verdict.
func carriesVerdict(changed []store.Entry) bool {
	for i := range changed {
		if !changed[i].Tombstone && strings.HasPrefix(changed[i].Key, KeySuspectPrefix) {
			return true
		}
	}
	return false
}

// forward passes a delta that changed this node's state on at once to
// Fanout random peers and to the nodes this node watches (never back to
// the node it came from, or to its owner), as the owner's own push did:
// news spreads at the speed of the network, each node forwarding it once,
// rather than round by round. Random peers alone would miss a few nodes
// (a push to 3 random peers each leaves about 6% unreached); the ring
// successors reach every node whose ring predecessors got it. A peer that
// lacks the versions below it refuses the gap and catches up by
// anti-entropy.
func (c *Core) forward(d *codec.NodeDelta, sender string) {
	m := &codec.Message{Kind: codec.KindAck, From: c.cfg.ID, Deltas: []codec.NodeDelta{*d}}
	if codec.Size(c.sizer, m) > c.cfg.MTU {
		return
	}
	skip := func(m *member) bool { return m.id == sender || m.id == d.ID }
	to := c.spreadPeers(c.cfg.Fanout, skip)
	for _, id := range c.successors() {
		if m := c.members[id]; m != nil && m.addr != "" && !skip(m) && !slices.Contains(to, m.addr) {
			to = append(to, m.addr)
		}
	}
	for _, addr := range to {
		c.out = append(c.out, Outgoing{To: addr, Msg: m})
		c.stats.Forwards++
	}
}
