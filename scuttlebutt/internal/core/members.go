package core

import (
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// addMember starts tracking a newly known node as alive.
func (c *Core) addMember(now time.Time, id string) *member {
	m := &member{id: id, status: StatusAlive, since: now, idx: len(c.order), aliveAt: -1}
	m.h.id = codec.IDHash(id)
	c.members[id] = m
	c.order = append(c.order, m)
	c.markAlive(m)
	c.touch(id)
	c.membershipChanged()
	return m
}

// membershipChanged notes that the ring must be rebuilt and, in a cluster
// small enough for the quorum to depend on its size, that every member
// must be judged again.
func (c *Core) membershipChanged() {
	c.mon.ringStale = true
	if len(c.order) <= 2*c.cfg.Monitors+1 {
		for _, m := range c.order {
			c.mon.dirty[m.id] = struct{}{}
		}
		c.mon.dirty[c.cfg.ID] = struct{}{}
	}
}

// markAlive puts m in the set of gossip targets.
func (c *Core) markAlive(m *member) {
	if m.aliveAt >= 0 {
		return
	}
	m.aliveAt = len(c.alive)
	c.alive = append(c.alive, m)
}

// markNotAlive takes m out of the set of gossip targets.
func (c *Core) markNotAlive(m *member) {
	i := m.aliveAt
	if i < 0 {
		return
	}
	last := len(c.alive) - 1
	c.swapAlive(i, last)
	c.alive = c.alive[:last]
	m.aliveAt = -1
}

// setStatus moves m to status s and emits the transition.
func (c *Core) setStatus(now time.Time, m *member, s Status, gen uint64) {
	if m.status == s || m.status == StatusLeft {
		return // left is final for a generation
	}
	m.status, m.since = s, now
	c.mon.ringStale = true
	c.noteActivity()
	kind := EventAlive
	switch s {
	case StatusAlive:
		c.markAlive(m)
	case StatusSuspect:
		c.markNotAlive(m)
		kind = EventSuspect
	case StatusLeft:
		c.markNotAlive(m)
		kind = EventLeave
	}
	c.emit(Event{Kind: kind, Node: m.id, Generation: gen})
}

// expire removes members suspected or left for longer than RemoveAfter,
// remembering their generation for RememberRemoved, and forgets remembered
// IDs whose time is up.
func (c *Core) expire(now time.Time) {
	for i := 0; i < len(c.order); i++ {
		m := c.order[i]
		if m.status == StatusAlive || now.Sub(m.since) < c.cfg.RemoveAfter {
			continue
		}
		node, _ := c.st.Node(m.id)
		c.removeMember(m)
		c.removed[m.id] = removedID{gen: node.Generation, maxVersion: node.MaxVersion, until: now.Add(c.cfg.RememberRemoved)}
		c.emit(Event{Kind: EventRemove, Node: m.id, Generation: node.Generation})
		i-- // removeMember moved another member into slot i
	}
	for id, r := range c.removed {
		if !now.Before(r.until) {
			delete(c.removed, id)
			if _, ok := c.mon.mine[id]; ok {
				c.clearVerdict(id) // the node is forgotten: so is the verdict
			}
		}
	}
	for id := range c.mon.mine {
		if _, known := c.members[id]; !known {
			if _, remembered := c.removed[id]; !remembered {
				c.clearVerdict(id)
			}
		}
	}
}

func (c *Core) removeMember(m *member) {
	c.markNotAlive(m)
	last := len(c.order) - 1
	c.order[m.idx] = c.order[last]
	c.order[m.idx].idx = m.idx
	c.order = c.order[:last]
	c.rehash(&m.h, store.Node{}, true)
	delete(c.members, m.id)
	delete(c.bytesHeld, m.id)
	if err := c.st.Remove(m.id); err != nil {
		c.stats.StoreErrors++
		c.log.Error("store remove failed", "node", m.id, "err", err)
	}
	c.forgetMonitor(m.id)
	if _, watched := c.mon.targets[m.id]; watched {
		delete(c.mon.targets, m.id)
		c.det.Forget(m.id)
	}
	delete(c.gcMarks, m.id)
	delete(c.staged, m.id)
	c.noteActivity()
	c.membershipChanged()
}

// revive forgets a removal when gossip shows the node is alive after all:
// a newer generation, or more state of the removed one (a node that was
// only cut off, as in a long partition, and has refuted since). A
// departed node stays removed.
func (c *Core) revive(e *codec.DigestEntry) {
	r, ok := c.removed[e.ID]
	if ok && !e.Left && (e.Generation > r.gen || e.Generation == r.gen && e.MaxVersion > r.maxVersion) {
		delete(c.removed, e.ID)
	}
}

// heardFrom forgets the removal of a node that sent this node a message
// itself: it is alive.
func (c *Core) heardFrom(id string) {
	delete(c.removed, id)
}

// isRemoved reports whether gossip about node id at (gen, version) is
// stale: the node was removed at a later generation, or at that one with
// no less state.
func (c *Core) isRemoved(id string, gen, version uint64) bool {
	r, ok := c.removed[id]
	return ok && (gen < r.gen || gen == r.gen && version <= r.maxVersion)
}

// Leave marks this node as departed: its digest entry carries Left from now
// on, it accepts no more writes, and it opens an exchange with up to
// 2×Fanout live peers at once. LeaveAcks counts the peers that confirmed.
func (c *Core) Leave(now time.Time) {
	if !c.left {
		c.release(true) // waiting writes go out before the departure
		c.left = true
		n, _ := c.st.Node(c.cfg.ID)
		n.Left = true
		if c.write(c.newWrite(n)) {
			c.touch(c.cfg.ID)
			c.noteChange(c.cfg.ID)
		}
	}
	syn := c.synMessage()
	to := c.randomAlive(2 * c.cfg.Fanout)
	if len(c.alive) == 0 {
		to = c.seeds
	}
	for _, addr := range to {
		c.out = append(c.out, Outgoing{To: addr, Msg: syn})
	}
}

// LeaveAcks is how many peers have acknowledged this node's departure.
func (c *Core) LeaveAcks() int { return len(c.leaveAcks) }

// AlivePeers is how many members are currently gossip targets.
func (c *Core) AlivePeers() int { return len(c.alive) }

// Member describes another node as this node sees it.
type Member struct {
	ID     string
	Addr   string
	Status Status
	Since  time.Time
}

// Member returns what is known of node id, which must not be this node.
func (c *Core) Member(id string) (Member, bool) {
	m, ok := c.members[id]
	if !ok {
		return Member{}, false
	}
	return Member{ID: m.id, Addr: m.addr, Status: m.status, Since: m.since}, true
}

// Removed reports whether id was removed recently enough to be remembered.
func (c *Core) Removed(id string) bool { _, ok := c.removed[id]; return ok }
