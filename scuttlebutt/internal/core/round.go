package core

import (
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// Quiet rounds: once quietAfter rounds in a row changed nothing, a round
// opens an exchange with one random peer every quietEvery rounds instead of
// Fanout peers each round; the monitors' PINGs, which carry the digest hash,
// keep comparing every node with its ring neighbours meanwhile. The first
// change (a delta applied, a local write, a hash that differs) brings the
// full fanout back.
const (
	quietAfter = 4
	quietEvery = 4
)

// Tick runs one gossip round at now: it drops what has expired, and opens an exchange with Fanout peers (or, in a quiet
// cluster, now and then with one).
func (c *Core) Tick(now time.Time) {
	c.stats.Rounds++
	c.now = now
	c.forwardedNews = false
	c.expire(now)
	c.collectTombstones(now)
	c.flowTick(now)
	for addr, at := range c.streamed {
		if now.Sub(at) >= c.cfg.StreamCooldown {
			delete(c.streamed, addr)
		}
	}
	if c.active {
		c.quiet = 0
	} else {
		c.quiet++
	}
	c.active = false
	fanout := c.cfg.Fanout
	if c.cfg.Quiet && c.quiet >= quietAfter && len(c.alive) > 0 {
		if (c.quiet-quietAfter)%quietEvery != 0 {
			c.stats.QuietRounds++
			return
		}
		fanout = 1
	}
	targets := c.choosePeers(fanout)
	if len(targets) == 0 {
		return
	}
	syn := c.roundSyn()
	for _, to := range targets {
		c.out = append(c.out, Outgoing{To: to, Msg: syn})
	}
}

// roundSyn is the SYN of a round: the digest, and with flow control the
// rates, remembered for the SYNACKs that answer it.
func (c *Core) roundSyn() *codec.Message {
	syn := c.synMessage()
	syn.Rates = c.rates()
	c.flow.sent = syn.Rates
	return syn
}

// noteActivity records that something changed this round: the next rounds
// use the full fanout.
func (c *Core) noteActivity() {
	c.active = true
	c.quiet = 0
}

// Join adds seed addresses and opens an exchange with each at once. The
// seeds are also used whenever no live peer is known.
func (c *Core) Join(seeds []string) {
	for _, s := range seeds {
		if s == "" || s == c.cfg.Addr || contains(c.seeds, s) {
			continue
		}
		c.seeds = append(c.seeds, s)
		c.vouch(s)
	}
	if len(c.seeds) == 0 {
		return
	}
	c.noteActivity()
	syn := c.synMessage()
	for _, s := range c.seeds {
		c.out = append(c.out, Outgoing{To: s, Msg: syn})
	}
}

// SetSeeds replaces the seed list without sending anything (used when seed
// names are resolved again).
func (c *Core) SetSeeds(seeds []string) {
	c.seeds = c.seeds[:0]
	for _, s := range seeds {
		if s != "" && s != c.cfg.Addr && !contains(c.seeds, s) {
			c.seeds = append(c.seeds, s)
			c.vouch(s)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// choosePeers picks k live members at random, now and then a suspected
// one (so that two healthy nodes that wrongly suspect each other recover),
// and a seed when no member is alive or, now and then, to heal partitions.
func (c *Core) choosePeers(k int) []string {
	to := c.randomAlive(k)
	n := len(c.alive)
	suspects := 0
	for _, m := range c.order {
		if m.status == StatusSuspect {
			suspects++
		}
	}
	if suspects > 0 && c.rng.Float64() < float64(suspects)/float64(n+1) {
		pick := c.rng.IntN(suspects)
		for _, m := range c.order {
			if m.status != StatusSuspect {
				continue
			}
			if pick == 0 {
				if m.addr != "" {
					to = append(to, m.addr)
				}
				break
			}
			pick--
		}
	}
	if len(c.seeds) > 0 && (n == 0 || c.rng.Float64() < float64(len(c.seeds))/float64(n+1)) {
		s := c.seeds[c.rng.IntN(len(c.seeds))]
		if !contains(to, s) {
			to = append(to, s)
		}
	}
	return to
}

// randomAlive returns the addresses of up to k distinct live members, chosen
// at random (a partial Fisher-Yates shuffle of the alive set).
func (c *Core) randomAlive(k int) []string {
	var to []string
	n := len(c.alive)
	for i := range min(k, n) {
		c.swapAlive(i, i+c.rng.IntN(n-i))
		if addr := c.alive[i].addr; addr != "" {
			to = append(to, addr)
		}
	}
	return to
}

// randomReachable returns the addresses of up to k distinct live members,
// chosen at random among those this node may send more than a probe
// (validated addresses, under the anti-amplification rule) and that skip
// does not exclude (nil: none). A push or forward to any other is dropped
// by Ready, so it would only spend the fanout.
func (c *Core) randomReachable(k int, skip func(*member) bool) []string {
	var to []string
	n := len(c.alive)
	for i := 0; i < n && len(to) < k; i++ {
		c.swapAlive(i, i+c.rng.IntN(n-i))
		m := c.alive[i]
		if m.addr != "" && c.validated(m.addr) && (skip == nil || !skip(m)) {
			to = append(to, m.addr)
		}
	}
	return to
}

// spreadPeers picks the random peers of a push or a forward: up to k
// reachable live members that skip does not exclude, other than seeds
// unless no other is reachable. Seeds are reachable from every node (the
// user vouched for them), so picks among reachable peers would favour them
// and make them hot spots while few other addresses are validated; they
// hear news from their ring predecessors like any node.
func (c *Core) spreadPeers(k int, skip func(*member) bool) []string {
	to := c.randomReachable(k, func(m *member) bool {
		return contains(c.seeds, m.addr) || skip != nil && skip(m)
	})
	if len(to) == 0 {
		to = c.randomReachable(k, skip)
	}
	return to
}

// pingMessage is the PING this node sends the nodes it watches, with its
// digest hash.
func (c *Core) pingMessage(hash uint64) *codec.Message {
	return &codec.Message{Kind: codec.KindPing, From: c.cfg.ID, Hash: hash}
}

func (c *Core) swapAlive(i, j int) {
	if i == j {
		return
	}
	a, b := c.alive[i], c.alive[j]
	c.alive[i], c.alive[j] = b, a
	b.aliveAt, a.aliveAt = i, j
}

// Ready returns the queued messages and events and clears the queues, after
// queueing the push of any fresh local write. The caller owns the returned
// slices.
func (c *Core) Ready() ([]Outgoing, []Event) {
	c.pushWrites()
	c.limitOut()
	out, ev := c.out, c.events
	c.out, c.events = nil, nil
	return out, ev
}

// pushWrites sends this node's writes since the last push at once to
// Fanout random peers, as a delta from the last pushed version: a peer
// that was up to date applies it, one that was not refuses the gap and
// catches up by anti-entropy. Writes too large for one datagram wait for
// anti-entropy.
func (c *Core) pushWrites() {
	v := c.ownMax()
	if c.cfg.NoPush {
		c.pushed = v
		return
	}
	if v <= c.pushed || c.left {
		return
	}
	from := c.pushed
	c.pushed = v
	if len(c.alive) == 0 {
		return
	}
	self, _ := c.st.Node(c.cfg.ID)
	cand := []candidate{{id: c.cfg.ID, gen: self.Generation, from: from, upto: v, gc: self.GCVersion}}
	if from < self.GCVersion {
		return // a replica at from may need a prune: leave it to anti-entropy
	}
	c.entryBuf = c.entryBuf[:0]
	budget := c.cfg.MTU - c.sizer.Base(codec.KindAck, c.cfg.ID)
	deltas, cut, _ := c.pack(cand, budget, budget)
	if cut > 0 || len(deltas) == 0 {
		return
	}
	msg := &codec.Message{Kind: codec.KindAck, From: c.cfg.ID, Deltas: deltas}
	for _, to := range c.spreadPeers(c.cfg.Fanout, nil) {
		c.out = append(c.out, Outgoing{To: to, Msg: msg})
		c.stats.Pushes++
	}
}

// ownMax is this node's own max version.
func (c *Core) ownMax() uint64 {
	n, _ := c.st.Node(c.cfg.ID)
	return n.MaxVersion
}
