package core

import (
	"fmt"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// A Core started on a store that already holds state (a durable store
// reopened: a warm restart) resumes from it:
//
//   - Its own ID, held at an older generation, takes the new one. The old
//     generation's keys go (peers retire them as a whole when they see the
//     new generation), unless Config.RepublishLocal asks for its live keys
//     to be written again under the new generation, in one write, in their
//     old order, at versions 1, 2, ...
//   - Every other node the store holds stays as it is: only this node's
//     generation changed, so their versions are still valid, and the node
//     needs only the deltas that arrived while it was down. Each becomes a
//     member again, alive (or left, if it had said so), as if just learned:
//     an EventJoin, then an EventUpdate per live key, then an EventLeave for
//     a departed one.

// startGeneration makes the store hold this node at cfg.Generation: a new
// node, or a newer generation of one the store holds (known).
func (c *Core) startGeneration(known bool) error {
	w := &store.Write{Node: store.Node{ID: c.cfg.ID, Generation: c.cfg.Generation}, Replace: known}
	if known && c.cfg.RepublishLocal {
		c.st.Entries(c.cfg.ID, 0, func(e store.Entry) bool {
			if !e.Tombstone && !isReserved(e.Key) {
				e.Version = uint64(len(w.Put) + 1)
				w.Put = append(w.Put, e)
			}
			return true
		})
		w.Node.MaxVersion = uint64(len(w.Put))
	}
	if !c.write(w) {
		return fmt.Errorf("core: adding self to store: %w", ErrStore)
	}
	for _, e := range w.Put {
		c.emitEntry(c.cfg.ID, c.cfg.Generation, e)
	}
	return nil
}

// restore makes every other node the store holds a member, as of now.
func (c *Core) restore(now time.Time) {
	var held []store.Node
	c.st.Range("", "", func(n store.Node) bool {
		if n.ID != c.cfg.ID {
			held = append(held, n)
		}
		return true
	})
	for _, n := range held { // the store may not be called from Range
		if c.members[n.ID] != nil {
			continue
		}
		m := c.addMember(now, n.ID)
		c.emit(Event{Kind: EventJoin, Node: n.ID, Generation: n.Generation})
		changed := c.changed[:0]
		c.st.Entries(n.ID, 0, func(e store.Entry) bool {
			if !e.Tombstone {
				changed = append(changed, e)
			}
			return true
		})
		c.changed = changed
		c.emitChanges(n.ID, m, n.Generation, changed)
		if n.Left {
			c.setStatus(now, m, StatusLeft, n.Generation)
		}
	}
}
