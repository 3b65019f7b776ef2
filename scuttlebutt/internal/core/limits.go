package core

import (
	"errors"
	"fmt"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// Limits bound the state held; zero fields are unlimited. The sizes count
// the bytes of keys and values (a tombstone: its key); the counts include
// tombstones and reserved keys, since both are held.
type Limits struct {
	MaxNodes       int
	MaxKeysPerNode int
	MaxKeyLength   int
	MaxValueSize   int
	MaxNodeBytes   int
}

// ErrLimit is wrapped by the error of an owner write over a limit.
var ErrLimit = errors.New("state limit exceeded")

// LimitError says which limit an owner write would exceed.
type LimitError struct {
	// Limit is the Limits field, "MaxValueSize" say.
	Limit string
	// Max is the limit, Got what the write needed.
	Max, Got int
	// Key is the key written.
	Key string
}

// Error names the limit, what was asked and the key.
func (e *LimitError) Error() string {
	return fmt.Sprintf("%v: Limits.%s is %d, writing %q needs %d", ErrLimit, e.Limit, e.Max, e.Key, e.Got)
}

// Unwrap makes errors.Is(err, ErrLimit) and errors.Is(err, ErrTooLarge)
// true: the write is too large for what this node, and every node with
// the same limits, holds.
func (e *LimitError) Unwrap() []error { return []error{ErrLimit, ErrTooLarge} }

func over(limit, got int) bool { return limit > 0 && got > limit }

// checkOwnLimits refuses an owner write that would take the node's own
// state over a limit: peers with the same limits would refuse it.
func (c *Core) checkOwnLimits(key, value string, tombstone bool) error {
	l := c.cfg.Limits
	if tombstone {
		value = ""
	}
	fail := func(limit string, max, got int) error {
		return &LimitError{Limit: limit, Max: max, Got: got, Key: key}
	}
	if over(l.MaxKeyLength, len(key)) {
		return fail("MaxKeyLength", l.MaxKeyLength, len(key))
	}
	if over(l.MaxValueSize, len(value)) {
		return fail("MaxValueSize", l.MaxValueSize, len(value))
	}
	if l.MaxKeysPerNode <= 0 && l.MaxNodeBytes <= 0 {
		return nil
	}
	n, _ := c.st.Node(c.cfg.ID)
	keys, size := n.Keys, c.heldBytes(c.cfg.ID)
	if prev, had := c.st.Get(c.cfg.ID, key); had {
		size -= entryBytes(prev)
	} else {
		keys++
	}
	size += len(key) + len(value)
	if over(l.MaxKeysPerNode, keys) {
		return fail("MaxKeysPerNode", l.MaxKeysPerNode, keys)
	}
	if over(l.MaxNodeBytes, size) {
		return fail("MaxNodeBytes", l.MaxNodeBytes, size)
	}
	return nil
}

// deltaWithinLimits checks a remote delta on its own: every entry within
// the key and value limits, and no more entries or bytes than one node
// may hold. A delta over them is refused whole, as a gap would be; the
// replica stays where it was.
func (c *Core) deltaWithinLimits(d *codec.NodeDelta) bool {
	l := c.cfg.Limits
	if over(l.MaxKeysPerNode, len(d.Entries)) {
		return false
	}
	total := 0
	for i := range d.Entries {
		e := &d.Entries[i]
		if over(l.MaxKeyLength, len(e.Key)) || over(l.MaxValueSize, len(e.Value)) {
			return false
		}
		total += len(e.Key) + len(e.Value)
	}
	return !over(l.MaxNodeBytes, total)
}

// checkWrite checks what a write to another node's replica would leave
// held: a new node within MaxNodes, the node's keys and bytes within
// theirs. A write that grows nothing passes, so a replica already over a
// limit (limits lowered across a restart) can still shrink or be updated
// in place. The node's own writes always pass (checkOwnLimits refused
// what it had to). It also returns the bytes held after the write, or -1
// when no key or byte limit is set.
func (c *Core) checkWrite(w *store.Write) (bool, int) {
	l := c.cfg.Limits
	id := w.Node.ID
	n, known := c.st.Node(id)
	if !known && id != c.cfg.ID && over(l.MaxNodes, c.st.Len()+1) {
		return false, -1
	}
	if l.MaxKeysPerNode <= 0 && l.MaxNodeBytes <= 0 {
		return true, -1
	}
	keys, size := c.project(w, n, known)
	if id == c.cfg.ID {
		return true, size
	}
	oldKeys, oldSize := 0, 0
	if known {
		oldKeys, oldSize = n.Keys, c.heldBytes(id)
	}
	ok := !(over(l.MaxKeysPerNode, keys) && keys > oldKeys) && !(over(l.MaxNodeBytes, size) && size > oldSize)
	return ok, size
}

// project returns the keys and bytes a node holds after w.
func (c *Core) project(w *store.Write, n store.Node, known bool) (keys, size int) {
	id := w.Node.ID
	if known && !w.Replace {
		keys, size = n.Keys, c.heldBytes(id)
	}
	seen := c.limitSeen
	clear(seen)
	held := func(key string) (store.Entry, bool) {
		if e, ok := seen[key]; ok {
			return e, e.Key != ""
		}
		if !known || w.Replace {
			return store.Entry{}, false
		}
		return c.st.Get(id, key)
	}
	for _, key := range w.Drop {
		if e, ok := held(key); ok {
			keys--
			size -= entryBytes(e)
		}
		seen[key] = store.Entry{}
	}
	for _, e := range w.Put {
		if prev, ok := held(e.Key); ok {
			size -= entryBytes(prev)
		} else {
			keys++
		}
		size += entryBytes(e)
		seen[e.Key] = e
	}
	return keys, size
}

func entryBytes(e store.Entry) int { return len(e.Key) + len(e.Value) }

// heldBytes returns the bytes of keys and values held for node id,
// counted once from the store and then kept up to date by write.
func (c *Core) heldBytes(id string) int {
	if b, ok := c.bytesHeld[id]; ok {
		return b
	}
	b := 0
	c.st.Entries(id, 0, func(e store.Entry) bool {
		b += entryBytes(e)
		return true
	})
	c.bytesHeld[id] = b
	return b
}

// noteWritten keeps bytesHeld up to date after w was applied; size is
// what project said, or -1 when it was not computed.
func (c *Core) noteWritten(w *store.Write, size int) {
	if size >= 0 {
		c.bytesHeld[w.Node.ID] = size
		return
	}
	delete(c.bytesHeld, w.Node.ID) // counted again when next needed
}
