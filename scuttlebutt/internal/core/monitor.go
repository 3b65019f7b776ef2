package core

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// Liveness comes from a few monitors per node, not from everyone.
//
//   - The ring: the live members (status alive, as this node sees them)
//     and this node, ordered by the hash of their IDs. Each node monitors
//     its Monitors successors on the ring; when members join, leave or are
//     suspected, the ring changes and so do the successors.
//   - A monitor checks the nodes it watches four times an interval. It
//     sends each a PING every HeartbeatInterval, and probes again at every
//     check while a PONG is overdue; PONGs feed the Detector, which sees
//     regular arrivals. A verdict needs the Detector's suspicion at two
//     checks in a row, with a probe in between.
//   - A verdict is replicated state: a monitor that suspects a node writes
//     the reserved key KeySuspectPrefix+id = "generation.incarnation" in its
//     own state, and deletes it once PONGs come back. The key spreads by the
//     ordinary deltas, so every node sees the same evidence.
//   - A node is suspected when a quorum of monitors suspects its current
//     generation and incarnation: more than half of min(Monitors, other
//     members). Only monitors that have not left count. One monitor cut off
//     from a node on its own (a one-way partition) is not enough. A node
//     that has heard from no one for two heartbeat intervals (isolated: no
//     quorum can reach it) trusts its own verdicts instead: it suspects
//     the nodes it watches, then, as the ring moves past them, the next
//     ones, until it suspects all.
//   - A node that finds itself suspected by a quorum refutes: it takes the
//     next incarnation (KeyIncarnation), and the verdicts against the old
//     one no longer count. A monitor that sees a node's incarnation grow
//     takes it as a sign of life and starts its detector afresh.
//   - A monitor keeps pinging the nodes it suspects, so it retracts its
//     verdict if they come back, and keeps its verdict after the node is
//     removed for as long as the removal is remembered, so that a node cut
//     off for that long learns it was suspected and refutes.

// checksPerInterval is how many liveness checks a HeartbeatInterval holds.
const checksPerInterval = 4

// verdict is what a monitor suspects: an incarnation of a generation.
type verdict struct {
	gen, inc uint64
}

func (v verdict) String() string {
	return strconv.FormatUint(v.gen, 10) + "." + strconv.FormatUint(v.inc, 10)
}

func parseVerdict(s string) (verdict, bool) {
	g, i, ok := strings.Cut(s, ".")
	if !ok {
		return verdict{}, false
	}
	gen, err1 := strconv.ParseUint(g, 10, 64)
	inc, err2 := strconv.ParseUint(i, 10, 64)
	return verdict{gen, inc}, err1 == nil && err2 == nil && gen > 0
}

// watch is a node this node pings.
type watch struct {
	lastPing, lastPong time.Time
	// heard says whether a PONG came since the node was first watched.
	heard bool
	// suspectChecks counts the checks in a row the detector suspected it.
	suspectChecks int
}

// monitor is a Core's liveness state.
type monitor struct {
	ringStale bool
	// ring is the live members by ID hash, succ this node's successors
	// on it, both as of the last time the ring was stale.
	ring    []*member
	succ    []string
	targets map[string]*watch
	// mine holds this node's own verdicts, by suspected ID.
	mine map[string]verdict
	// against holds every known verdict, by suspected ID, then by monitor.
	against map[string]map[string]verdict
	// dirty holds the members whose status must be judged again.
	dirty map[string]struct{}
	// lastHeard is when the last message from another node arrived.
	lastHeard time.Time
	// wasIsolated is isolated as of the last round.
	wasIsolated bool
}

func newMonitor() monitor {
	return monitor{ringStale: true, targets: map[string]*watch{}, mine: map[string]verdict{},
		against: map[string]map[string]verdict{}, dirty: map[string]struct{}{}}
}

// CheckLiveness runs the monitor's part of the protocol at now: choose the
// watched nodes, ping those due, and write or retract verdicts. The Node
// calls it every HeartbeatInterval/4 (checksPerInterval times an
// interval; once a round if a gossip round is shorter), on a timer of its
// own: a failure is noticed a quarter of an interval after the detector
// suspects it, not at the next gossip round.
func (c *Core) CheckLiveness(now time.Time) {
	c.now = now
	c.retarget(now)
	if iso := c.isolated(now); iso != c.mon.wasIsolated {
		c.mon.wasIsolated = iso
		for id := range c.mon.mine {
			c.mon.dirty[id] = struct{}{} // own verdicts count, or stop counting
		}
	}
	iv := c.cfg.HeartbeatInterval
	check := iv / checksPerInterval
	// The PING, with the hash as of the start of the check, is built once
	// if any is due.
	hash := c.rootHash()
	var ping *codec.Message
	for _, id := range c.sortedTargets() {
		w := c.mon.targets[id]
		m := c.members[id]
		c.stats.LivenessChecks++
		suspect := c.det.Suspect(id, now)
		n, _ := c.st.Node(id)
		v := verdict{gen: n.Generation, inc: m.inc}
		mine, has := c.mon.mine[id]
		convicted := has && mine == v
		// A verdict needs the detector's suspicion at two checks in a row,
		// with a probe sent at the first: one late or lost PONG is not a
		// failure.
		switch {
		case suspect && w.suspectChecks >= 1 && !convicted:
			c.setVerdict(id, v)
			c.stats.Suspicions++
			convicted = true
		case !suspect && has:
			c.clearVerdict(id)
			convicted = false
		}
		// A PING is due one interval after the last (checks come every
		// quarter interval; the eighth allows for a late timer). While a
		// PONG is overdue (a quarter interval late) and no verdict is
		// written, a probe goes out at every check.
		due := now.Sub(w.lastPing) >= iv-check/2
		overdue := now.Sub(w.lastPong) >= iv+check && now.Sub(w.lastPing) >= check-check/2
		probe := due || (overdue || suspect && w.suspectChecks == 0) && !convicted
		if suspect {
			w.suspectChecks++
		} else {
			w.suspectChecks = 0
		}
		if probe && m.addr != "" {
			if ping == nil {
				ping = c.pingMessage(hash)
			}
			w.lastPing = now
			c.stats.PingsSent++
			c.out = append(c.out, Outgoing{To: m.addr, Msg: ping})
		}
	}
	c.judgeDirty(now)
}

