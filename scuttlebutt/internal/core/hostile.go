package core

import (
	"math"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// Input from a sender that holds no key is checked before it is believed:
//
//   - A generation further ahead of this node's clock than
//     Config.MaxGenerationSkew is refused: the delta, digest entry or
//     request carrying it is dropped (Stats.GenerationsRefused) and the
//     rest of the message is handled. Default generations are the clock in
//     nanoseconds, or a durable store's max(held + 1, clock), so an honest
//     node's generation is never ahead of the clocks by more than their
//     skew; a generation of 2^64-1 would otherwise hide the real node
//     forever, since it could never take one above it.
//   - The owner refutes (noticeSelf): gossip that shows this node's own ID
//     at a newer generation, or at its generation with a max version above
//     its own counter, means another sender wrote in its name. It takes a
//     generation (gen+1) or a version above the one seen, and re-asserts
//     its keys, so that its own state wins again everywhere.

// refuseFarGenerations drops the parts of m that carry a generation too far
// ahead of now. m's slices are replaced, not changed in place.
func (c *Core) refuseFarGenerations(now time.Time, m *codec.Message) {
	if c.cfg.MaxGenerationSkew <= 0 {
		return
	}
	limit := uint64(math.MaxUint64)
	if ns := now.UnixNano(); ns > 0 && uint64(ns) < math.MaxUint64-uint64(c.cfg.MaxGenerationSkew) {
		limit = uint64(ns) + uint64(c.cfg.MaxGenerationSkew)
	} else if ns <= 0 {
		limit = uint64(c.cfg.MaxGenerationSkew)
	}
	m.Deltas = filter(m.Deltas, func(d *codec.NodeDelta) bool { return d.Generation <= limit }, &c.stats.GenerationsRefused)
	m.Digest.Entries = filter(m.Digest.Entries, func(e *codec.DigestEntry) bool { return e.Generation <= limit }, &c.stats.GenerationsRefused)
	m.Requests = filter(m.Requests, func(e *codec.DigestEntry) bool { return e.Generation <= limit }, &c.stats.GenerationsRefused)
}

// filter returns the elements of s that keep accepts, counting the others
// in dropped; s itself is returned when every element is kept.
func filter[T any](s []T, keep func(*T) bool, dropped *uint64) []T {
	for i := range s {
		if keep(&s[i]) {
			continue
		}
		out := make([]T, 0, len(s)-1)
		out = append(out, s[:i]...)
		for j := i; j < len(s); j++ {
			if keep(&s[j]) {
				out = append(out, s[j])
			} else {
				*dropped++
			}
		}
		return out
	}
	return s
}

// noticeSelf handles gossip about this node's own ID at generation gen with
// max version version. A newer generation than this node's means the
// cluster holds another incarnation (one started with a clock set back, a
// stale restart, or a forgery), and every peer would ignore this one as
// older: take a generation above it, so this node's state replaces it
// everywhere. A max version above this node's own counter at its own
// generation means someone wrote in its name: refute by versions (see
// refuteVersion).
func (c *Core) noticeSelf(gen, version uint64) {
	switch {
	case gen > c.cfg.Generation && gen != math.MaxUint64:
		c.bumpGeneration(gen, "the cluster holds a newer generation of this node; taking one above it")
	case gen == c.cfg.Generation && version > c.ownMax():
		c.refuteVersion(version)
	}
}

// bumpGeneration takes generation gen+1, keeping every key.
func (c *Core) bumpGeneration(gen uint64, why string) {
	old := c.cfg.Generation
	n, _ := c.st.Node(c.cfg.ID)
	n.Generation = gen + 1
	if !c.write(c.newWrite(n)) {
		return
	}
	c.cfg.Generation = gen + 1
	c.touch(c.cfg.ID)
	c.noteChange(c.cfg.ID)
	c.stats.GenerationBumps++
	c.log.Warn(why, "id", c.cfg.ID, "was", old, "seen", gen, "now", c.cfg.Generation)
}

// refuteVersion answers gossip holding this node at its own generation up
// to version v, above its own counter: replicas that took it ignore every
// later write of the owner at or below v. The owner writes each of its
// live keys again, at versions v+1 and up, and raises its tombstone
// watermark to its new max version (dropping its own tombstones): every
// replica below that is then pruned with the owner's key list, which also
// drops the keys the forger added. When v leaves no room for the counter
// to grow, the owner takes a new generation instead.
func (c *Core) refuteVersion(v uint64) {
	n, _ := c.st.Node(c.cfg.ID)
	var live []store.Entry
	var dead []string
	c.st.Entries(c.cfg.ID, 0, func(e store.Entry) bool {
		if e.Tombstone {
			dead = append(dead, e.Key)
		} else {
			live = append(live, e)
		}
		return true
	})
	if v > math.MaxUint64/2 {
		c.bumpGeneration(c.cfg.Generation, "gossip holds this node at a version beyond any counter; taking a new generation")
		return
	}
	old := n.MaxVersion
	for i := range live {
		live[i].Version = v + uint64(i) + 1
	}
	n.MaxVersion = v + uint64(len(live))
	n.GCVersion = n.MaxVersion
	w := c.newWrite(n)
	w.Put = append(w.Put, live...)
	w.Drop = append(w.Drop, dead...)
	if !c.write(w) {
		return
	}
	c.stats.TombstonesGCd += uint64(len(dead))
	c.pushed = n.MaxVersion // the writes go by prune, not by push
	c.touch(c.cfg.ID)
	c.noteChange(c.cfg.ID)
	c.stats.VersionBumps++
	c.log.Warn("gossip holds this node at a version above its own counter; writing its keys again above it",
		"id", c.cfg.ID, "was", old, "seen", v, "now", n.MaxVersion)
}
