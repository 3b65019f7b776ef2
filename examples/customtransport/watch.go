package main

import (
	"fmt"
	"io"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
)

// kinds are the event kinds counted, in column order.
var kinds = []scuttlebutt.EventKind{
	scuttlebutt.EventJoin, scuttlebutt.EventUpdate, scuttlebutt.EventDelete, scuttlebutt.EventSuspect,
	scuttlebutt.EventAlive, scuttlebutt.EventLeave, scuttlebutt.EventRemove, scuttlebutt.EventRestart,
}

// watcher follows every node's events: it counts them by kind and notices
// when the cluster has converged and when an update has reached everyone.
// Each node delivers its events from one goroutine at a time, but nodes
// deliver concurrently, hence the lock.
type watcher struct {
	start time.Time

	mu        sync.Mutex
	counts    []map[scuttlebutt.EventKind]int
	roles     []map[string]bool // roles[i][id]: node i has seen id's role
	converged bool
	loadOwner int          // the node whose load update is awaited, or -1
	loadSince time.Time    // when it was set
	loadSeen  map[int]bool // the nodes that have seen it
}

func newWatcher(nodes int) *watcher {
	w := &watcher{start: time.Now(), loadOwner: -1}
	for range nodes {
		w.counts = append(w.counts, map[scuttlebutt.EventKind]int{})
		w.roles = append(w.roles, map[string]bool{})
	}
	return w
}

// say prints one line stamped with the time since start.
func (w *watcher) say(format string, args ...any) {
	fmt.Printf("%6.3fs  %s\n", time.Since(w.start).Seconds(), fmt.Sprintf(format, args...))
}

// subscriber returns node i's event subscriber.
func (w *watcher) subscriber(i int) scuttlebutt.EventSubscriber {
	return scuttlebutt.EventSubscriberFunc(func(e scuttlebutt.Event) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.counts[i][e.Kind]++
		if e.Kind == scuttlebutt.EventSuspect || e.Kind == scuttlebutt.EventAlive {
			w.say("%s sees %s %s", nodeID(i), e.Node, e.Kind)
		}
		if e.Kind != scuttlebutt.EventUpdate || e.Node == nodeID(i) {
			return
		}
		switch e.Key {
		case "role":
			w.roles[i][e.Node] = true
			if !w.converged && w.allRoles() {
				w.converged = true
				w.say("converged: all %d nodes know each other and every role", len(w.roles))
			}
		case "load":
			if w.loadOwner >= 0 && e.Node == nodeID(w.loadOwner) && !w.loadSeen[i] {
				w.loadSeen[i] = true
				if len(w.loadSeen) == len(w.roles)-1 {
					w.say("load=%s reached every node in %v", e.Value, time.Since(w.loadSince).Round(time.Millisecond))
				}
			}
		}
	})
}

// allRoles reports whether every node has seen every other node's role;
// the caller holds w.mu.
func (w *watcher) allRoles() bool {
	for _, r := range w.roles {
		if len(r) < len(w.roles)-1 {
			return false
		}
	}
	return true
}

// expectLoad starts timing node owner's load update.
func (w *watcher) expectLoad(owner int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.loadOwner, w.loadSince, w.loadSeen = owner, time.Now(), map[int]bool{}
}

// summary prints the outcome and the event counts per node and kind.
func (w *watcher) summary(out io.Writer) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.converged {
		fmt.Fprintln(out, "\nthe cluster did NOT converge: try a longer -duration or a lower -loss")
	}
	if n := len(w.loadSeen); n < len(w.roles)-1 {
		fmt.Fprintf(out, "\nthe load update reached only %d of %d nodes\n", n, len(w.roles)-1)
	}
	fmt.Fprintln(out, "\nevents seen (updates include the node's own writes):")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "node\t")
	for _, k := range kinds {
		fmt.Fprintf(tw, "%s\t", k)
	}
	fmt.Fprintln(tw)
	for i, c := range w.counts {
		fmt.Fprintf(tw, "%s\t", nodeID(i))
		for _, k := range kinds {
			fmt.Fprintf(tw, "%d\t", c[k])
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}