// retarget recomputes the watched nodes: the ring successors, and the
// members this node holds a verdict against.
func (c *Core) retarget(now time.Time) {
	want := slices.Clone(c.successors())
	for id := range c.mon.mine {
		if m := c.members[id]; m != nil && m.status != StatusLeft && !slices.Contains(want, id) {
			want = append(want, id)
		}
	}
	for id := range c.mon.targets {
		if !slices.Contains(want, id) {
			delete(c.mon.targets, id)
			c.det.Forget(id)
		}
	}
	for _, id := range want {
		if _, ok := c.mon.targets[id]; !ok {
			c.mon.targets[id] = &watch{lastPong: now}
			c.det.Forget(id)
			c.det.Heartbeat(id, now)
		}
	}
}

// successors returns this node's Monitors successors on the ring of live
// members, computed again only when membership or a status changed.
func (c *Core) successors() []string {
	if !c.mon.ringStale {
		return c.mon.succ
	}
	c.mon.ringStale = false
	ring := c.mon.ring[:0]
	for _, m := range c.alive {
		if m.h.entry != 0 {
			ring = append(ring, m)
		}
	}
	c.mon.ring = ring
	c.mon.succ = c.mon.succ[:0]
	if len(ring) == 0 {
		return nil
	}
	less := func(a *member, id uint64, name string) int {
		if a.h.id != id {
			return cmp.Compare(a.h.id, id)
		}
		return cmp.Compare(a.id, name)
	}
	slices.SortFunc(ring, func(a, b *member) int { return less(a, b.h.id, b.id) })
	start, _ := slices.BinarySearchFunc(ring, c.cfg.ID, func(a *member, _ string) int {
		return less(a, c.self.id, c.cfg.ID)
	})
	for i := range min(c.cfg.Monitors, len(ring)) {
		c.mon.succ = append(c.mon.succ, ring[(start+i)%len(ring)].id)
	}
	return c.mon.succ
}

