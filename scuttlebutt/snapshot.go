package scuttlebutt

import (
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/internal/core"
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
	// Incarnation is how many times the node refuted a suspicion in this
	// generation (see the package documentation on liveness).
	Incarnation uint64
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
	var views []core.NodeView
	n.core.Views(func(v core.NodeView) bool {
		views = append(views, v)
		return true
	})
	out := make([]NodeState, 0, len(views))
	for _, v := range views {
		out = append(out, n.nodeState(v))
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
	v, ok := n.core.View(id)
	if !ok {
		return NodeState{}, false
	}
	return n.nodeState(v), true
}

// nodeState builds a NodeState from a view; the caller holds n.mu.
func (n *Node) nodeState(v core.NodeView) NodeState {
	s := NodeState{ID: v.ID, Generation: v.Generation, Addr: v.Addr, Status: v.Status, Since: v.Since,
		Incarnation: v.Incarnation, Version: v.Version, Keys: map[string]string{}}
	n.core.Keys(v.ID, func(k, val string) bool {
		s.Keys[k] = val
		return true
	})
	return s
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
	n.core.Views(func(v core.NodeView) bool {
		if v.Status == StatusAlive {
			ids = append(ids, v.ID)
		}
		return true
	})
	return ids
}
