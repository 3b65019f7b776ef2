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
	case d.Upto <= have:
		// Already held.
	case d.Reset:
		s.replace(ns, d, fn, false)
	case have > 0 && have < d.GCVersion:
		return fmt.Errorf("%w: node %q held through %d but the sender dropped tombstones through %d; a reset is needed",
			store.ErrGap, d.ID, have, d.GCVersion)
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
	for i := range d.Entries {
		e := d.Entries[i]
		if e.Version <= have {
			continue
		}
		prev, had := ns.install(e)
		if fn != nil && visibleChange(prev, had, e) {
			fn(e)
		}
	}
}

// replace installs d in place of the node's state: a reset, or (newGen) the
// first delta of a new node or generation, which keeps nothing of the old
// state. A reset keeps old entries above d.GCVersion that it does not mention.
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

	// Merge the kept old entries and the delta's last entry per key into
	// the next log, both in ascending version order; note dropped live keys.
	next, gone := s.spare[:0], s.gone[:0]
	old := ns.log
	keep := func(e *store.Entry) bool {
		if e.Key == "" {
			return false
		}
		if _, ok := seen[e.Key]; ok {
			return false
		}
		if !newGen && e.Version > d.GCVersion {
			return true
		}
		if !e.Tombstone {
			gone = append(gone, e.Key)
		}
		return false
	}
	i, j := 0, 0
	for i < len(old) || j < len(d.Entries) {
		if i < len(old) && (j == len(d.Entries) || old[i].Version < d.Entries[j].Version) {
			if keep(&old[i]) {
				next = append(next, old[i])
			}
			i++
			continue
		}
		if seen[d.Entries[j].Key] == j {
			next = append(next, d.Entries[j])
		}
		j++
	}

	// Swap the logs and rebuild the index.
	clear(old)
	s.spare = old[:0]
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
	ns.node.GCVersion = min(d.GCVersion, d.Upto)

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
