package core

import (
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// The exchange. Every message is answered by the same rules, whatever its
// kind (see codec.Message):
//
//   - its deltas are applied;
//   - its requests are answered with deltas;
//   - its digest entries (a SYN's or PONG's recent changes, or a complete
//     listing of covered buckets) are compared with what this node holds:
//     it asks for what it lacks and sends what the peer lacks, nodes the
//     peer has never heard of first;
//   - its buckets are compared with this node's (see walk.go).
//
// A SYN (or a PONG) whose hash equals this node's needs no answer at all:
// two nodes that hold the same state exchange one small message. Otherwise
// the responder answers with its own hash, its entry for each listed node
// it holds differently (an echo: a request when it is behind, a digest
// entry when ahead), its own recent changes, and the deltas the initiator
// lacks of what it listed. The initiator can then tell whether those
// entries explain the whole difference: take every echoed node out of both
// hashes (they are sums) and compare what remains. If the remains differ,
// the two also differ somewhere neither listed, and the initiator starts a
// bucket walk. Nothing here depends on local timers: a delta lost on the
// way leaves the hashes different until anti-entropy repairs it.

// Step handles a message received at now from the transport address from.
func (c *Core) Step(now time.Time, from string, m *codec.Message) {
	if m.From == c.cfg.ID || m.From == "" {
		c.stats.MessagesDropped++
		return
	}
	c.now = now
	c.received(from, m)
	c.refuseFarGenerations(now, m)
	defer c.judgeDirty(now)
	c.heardFrom(m.From)
	c.mon.lastHeard = now
	switch m.Kind {
	case codec.KindSyn:
		c.stats.SynReceived++
		c.answerHash(now, from, m)
	case codec.KindPing:
		c.answerPing(from, m)
	case codec.KindPong:
		c.pong(now, m.From)
		if m.Hash != 0 && m.Hash != c.rootHash() {
			c.answerHash(now, from, m)
		}
	case codec.KindSynAck:
		c.stats.SynAckReceived++
		c.answer(now, from, m)
	case codec.KindAck:
		c.stats.AckReceived++
		c.applyDeltas(now, m.From, m.Deltas)
	default:
		c.stats.MessagesDropped++
	}
}

// answerPing answers a monitor's PING with a PONG: with this node's hash
// and recent changes when the hashes differ, so that the monitor goes on
// as with a SYN.
func (c *Core) answerPing(from string, m *codec.Message) {
	pong := &codec.Message{Kind: codec.KindPong, From: c.cfg.ID}
	if h := c.rootHash(); m.Hash != 0 && m.Hash != h {
		c.stats.ExchangesDiffer++
		pong.Hash = h
		pong.Digest.Entries = c.hints(nil, codec.KindPong)
		if codec.Size(c.sizer, pong) > c.sendLimit(from) {
			pong.Digest.Entries = nil // within what this sender may be sent
		}
	} else if m.Hash != 0 {
		c.stats.ExchangesEqual++
	}
	c.out = append(c.out, Outgoing{To: from, Msg: pong})
}

// answerHash answers a SYN, or a PONG whose hash differs: nothing when the
// hashes match, else echoes, recent changes and deltas (see above).
func (c *Core) answerHash(now time.Time, from string, m *codec.Message) {
	// Compared before the entries are taken in: a departure they report
	// must still be acknowledged.
	equal := m.Hash == c.rootHash()
	leaving := false
	for i := range m.Digest.Entries {
		e := &m.Digest.Entries[i]
		leaving = leaving || e.ID == m.From && e.Left
		c.observe(now, e)
	}
	if m.Kind == codec.KindSyn {
		if equal {
			c.stats.ExchangesEqual++
		} else {
			c.stats.ExchangesDiffer++
		}
	}
	if equal && !leaving {
		return
	}
	c.noteActivity()
	r := c.newReply(from)
	r.msg.Hash = c.rootHash()
	r.budgetHash()
	if m.Kind == codec.KindSyn {
		r.rates(m.Rates)
	}
	for i := range m.Digest.Entries {
		e := &m.Digest.Entries[i]
		if e.ID == m.From && e.Left {
			r.request(*e) // acknowledges the departure
			continue
		}
		c.echo(r, e)
	}
	// Our own recent changes, as far as they were not echoed.
	for _, e := range c.hints(nil, codec.KindSynAck) {
		if _, done := r.listed[e.ID]; !done {
			r.digest(e)
		}
	}
	c.addCandidates(&m.Digest)
	r.send(now, from, c.cands)
}

// echo adds to r this node's entry for a node a peer listed as e, when it
// differs: a request when this node lacks what the peer has, a digest
// entry otherwise.
func (c *Core) echo(r *reply, e *codec.DigestEntry) {
	if e.ID == c.cfg.ID {
		if mine := c.selfEntry(); mine != *e {
			r.digest(mine)
		}
		return
	}
	if w, ok := c.request(e); ok {
		r.request(w)
		return
	}
	if mine, ok := c.entryOf(e.ID); ok && mine != *e {
		r.digest(mine)
	}
}

// answer handles a SYNACK: deltas, requests, entries and buckets, and
// when it answers a SYN of ours (it has a hash), the check whether the
// entries both sides listed explain the difference.
func (c *Core) answer(now time.Time, from string, m *codec.Message) {
	c.applyDeltas(now, m.From, m.Deltas)
	c.judgeDirty(now) // the deltas may carry verdicts
	for i := range m.Requests {
		e := &m.Requests[i]
		if e.ID == c.cfg.ID {
			if c.left && e.Left && e.Generation == c.cfg.Generation {
				c.leaveAcks[m.From] = true
			}
			c.noticeSelf(e.Generation, e.MaxVersion)
			continue
		}
		c.revive(e)
	}
	for i := range m.Digest.Entries {
		c.observe(now, &m.Digest.Entries[i])
	}
	c.redistribute(c.flow.sent, m.Rates) // the responder's rates, if any
	r := c.newReply(from)
	if m.Hash != 0 && !c.explained(m) {
		c.stats.Walks++
		r.walk = true
	}
	// Requests and listed entries, then buckets; deltas fill the rest.
	c.addCandidates(&codec.Digest{Entries: m.Requests})
	for i := range m.Digest.Entries {
		if w, ok := c.request(&m.Digest.Entries[i]); ok {
			r.request(w)
		}
	}
	c.addCandidates(&m.Digest)
	if r.walk {
		r.startWalk()
	}
	c.compareBuckets(r, m.Buckets)
	r.send(now, from, c.cands)
	if m.Hash != 0 { // the answer to our SYN or PONG: the exchange's outcome
		c.countOutcome(len(m.Deltas) > 0, len(r.msg.Deltas) > 0)
	}
}

// countOutcome counts an exchange this node opened whose hashes differed,
// by what its first answer brought and what went back: deltas pulled,
// pushed, both, or neither (only requests or a walk).
func (c *Core) countOutcome(pulled, pushed bool) {
	switch {
	case pulled && pushed:
		c.stats.ExchangesBoth++
	case pulled:
		c.stats.ExchangesPulled++
	case pushed:
		c.stats.ExchangesPushed++
	default:
		c.stats.ExchangesNeither++
	}
}

// explained reports whether the entries a SYNACK echoed or listed account
// for the whole difference between the responder's hash and this node's.
func (c *Core) explained(m *codec.Message) bool {
	restPeer, restMine := m.Hash, c.rootHash()
	clear(c.listed)
	take := func(e *codec.DigestEntry, peerHolds bool) {
		if _, dup := c.listed[e.ID]; dup {
			return
		}
		c.listed[e.ID] = struct{}{}
		if peerHolds {
			restPeer -= codec.EntryHash(e)
		}
		if mine, ok := c.entryOf(e.ID); ok {
			restMine -= codec.EntryHash(&mine)
		}
	}
	for i := range m.Digest.Entries {
		take(&m.Digest.Entries[i], true)
	}
	for i := range m.Requests {
		e := &m.Requests[i]
		take(e, e.Generation != 0)
	}
	return restPeer == restMine
}

// request returns the entry to ask the peer for, when its digest entry e
// shows it holds more of a node than this node does.
func (c *Core) request(e *codec.DigestEntry) (codec.DigestEntry, bool) {
	if e.ID == c.cfg.ID || c.isRemoved(e.ID, e.Generation, e.MaxVersion) {
		return codec.DigestEntry{}, false
	}
	n, ok := c.st.Node(e.ID)
	n = c.advertised(n)
	switch {
	case !ok:
		return codec.DigestEntry{ID: e.ID}, true // never heard of it
	case e.Generation > n.Generation:
		return codec.DigestEntry{ID: e.ID, Generation: n.Generation, MaxVersion: n.MaxVersion, Left: n.Left}, true
	case e.Generation == n.Generation && e.MaxVersion > n.MaxVersion:
		return codec.DigestEntry{ID: e.ID, Generation: n.Generation, MaxVersion: n.MaxVersion,
			GCVersion: n.GCVersion, Left: n.Left}, true
	}
	return codec.DigestEntry{}, false
}

// observe takes what a digest entry reports of a node beyond its version:
// its departure, a newer generation of this node, or that a removed node
// is back.
func (c *Core) observe(now time.Time, e *codec.DigestEntry) {
	if e.ID == c.cfg.ID {
		c.noticeSelf(e.Generation, e.MaxVersion)
		return
	}
	c.revive(e)
	n, ok := c.st.Node(e.ID)
	if !ok || e.Generation != n.Generation || !e.Left || n.Left {
		return
	}
	m := c.members[e.ID]
	if m == nil {
		return
	}
	n.Left = true
	if c.write(c.newWrite(n)) {
		c.touch(n.ID)
		c.noteChange(n.ID)
		c.setStatus(now, m, StatusLeft, n.Generation)
	}
}
