package core

import (
	"cmp"
	"slices"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// A replica that may hold keys whose deletes it missed (the sender
// collected the tombstones: H < d.GC) is pruned: the owner lists every key
// it holds live, then it or any peer sends plain deltas from H. The replica stages both, invisible
// to readers, and installs them in one step once the deltas reach the
// list's version: until then nothing it shows changes, so no key is reported
// deleted and then back, and no event goes back in version.
//
// While staging, the replica's digest entry for the node advertises the
// staging: max version = what the staged deltas reach, watermark = the
// list's version. A sender that collected no further than that sends the
// next plain delta; one that collected further sends a newer list, which
// replaces the staged one (the staged deltas stay).

// staging is a prune in progress for one node.
type staging struct {
	gen uint64
	// reach: the staged deltas make the replica complete through reach
	// (it starts at the replica's max version).
	reach uint64
	// target is the list's version and gc the sender's watermark.
	target, gc uint64
	listed     map[string]struct{}
	// entries are the staged deltas' entries, the latest per key.
	entries map[string]store.Entry
}

// advertised returns what the digest says of a node: its store summary,
// or the staging's progress while one is under way.
func (c *Core) advertised(n store.Node) store.Node {
	if len(c.staged) == 0 {
		return n // the common case, once per digest entry
	}
	if s := c.staged[n.ID]; s != nil && s.gen == n.Generation {
		n.MaxVersion, n.GCVersion = s.reach, s.target
	}
	return n
}

// stagePrune takes a prune for a replica at the same generation.
func (c *Core) stagePrune(d *codec.NodeDelta, n store.Node) outcome {
	if d.GCVersion > d.Upto {
		return rejected // a correct sender holds what it vouches for
	}
	s := c.staged[d.ID]
	if s != nil && s.gen != n.Generation {
		s = nil
	}
	switch {
	case s == nil && !(n.MaxVersion < d.GCVersion && n.GCVersion < d.GCVersion):
		return stale // not needed
	case s == nil && n.MaxVersion > d.Upto:
		return stale // built on an old digest
	case s != nil && d.Upto <= s.target:
		return stale // an older or the same list
	}
	if s == nil {
		s = &staging{gen: n.Generation, reach: n.MaxVersion, entries: map[string]store.Entry{}}
		c.staged[d.ID] = s
	}
	s.target, s.gc = d.Upto, d.GCVersion
	s.listed = make(map[string]struct{}, len(d.Entries))
	for i := range d.Entries {
		s.listed[d.Entries[i].Key] = struct{}{}
	}
	c.stats.PrunesStaged++
	return c.maybeInstall(d.ID, s, n)
}

// stagePlain takes a plain delta for a replica being pruned.
func (c *Core) stagePlain(d *codec.NodeDelta, s *staging, n store.Node) outcome {
	switch {
	case d.From > s.reach:
		return rejected // a gap
	case d.Upto <= s.reach:
		return stale
	case d.GCVersion > s.target:
		// Deletes in (target, d.GC] are in neither the list nor the delta.
		return rejected
	case over(c.cfg.Limits.MaxKeysPerNode, len(s.entries)+len(d.Entries)):
		c.stats.LimitDrops++
		return rejected // staged entries are held too
	}
	for i := range d.Entries {
		e := store.Entry(d.Entries[i])
		if e.Version <= s.reach {
			continue
		}
		if prev, ok := s.entries[e.Key]; !ok || prev.Version < e.Version {
			s.entries[e.Key] = e
		}
	}
	s.reach = d.Upto
	return c.maybeInstall(d.ID, s, n)
}

// maybeInstall installs a staging whose deltas reach the list's version:
// the staged entries land, every key at or below the list's version that
// the list does not name is deleted, and the replica is complete through
// reach. Applied reports a change even while it is still staged: the
// staging moved on.
func (c *Core) maybeInstall(id string, s *staging, n store.Node) outcome {
	if s.reach < s.target {
		return applied
	}
	delete(c.staged, id)
	n.MaxVersion = s.reach
	n.GCVersion = max(n.GCVersion, s.gc)
	w := c.newWrite(n)
	changed := c.changed[:0]
	final := func(e store.Entry) (store.Entry, bool) {
		if e.Version <= s.target && !e.Tombstone {
			if _, ok := s.listed[e.Key]; !ok {
				// Deleted at or below target; any later write comes above.
				return store.Entry{Key: e.Key, Version: s.target, Tombstone: true}, false
			}
		}
		return e, true
	}
	// Keys held: pruned, replaced by a staged entry, or kept.
	c.st.Entries(id, 0, func(e store.Entry) bool {
		if _, restaged := s.entries[e.Key]; restaged {
			return true
		}
		if f, keep := final(e); !keep {
			w.Drop = append(w.Drop, e.Key)
			changed = append(changed, f)
		} else if e.Tombstone && e.Version <= n.GCVersion {
			w.Drop = append(w.Drop, e.Key)
		}
		return true
	})
	for _, e := range s.entries {
		prev, had := c.st.Get(id, e.Key)
		f, keep := final(e)
		switch {
		case !keep || (f.Tombstone && f.Version <= n.GCVersion):
			w.Drop = append(w.Drop, e.Key)
		default:
			w.Put = append(w.Put, f)
		}
		if visibleChange(prev, had, f) {
			changed = append(changed, f)
		}
	}
	slices.SortFunc(w.Put, func(a, b store.Entry) int { return cmp.Compare(a.Version, b.Version) })
	slices.SortFunc(changed, func(a, b store.Entry) int {
		return cmp.Or(cmp.Compare(a.Version, b.Version), cmp.Compare(a.Key, b.Key))
	})
	if !c.write(w) {
		return rejected
	}
	c.changed = changed
	c.stats.Prunes++
	c.emitChanges(id, c.members[id], n.Generation, changed)
	return applied
}
