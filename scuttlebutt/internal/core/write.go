package core

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// Put writes key=value to the node's own state. Writing the current value
// is a no-op.
func (c *Core) Put(key, value string) error { return c.ownWrite(key, value, false) }

// Delete deletes key from the node's own state by writing a tombstone.
// Deleting a missing key is a no-op.
func (c *Core) Delete(key string) error { return c.ownWrite(key, "", true) }

// ownWrite is an owner write: the key takes the node's next version.
func (c *Core) ownWrite(key, value string, tombstone bool) error {
	switch {
	case key == "":
		return ErrEmptyKey
	case isReserved(key):
		return fmt.Errorf("%w: %q", ErrReservedKey, key)
	case !validText(key) || !validText(value):
		return fmt.Errorf("%w: key %q", ErrNotText, key)
	case c.left:
		return ErrLeft
	}
	if err := c.checkOwnLimits(key, value, tombstone); err != nil {
		return err
	}
	if err := c.checkFits(key, value, tombstone); err != nil {
		return err
	}
	if !c.limitWrite(key, value, tombstone) {
		return nil // waits for flow control (see flow.go)
	}
	return c.put(key, value, tombstone)
}

// put writes one of the node's own keys, reserved ones included.
func (c *Core) put(key, value string, tombstone bool) error {
	if c.unchanged(key, value, tombstone) {
		return nil // deleting what is not there, or writing the current value
	}
	n, _ := c.st.Node(c.cfg.ID)
	if tombstone {
		value = ""
	}
	e := store.Entry{Key: key, Value: value, Version: n.MaxVersion + 1, Tombstone: tombstone}
	n.MaxVersion = e.Version
	w := c.newWrite(n)
	w.Put = append(w.Put, e)
	if !c.write(w) {
		return fmt.Errorf("%w: writing %q", ErrStore, key)
	}
	c.touch(c.cfg.ID)
	c.noteChange(c.cfg.ID)
	c.emitEntry(c.cfg.ID, c.cfg.Generation, e)
	return nil
}

// unchanged reports whether writing key would change nothing in the store.
func (c *Core) unchanged(key, value string, tombstone bool) bool {
	prev, had := c.st.Get(c.cfg.ID, key)
	if tombstone {
		return !had || prev.Tombstone
	}
	return had && !prev.Tombstone && prev.Value == value
}

// checkFits refuses an owner write that could never reach a peer: its
// entry must fit one message on its own, and the node's live keys must fit
// one prune (see applyPrune), each within a datagram or, when the
// transport can stream, within a stream.
func (c *Core) checkFits(key, value string, tombstone bool) error {
	limit := c.cfg.MTU
	if c.cfg.StreamMax > limit {
		limit = c.cfg.StreamMax
	}
	if tombstone {
		value = ""
	}
	n, _ := c.st.Node(c.cfg.ID)
	v := n.MaxVersion + 1
	e := codec.Entry{Key: key, Value: value, Version: v, Tombstone: tombstone}
	if size := c.deltaSize(&e, 1, v); size > limit {
		return fmt.Errorf("%w: key %q with a %d-byte value needs %d bytes, the transport carries %d",
			ErrTooLarge, key, len(value), size, limit)
	}
	// The prune of the node's live keys after this write.
	prev, had := c.st.Get(c.cfg.ID, key)
	if tombstone || (had && !prev.Tombstone) {
		return nil // a delete or an overwrite never lengthens the key list
	}
	keys := 1
	pe := codec.Entry{Version: v}
	size := c.deltaSize(nil, 0, v)
	c.st.Entries(c.cfg.ID, 0, func(x store.Entry) bool {
		if !x.Tombstone {
			pe.Key = x.Key
			size += c.sizer.Entry(&pe)
			keys++
		}
		return true
	})
	pe.Key = key
	size += c.sizer.Entry(&pe) + c.sizer.EntryCount(keys)
	if size > limit {
		return fmt.Errorf("%w: a %d-th key makes this node's key list %d bytes, the transport carries %d",
			ErrTooLarge, keys, size, limit)
	}
	return nil
}

// deltaSize is the size of an ACK from this node carrying one node delta
// of this node with k entries, e among them (e may be nil), every version
// field at v. Another node's ACK carrying the same delta differs only by
// its sender ID; IDs of about the same length are assumed.
func (c *Core) deltaSize(e *codec.Entry, k int, v uint64) int {
	hdr := &c.scratchDelta
	*hdr = codec.NodeDelta{ID: c.cfg.ID, Generation: c.cfg.Generation, From: v,
		Upto: v, GCVersion: v, Reset: true}
	s := c.sizer
	n := s.Base(codec.KindAck, c.cfg.ID) + s.DeltaCount(1) + s.NodeDelta(hdr) + s.EntryCount(k)
	if e != nil {
		n += s.Entry(e)
	}
	return n
}

// newWrite returns the scratch store.Write, emptied, for node n.
func (c *Core) newWrite(n store.Node) *store.Write {
	w := &c.wbuf
	*w = store.Write{Node: n, Drop: w.Drop[:0], Put: w.Put[:0]}
	return w
}

// write applies w to the store; a failed write changed nothing and is
// counted. A write to another node's replica that would take it over a
// limit is refused (see limits.go).
func (c *Core) write(w *store.Write) bool {
	size := -1
	if l := c.cfg.Limits; l.MaxNodes > 0 || l.MaxKeysPerNode > 0 || l.MaxNodeBytes > 0 {
		var ok bool
		if ok, size = c.checkWrite(w); !ok {
			c.stats.LimitDrops++
			c.log.Debug("refusing state over a limit", "node", w.Node.ID)
			return false
		}
	}
	if err := c.st.Write(w); err != nil {
		c.stats.StoreErrors++
		c.log.Error("store write failed", "node", w.Node.ID, "err", err)
		return false
	}
	if c.cfg.Limits.MaxNodeBytes > 0 || c.cfg.Limits.MaxKeysPerNode > 0 {
		c.noteWritten(w, size)
	}
	return true
}

func isReserved(key string) bool { return strings.HasPrefix(key, ReservedPrefix) }

// validText reports whether s is valid UTF-8: keys, values and IDs are
// text, so that every codec, JSON included, carries them unchanged.
func validText(s string) bool { return utf8.ValidString(s) }
