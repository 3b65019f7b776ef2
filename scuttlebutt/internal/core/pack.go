package core

import (
	"cmp"
	"slices"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// candidate is one node whose deltas a peer lacks.
type candidate struct {
	id   string
	gen  uint64
	from uint64 // the peer's max version: the exclusive lower bound
	upto uint64 // our max version
	gc   uint64
	// prune: the peer may hold keys whose tombstones this node collected;
	// a prune listing this node's live keys goes first, whole, then the
	// plain delta from the peer's max version.
	prune bool
	// unknown: the peer has never heard of the node. Such nodes go first,
	// so a new node's address is never stuck behind another node's bulk.
	unknown bool
	// entries (and, for a prune, keys: the live entries without values)
	// are filled lazily, only for candidates the packer reaches.
	entries []store.Entry
	keys    []codec.Entry
	filled  bool
}

// stale is how far behind the peer is: the ordering key of scuttle-depth.
// The version distance stands in for the number of deltas, which would
// cost a scan of every candidate's entries to count exactly.
func (c *candidate) stale() uint64 { return c.upto - c.from }

// resetCands empties the candidate list before a message is answered.
func (c *Core) resetCands() {
	c.entryBuf = c.entryBuf[:0]
	c.cands = c.cands[:0]
	if len(c.candIDs) > shrinkAbove {
		c.candIDs = map[string]struct{}{}
	} else {
		clear(c.candIDs)
	}
}

// addCandidates adds the nodes the digest's sender lacks deltas of: those
// it lists behind this node, and those within its covered buckets that it
// does not list at all. A node is added once per message.
func (c *Core) addCandidates(d *codec.Digest) {
	if len(c.listed) > shrinkAbove {
		c.listed = map[string]struct{}{}
	} else {
		clear(c.listed)
	}
	for i := range d.Entries {
		e := &d.Entries[i]
		if _, dup := c.listed[e.ID]; dup {
			continue
		}
		c.listed[e.ID] = struct{}{}
		n, ok := c.st.Node(e.ID)
		if !ok || e.Generation > n.Generation {
			continue // unknown here, or the peer is newer
		}
		cand := candidate{id: n.ID, gen: n.Generation, upto: n.MaxVersion, gc: n.GCVersion}
		if e.Generation == n.Generation {
			if e.MaxVersion >= n.MaxVersion {
				continue
			}
			cand.from = e.MaxVersion
			// The peer may have missed a delete whose tombstone is gone.
			cand.prune = e.MaxVersion < n.GCVersion && e.GCVersion < n.GCVersion
			if cand.prune && n.ID != c.cfg.ID {
				continue // the peer needs the owner's key list first
			}
		} else {
			cand.unknown = e.Generation == 0
		}
		if cand.unknown && n.Left {
			continue // never spread a departed node to someone new
		}
		c.addCandidate(cand)
	}
	for _, b := range d.Cover {
		c.eachIn(b, func(id string) {
			if _, ok := c.listed[id]; !ok {
				c.addUnknown(id)
			}
		})
	}
}

// addUnknown adds node id as a candidate the peer has never heard of.
func (c *Core) addUnknown(id string) {
	n, ok := c.st.Node(id)
	if !ok || n.Left {
		return
	}
	c.addCandidate(candidate{id: n.ID, gen: n.Generation, upto: n.MaxVersion, gc: n.GCVersion, unknown: true})
}

func (c *Core) addCandidate(cand candidate) {
	if _, dup := c.candIDs[cand.id]; dup {
		return
	}
	c.candIDs[cand.id] = struct{}{}
	c.cands = append(c.cands, cand)
}

// eachIn calls fn with the ID of every node this node holds in bucket b,
// itself included, in a deterministic order.
func (c *Core) eachIn(b codec.BucketID, fn func(id string)) {
	if c.self.entry != 0 && b.Contains(c.self.id) {
		fn(c.cfg.ID)
	}
	for _, m := range c.order {
		if m.h.entry != 0 && b.Contains(m.h.id) {
			fn(m.id)
		}
	}
}

// fillEntries fills cand.entries, once: every entry above cand.from, and
// for a prune every live key with its version.
func (c *Core) fillEntries(cand *candidate) {
	if cand.filled {
		return
	}
	cand.filled = true
	start := len(c.entryBuf)
	after := cand.from
	if cand.prune {
		after = 0 // one scan gives the key list and the entries
	}
	c.st.Entries(cand.id, after, func(e store.Entry) bool {
		if cand.prune && !e.Tombstone {
			cand.keys = append(cand.keys, codec.Entry{Key: e.Key, Version: e.Version})
		}
		if e.Version > cand.from {
			c.entryBuf = append(c.entryBuf, e)
		}
		return true
	})
	// A capped slice of the shared scratch buffer: valid until the next
	// message is built, even if the buffer grows meanwhile.
	cand.entries = c.entryBuf[start:len(c.entryBuf):len(c.entryBuf)]
}

// pack chooses the deltas that fit in budget bytes, in the configured
// order. Each node's entries go in ascending version order and are cut only
// as a prefix: a node delta never skips a version it does not also drop
// every later version of, and its Upto says exactly how far it reaches.
func (c *Core) pack(cands []candidate, budget, room int) (deltas []codec.NodeDelta, cut int, pruneTooLarge bool) {
	if len(cands) == 0 {
		return nil, 0, false
	}
	c.rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	depth := c.cfg.Ordering == ScuttleDepth
	slices.SortStableFunc(cands, func(a, b candidate) int {
		if a.unknown != b.unknown {
			if a.unknown {
				return -1
			}
			return 1
		}
		if depth {
			return cmp.Compare(b.stale(), a.stale())
		}
		return 0
	})
	minHeader := c.sizer.NodeDelta(&codec.NodeDelta{ID: "x", Generation: 1})
	p := packer{c: c, budget: budget, room: room, minHeader: minHeader,
		taken:  slices.Grow(c.taken[:0], len(cands))[:len(cands)],
		slot:   slices.Grow(c.slot[:0], len(cands))[:len(cands)],
		pruned: make([]bool, len(cands)),
		deltas: make([]codec.NodeDelta, 0, min(len(cands), budget/max(minHeader, 1)+1))}
	c.taken, c.slot = p.taken, p.slot // scratch, reused by the next call
	for i := range p.slot {
		p.slot[i], p.taken[i] = -1, 0
	}
	if depth {
		for i := range cands {
			p.fill(i, &cands[i])
		}
	} else {
		p.roundRobin(cands)
	}
	deltas, cut = p.finish(cands)
	return deltas, cut, p.tooLarge
}

// packer accumulates a message's deltas under a byte budget.
type packer struct {
	c      *Core
	budget int
	used   int
	deltas []codec.NodeDelta
	// taken[i] is how many entries of candidate i went in; slot[i] its
	// index in deltas, or -1.
	taken []int
	slot  []int
	// minHeader is a lower bound on any node delta header's size.
	minHeader int
	// pruned[i] is set once candidate i's prune went in; tooLarge once a
	// prune did not fit.
	pruned   []bool
	tooLarge bool
	// room is what an empty message of this kind holds.
	room int
}

// open adds cand's node delta header if it and the first entry fit (or the
// header alone when there is no entry: the delta then only advances the
// peer's version past collected tombstones). A prune candidate's prune goes
// first, whole or not at all.
func (p *packer) open(i int, cand *candidate) bool {
	if p.slot[i] >= 0 {
		return true
	}
	if p.budget-p.used < p.minHeader {
		return false // not even an empty header fits any more
	}
	p.c.fillEntries(cand)
	if cand.prune && !p.pruned[i] {
		if !p.addPrune(cand) {
			return false
		}
		p.pruned[i] = true
	}
	hdr := &p.c.scratchDelta
	*hdr = codec.NodeDelta{ID: cand.id, Generation: cand.gen, From: cand.from, Upto: cand.upto,
		GCVersion: cand.gc}
	s := p.c.sizer
	n := len(p.deltas)
	cost := s.NodeDelta(hdr) + s.DeltaCount(n+1) - s.DeltaCount(n)
	first := 0 // the first entry must fit with the header
	if len(cand.entries) > 0 {
		e := &p.c.scratchEntry // sized through an interface: keep it off the heap
		*e = codec.Entry(cand.entries[0])
		first = s.Entry(e) + s.EntryCount(1)
	}
	if p.used+cost+first > p.budget {
		return false
	}
	p.used += cost
	p.slot[i] = n
	p.deltas = append(p.deltas, *hdr)
	return true
}

// addPrune adds cand's prune, whole, if it fits.
func (p *packer) addPrune(cand *candidate) bool {
	d := codec.NodeDelta{ID: cand.id, Generation: cand.gen, Upto: cand.upto, Reset: true,
		GCVersion: cand.gc, Entries: cand.keys}
	s := p.c.sizer
	n := len(p.deltas)
	cost := s.NodeDelta(&d) + s.DeltaCount(n+1) - s.DeltaCount(n) + s.EntryCount(len(d.Entries))
	for j := range d.Entries {
		cost += s.Entry(&d.Entries[j])
	}
	if p.used+cost > p.budget {
		if cost > p.room {
			p.tooLarge = true // would not fit an empty message either
		}
		return false
	}
	p.used += cost
	p.deltas = append(p.deltas, d)
	return true
}

// add takes candidate i's next entry if it fits. The entries are copied
// into the message only in finish.
func (p *packer) add(i int, cand *candidate) bool {
	k := p.taken[i]
	e := &p.c.scratchEntry
	*e = codec.Entry(cand.entries[k])
	s := p.c.sizer
	cost := s.Entry(e) + s.EntryCount(k+1) - s.EntryCount(k)
	if p.used+cost > p.budget {
		return false
	}
	p.used += cost
	p.taken[i] = k + 1
	return true
}

// fill adds as many entries of candidate i as fit (scuttle-depth).
func (p *packer) fill(i int, cand *candidate) {
	if !p.open(i, cand) {
		return
	}
	for p.taken[i] < len(cand.entries) && p.add(i, cand) {
	}
}

// roundRobin adds one entry of each candidate per pass (scuttle-breadth);
// a candidate whose next entry does not fit is closed for good, so its
// delta stays a prefix.
func (p *packer) roundRobin(cands []candidate) {
	closed := make([]bool, len(cands))
	for progress := true; progress; {
		progress = false
		for i := range cands {
			cand := &cands[i]
			if closed[i] {
				continue
			}
			if !p.open(i, cand) {
				closed[i] = true
				continue
			}
			if p.taken[i] >= len(cand.entries) || !p.add(i, cand) {
				closed[i] = true
				continue
			}
			progress = true
		}
	}
}

// finish sets each delta's Upto: the candidate's max version when every
// entry went in, else the version of the last entry that did.
// It copies the chosen entries into one array the message owns, and
// returns how many candidates were cut short or left out.
func (p *packer) finish(cands []candidate) ([]codec.NodeDelta, int) {
	total := 0
	for i, s := range p.slot {
		if s >= 0 {
			total += p.taken[i]
		}
	}
	all := make([]codec.Entry, 0, total)
	cut := 0
	for i, s := range p.slot {
		if s < 0 {
			cut++
			continue
		}
		d := &p.deltas[s]
		start := len(all)
		for _, e := range cands[i].entries[:p.taken[i]] {
			all = append(all, codec.Entry(e))
		}
		d.Entries = all[start:len(all):len(all)]
		if p.taken[i] < len(cands[i].entries) {
			d.Upto = d.Entries[len(d.Entries)-1].Version
			cut++
		}
	}
	return p.deltas, cut
}

// packOut packs the deltas of one message within budget bytes. When they do
// not all fit a datagram and the transport can stream, it packs them again
// for a stream of up to StreamMax bytes: a full state sync for a node that
// just joined, a reset after missed deletes, any large catch-up.
//
// One stream per peer per StreamCooldown: a peer that asks again before the
// last stream has landed gets a datagram.
func (c *Core) packOut(now time.Time, to string, cands []candidate, budget int) ([]codec.NodeDelta, bool) {
	room := c.cfg.MTU - c.sizer.Base(codec.KindAck, c.cfg.ID)
	deltas, cut, tooLarge := c.pack(cands, budget, room)
	stream := false
	last, recent := c.streamed[to]
	if cut > 0 && c.cfg.StreamMax > c.cfg.MTU && c.validated(to) && (!recent || now.Sub(last) >= c.cfg.StreamCooldown) {
		extra := c.cfg.StreamMax - c.cfg.MTU
		deltas, cut, tooLarge = c.pack(cands, budget+extra, room+extra)
		stream = true
		c.streamed[to] = now
	}
	c.stats.DeltasCut += uint64(cut)
	c.adapt(cut > 0)
	if tooLarge {
		c.stats.PrunesTooLarge++
	}
	for i := range deltas {
		if deltas[i].Reset {
			c.stats.ResetsSent++
		}
	}
	return deltas, stream
}
