package mem

import "github.com/scuttlebutt-go/scuttlebutt/store"

// indexMin is how many live entries a node holds before it builds a key
// index; below it, finding a key scans the log, which is as fast and costs no
// map.
const indexMin = 8

// nodeState is one node's summary and entries.
//
// Invariants: log is in ascending Version order (entries of equal Version
// keep their arrival order); a slot with an empty Key is blank: its Version
// stays, so binary search by Version still works, and dead counts the blank
// slots. Every live slot holds a distinct key. idx is nil or maps every live
// key to its slot and nothing else; it is built once the node holds indexMin
// live entries.
type nodeState struct {
	id                 string
	gen, maxVer, gcVer uint64
	log                []store.Entry
	idx                map[string]int
	dead               int32
	left               bool
}

// summary returns the node's store.Node.
func (ns *nodeState) summary() store.Node {
	return store.Node{
		ID:         ns.id,
		Generation: ns.gen,
		MaxVersion: ns.maxVer,
		GCVersion:  ns.gcVer,
		Left:       ns.left,
		Keys:       ns.live(),
	}
}

// setSummary adopts n's fields but ID and Keys.
func (ns *nodeState) setSummary(n store.Node) {
	ns.gen, ns.maxVer, ns.gcVer, ns.left = n.Generation, n.MaxVersion, n.GCVersion, n.Left
}

// live is the number of entries held.
func (ns *nodeState) live() int { return len(ns.log) - int(ns.dead) }

// find returns the slot of key's entry.
func (ns *nodeState) find(key string) (int, bool) {
	if key == "" { // blank slots have an empty key, live ones never do
		return 0, false
	}
	if ns.idx != nil {
		i, ok := ns.idx[key]
		return i, ok
	}
	for i := range ns.log {
		if ns.log[i].Key == key {
			return i, true
		}
	}
	return 0, false
}

// firstAfter returns the first slot with Version > after.
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

// clearEntries drops every entry, keeping the log's capacity. The index goes
// too: the next generation may hold too few keys to need one.
func (ns *nodeState) clearEntries() {
	clear(ns.log)
	ns.log = ns.log[:0]
	ns.idx = nil
	ns.dead = 0
}

// tidy squeezes out blank slots once they are as many as the live ones, so a
// node's log is shorter than twice its entries after every write, and every
// write costs O(1) amortised.
func (ns *nodeState) tidy() {
	if d := int(ns.dead); d > 0 && d >= ns.live() {
		ns.compact()
	}
}

// drop forgets key's entry, if any.
func (ns *nodeState) drop(key string) {
	if i, ok := ns.find(key); ok {
		ns.blank(i)
	}
}

// blank empties slot i, keeping its Version, and unindexes its key.
func (ns *nodeState) blank(i int) {
	if ns.idx != nil {
		delete(ns.idx, ns.log[i].Key)
	}
	ns.clearSlot(i)
}

// clearSlot empties slot i, keeping its Version, and leaves the index to the
// caller.
func (ns *nodeState) clearSlot(i int) {
	ns.log[i] = store.Entry{Version: ns.log[i].Version}
	ns.dead++
}

// put makes e, whose Key is not empty, its key's entry.
func (ns *nodeState) put(e store.Entry) {
	if i, ok := ns.find(e.Key); ok {
		if ns.log[i].Version == e.Version {
			ns.log[i] = e // same place in the order: overwrite in place
			return
		}
		ns.clearSlot(i) // appendEntry or insert re-indexes e.Key
	}
	n := len(ns.log)
	if n == 0 || ns.log[n-1].Version <= e.Version {
		ns.appendEntry(e)
	} else {
		ns.insert(e)
	}
	if ns.idx == nil && ns.live() >= indexMin {
		ns.buildIndex()
	}
}

// appendEntry adds e, whose Version is at least every Version in the log, at
// the tail. It squeezes out blank slots first when they outnumber the live
// ones, or when the log is full and a quarter of it is blank, so that a node
// overwriting its few keys does not grow its log.
func (ns *nodeState) appendEntry(e store.Entry) {
	n := len(ns.log)
	if d := int(ns.dead); d > 0 && (d > n-d || (n == cap(ns.log) && 4*d >= n)) {
		ns.compact()
	}
	if ns.idx != nil {
		ns.idx[e.Key] = len(ns.log)
	}
	ns.log = append(ns.log, e)
}

// insert places e, whose Version is below the tail's, after every slot of
// Version <= e.Version. A blank slot just before that position takes it;
// otherwise the slots up to the next blank one (or the tail) shift right by
// one.
func (ns *nodeState) insert(e store.Entry) {
	p := ns.firstAfter(e.Version)
	if p > 0 && ns.log[p-1].Key == "" {
		ns.fill(p-1, e)
		return
	}
	q := p
	for q < len(ns.log) && ns.log[q].Key != "" {
		q++
	}
	if q == len(ns.log) {
		ns.log = append(ns.log, store.Entry{})
	} else {
		ns.dead--
	}
	copy(ns.log[p+1:q+1], ns.log[p:q])
	if ns.idx != nil {
		for i := p + 1; i <= q; i++ {
			ns.idx[ns.log[i].Key] = i
		}
	}
	ns.log[p] = e
	if ns.idx != nil {
		ns.idx[e.Key] = p
	}
}

// fill puts e in blank slot i.
func (ns *nodeState) fill(i int, e store.Entry) {
	ns.log[i] = e
	ns.dead--
	if ns.idx != nil {
		ns.idx[e.Key] = i
	}
}

// compact squeezes the blank slots out of the log.
func (ns *nodeState) compact() {
	j := 0
	for i := range ns.log {
		e := ns.log[i]
		if e.Key == "" {
			continue
		}
		if i != j {
			ns.log[j] = e
			if ns.idx != nil {
				ns.idx[e.Key] = j
			}
		}
		j++
	}
	clear(ns.log[j:])
	ns.log = ns.log[:j]
	ns.dead = 0
}

// buildIndex builds the key index from the log.
func (ns *nodeState) buildIndex() {
	ns.idx = make(map[string]int, 2*ns.live())
	for i := range ns.log {
		if k := ns.log[i].Key; k != "" {
			ns.idx[k] = i
		}
	}
}
