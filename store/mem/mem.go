package mem

import (
	"errors"

	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// ErrEmptyKey is returned by Put for an empty key. Keys must be non-empty
// because a delta carrying an empty key is invalid and every receiver would
// refuse it.
var ErrEmptyKey = errors.New("store/mem: empty key")

// Store is the in-memory store.Store. Create it with New. It is not safe for
// concurrent use.
type Store struct {
	nodes  map[string]*nodeState
	sorted []*nodeState // by ascending ID

	// Scratch reused by Apply's replacing path (resets, new generations).
	seen  map[string]int // key -> index in the delta of its last occurrence
	emit  []int          // delta indices to report
	gone  []string       // live keys the replacement dropped
	spare []store.Entry  // the next log, swapped in
}

var _ store.Store = (*Store)(nil)

// New returns an empty Store.
func New() *Store {
	return &Store{nodes: make(map[string]*nodeState), seen: make(map[string]int)}
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
		if hi != "" && ns.node.ID > hi {
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
	i, ok := ns.idx[key]
	if !ok {
		return store.Entry{}, false
	}
	return ns.log[i], true
}

// Entries calls fn for node id's entries with Version > after in ascending
// Version order until fn returns false.
func (s *Store) Entries(id string, after uint64, fn func(store.Entry) bool) {
	ns := s.nodes[id]
	if ns == nil || after >= ns.node.MaxVersion {
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

// search returns the position of the first node with ID >= id.
func (s *Store) search(id string) int {
	lo, hi := 0, len(s.sorted)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.sorted[m].node.ID < id {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// add makes a new, empty node known.
func (s *Store) add(id string, gen uint64) *nodeState {
	ns := &nodeState{node: store.Node{ID: id, Generation: gen}, idx: make(map[string]int)}
	s.nodes[id] = ns
	i := s.search(id)
	s.sorted = append(s.sorted, nil)
	copy(s.sorted[i+1:], s.sorted[i:])
	s.sorted[i] = ns
	return ns
}
