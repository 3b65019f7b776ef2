package mem

import (
	"fmt"

	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// Store is the in-memory store.Store. Create it with New. It is not safe for
// concurrent use.
type Store struct {
	nodes  map[string]*nodeState
	sorted []*nodeState // by ascending ID
}

var _ store.Store = (*Store)(nil)

// New returns an empty Store.
func New() *Store {
	return &Store{nodes: make(map[string]*nodeState)}
}

// Node returns the summary of node id.
func (s *Store) Node(id string) (store.Node, bool) {
	ns := s.nodes[id]
	if ns == nil {
		return store.Node{}, false
	}
	return ns.summary(), true
}

// Len is the number of known nodes.
func (s *Store) Len() int { return len(s.sorted) }

// Range calls fn for each node with lo <= ID <= hi in ascending ID order until
// fn returns false. An empty lo or hi is unbounded.
func (s *Store) Range(lo, hi string, fn func(store.Node) bool) {
	i := 0
	if lo != "" {
		i = s.search(lo)
	}
	for ; i < len(s.sorted); i++ {
		ns := s.sorted[i]
		if hi != "" && ns.id > hi {
			return
		}
		if !fn(ns.summary()) {
			return
		}
	}
}

// Get returns node id's entry for key, tombstones included.
func (s *Store) Get(id, key string) (store.Entry, bool) {
	ns := s.nodes[id]
	if ns == nil {
		return store.Entry{}, false
	}
	i, ok := ns.find(key)
	if !ok {
		return store.Entry{}, false
	}
	return ns.log[i], true
}

// Entries calls fn for node id's entries with Version > after, in ascending
// Version order, tombstones included, until fn returns false.
func (s *Store) Entries(id string, after uint64, fn func(store.Entry) bool) {
	ns := s.nodes[id]
	if ns == nil {
		return
	}
	log := ns.log
	for i := ns.firstAfter(after); i < len(log); i++ {
		if log[i].Key == "" {
			continue
		}
		if !fn(log[i]) {
			return
		}
	}
}

// Write applies w: Replace, then Drop, then Put, then the summary. A nil
// write, an empty w.Node.ID or a Put entry with an empty key returns an error
// wrapping store.ErrInvalidWrite and changes nothing; otherwise Write cannot
// fail.
func (s *Store) Write(w *store.Write) error {
	if err := validate(w); err != nil {
		return err
	}
	ns := s.nodes[w.Node.ID]
	if ns == nil {
		ns = s.add(w.Node.ID)
	}
	if w.Replace {
		ns.clearEntries()
	}
	for _, k := range w.Drop {
		ns.drop(k)
	}
	for _, e := range w.Put {
		ns.put(e)
	}
	ns.tidy()
	ns.setSummary(w.Node)
	return nil
}

// validate returns an error wrapping store.ErrInvalidWrite if w is a write no
// core would issue.
func validate(w *store.Write) error {
	if w == nil {
		return fmt.Errorf("%w: nil write", store.ErrInvalidWrite)
	}
	if w.Node.ID == "" {
		return fmt.Errorf("%w: empty node ID", store.ErrInvalidWrite)
	}
	for i := range w.Put {
		if w.Put[i].Key == "" {
			return fmt.Errorf("%w: node %q: Put[%d] has an empty key", store.ErrInvalidWrite, w.Node.ID, i)
		}
	}
	return nil
}

// Remove forgets node id and all its entries. Removing an unknown node does
// nothing. It cannot fail.
func (s *Store) Remove(id string) error {
	if _, ok := s.nodes[id]; !ok {
		return nil
	}
	delete(s.nodes, id)
	i := s.search(id)
	copy(s.sorted[i:], s.sorted[i+1:])
	s.sorted[len(s.sorted)-1] = nil
	s.sorted = s.sorted[:len(s.sorted)-1]
	return nil
}

// search returns the position of the first node with ID >= id.
func (s *Store) search(id string) int {
	lo, hi := 0, len(s.sorted)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.sorted[m].id < id {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// add makes a new node known, with a zero summary and no entries.
func (s *Store) add(id string) *nodeState {
	ns := &nodeState{id: id}
	s.nodes[id] = ns
	i := s.search(id)
	s.sorted = append(s.sorted, nil)
	copy(s.sorted[i+1:], s.sorted[i:])
	s.sorted[i] = ns
	return ns
}
