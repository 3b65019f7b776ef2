package core

import (
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// reply builds the answer to one message within the MTU, counted on
// encoded bytes: requests, echoes, listings and buckets take up to half of
// it, and deltas fill what is left.
type reply struct {
	c    *Core
	msg  *codec.Message
	used int // bytes of the message so far
	// limit is the most the message may take: the MTU, or less for an
	// address not validated (see amplify.go).
	limit int
	meta  int // the most the non-delta sections may take
	// listed holds the IDs already requested or listed.
	listed map[string]struct{}
	// walk: the hashes still differ; a bucket walk starts with this reply.
	walk bool
}

func (c *Core) newReply(to string) *reply {
	base := max(c.sizer.Base(codec.KindSynAck, c.cfg.ID), c.sizer.Base(codec.KindAck, c.cfg.ID))
	c.resetCands()
	limit := max(c.sendLimit(to), base)
	return &reply{c: c, msg: &codec.Message{Kind: codec.KindSynAck, From: c.cfg.ID},
		used: base, limit: limit, meta: base + (limit-base)/2, listed: map[string]struct{}{}}
}

// budgetHash counts the reply's hash.
func (r *reply) budgetHash() { r.used += r.c.sizer.HashSize() }

// rates answers the rates of a SYN, when both sides run flow control: the
// reply carries this node's rates as they were, and both redistribute from
// the two.
func (r *reply) rates(theirs codec.Rates) {
	c := r.c
	if !c.cfg.FlowControl || theirs.IsZero() {
		return
	}
	mine := c.rates()
	r.msg.Rates = mine
	r.used += c.sizer.Rates(mine)
	c.redistribute(mine, theirs)
}

// fits takes cost bytes if the non-delta sections still have them.
func (r *reply) fits(cost int) bool {
	if r.used+cost > r.meta {
		return false
	}
	r.used += cost
	return true
}

// request asks for what e says this node holds of a node.
func (r *reply) request(e codec.DigestEntry) bool {
	if _, dup := r.listed[e.ID]; dup {
		return true
	}
	s, n := r.c.sizer, len(r.msg.Requests)
	if !r.fits(s.DigestEntry(&e) + s.RequestCount(n+1) - s.RequestCount(n)) {
		return false
	}
	r.listed[e.ID] = struct{}{}
	r.msg.Requests = append(r.msg.Requests, e)
	return true
}

// digest lists e, this node's entry for a node.
func (r *reply) digest(e codec.DigestEntry) bool {
	if _, dup := r.listed[e.ID]; dup {
		return true
	}
	s, n := r.c.sizer, len(r.msg.Digest.Entries)
	if !r.fits(s.DigestEntry(&e) + s.DigestCount(n+1) - s.DigestCount(n)) {
		return false
	}
	r.listed[e.ID] = struct{}{}
	r.msg.Digest.Entries = append(r.msg.Digest.Entries, e)
	return true
}

// bucket adds a bucket claim.
func (r *reply) bucket(b codec.Bucket) bool {
	s, n := r.c.sizer, len(r.msg.Buckets)
	if !r.fits(s.Bucket(&b) + s.BucketCount(n+1) - s.BucketCount(n)) {
		return false
	}
	r.msg.Buckets = append(r.msg.Buckets, b)
	return true
}

// children adds the claims of b's children, as many as fit, from a
// random one on: each claim stands alone, and those left out are compared
// by a later walk.
func (r *reply) children(b codec.BucketID) {
	const k = 1 << codec.BucketBits
	off := r.c.rng.IntN(k)
	for i := range k {
		if !r.bucket(r.c.claim(b.Child((off + i) % k))) {
			return
		}
	}
}

// list adds this node's entry for every node it holds in bucket b, and b
// to the cover: the listing is complete over b. All or nothing.
func (r *reply) list(b codec.BucketID) bool {
	c, s := r.c, r.c.sizer
	d := &r.msg.Digest
	n, k := len(d.Entries), len(d.Cover)
	cost := s.Cover(b) + s.CoverCount(k+1) - s.CoverCount(k)
	var add []codec.DigestEntry
	c.eachIn(b, func(id string) {
		if _, dup := r.listed[id]; dup {
			return // already listed: it counts for the cover too
		}
		e, _ := c.entryOf(id)
		add = append(add, e)
		cost += s.DigestEntry(&e)
	})
	cost += s.DigestCount(n+len(add)) - s.DigestCount(n)
	if !r.fits(cost) {
		return false
	}
	for _, e := range add {
		r.listed[e.ID] = struct{}{}
	}
	d.Cover = append(d.Cover, b)
	d.Entries = append(d.Entries, add...)
	return true
}

// send fills the rest of the reply with the deltas of cands and queues
// it: as a SYNACK when it asks for an answer, an ACK when it carries only
// deltas, nothing when it is empty and has no hash to give.
func (r *reply) send(now time.Time, to string, cands []candidate) {
	c, m := r.c, r.msg
	var stream bool
	m.Deltas, stream = c.packOut(now, to, cands, r.limit-r.used)
	asks := m.Hash != 0 || len(m.Requests) > 0 || len(m.Digest.Entries) > 0 || len(m.Buckets) > 0
	switch {
	case !asks && len(m.Deltas) == 0:
		return
	case !asks:
		m.Kind = codec.KindAck
	}
	c.out = append(c.out, Outgoing{To: to, Msg: m, Stream: stream})
}
