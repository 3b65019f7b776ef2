package scuttlebutt

import (
	"strings"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/internal/core"
	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// Status is a node's membership state as seen by this node.
type Status = core.Status

// The membership states.
const (
	StatusAlive   = core.StatusAlive
	StatusSuspect = core.StatusSuspect
	StatusLeft    = core.StatusLeft
)

// NodeState is what this node knows of one node: a copy the caller owns.
type NodeState struct {
	ID         string
	Generation uint64
	Addr       string
	Status     Status
	// Since is when Status last changed (zero for the local node).
	Since time.Time
	// Heartbeat is the node's heartbeat counter as last seen.
	Heartbeat uint64
	// Version is the highest version of the node's state held.
	Version uint64
	// Keys holds the node's live keys (reserved keys excluded).
	Keys map[string]string
}

// Snapshot returns every known node's state, this node included, sorted by
// ID.
func (n *Node) Snapshot() []NodeState {
	if n.err != nil {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	var ids []string
	n.cfg.Store.Range("", "", func(s store.Node) bool {
		ids = append(ids, s.ID)
		return true
	})
	out := make([]NodeState, 0, len(ids))
	for _, id := range ids {
		if s, ok := n.nodeState(id); ok {
			out = append(out, s)
		}
	}
	return out
}

// NodeState returns what this node knows of node id.
func (n *Node) NodeState(id string) (NodeState, bool) {
	if n.err != nil {
		return NodeState{}, false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.nodeState(id)
}

// nodeState builds id's NodeState; the caller holds n.mu.
func (n *Node) nodeState(id string) (NodeState, bool) {
	sn, ok := n.cfg.Store.Node(id)
	if !ok {
		return NodeState{}, false
	}
	s := NodeState{ID: id, Generation: sn.Generation, Heartbeat: sn.Heartbeat,
		Version: sn.MaxVersion, Status: StatusAlive, Keys: map[string]string{}}
	if id == n.cfg.ID {
		s.Addr = n.cfg.AdvertiseAddr
		if sn.Left {
			s.Status = StatusLeft
		}
	} else if m, ok := n.core.Member(id); ok {
		s.Addr, s.Status, s.Since = m.Addr, m.Status, m.Since
	}
	n.cfg.Store.Entries(id, 0, func(e store.Entry) bool {
		if !e.Tombstone && !strings.HasPrefix(e.Key, core.ReservedPrefix) {
			s.Keys[e.Key] = e.Value
		}
		return true
	})
	return s, true
}

// Members returns the IDs of the nodes this node considers alive, itself
// included, sorted.
func (n *Node) Members() []string {
	if n.err != nil {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	var ids []string
	n.cfg.Store.Range("", "", func(s store.Node) bool {
		alive := !s.Left
		if m, ok := n.core.Member(s.ID); ok {
			alive = m.Status == StatusAlive
		}
		if alive {
			ids = append(ids, s.ID)
		}
		return true
	})
	return ids
}
