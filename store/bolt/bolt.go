package bolt

import (
	"errors"
	"fmt"
	"os"
	"time"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// Limits of what the file can hold; a write beyond them is refused with
// ErrTooLarge.
const (
	// MaxIDLength is the longest node ID held, in bytes.
	MaxIDLength = bbolt.MaxKeySize
	// MaxKeyLength is the longest key held, in bytes: an entry's record
	// key is the key behind a 9-byte prefix.
	MaxKeyLength = bbolt.MaxKeySize - 9
	// MaxValueLength is the longest value held, in bytes.
	MaxValueLength = bbolt.MaxValueSize - 1
)

// format is the layout version kept in the meta bucket.
const format = "1"

// Errors returned by Open and by the methods that write. Test for them with
// errors.Is.
var (
	// ErrClosed: the Store was closed.
	ErrClosed = errors.New("bolt: store closed")
	// ErrLocked: Open gave up waiting for the file, which another process
	// (or another Store in this one) holds open.
	ErrLocked = errors.New("bolt: file in use")
	// ErrFormat: the file is a bbolt file of another layout or program.
	ErrFormat = errors.New("bolt: not a scuttlebutt store of a known format")
	// ErrTooLarge: a node ID, key or value is beyond what the file can hold
	// (MaxIDLength, MaxKeyLength, MaxValueLength). The write changed
	// nothing.
	ErrTooLarge = errors.New("bolt: too large for the store")
	// ErrCorrupt is wrapped by the errors Check reports.
	ErrCorrupt = errors.New("bolt: store corrupt")
)

// Options configure Open. The zero value (or nil) is the safe default:
// every commit synced to disk.
type Options struct {
	// NoSync skips the fsync after each commit. Faster by orders of
	// magnitude, and a process crash still loses nothing; but a machine
	// crash or power loss may lose the latest commits or leave the file
	// unreadable. See the package documentation, "Durability".
	NoSync bool
	// Timeout is how long Open waits for another process to release the
	// file (default 1s; negative: wait as long as it takes).
	Timeout time.Duration
	// Mode is the permission of a file Open creates (default 0600).
	Mode os.FileMode
}

// Bucket names.
var (
	bucketMeta    = []byte("meta")
	bucketNodes   = []byte("nodes")
	bucketEntries = []byte("entries")
	keyFormat     = []byte("format")
)

// Store is the bbolt-backed store.Store. Open it with Open and Close it
// after the Node that uses it. It is not safe for concurrent use.
type Store struct {
	db   *bbolt.DB // nil once closed
	path string

	// tx is the open batch's transaction, nil outside a batch. dirty says
	// it wrote something; failed holds a write that failed half-way, which
	// discards the batch.
	tx     *bbolt.Tx
	dirty  bool
	failed error

	// scratch for lookup keys (bbolt keeps no reference to a key it only
	// looks up or deletes; keys it stores are allocated afresh)
	kbuf []byte
}

var (
	_ store.Store   = (*Store)(nil)
	_ store.Batcher = (*Store)(nil)
	_ store.Durable = (*Store)(nil)
)

// Open opens the store in the file at path, creating the file if it does
// not exist. opts may be nil. Only one Store may have a file open at a
// time; Open waits Options.Timeout for it and then returns ErrLocked. A
// file of another layout is refused with ErrFormat.
func Open(path string, opts *Options) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	switch {
	case o.Timeout == 0:
		o.Timeout = time.Second
	case o.Timeout < 0:
		o.Timeout = 0 // bbolt: wait forever
	}
	if o.Mode == 0 {
		o.Mode = 0o600
	}
	db, err := bbolt.Open(path, o.Mode, &bbolt.Options{
		Timeout:      o.Timeout,
		NoSync:       o.NoSync,
		FreelistType: bbolt.FreelistMapType,
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s: still held after %v", ErrLocked, path, o.Timeout)
	}
	if err != nil {
		return nil, fmt.Errorf("bolt: opening %s: %w", path, err)
	}
	if err := db.Update(initBuckets); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("bolt: %s: %w", path, err)
	}
	return &Store{db: db, path: path}, nil
}

// initBuckets creates the buckets of an empty file and checks the format of
// one in use.
func initBuckets(tx *bbolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		empty := true
		_ = tx.ForEach(func([]byte, *bbolt.Bucket) error { empty = false; return nil })
		if !empty {
			return fmt.Errorf("%w: buckets of another program", ErrFormat)
		}
		for _, name := range [][]byte{bucketMeta, bucketNodes, bucketEntries} {
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keyFormat, []byte(format))
	}
	if f := meta.Get(keyFormat); string(f) != format {
		return fmt.Errorf("%w: format %q, this version reads %q", ErrFormat, f, format)
	}
	if tx.Bucket(bucketNodes) == nil || tx.Bucket(bucketEntries) == nil {
		return fmt.Errorf("%w: buckets missing", ErrCorrupt)
	}
	return nil
}

// Path returns the file's path.
func (s *Store) Path() string { return s.path }

// Close releases the file. Close it after the Node that uses it; it may not
// be called from inside a Batch. Closing twice returns nil; after Close,
// reads find nothing and writes return ErrClosed.
func (s *Store) Close() error {
	if s.tx != nil {
		return errors.New("bolt: Close called inside a Batch")
	}
	if s.db == nil {
		return nil
	}
	err := s.db.Close()
	s.db = nil
	if err != nil {
		return fmt.Errorf("bolt: closing %s: %w", s.path, err)
	}
	return nil
}

// Batch runs fn with every Write and Remove it makes joining one
// transaction, committed (and synced, unless Options.NoSync) once when fn
// returns nil; see store.Batcher for the contract. A batch that wrote
// nothing commits nothing and costs no fsync. A Write that failed half-way
// inside fn (a disk error; invalid and too-large writes are refused before
// they change anything) discards the whole batch, and Batch returns its
// error.
func (s *Store) Batch(fn func() error) error {
	if s.tx != nil {
		return fn() // nested: part of the outer batch
	}
	if s.db == nil {
		return ErrClosed
	}
	tx, err := s.db.Begin(true)
	if err != nil {
		return fmt.Errorf("bolt: starting a batch: %w", err)
	}
	s.tx, s.dirty, s.failed = tx, false, nil
	done := false
	defer func() {
		s.tx, s.failed = nil, nil
		if !done { // fn panicked
			_ = tx.Rollback()
		}
	}()
	err = fn()
	done = true
	switch {
	case err != nil:
		_ = tx.Rollback()
		return err
	case s.failed != nil:
		_ = tx.Rollback()
		return fmt.Errorf("bolt: batch discarded: %w", s.failed)
	case !s.dirty:
		return tx.Rollback()
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("bolt: committing a batch: %w", err)
	}
	return nil
}

// update runs fn in the open batch, or in a transaction of its own.
func (s *Store) update(fn func(tx *bbolt.Tx) error) error {
	if s.tx != nil {
		s.dirty = true
		if err := fn(s.tx); err != nil {
			s.failed = err
			return err
		}
		return nil
	}
	if s.db == nil {
		return ErrClosed
	}
	return s.db.Update(fn)
}

// view runs fn in the open batch, or in a read transaction of its own. On a
// closed store it does nothing.
func (s *Store) view(fn func(tx *bbolt.Tx)) {
	if s.tx != nil {
		fn(s.tx)
		return
	}
	if s.db == nil {
		return
	}
	_ = s.db.View(func(tx *bbolt.Tx) error { fn(tx); return nil })
}
