package keyring

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// Errors of the keyring and of the wrapper. Test for them with errors.Is.
var (
	// ErrKeySize: a key is not 16, 24 or 32 bytes long (AES-128, AES-192
	// or AES-256).
	ErrKeySize = errors.New("keyring: key must be 16, 24 or 32 bytes")
	// ErrPrimaryKey: Remove was asked to remove the primary key. Make
	// another key primary with UseKey first.
	ErrPrimaryKey = errors.New("keyring: cannot remove the primary key")
	// ErrKeyNotInstalled: UseKey or Remove named a key the keyring does
	// not hold. Install it first.
	ErrKeyNotInstalled = errors.New("keyring: key not installed")
	// ErrNoKey: a sealed message that no installed key opens (the sender
	// used a key this node does not hold, or the message was altered). It
	// is what the wrapper logs when it drops one; see Stats.Failed.
	ErrNoKey = errors.New("keyring: no installed key opens the message")
	// ErrPlaintext: an unsealed message arrived while the wrapper's Mode
	// requires sealing; see Stats.Refused.
	ErrPlaintext = errors.New("keyring: unsealed message refused")
)

// entry is one installed key with its cipher.
type entry struct {
	key  []byte
	aead cipher.AEAD
}

// ring is an immutable snapshot of a Keyring: keys[0] is the primary.
type ring struct {
	keys []*entry
}

// Keyring holds the keys a wrapper seals and opens with: one primary key,
// which seals every message sent, and any number of others, which only
// open. All methods are safe for concurrent use, also while wrappers that
// share the keyring are sending and receiving: a change applies to the
// next message sealed or opened.
//
// A rotation without downtime takes three steps, each done on every node
// before the next begins: Install the new key, UseKey it, Remove the old
// one (see the package documentation).
type Keyring struct {
	mu  sync.Mutex // serialises writers; readers load cur
	cur atomic.Pointer[ring]
}

// New returns a keyring with primary as its primary key and others
// installed for opening only. Each key must be 16, 24 or 32 bytes long
// (ErrKeySize); duplicates are installed once. The keyring copies the keys.
func New(primary []byte, others ...[]byte) (*Keyring, error) {
	e, err := newEntry(primary)
	if err != nil {
		return nil, err
	}
	r := &ring{keys: []*entry{e}}
	for _, k := range others {
		o, err := newEntry(k)
		if err != nil {
			return nil, err
		}
		if r.find(k) < 0 {
			r.keys = append(r.keys, o)
		}
	}
	kr := &Keyring{}
	kr.cur.Store(r)
	return kr, nil
}

func newEntry(key []byte) (*entry, error) {
	switch len(key) {
	case 16, 24, 32:
	default:
		return nil, fmt.Errorf("keyring: key of %d bytes: %w", len(key), ErrKeySize)
	}
	k := bytes.Clone(key)
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	aead, err := cipher.NewGCM(block) // 12-byte nonce, 16-byte tag
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	return &entry{key: k, aead: aead}, nil
}

// find returns the index of key in r, or -1.
func (r *ring) find(key []byte) int {
	for i, e := range r.keys {
		if bytes.Equal(e.key, key) {
			return i
		}
	}
	return -1
}

// holds reports whether e is still installed in r.
func (r *ring) holds(e *entry) bool {
	for _, x := range r.keys {
		if x == e {
			return true
		}
	}
	return false
}

// update replaces the snapshot with f's result under the writers' lock.
func (k *Keyring) update(f func(old *ring) (*ring, error)) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	r, err := f(k.cur.Load())
	if err != nil {
		return err
	}
	k.cur.Store(r)
	return nil
}

// Install adds key for opening messages; it does not change the primary.
// Installing a key already held does nothing. A key of the wrong size is
// refused with ErrKeySize.
func (k *Keyring) Install(key []byte) error {
	e, err := newEntry(key)
	if err != nil {
		return err
	}
	return k.update(func(old *ring) (*ring, error) {
		if old.find(key) >= 0 {
			return old, nil
		}
		return &ring{keys: append(append([]*entry(nil), old.keys...), e)}, nil
	})
}

// UseKey makes an installed key the primary: messages sent from then on are
// sealed with it. The previous primary stays installed and keeps opening
// messages. A key not installed is refused with ErrKeyNotInstalled.
func (k *Keyring) UseKey(key []byte) error {
	return k.update(func(old *ring) (*ring, error) {
		i := old.find(key)
		if i < 0 {
			return nil, fmt.Errorf("keyring: use key: %w", ErrKeyNotInstalled)
		}
		keys := make([]*entry, 0, len(old.keys))
		keys = append(keys, old.keys[i])
		keys = append(keys, old.keys[:i]...)
		keys = append(keys, old.keys[i+1:]...)
		return &ring{keys: keys}, nil
	})
}

// Remove uninstalls key: messages sealed with it are no longer opened.
// Removing the primary is refused with ErrPrimaryKey, and a key not
// installed with ErrKeyNotInstalled.
func (k *Keyring) Remove(key []byte) error {
	return k.update(func(old *ring) (*ring, error) {
		i := old.find(key)
		switch {
		case i < 0:
			return nil, fmt.Errorf("keyring: remove: %w", ErrKeyNotInstalled)
		case i == 0:
			return nil, fmt.Errorf("keyring: remove: %w", ErrPrimaryKey)
		}
		keys := append(append([]*entry(nil), old.keys[:i]...), old.keys[i+1:]...)
		return &ring{keys: keys}, nil
	})
}

// Keys returns copies of the installed keys, the primary first.
func (k *Keyring) Keys() [][]byte {
	r := k.cur.Load()
	out := make([][]byte, len(r.keys))
	for i, e := range r.keys {
		out[i] = bytes.Clone(e.key)
	}
	return out
}

// Primary returns a copy of the primary key.
func (k *Keyring) Primary() []byte { return bytes.Clone(k.cur.Load().keys[0].key) }
