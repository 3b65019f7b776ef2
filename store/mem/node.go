package mem

import "github.com/scuttlebutt-go/scuttlebutt/store"

// compactMin is how many blank log slots a node tolerates before it squeezes
// them out, whatever its number of keys.
const compactMin = 16

// nodeState is one node's state.
//
// Invariants: log is in ascending Version order and every Version in it is
// <= node.MaxVersion; no tombstone in it is at or below node.GCVersion
// (which may exceed MaxVersion); a slot with an empty Key is blank (its Version stays,
// so the order holds for binary search); idx maps every live slot's key to
// its position and nothing else; dead counts the blank slots.
type nodeState struct {
	node store.Node // Keys is not maintained here; see summary
	idx  map[string]int
	log  []store.Entry
	dead int
}

// summary returns the node's store.Node.
func (ns *nodeState) summary() store.Node {
	n := ns.node
	n.Keys = len(ns.idx)
	return n
}

// clearState drops every entry and counter and sets the generation.
func (ns *nodeState) clearState(gen uint64) {
	ns.node = store.Node{ID: ns.node.ID, Generation: gen}
	clear(ns.idx)
	clear(ns.log)
	ns.log = ns.log[:0]
	ns.dead = 0
}

// firstAfter returns the position of the first slot with Version > after.
func (ns *nodeState) firstAfter(after uint64) int {
	lo, hi := 0, len(ns.log)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ns.log[m].Version <= after {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// install stores e, whose Version must be above every Version in the log,
// as its key's entry. i and had are what idx holds for e.Key.
func (ns *nodeState) install(e store.Entry, i int, had bool) {
	if had {
		ns.blank(i)
	}
	ns.idx[e.Key] = len(ns.log)
	ns.log = append(ns.log, e)
	ns.maybeCompact()
}

// blank empties slot i, keeping its Version. The caller updates idx.
func (ns *nodeState) blank(i int) {
	ns.log[i] = store.Entry{Version: ns.log[i].Version}
	ns.dead++
}

// maybeCompact squeezes out blank slots once they outnumber the live ones.
func (ns *nodeState) maybeCompact() {
	if ns.dead <= compactMin || ns.dead <= len(ns.idx) {
		return
	}
	j := 0
	for i := range ns.log {
		e := ns.log[i]
		if e.Key == "" {
			continue
		}
		if i != j {
			ns.log[j] = e
			ns.idx[e.Key] = j
		}
		j++
	}
	clear(ns.log[j:])
	ns.log = ns.log[:j]
	ns.dead = 0
}

// visibleChange reports whether e, replacing prev (had says whether there
// was one), changes the node's visible key -> value map.
func visibleChange(prev store.Entry, had bool, e store.Entry) bool {
	wasLive := had && !prev.Tombstone
	if e.Tombstone {
		return wasLive
	}
	return !wasLive || prev.Value != e.Value
}
