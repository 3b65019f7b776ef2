package bolt

import (
	"errors"
	"fmt"

	bbolt "go.etcd.io/bbolt"
)

// Check verifies the file: bbolt's own consistency check of its pages, then
// the store's records: every summary decodes and counts its node's entries,
// every key record points at an entry record of that key and version and
// every entry record is pointed at, and every node's entries have a
// summary. It reads the whole file; it returns nil or an error wrapping
// ErrCorrupt (or ErrClosed).
func (s *Store) Check() error {
	if s.db == nil {
		return ErrClosed
	}
	if s.tx != nil {
		return errors.New("bolt: Check called inside a Batch")
	}
	return s.db.View(func(tx *bbolt.Tx) error {
		for err := range tx.Check() {
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		if meta := tx.Bucket(bucketMeta); meta == nil || string(meta.Get(keyFormat)) != format {
			return fmt.Errorf("%w: no format %s record", ErrCorrupt, format)
		}
		nodes, all := tx.Bucket(bucketNodes), tx.Bucket(bucketEntries)
		if nodes == nil || all == nil {
			return fmt.Errorf("%w: buckets missing", ErrCorrupt)
		}
		err := nodes.ForEach(func(id, v []byte) error {
			n, ok := decodeSummary(id, v)
			if !ok {
				return fmt.Errorf("%w: node %q: summary of %d bytes", ErrCorrupt, id, len(v))
			}
			held, err := checkEntries(all.Bucket(id))
			if err != nil {
				return fmt.Errorf("%w: node %q: %v", ErrCorrupt, id, err)
			}
			if held != n.Keys {
				return fmt.Errorf("%w: node %q: summary counts %d keys, %d held", ErrCorrupt, id, n.Keys, held)
			}
			return nil
		})
		if err != nil {
			return err
		}
		return all.ForEachBucket(func(id []byte) error {
			if nodes.Get(id) == nil {
				return fmt.Errorf("%w: entries of node %q, which has no summary", ErrCorrupt, id)
			}
			return nil
		})
	})
}

// checkEntries checks one node's entry records and returns how many keys it
// holds.
func checkEntries(nb *bbolt.Bucket) (int, error) {
	if nb == nil {
		return 0, nil
	}
	keys, entries := 0, 0
	var buf []byte
	err := nb.ForEach(func(k, v []byte) error {
		switch {
		case len(k) > 1 && k[0] == prefixKey:
			ver, ok := decodeVersion(v)
			if !ok {
				return fmt.Errorf("key record %q: value of %d bytes", k[1:], len(v))
			}
			buf = verRecord(buf[:0], ver, string(k[1:]))
			if nb.Get(buf) == nil {
				return fmt.Errorf("key %q at version %d: no entry record", k[1:], ver)
			}
			keys++
		case len(k) > verRecHead && k[0] == prefixVer:
			e, ok := decodeEntry(k, v)
			if !ok {
				return fmt.Errorf("entry record %q: malformed", k)
			}
			ver, ok := decodeVersion(nb.Get(keyRecord(buf[:0], e.Key)))
			if !ok || ver != e.Version {
				return fmt.Errorf("entry %q at version %d: its key record says %d", e.Key, e.Version, ver)
			}
			entries++
		default:
			return fmt.Errorf("record %q of unknown kind", k)
		}
		return nil
	})
	if err == nil && keys != entries {
		err = fmt.Errorf("%d key records, %d entry records", keys, entries)
	}
	return keys, err
}
