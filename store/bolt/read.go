package bolt

import (
	"bytes"
	"math"

	bbolt "go.etcd.io/bbolt"

	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// Node returns the summary of node id.
func (s *Store) Node(id string) (n store.Node, ok bool) {
	s.view(func(tx *bbolt.Tx) {
		if b := tx.Bucket(bucketNodes).Get([]byte(id)); b != nil {
			n, _ = decodeSummary([]byte(id), b)
			ok = true
		}
	})
	return n, ok
}

// LastGeneration returns the generation the store holds for node id: the
// one of its summary. See store.Durable.
func (s *Store) LastGeneration(id string) (uint64, bool) {
	n, ok := s.Node(id)
	return n.Generation, ok
}

// Len is the number of known nodes. It counts them: O(nodes).
func (s *Store) Len() int {
	n := 0
	s.view(func(tx *bbolt.Tx) {
		c := tx.Bucket(bucketNodes).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			n++
		}
	})
	return n
}

// Range calls fn for each node with lo <= ID <= hi in ascending ID order
// until fn returns false. An empty lo or hi is unbounded.
func (s *Store) Range(lo, hi string, fn func(store.Node) bool) {
	s.view(func(tx *bbolt.Tx) {
		c := tx.Bucket(bucketNodes).Cursor()
		k, v := c.First()
		if lo != "" {
			k, v = c.Seek([]byte(lo))
		}
		for ; k != nil; k, v = c.Next() {
			if hi != "" && bytes.Compare(k, []byte(hi)) > 0 {
				return
			}
			n, _ := decodeSummary(k, v)
			if !fn(n) {
				return
			}
		}
	})
}

// Get returns node id's entry for key, tombstones included.
func (s *Store) Get(id, key string) (e store.Entry, ok bool) {
	if key == "" {
		return e, false
	}
	s.view(func(tx *bbolt.Tx) {
		nb := tx.Bucket(bucketEntries).Bucket([]byte(id))
		if nb == nil {
			return
		}
		v, found := decodeVersion(nb.Get(s.lookupKey(key)))
		if !found {
			return
		}
		rk := s.lookupVer(v, key)
		e, ok = decodeEntry(rk, nb.Get(rk))
	})
	return e, ok
}

// Entries calls fn for node id's entries with Version > after, in ascending
// Version order, tombstones included, until fn returns false.
func (s *Store) Entries(id string, after uint64, fn func(store.Entry) bool) {
	if after == math.MaxUint64 {
		return
	}
	s.view(func(tx *bbolt.Tx) {
		nb := tx.Bucket(bucketEntries).Bucket([]byte(id))
		if nb == nil {
			return
		}
		c := nb.Cursor()
		for k, v := c.Seek(s.lookupVer(after+1, "")); k != nil && k[0] == prefixVer; k, v = c.Next() {
			e, ok := decodeEntry(k, v)
			if ok && !fn(e) {
				return
			}
		}
	})
}

// lookupKey returns the 'k' record key of key in the scratch buffer, valid
// until the next lookup.
func (s *Store) lookupKey(key string) []byte {
	s.kbuf = keyRecord(s.kbuf[:0], key)
	return s.kbuf
}

// lookupVer returns the 'v' record key of key at v in the scratch buffer,
// valid until the next lookup.
func (s *Store) lookupVer(v uint64, key string) []byte {
	s.kbuf = verRecord(s.kbuf[:0], v, key)
	return s.kbuf
}
