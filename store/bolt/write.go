package bolt

import (
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// Write applies w in one transaction (or as part of the open Batch):
// Replace, then Drop, then Put, then the summary. A nil write, an empty
// node ID or a Put entry with an empty key returns an error wrapping
// store.ErrInvalidWrite, and an ID, key or value beyond the file's limits
// one wrapping ErrTooLarge; both change nothing. Otherwise it fails only
// when the disk does, and then changes nothing either.
func (s *Store) Write(w *store.Write) error {
	if err := validate(w); err != nil {
		return err
	}
	return s.update(func(tx *bbolt.Tx) error { return s.apply(tx, w) })
}

// validate refuses, before anything changes, every write that a transaction
// could fail half-way on: so a Write inside a Batch either applies or
// changes nothing.
func validate(w *store.Write) error {
	switch {
	case w == nil:
		return fmt.Errorf("%w: nil write", store.ErrInvalidWrite)
	case w.Node.ID == "":
		return fmt.Errorf("%w: empty node ID", store.ErrInvalidWrite)
	case len(w.Node.ID) > MaxIDLength:
		return fmt.Errorf("%w: node ID of %d bytes, more than %d", ErrTooLarge, len(w.Node.ID), MaxIDLength)
	}
	for i := range w.Put {
		e := &w.Put[i]
		switch {
		case e.Key == "":
			return fmt.Errorf("%w: node %q: Put[%d] has an empty key", store.ErrInvalidWrite, w.Node.ID, i)
		case len(e.Key) > MaxKeyLength:
			return fmt.Errorf("%w: node %q: key of %d bytes, more than %d", ErrTooLarge, w.Node.ID, len(e.Key), MaxKeyLength)
		case len(e.Value) > MaxValueLength:
			return fmt.Errorf("%w: node %q: key %q: value of %d bytes, more than %d",
				ErrTooLarge, w.Node.ID, e.Key, len(e.Value), MaxValueLength)
		}
	}
	for _, k := range w.Drop {
		if len(k) > MaxKeyLength {
			return fmt.Errorf("%w: node %q: dropped key of %d bytes, more than %d", ErrTooLarge, w.Node.ID, len(k), MaxKeyLength)
		}
	}
	return nil
}

// apply applies the validated write w in tx.
func (s *Store) apply(tx *bbolt.Tx, w *store.Write) error {
	id := []byte(w.Node.ID)
	nodes, all := tx.Bucket(bucketNodes), tx.Bucket(bucketEntries)
	keys := summaryKeys(nodes.Get(id))
	nb := all.Bucket(id)
	if w.Replace && nb != nil {
		if err := all.DeleteBucket(id); err != nil {
			return fmt.Errorf("bolt: node %q: dropping entries: %w", w.Node.ID, err)
		}
		nb, keys = nil, 0
	}
	for _, k := range w.Drop {
		if nb == nil || k == "" {
			continue
		}
		v, ok := decodeVersion(nb.Get(s.lookupKey(k)))
		if !ok {
			continue
		}
		if err := nb.Delete(s.lookupVer(v, k)); err != nil {
			return fmt.Errorf("bolt: node %q: dropping %q: %w", w.Node.ID, k, err)
		}
		if err := nb.Delete(s.lookupKey(k)); err != nil {
			return fmt.Errorf("bolt: node %q: dropping %q: %w", w.Node.ID, k, err)
		}
		keys--
	}
	if len(w.Put) > 0 && nb == nil {
		var err error
		if nb, err = all.CreateBucket(id); err != nil {
			return fmt.Errorf("bolt: node %q: creating its entries: %w", w.Node.ID, err)
		}
	}
	for i := range w.Put {
		e := &w.Put[i]
		if old, ok := decodeVersion(nb.Get(s.lookupKey(e.Key))); !ok {
			keys++
		} else if old != e.Version {
			if err := nb.Delete(s.lookupVer(old, e.Key)); err != nil {
				return fmt.Errorf("bolt: node %q: replacing %q: %w", w.Node.ID, e.Key, err)
			}
		}
		// bbolt keeps the slices it stores until the commit: fresh ones.
		if err := nb.Put(keyRecord(nil, e.Key), encodeVersion(e.Version)); err != nil {
			return fmt.Errorf("bolt: node %q: writing %q: %w", w.Node.ID, e.Key, err)
		}
		if err := nb.Put(verRecord(nil, e.Version, e.Key), encodeEntry(e)); err != nil {
			return fmt.Errorf("bolt: node %q: writing %q: %w", w.Node.ID, e.Key, err)
		}
	}
	if err := nodes.Put(id, encodeSummary(&w.Node, keys)); err != nil {
		return fmt.Errorf("bolt: node %q: writing its summary: %w", w.Node.ID, err)
	}
	return nil
}

// Remove forgets node id and all its entries, in one transaction (or as
// part of the open Batch). Removing an unknown node does nothing.
func (s *Store) Remove(id string) error {
	if id == "" || len(id) > MaxIDLength {
		return nil // never held
	}
	if _, ok := s.Node(id); !ok {
		return nil
	}
	return s.update(func(tx *bbolt.Tx) error {
		k := []byte(id)
		if all := tx.Bucket(bucketEntries); all.Bucket(k) != nil {
			if err := all.DeleteBucket(k); err != nil {
				return fmt.Errorf("bolt: removing node %q: %w", id, err)
			}
		}
		if err := tx.Bucket(bucketNodes).Delete(k); err != nil {
			return fmt.Errorf("bolt: removing node %q: %w", id, err)
		}
		return nil
	})
}
