package core

import (
	"errors"
	"strings"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// applyDeltas applies the node deltas of one message. A delta that is
// stale, a duplicate, gapped, from an old generation or about a removed node
// is dropped without a change or an event; the others still apply.
func (c *Core) applyDeltas(now time.Time, deltas []codec.NodeDelta) {
	for i := range deltas {
		c.applyDelta(now, &deltas[i])
	}
}

func (c *Core) applyDelta(now time.Time, d *codec.NodeDelta) {
	if d.ID == c.cfg.ID || d.ID == "" || d.Generation == 0 || c.isRemoved(d.ID, d.Generation) {
		c.stats.DeltasRejected++
		return
	}
	before, known := c.st.Node(d.ID)
	if known && d.Generation < before.Generation {
		c.stats.DeltasStale++
		return
	}
	if !known && !d.Reset && d.From > 0 {
		c.stats.DeltasRejected++ // a continuation of state we never had
		return
	}
	// The store does not keep the slice: reuse scratch space.
	sd := &c.scratchApply
	*sd = store.Delta{ID: d.ID, Generation: d.Generation, From: d.From, Upto: d.Upto,
		Reset: d.Reset, GCVersion: d.GCVersion, Entries: sd.Entries[:0]}
	for _, e := range d.Entries {
		sd.Entries = append(sd.Entries, store.Entry(e))
	}
	changed := c.changed[:0]
	err := c.st.Apply(sd, func(e store.Entry) { changed = append(changed, e) })
	c.changed = changed
	switch {
	case errors.Is(err, store.ErrStaleGeneration):
		c.stats.DeltasStale++
		return
	case err != nil:
		c.stats.DeltasRejected++
		return
	}
	after, _ := c.st.Node(d.ID)
	if after.MaxVersion == before.MaxVersion && known && after.Generation == before.Generation && !d.Reset {
		c.stats.DeltasStale++
		return
	}
	c.stats.DeltasApplied++
	c.stats.EntriesApplied += uint64(len(changed))
	c.noteChange(d.ID)

	m := c.members[d.ID]
	restart := known && d.Generation > before.Generation
	switch {
	case m == nil:
		m = c.addMember(now, d.ID)
		c.emit(Event{Kind: EventJoin, Node: d.ID, Generation: d.Generation})
	case restart:
		// The old incarnation is retired at once: its keys vanished with
		// the store's replacement, in one event.
		c.det.Forget(d.ID)
		c.det.Heartbeat(d.ID, now)
		delete(c.gcMarks, d.ID)
		if m.status != StatusAlive {
			m.status, m.since = StatusAlive, now
			c.markAlive(m)
		}
		c.emit(Event{Kind: EventRestart, Node: d.ID, Generation: d.Generation})
	}
	for _, e := range changed {
		if restart && e.Tombstone {
			continue // the old generation's keys went with one restart event
		}
		if e.Key == KeyAddr {
			if !e.Tombstone {
				c.setAddr(m, e.Value)
			}
			continue
		}
		c.emitEntry(d.ID, d.Generation, e)
	}
}

// emitEntry queues the event for a change of a node's key; reserved keys
// raise none.
func (c *Core) emitEntry(id string, gen uint64, e store.Entry) {
	if strings.HasPrefix(e.Key, ReservedPrefix) {
		return
	}
	ev := Event{Kind: EventUpdate, Node: id, Generation: gen, Key: e.Key, Value: e.Value, Version: e.Version}
	if e.Tombstone {
		ev.Kind, ev.Value = EventDelete, ""
	}
	c.emit(ev)
}

func (c *Core) emit(ev Event) { c.events = append(c.events, ev) }
