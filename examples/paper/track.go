package main

import (
	"fmt"
	"strconv"
)

// tracker follows every (observer, node, key) mapping of a run. Values are
// "v" and the write's sequence number for its key, so an event says which
// write an observer holds. A node's own events say when its writes were
// published: put into gossip, at once without flow control, when a token
// let them out with it.
type tracker struct {
	nodes, keys int
	// held[(o*nodes+r)*keys+k] is the sequence number of node r's key k
	// that observer o holds, -1 for none.
	held []int32
	// written and pub are, per (r, k), the latest sequence number written
	// by the application and published by the node; writeAt and pubAt the
	// times (seconds since the start) of each sequence number, pubAt -1
	// for a write merged into a later one before it was published.
	written, pub   []int32
	writeAt, pubAt [][]float64
}

func newTracker(nodes, keys int) *tracker {
	t := &tracker{nodes: nodes, keys: keys,
		held:    make([]int32, nodes*nodes*keys),
		written: make([]int32, nodes*keys), pub: make([]int32, nodes*keys),
		writeAt: make([][]float64, nodes*keys), pubAt: make([][]float64, nodes*keys)}
	for i := range t.held {
		t.held[i] = -1
	}
	for i := range t.written {
		t.written[i], t.pub[i] = -1, -1
	}
	return t
}

func keyName(k int) string { return fmt.Sprintf("k%02d", k) }

// value is the value of write seq of a key: "v" and 7 digits, 8 bytes.
func value(seq int32) string { return fmt.Sprintf("v%07d", seq) }

// wrote records the application's write seq of node r's key k at time now.
func (t *tracker) wrote(r, k int, now float64) string {
	i := r*t.keys + k
	t.written[i]++
	t.writeAt[i] = append(t.writeAt[i], now)
	t.pubAt[i] = append(t.pubAt[i], -1)
	return value(t.written[i])
}

// event records that observer o now holds value v of node r's key.
func (t *tracker) event(o, r int, key, v string, now float64) {
	k, err1 := strconv.Atoi(key[1:])
	seq, err2 := strconv.Atoi(v[1:])
	if err1 != nil || err2 != nil || k >= t.keys {
		return
	}
	i := r*t.keys + k
	if o == r {
		t.pub[i] = int32(seq)
		if seq < len(t.pubAt[i]) {
			t.pubAt[i][seq] = now
		}
		return
	}
	t.held[(o*t.nodes+r)*t.keys+k] = int32(seq)
}

// sample is what one look at every mapping finds.
type sample struct {
	// stale counts the mappings whose observer lacks a published write;
	// maxAge and avgAge are how long, in seconds, since the first such
	// write was published.
	stale          int
	maxAge, avgAge float64
	// pending counts the (node, key) pairs whose latest write is not yet
	// published (flow control holds it); maxWait is the longest such wait.
	pending int
	maxWait float64
	// behind counts the mappings whose observer lacks the latest write,
	// published or not.
	behind int
}

// look examines every mapping at time now.
func (t *tracker) look(now float64) sample {
	var s sample
	sum := 0.0
	for r := range t.nodes {
		for k := range t.keys {
			i := r*t.keys + k
			if t.written[i] > t.pub[i] {
				s.pending++ // its first unpublished write waited longest
				s.maxWait = max(s.maxWait, now-t.writeAt[i][t.pub[i]+1])
			}
			for o := range t.nodes {
				if o == r {
					continue
				}
				h := t.held[(o*t.nodes+r)*t.keys+k]
				if h < t.written[i] {
					s.behind++
				}
				if h >= t.pub[i] {
					continue
				}
				s.stale++
				for j := h + 1; j <= t.pub[i]; j++ {
					if at := t.pubAt[i][j]; at >= 0 {
						age := now - at
						sum += age
						s.maxAge = max(s.maxAge, age)
						break
					}
				}
			}
		}
	}
	if s.stale > 0 {
		s.avgAge = sum / float64(s.stale)
	}
	return s
}
