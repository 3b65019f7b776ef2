package mem

import (
	"fmt"

	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// AddNode makes id known at generation gen with empty state. If id is known at
// an older generation, its state is dropped and replaced (replaced is true);
// at the same generation nothing changes; at a newer one it returns
// store.ErrStaleGeneration.
func (s *Store) AddNode(id string, gen uint64) (replaced bool, err error) {
	ns := s.nodes[id]
	switch {
	case ns == nil:
		s.add(id, gen)
		return false, nil
	case gen == ns.node.Generation:
		return false, nil
	case gen < ns.node.Generation:
		return false, fmt.Errorf("%w: node %q is at generation %d, not %d",
			store.ErrStaleGeneration, id, ns.node.Generation, gen)
	}
	ns.clearState(gen)
	return true, nil
}

// Put is an owner write: key takes value (or a tombstone with an empty Value
// if tombstone is set, whatever value says) at version MaxVersion+1. Writing
// the current value, or deleting a missing or deleted key, is a no-op that
// consumes no version and returns the current entry (zero if the key is
// missing) with changed == false. Setting a deleted key creates a live entry
// at a new version, whatever its value. Returns store.ErrUnknownNode if id is
// not known and ErrEmptyKey if key is empty.
func (s *Store) Put(id, key, value string, tombstone bool) (e store.Entry, changed bool, err error) {
	ns := s.nodes[id]
	if ns == nil {
		return store.Entry{}, false, fmt.Errorf("%w: %q", store.ErrUnknownNode, id)
	}
	if key == "" {
		return store.Entry{}, false, ErrEmptyKey
	}
	if tombstone {
		value = ""
	}
	i, had := ns.idx[key]
	if had {
		cur := ns.log[i]
		if cur.Tombstone == tombstone && cur.Value == value {
			return cur, false, nil
		}
	} else if tombstone {
		return store.Entry{}, false, nil
	}
	e = store.Entry{Key: key, Value: value, Version: ns.node.MaxVersion + 1, Tombstone: tombstone}
	ns.install(e, i, had)
	ns.node.MaxVersion = e.Version
	return e, true, nil
}

// Heartbeat raises node id's heartbeat to hb if id is known at generation gen
// and hb is higher, and reports whether it rose.
func (s *Store) Heartbeat(id string, gen, hb uint64) bool {
	ns := s.nodes[id]
	if ns == nil || ns.node.Generation != gen || hb <= ns.node.Heartbeat {
		return false
	}
	ns.node.Heartbeat = hb
	return true
}

// SetLeft marks node id as having left if it is known at generation gen, and
// reports whether that changed anything.
func (s *Store) SetLeft(id string, gen uint64) bool {
	ns := s.nodes[id]
	if ns == nil || ns.node.Generation != gen || ns.node.Left {
		return false
	}
	ns.node.Left = true
	return true
}

// Remove forgets node id entirely. Removing an unknown node does nothing.
func (s *Store) Remove(id string) {
	if _, ok := s.nodes[id]; !ok {
		return
	}
	delete(s.nodes, id)
	i := s.search(id)
	copy(s.sorted[i:], s.sorted[i+1:])
	s.sorted[len(s.sorted)-1] = nil
	s.sorted = s.sorted[:len(s.sorted)-1]
}

// GC drops node id's tombstones with Version <= upto, raises its GCVersion to
// upto, and returns how many it dropped. upto is capped at MaxVersion; an
// unknown node returns 0.
func (s *Store) GC(id string, upto uint64) int {
	ns := s.nodes[id]
	if ns == nil {
		return 0
	}
	upto = min(upto, ns.node.MaxVersion)
	n := 0
	for i := range ns.log {
		e := &ns.log[i]
		if e.Version > upto {
			break
		}
		if e.Key != "" && e.Tombstone {
			delete(ns.idx, e.Key)
			ns.blank(i)
			n++
		}
	}
	ns.node.GCVersion = max(ns.node.GCVersion, upto)
	ns.maybeCompact()
	return n
}
