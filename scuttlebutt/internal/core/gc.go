package core

import (
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// marksPerGrace is how many version marks are taken per tombstone grace
// period: a tombstone lives between TombstoneGrace and
// TombstoneGrace×(1+1/marksPerGrace).
const marksPerGrace = 4

// collectTombstones drops tombstones older than TombstoneGrace. The Core
// does not time each tombstone: every TombstoneGrace/marksPerGrace it marks
// each node's max version, and once a mark is TombstoneGrace old, every
// tombstone at or below the marked version goes. A peer that still lags
// below the collected version is then reset (see candidates).
func (c *Core) collectTombstones(now time.Time) {
	if c.cfg.TombstoneGrace <= 0 || now.Before(c.nextMark) {
		return
	}
	c.nextMark = now.Add(c.cfg.TombstoneGrace / marksPerGrace)
	type job struct {
		id   string
		upto uint64
	}
	var jobs []job
	c.st.Range("", "", func(n store.Node) bool {
		marks := c.gcMarks[n.ID]
		upto, k := uint64(0), 0
		for k < len(marks) && now.Sub(marks[k].at) >= c.cfg.TombstoneGrace {
			upto = marks[k].version
			k++
		}
		marks = marks[k:]
		if len(marks) == 0 || marks[len(marks)-1].version != n.MaxVersion {
			marks = append(marks, gcMark{at: now, version: n.MaxVersion})
		}
		c.gcMarks[n.ID] = marks
		if upto > n.GCVersion {
			jobs = append(jobs, job{n.ID, upto})
		}
		return true
	})
	for _, j := range jobs { // the store may not be called from Range
		c.collect(j.id, j.upto)
	}
}

// collect drops node id's tombstones at or below upto (capped at its max
// version) and raises its watermark to upto.
func (c *Core) collect(id string, upto uint64) {
	n, ok := c.st.Node(id)
	if !ok {
		return
	}
	upto = min(upto, n.MaxVersion)
	if upto <= n.GCVersion {
		return
	}
	n.GCVersion = upto
	w := c.newWrite(n)
	c.st.Entries(id, 0, func(e store.Entry) bool {
		if e.Version > upto {
			return false
		}
		if e.Tombstone {
			w.Drop = append(w.Drop, e.Key)
		}
		return true
	})
	if c.write(w) {
		c.stats.TombstonesGCd += uint64(len(w.Drop))
	}
}
