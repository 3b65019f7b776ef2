package core

import (
	"math"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// Flow control, after van Renesse et al. (2008), section 4. Each node has a
// desired rate, the rate of its own writes as it measures them, and a
// maximum rate, the rate at which it may put its own writes into gossip.
//
//   - Measuring: the desired rate is an average of the writes per second
//     over about flowWindow, updated each round.
//   - Redistributing: the SYN carries the initiator's rates, the SYNACK
//     that answers it the responder's rates before the exchange. Both sides
//     then share the sum of the two maximum rates in proportion to the two
//     desired rates (evenly when both are zero), each moving its own
//     maximum by the difference between its share and what it sent, so the
//     sum is kept whatever else happened meanwhile.
//   - Adapting (AIMD): each message this node packs deltas into lowers its
//     maximum to flowDecrease times itself when some deltas were left out
//     for lack of room, and raises it by flowIncrease updates per second
//     when all fitted. The maximum stays within [flowFloor,
//     flowCapFactor×desired+flowCapSlack]: a cap that follows the desired
//     rate, so an idle cluster does not grow rates without bound.
//   - Limiting: a token bucket fills at the maximum rate, holding at most
//     one second's worth (and at least one token). A write takes a token
//     and its version at once; without a token it waits in a queue, oldest
//     first, and a later write of the same key replaces the waiting value
//     in place (only the latest value of a key needs to go out). Each round
//     releases as many waiting writes as there are tokens. No write is
//     dropped; reads of this node's own keys see the waiting values.
const (
	flowInitial   = 1.0  // updates/s: the maximum rate at start
	flowCapFactor = 2.0  // the maximum rate is at most flowCapFactor×desired+flowCapSlack
	flowCapSlack  = 1.0  // updates/s
	flowFloor     = 0.05 // updates/s: the least it shrinks to
	flowIncrease  = 0.1  // updates/s added per message whose deltas all fitted
	flowDecrease  = 0.85 // factor per message whose deltas did not
	flowWindow    = 5 * time.Second
)

// pendingWrite is an own write waiting for a token.
type pendingWrite struct {
	value     string
	tombstone bool
	since     time.Time // the first write of the key still waiting
}

// flow is the flow-control state of this node's own writes.
type flow struct {
	desired, max, tokens float64
	writes               int       // own writes since the last measurement
	measured             time.Time // time of the last measurement
	sent                 codec.Rates
	pending              map[string]*pendingWrite
	queue                []string // the waiting keys, oldest first
}

func newFlow(now time.Time) flow {
	return flow{max: flowInitial, tokens: 1, measured: now, pending: map[string]*pendingWrite{}}
}

// FlowState is what the Core shows of its flow control.
type FlowState struct {
	// Desired and Max are the rates, in updates per second.
	Desired, Max float64
	// Pending is the number of own keys whose write waits for a token;
	// OldestSince when the oldest of them was first written.
	Pending     int
	OldestSince time.Time
}

// Flow returns the flow-control state (zero when flow control is off).
func (c *Core) Flow() FlowState {
	if !c.cfg.FlowControl {
		return FlowState{}
	}
	f := &c.flow
	s := FlowState{Desired: f.desired, Max: f.max, Pending: len(f.queue)}
	if len(f.queue) > 0 {
		s.OldestSince = f.pending[f.queue[0]].since
	}
	return s
}

// rates returns this node's rates for a message, in thousandths of an
// update per second; zero when flow control is off.
func (c *Core) rates() codec.Rates {
	if !c.cfg.FlowControl {
		return codec.Rates{}
	}
	r := codec.Rates{Desired: milli(c.flow.desired), Max: milli(c.flow.max)}
	if r.IsZero() {
		r.Max = 1 // never zero, which would mean no rates at all
	}
	return r
}

func milli(x float64) uint64 { return uint64(math.Round(x * 1000)) }

// redistribute shares the sum of the maximum rates of this node (as it
// sent them, mine) and of a peer (theirs) in proportion to their desired
// rates, moving this node's maximum by the difference between its share and
// mine.
func (c *Core) redistribute(mine, theirs codec.Rates) {
	if !c.cfg.FlowControl || theirs.IsZero() || mine.IsZero() {
		return
	}
	sum := float64(mine.Max) + float64(theirs.Max)
	d := float64(mine.Desired) + float64(theirs.Desired)
	share := sum / 2
	if d > 0 {
		share = sum * float64(mine.Desired) / d
	}
	c.flow.max = c.clampRate(c.flow.max + (share-float64(mine.Max))/1000)
	c.stats.FlowExchanges++
}

// adapt is AIMD: called for each message packed with deltas, with whether
// some were left out for lack of room.
func (c *Core) adapt(cut bool) {
	if !c.cfg.FlowControl {
		return
	}
	if cut {
		c.flow.max = c.clampRate(c.flow.max * flowDecrease)
		c.stats.FlowDecreases++
	} else {
		c.flow.max = c.clampRate(c.flow.max + flowIncrease)
	}
}

// clampRate keeps a maximum rate within [flowFloor, the cap]: the cap
// follows the desired rate, so that a node allowed far more than it writes
// (an idle cluster) cannot flood the cluster when its writes pick up.
func (c *Core) clampRate(x float64) float64 {
	return min(max(x, flowFloor), flowCapFactor*c.flow.desired+flowCapSlack)
}

// flowTick measures the desired rate, fills the token bucket and releases
// waiting writes, once a round.
func (c *Core) flowTick(now time.Time) {
	if !c.cfg.FlowControl {
		return
	}
	f := &c.flow
	dt := now.Sub(f.measured)
	if dt <= 0 {
		return
	}
	f.measured = now
	w := min(1, float64(dt)/float64(flowWindow))
	f.desired += w * (float64(f.writes)/dt.Seconds() - f.desired)
	f.writes = 0
	f.tokens = min(f.tokens+f.max*dt.Seconds(), max(1, f.max))
	c.release(false)
}

// release writes waiting writes to the store, oldest first, one token each,
// or all of them with all set (on Leave).
func (c *Core) release(all bool) {
	f := &c.flow
	k := 0
	for ; k < len(f.queue) && (all || f.tokens >= 1); k++ {
		key := f.queue[k]
		p := f.pending[key]
		delete(f.pending, key)
		if !all {
			f.tokens--
		}
		_ = c.put(key, p.value, p.tombstone) // a store error is counted in put
	}
	if k > 0 {
		f.queue = append(f.queue[:0], f.queue[k:]...)
	}
}

// limitWrite admits an own write under flow control: it returns true when
// the write may go to the store now, false when it was queued (or merged
// into the waiting write of its key).
func (c *Core) limitWrite(key, value string, tombstone bool) bool {
	if !c.cfg.FlowControl {
		return true
	}
	f := &c.flow
	if p, ok := f.pending[key]; ok {
		if p.value == value && p.tombstone == tombstone {
			return false // the waiting write already says so
		}
		f.writes++
		p.value, p.tombstone = value, tombstone
		c.stats.FlowCoalesced++
		return false
	}
	if c.unchanged(key, value, tombstone) {
		return true // a no-op; put sees it
	}
	f.writes++
	if len(f.queue) == 0 && f.tokens >= 1 {
		f.tokens--
		return true
	}
	f.pending[key] = &pendingWrite{value: value, tombstone: tombstone, since: c.now}
	f.queue = append(f.queue, key)
	c.stats.FlowDelayed++
	return false
}

// waiting returns the waiting write of one of this node's keys.
func (c *Core) waiting(key string) (*pendingWrite, bool) {
	if !c.cfg.FlowControl {
		return nil, false
	}
	p, ok := c.flow.pending[key]
	return p, ok
}
