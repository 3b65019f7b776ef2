package mem

import (
	"fmt"
	"slices"

	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// Apply applies a remote delta and calls fn (which may be nil) for each change
// to the node's visible state, in ascending version order. The package
// documentation gives the exact rules; every error leaves the store as it was.
func (s *Store) Apply(d *store.Delta, fn func(store.Entry)) error {
	if d == nil {
		return fmt.Errorf("%w: nil delta", store.ErrInvalidDelta)
	}
	ns := s.nodes[d.ID]
	fresh := ns == nil || d.Generation > ns.node.Generation
	if !fresh && d.Generation < ns.node.Generation {
		return fmt.Errorf("%w: delta for node %q at generation %d, store has %d",
			store.ErrStaleGeneration, d.ID, d.Generation, ns.node.Generation)
	}
	if err := validate(d); err != nil {
		return err
	}
	var have uint64
	if !fresh {
		have = ns.node.MaxVersion
	}
	if d.From > have {
		return fmt.Errorf("%w: delta for node %q starts at %d, store holds through %d",
			store.ErrGap, d.ID, d.From, have)
	}
	switch {
	case fresh:
		if ns == nil {
			ns = s.add(d.ID, d.Generation)
		}
		s.replace(ns, d, fn, true)
	case d.Reset && (d.Upto > have || (have < d.GCVersion && ns.node.GCVersion < d.GCVersion)):
		// A reset lands if it brings versions the node lacks, or if the
		// node may hold keys whose tombstones the sender collected (the
		// first ErrGap case below). It then lands even at or below
		// MaxVersion, which drops to Upto: else a reset that the MTU cuts
		// below the node's MaxVersion would never land.
		s.replace(ns, d, fn, false)
	case d.Upto <= have:
		// Already held.
	case have > 0 && have < d.GCVersion && ns.node.GCVersion < d.GCVersion:
		// The sender dropped tombstones above what this node holds, and
		// this node has not adopted that watermark from a reset: it may
		// hold keys those tombstones deleted.
		return fmt.Errorf("%w: node %q held through %d but the sender dropped tombstones through %d; a reset is needed",
			store.ErrGap, d.ID, have, d.GCVersion)
	case have > 0 && have < ns.node.GCVersion && d.GCVersion < ns.node.GCVersion && d.Upto < ns.node.GCVersion:
		// This node holds a reset cut short below its watermark, so it
		// vouches for every delete at or below the watermark. A sender
		// that has not collected that far, and whose delta stops short of
		// the watermark, may not know of a delete in (Upto, watermark]
		// and would bring the deleted key back for good.
		return fmt.Errorf("%w: node %q holds a reset cut at %d with watermark %d; a delta through %d with watermark %d may undo deletes below it",
			store.ErrGap, d.ID, have, ns.node.GCVersion, d.Upto, d.GCVersion)
	default:
		applyPlain(ns, d, fn)
	}
	return nil
}

// validate checks the delta's own shape.
func validate(d *store.Delta) error {
	if d.From > d.Upto {
		return fmt.Errorf("%w: node %q: From %d > Upto %d", store.ErrInvalidDelta, d.ID, d.From, d.Upto)
	}
	if d.Reset && d.From != 0 {
		return fmt.Errorf("%w: node %q: reset with From %d", store.ErrInvalidDelta, d.ID, d.From)
	}
	prev := d.From
	for i := range d.Entries {
		e := &d.Entries[i]
		switch {
		case e.Version <= prev || e.Version > d.Upto:
			return fmt.Errorf("%w: node %q: entry %d has version %d, want in (%d, %d]",
				store.ErrInvalidDelta, d.ID, i, e.Version, prev, d.Upto)
		case e.Key == "":
			return fmt.Errorf("%w: node %q: entry %d has an empty key", store.ErrInvalidDelta, d.ID, i)
		case e.Tombstone && e.Value != "":
			return fmt.Errorf("%w: node %q: tombstone %q carries a value", store.ErrInvalidDelta, d.ID, e.Key)
		}
		prev = e.Version
	}
	return nil
}

// applyPlain applies a plain delta with d.From <= MaxVersion < d.Upto.
func applyPlain(ns *nodeState, d *store.Delta, fn func(store.Entry)) {
	have := ns.node.MaxVersion
	ns.node.MaxVersion = d.Upto
	if have == 0 {
		// The node held nothing: the delta is its whole state.
		ns.node.GCVersion = min(d.GCVersion, d.Upto)
	}
	gc := ns.node.GCVersion
	for i := range d.Entries {
		e := d.Entries[i]
		if e.Version <= have {
			continue
		}
		i, had := ns.idx[e.Key]
		var prev store.Entry
		if had {
			prev = ns.log[i]
		}
		report := fn != nil && visibleChange(prev, had, e)
		switch {
		case !e.Tombstone || e.Version > gc:
			ns.install(e, i, had)
		case had:
			// A tombstone at or below the watermark (a plain delta
			// continuing a cut reset): delete the key, keep no tombstone.
			delete(ns.idx, e.Key)
			ns.blank(i)
			ns.maybeCompact()
		}
		if report {
			fn(e)
		}
	}
}

// replace installs d in place of the node's state: a reset, or (newGen) the
// first delta of a new node or generation.
func (s *Store) replace(ns *nodeState, d *store.Delta, fn func(store.Entry), newGen bool) {
	seen, emit := s.seen, s.emit[:0]
	// Which entries change the visible state, compared with the old state
	// or with an earlier entry for the same key in this delta.
	for i := range d.Entries {
		e := d.Entries[i]
		var prev store.Entry
		had := false
		if j, ok := seen[e.Key]; ok {
			prev, had = d.Entries[j], true
		} else if j, ok := ns.idx[e.Key]; ok {
			prev, had = ns.log[j], true
		}
		if visibleChange(prev, had, e) {
			emit = append(emit, i)
		}
		seen[e.Key] = i
	}

	// The live keys that vanish.
	gone := s.gone[:0]
	for i := range ns.log {
		e := &ns.log[i]
		if e.Key == "" || e.Tombstone {
			continue
		}
		if _, ok := seen[e.Key]; !ok {
			gone = append(gone, e.Key)
		}
	}

	// The watermark the node adopts. A reset carries every entry the sender
	// holds through Upto, tombstones included; the sender holds none at or
	// below its watermark, so neither does this node now. The watermark may
	// exceed Upto when the reset was cut short: plain deltas continue it.
	// The first delta of a node vouches only for what it carries.
	gc := min(d.GCVersion, d.Upto)
	if d.Reset {
		gc = d.GCVersion
	}

	// The next log: the delta's last entry per key, without tombstones at
	// or below the watermark (which a correct sender never sends).
	next := s.spare[:0]
	for i := range d.Entries {
		e := &d.Entries[i]
		if seen[e.Key] == i && (!e.Tombstone || e.Version > gc) {
			next = append(next, *e)
		}
	}
	clear(ns.log)
	s.spare = ns.log[:0]
	ns.log = next
	ns.dead = 0
	clear(ns.idx)
	for k := range next {
		ns.idx[next[k].Key] = k
	}
	if newGen {
		ns.node = store.Node{ID: ns.node.ID, Generation: d.Generation}
	}
	ns.node.MaxVersion = d.Upto
	ns.node.GCVersion = gc

	if fn != nil {
		for _, k := range emit {
			fn(d.Entries[k])
		}
		slices.Sort(gone)
		for _, key := range gone {
			fn(store.Entry{Key: key, Tombstone: true, Version: d.Upto})
		}
	}
	clear(seen)
	clear(gone)
	s.emit, s.gone = emit[:0], gone[:0]
}