// sortedTargets lists the watched nodes in a fixed order.
func (c *Core) sortedTargets() []string {
	ids := make([]string, 0, len(c.mon.targets))
	for id := range c.mon.targets {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// isolated reports whether this node has heard from no other node for two
// heartbeat intervals.
func (c *Core) isolated(now time.Time) bool {
	return now.Sub(c.mon.lastHeard) >= 2*c.cfg.HeartbeatInterval
}

// pong takes a PONG from a watched node.
func (c *Core) pong(now time.Time, id string) {
	w := c.mon.targets[id]
	if w == nil {
		return
	}
	c.stats.PongsReceived++
	w.lastPong = now
	if !w.heard {
		// The first PONG answers a PING sent the moment the node was
		// first watched, a round trip after the detector was seeded: that
		// gap is no heartbeat interval, and kept in the window it would
		// widen the model for as long as the window holds it. The
		// detector starts afresh at the first PONG instead.
		w.heard = true
		c.det.Forget(id)
	}
	c.det.Heartbeat(id, now)
}

// setVerdict writes this node's verdict against id.
func (c *Core) setVerdict(id string, v verdict) {
	if c.left {
		return
	}
	if err := c.put(KeySuspectPrefix+id, v.String(), false); err == nil {
		c.mon.mine[id] = v
		c.index(c.cfg.ID, id, v, true)
	}
}

// clearVerdict deletes this node's verdict against id.
func (c *Core) clearVerdict(id string) {
	if err := c.put(KeySuspectPrefix+id, "", true); err == nil || c.left {
		delete(c.mon.mine, id)
		c.index(c.cfg.ID, id, verdict{}, false)
	}
}

// index records (set) or forgets monitor's verdict against id.
func (c *Core) index(monitor, id string, v verdict, set bool) {
	vs := c.mon.against[id]
	if set {
		if vs == nil {
			vs = map[string]verdict{}
			c.mon.against[id] = vs
		}
		vs[monitor] = v
	} else if vs != nil {
		delete(vs, monitor)
		if len(vs) == 0 {
			delete(c.mon.against, id)
		}
	}
	c.mon.dirty[id] = struct{}{}
}

// indexKey follows a change of one of node id's reserved liveness keys.
func (c *Core) indexKey(now time.Time, id string, m *member, e store.Entry) {
	switch {
	case e.Key == KeyIncarnation && m != nil:
		inc, err := strconv.ParseUint(e.Value, 10, 64)
		if e.Tombstone || err != nil {
			inc = 0
		}
		if inc > m.inc {
			c.signOfLife(now, id)
		}
		m.inc = inc
		c.mon.dirty[id] = struct{}{}
	case strings.HasPrefix(e.Key, KeySuspectPrefix):
		target := e.Key[len(KeySuspectPrefix):]
		v, ok := parseVerdict(e.Value)
		c.index(id, target, v, ok && !e.Tombstone)
	}
}

// signOfLife restarts the detector of a watched node that proved it is
// alive other than by a PONG (it refuted, or restarted).
func (c *Core) signOfLife(now time.Time, id string) {
	if w := c.mon.targets[id]; w != nil {
		c.det.Forget(id)
		c.det.Heartbeat(id, now)
		w.lastPong = now
	}
}

// forgetMonitor drops every verdict node id wrote (it restarted, and its
// old state is gone, or it was removed).
func (c *Core) forgetMonitor(id string) {
	for target, vs := range c.mon.against {
		if _, ok := vs[id]; ok {
			c.index(id, target, verdict{}, false)
		}
	}
}

// judgeDirty judges again the members whose evidence changed, and this
// node itself.
func (c *Core) judgeDirty(now time.Time) {
	if len(c.mon.dirty) == 0 {
		return
	}
	for id := range c.mon.dirty {
		if id == c.cfg.ID {
			c.judgeSelf()
		} else if m := c.members[id]; m != nil {
			c.judge(now, m)
		}
	}
	clear(c.mon.dirty)
}

// suspicion counts the verdicts against incarnation inc of generation gen
// of node id, from monitors that have not left.
func (c *Core) suspicion(id string, gen, inc uint64) int {
	k := 0
	for mon, v := range c.mon.against[id] {
		if v.gen != gen || v.inc < inc {
			continue
		}
		if mon == c.cfg.ID {
			if !c.left {
				k++
			}
		} else if m := c.members[mon]; m != nil && m.status != StatusLeft {
			k++
		}
	}
	return k
}

// quorum is how many verdicts make node id suspected: more than half of
// its possible monitors.
func (c *Core) quorum() int {
	others := len(c.order) // every member but the judged one, with this node
	return min(c.cfg.Monitors, max(others, 1))/2 + 1
}

// judge sets a member's status from the verdicts against it: suspect when
// a quorum of monitors suspects it, or, while this node hears from no one
// (it cannot learn what the quorum thinks), when it does itself.
func (c *Core) judge(now time.Time, m *member) {
	if m.status == StatusLeft {
		return
	}
	n, _ := c.st.Node(m.id)
	s := StatusAlive
	v, mine := c.mon.mine[m.id]
	if mine && v.gen == n.Generation && v.inc >= m.inc && !c.left && c.isolated(now) ||
		c.suspicion(m.id, n.Generation, m.inc) >= c.quorum() {
		s = StatusSuspect
	}
	c.setStatus(now, m, s, n.Generation)
}

// judgeSelf refutes a quorum's suspicion of this node.
func (c *Core) judgeSelf() {
	if c.left || c.suspicion(c.cfg.ID, c.cfg.Generation, c.inc) < c.quorum() {
		return
	}
	if err := c.put(KeyIncarnation, strconv.FormatUint(c.inc+1, 10), false); err != nil {
		return
	}
	c.inc++
	c.stats.Refutations++
	c.log.Warn("suspected by a quorum of monitors; refuting with a new incarnation",
		"id", c.cfg.ID, "incarnation", c.inc)
}

// loadMember reads a member's address and liveness keys from the store (a
// durable store's state at start).
func (c *Core) loadMember(now time.Time, m *member) {
	c.st.Entries(m.id, 0, func(e store.Entry) bool {
		if e.Key == KeyAddr && !e.Tombstone {
			m.addr = e.Value
		}
		if !e.Tombstone && isReserved(e.Key) {
			c.indexKey(now, m.id, m, e)
		}
		return true
	})
}

// Monitored is a node this node watches as one of its monitors.
type Monitored struct {
	ID string
	// Level is the Detector's suspicion level (phi for phi-accrual).
	Level float64
	// LastPong is when its last PONG arrived (or watching began).
	LastPong time.Time
	// Suspected: this node holds a verdict against it.
	Suspected bool
}

// Monitored lists the nodes this node watches, by ID.
func (c *Core) Monitored(now time.Time) []Monitored {
	ids := c.sortedTargets()
	out := make([]Monitored, 0, len(ids))
	for _, id := range ids {
		_, sus := c.mon.mine[id]
		out = append(out, Monitored{ID: id, Level: c.det.Level(id, now),
			LastPong: c.mon.targets[id].lastPong, Suspected: sus})
	}
	return out
}
