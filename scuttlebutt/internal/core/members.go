package core

import (
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/detector"
)

// addMember starts tracking a newly known node as alive.
func (c *Core) addMember(now time.Time, id string) *member {
	m := &member{id: id, status: StatusAlive, since: now, idx: len(c.order)}
	c.members[id] = m
	c.order = append(c.order, m)
	c.det.Heartbeat(id, now)
	c.markAlive(m)
	return m
}

// markAlive puts m in the set of gossip targets.
func (c *Core) markAlive(m *member) {
	if _, ok := c.aliveIdx[m]; ok {
		return
	}
	c.aliveIdx[m] = len(c.alive)
	c.alive = append(c.alive, m)
}

// markNotAlive takes m out of the set of gossip targets.
func (c *Core) markNotAlive(m *member) {
	i, ok := c.aliveIdx[m]
	if !ok {
		return
	}
	last := len(c.alive) - 1
	c.swapAlive(i, last)
	c.alive = c.alive[:last]
	delete(c.aliveIdx, m)
}

// setStatus moves m to status s and emits the transition.
func (c *Core) setStatus(now time.Time, m *member, s Status, gen uint64) {
	if m.status == s || m.status == StatusLeft {
		return // left is final for a generation
	}
	m.status, m.since = s, now
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

// tuneDetector tells the detector, when it can take the hint, how often a
// new heartbeat of a given node should reach this node. Each round a node
// receives about Fanout digests, each holding as many entries as fit the
// MTU; when the cluster is larger than that, a node's heartbeat arrives
// about every r = N/(Fanout·capacity) rounds, often no newer than the last.
// The detector is told to expect 3r-1 rounds (measured: no false suspicion
// at 100 and 300 nodes, a few at 1,000), and never less than one round, so
// clusters up to about Fanout·capacity/2 nodes keep the gossip interval.
func (c *Core) tuneDetector() {
	s, ok := c.det.(detector.IntervalSetter)
	if !ok || c.cfg.GossipInterval <= 0 {
		return
	}
	e := &c.scratchDigest
	*e = c.selfEntry()
	capacity := (c.cfg.MTU - c.sizer.Base(codec.KindSyn, c.cfg.ID, "", "")) / max(c.sizer.DigestEntry(e), 1)
	rounds := float64(len(c.order)) / float64(c.cfg.Fanout*max(capacity, 1))
	f := max(1, 3*rounds-1)
	iv := time.Duration(f * float64(c.cfg.GossipInterval))
	// Only a change of a quarter or more is passed on.
	if c.detectorIv == 0 || iv > c.detectorIv*5/4 || iv < c.detectorIv*4/5 {
		c.detectorIv = iv
		s.SetInterval(iv)
	}
}

// checkAllUpTo is the cluster size up to which every member's liveness is
// checked every round. Larger clusters check a quarter of their members per
// round, rotating, so a round's cost stays linear in the cluster size and
// each member is still checked every four rounds.
const checkAllUpTo = 128

// checkLiveness asks the detector about members, rotating.
func (c *Core) checkLiveness(now time.Time) {
	n := len(c.order)
	if n == 0 {
		return
	}
	k := n
	if n > checkAllUpTo {
		k = max(checkAllUpTo, n/4)
	}
	for range k {
		if c.checkFrom >= n {
			c.checkFrom = 0
		}
		m := c.order[c.checkFrom]
		c.checkFrom++
		if m.status != StatusAlive {
			continue // suspects recover through heartbeats in observe
		}
		c.stats.LivenessChecks++
		if c.det.Suspect(m.id, now) {
			node, _ := c.st.Node(m.id)
			c.setStatus(now, m, StatusSuspect, node.Generation)
		}
	}
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
		c.removed[m.id] = removedID{gen: node.Generation, heartbeat: m.heartbeat, until: now.Add(c.cfg.RememberRemoved)}
		c.emit(Event{Kind: EventRemove, Node: m.id, Generation: node.Generation})
		i-- // removeMember moved another member into slot i
	}
	for id, r := range c.removed {
		if !now.Before(r.until) {
			delete(c.removed, id)
		}
	}
}

func (c *Core) removeMember(m *member) {
	c.markNotAlive(m)
	last := len(c.order) - 1
	c.order[m.idx] = c.order[last]
	c.order[m.idx].idx = m.idx
	c.order = c.order[:last]
	delete(c.members, m.id)
	if err := c.st.Remove(m.id); err != nil {
		c.stats.StoreErrors++
		c.log.Error("store remove failed", "node", m.id, "err", err)
	}
	c.det.Forget(m.id)
	delete(c.gcMarks, m.id)
	delete(c.staged, m.id)
}

// revive forgets a removal when a digest shows the node is alive after all:
// a heartbeat newer than any seen before the removal (a node that was only
// cut off, as in a long partition), or a newer generation. A departed node
// stays removed.
func (c *Core) revive(e *codec.DigestEntry) {
	r, ok := c.removed[e.ID]
	if ok && !e.Left && (e.Generation > r.gen || e.Generation == r.gen && e.Heartbeat > r.heartbeat) {
		delete(c.removed, e.ID)
	}
}

// isRemoved reports whether gossip about generation gen of id is stale: the
// node was removed at that generation or a later one.
func (c *Core) isRemoved(id string, gen uint64) bool {
	r, ok := c.removed[id]
	return ok && gen <= r.gen
}

// Leave marks this node as departed: its digest entry carries Left from now
// on, it accepts no more writes, and it opens an exchange with up to
// 2×Fanout live peers at once. LeaveAcks counts the peers that confirmed.
func (c *Core) Leave(now time.Time) {
	if !c.left {
		c.left = true
		n, _ := c.st.Node(c.cfg.ID)
		n.Left = true
		c.write(c.newWrite(n))
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
