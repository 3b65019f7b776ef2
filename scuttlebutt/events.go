package scuttlebutt

import (
	"strings"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/internal/core"
)

// Event is one change in what this node knows of the cluster: a node
// joined, a key changed or was deleted, a node was suspected, recovered,
// left, was removed or restarted.
type Event = core.Event

// EventKind says what an Event reports.
type EventKind = core.EventKind

// The event kinds.
const (
	EventJoin    = core.EventJoin
	EventUpdate  = core.EventUpdate
	EventDelete  = core.EventDelete
	EventSuspect = core.EventSuspect
	EventAlive   = core.EventAlive
	EventLeave   = core.EventLeave
	EventRemove  = core.EventRemove
	EventRestart = core.EventRestart
)

// EventSubscriber receives events.
//
// Delivery rules: only real changes are delivered, each once; a node's key
// events arrive in version order; events are delivered from one goroutine
// at a time, in the order they happened, and never while the Node's state
// lock is held, so a subscriber may call the Node (Lookup, UpdateLocal...).
// A subscriber must not block for long: gossip waits while it runs.
type EventSubscriber interface {
	OnEvent(e Event)
}

// EventSubscriberFunc adapts a function to an EventSubscriber.
type EventSubscriberFunc func(e Event)

// OnEvent calls f(e).
func (f EventSubscriberFunc) OnEvent(e Event) { f(e) }

type subscription struct {
	fn     func(Event)
	prefix string
	keys   bool // only key events (update and delete) matching prefix
}

func (s *subscription) wants(e *Event) bool {
	if !s.keys {
		return true
	}
	return (e.Kind == EventUpdate || e.Kind == EventDelete) && strings.HasPrefix(e.Key, s.prefix)
}

// Subscribe delivers every event to fn until the returned cancel is
// called. The delivery rules of EventSubscriber apply.
func (n *Node) Subscribe(fn func(Event)) (cancel func()) {
	return n.subscribe(&subscription{fn: fn})
}

// SubscribePrefix delivers to fn the update and delete events of keys that
// start with prefix, of every node, until the returned cancel is called.
func (n *Node) SubscribePrefix(prefix string, fn func(Event)) (cancel func()) {
	return n.subscribe(&subscription{fn: fn, prefix: prefix, keys: true})
}

func (n *Node) subscribe(s *subscription) func() {
	if n.err != nil {
		return func() {}
	}
	n.mu.Lock()
	n.subs = append(n.subs, s)
	n.mu.Unlock()
	return func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		for i, x := range n.subs {
			if x == s {
				n.subs = append(n.subs[:i:i], n.subs[i+1:]...)
				return
			}
		}
	}
}

// deliver hands pending events to subscribers, in order, from one
// goroutine at a time and never under the state lock. On the wall clock a
// delivery goroutine of the Node's own drains the queue, so a subscriber may
// call anything on the Node, Close and Leave included, without holding up
// the transport. On a virtual clock, whichever goroutine finds no delivery
// under way drains the queue inline (including events queued meanwhile by
// others or by subscribers themselves) and the rest return at once, so a
// simulated cluster stays deterministic.
func (n *Node) deliver() {
	n.mu.Lock()
	if n.draining || len(n.pending) == 0 || n.closed {
		n.mu.Unlock()
		return
	}
	n.draining = true
	if !n.wall {
		n.drain()
		return
	}
	n.workers.Add(1)
	n.mu.Unlock()
	go func() {
		defer n.workers.Done()
		n.mu.Lock()
		n.drain()
	}()
}

// drain delivers pending events until none is left or the Node is closed.
// It is called with n.mu held and draining set, and returns with n.mu
// released and draining cleared.
func (n *Node) drain() {
	for len(n.pending) > 0 && !n.closed {
		evs := n.pending
		n.pending = nil
		subs := n.subs
		n.mu.Unlock()
		n.inCallback.Store(n.wall)
		for i := range evs {
			for _, s := range subs {
				if s.wants(&evs[i]) {
					s.fn(evs[i])
				}
			}
		}
		n.inCallback.Store(false)
		n.mu.Lock()
	}
	n.draining = false
	n.mu.Unlock()
}
