package core

import "fmt"

// EventKind says what happened to a node.
type EventKind uint8

// The event kinds.
const (
	// EventJoin: a node became known.
	EventJoin EventKind = iota + 1
	// EventUpdate: a node's key took a new value.
	EventUpdate
	// EventDelete: a node's key was deleted.
	EventDelete
	// EventSuspect: the failure detector suspects the node is down.
	EventSuspect
	// EventAlive: a suspected node's heartbeats resumed.
	EventAlive
	// EventLeave: the node announced a graceful departure.
	EventLeave
	// EventRemove: the node's state was dropped after the grace period.
	EventRemove
	// EventRestart: the node restarted with a newer generation; the old
	// generation's keys are gone (no delete events are sent for them) and
	// the new generation's keys follow as updates.
	EventRestart
)

var kindNames = [...]string{"", "join", "update", "delete", "suspect", "alive", "leave", "remove", "restart"}

// String returns the kind's lower-case name.
func (k EventKind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is one change in what a node knows of the cluster.
type Event struct {
	Kind EventKind
	// Node is the ID of the node the event is about.
	Node string
	// Generation is the node's generation the event is about.
	Generation uint64
	// Key, Value and Version are set on EventUpdate and EventDelete.
	Key     string
	Value   string
	Version uint64
}

// String formats the event for logs and traces.
func (e Event) String() string {
	switch e.Kind {
	case EventUpdate:
		return fmt.Sprintf("%s %s/%d %s=%q v%d", e.Kind, e.Node, e.Generation, e.Key, e.Value, e.Version)
	case EventDelete:
		return fmt.Sprintf("%s %s/%d %s v%d", e.Kind, e.Node, e.Generation, e.Key, e.Version)
	}
	return fmt.Sprintf("%s %s/%d", e.Kind, e.Node, e.Generation)
}
