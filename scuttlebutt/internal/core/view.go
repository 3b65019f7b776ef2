package core

import (
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// The reads below are how the runtime shows state to users: they go through
// the Core, which knows what is visible (live keys, reserved keys hidden)
// and what is membership, rather than around it to the Store.

// Lookup returns node id's live value for key. Reserved keys are not
// visible.
func (c *Core) Lookup(id, key string) (string, bool) {
	if isReserved(key) {
		return "", false
	}
	if p, ok := c.waiting(key); ok && id == c.cfg.ID {
		return p.value, !p.tombstone
	}
	e, ok := c.st.Get(id, key)
	if !ok || e.Tombstone {
		return "", false
	}
	return e.Value, true
}

// NodeView is what the Core shows of one node.
type NodeView struct {
	ID         string
	Generation uint64
	Addr       string
	Status     Status
	// Since is when Status last changed (zero for this node).
	Since time.Time
	// Incarnation is the node's incarnation: how many times it refuted a
	// suspicion in this generation.
	Incarnation uint64
	// Version is the highest version of the node's state held.
	Version uint64
}

// View returns what is known of node id, this node included.
func (c *Core) View(id string) (NodeView, bool) {
	n, ok := c.st.Node(id)
	if !ok {
		return NodeView{}, false
	}
	return c.view(n), true
}

func (c *Core) view(n store.Node) NodeView {
	v := NodeView{ID: n.ID, Generation: n.Generation, Version: n.MaxVersion, Status: StatusAlive}
	if n.ID == c.cfg.ID {
		v.Addr, v.Incarnation = c.cfg.Addr, c.inc
		if n.Left {
			v.Status = StatusLeft
		}
	} else if m := c.members[n.ID]; m != nil {
		v.Addr, v.Status, v.Since, v.Incarnation = m.addr, m.status, m.since, m.inc
	} else if n.Left {
		v.Status = StatusLeft
	}
	return v
}

// Views calls fn for every known node, this one included, in ascending ID
// order, until fn returns false. fn must not call the Core.
func (c *Core) Views(fn func(NodeView) bool) {
	c.st.Range("", "", func(n store.Node) bool { return fn(c.view(n)) })
}

// Keys calls fn for each live, non-reserved key of node id, in version
// order, until fn returns false. fn must not call the Core.
//
// For this node, writes waiting for flow control show in place of the
// values they replace, and keys they create come last, oldest first.
func (c *Core) Keys(id string, fn func(key, value string) bool) {
	own := id == c.cfg.ID && c.cfg.FlowControl && len(c.flow.queue) > 0
	more := true
	c.st.Entries(id, 0, func(e store.Entry) bool {
		if own {
			if _, ok := c.flow.pending[e.Key]; ok {
				return true // shown below, in its turn
			}
		}
		if e.Tombstone || isReserved(e.Key) {
			return true
		}
		more = fn(e.Key, e.Value)
		return more
	})
	if !own || !more {
		return
	}
	for _, key := range c.flow.queue {
		if p := c.flow.pending[key]; !p.tombstone && !fn(key, p.value) {
			return
		}
	}
}

// SetMTU changes the largest message this node sends from now on; the
// runtime checks mtu against its transport and codec first.
func (c *Core) SetMTU(mtu int) { c.cfg.MTU = mtu }
