package main

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/sim"
	"github.com/scuttlebutt-go/scuttlebutt/transport/keyring"
)

// The steady modes measure a converged cluster built with the Node's
// default configuration: -idle while nothing happens, -churn while one key
// changes somewhere in the cluster every round. Rates are counted at the
// transport: the sum over nodes of the growth of Node.Stats().MessagesSent
// and BytesSent (what each Node's transport accepted to send), divided by
// the nodes and the virtual seconds of the window. The observer decodes the
// same traffic as it is delivered to split it by part and kind; that split
// goes to stderr with the other details.

// defaultInterval is the default of scuttlebutt.Config.GossipInterval.
// sim's default round is 1 s, so defaultConfig sets it.
const defaultInterval = 500 * time.Millisecond

// churnWarmup is how long -churn writes before its window opens, so that
// the window sees the steady state of a cluster under writes, not its
// way out of quiet rounds.
const churnWarmup = 10 * time.Second

// churnKey is the key -churn writes.
const churnKey = "churn"

// defaultConfig is a cluster of n nodes configured as scuttlebutt.New
// configures a Node by default. Where sim's defaults differ from New's,
// they are set here:
//
//   - GossipInterval: sim's 1 s, New's 500 ms (defaultInterval), set here.
//     HeartbeatInterval and the default detector's settings are left to
//     the Node, which derives them from GossipInterval (a PING every 1 s
//     for 500 ms rounds): on sim's 1 s rounds they would be off too;
//   - Generation: sim gives every node generation 1, New the clock's time
//     in nanoseconds, a 9-byte varint instead of 1 in every digest entry,
//     request and node delta: Configure sets it back to zero so that New
//     chooses as it does by default (on the virtual clock, so
//     deterministically).
//
// The rest already agree: MTU 1400 (sim's, mem.DefaultMTU and
// udp.DefaultMTU), Fanout 3 and Monitors 3 (sim leaves them to the Node),
// the phi-accrual detector, the binary codec, the in-memory store, and no
// streams (sim's default; New's default transport, UDP, cannot stream).
// The network is perfect: no loss, no delay.
func defaultConfig(n int, seed int64, obs *observer, encrypt bool) sim.Config {
	var ring *keyring.Keyring
	if encrypt {
		var err error
		if ring, err = keyring.New(bytes.Repeat([]byte{7}, 32)); err != nil {
			panic(err) // a constant, valid key
		}
	}
	return sim.Config{
		Nodes:          n,
		Seed:           seed,
		GossipInterval: defaultInterval,
		OnDeliver:      obs.onDeliver,
		Configure: func(_ int, b *scuttlebutt.Builder) {
			b.Generation(0)
			if ring != nil {
				w, err := keyring.Wrap(b.Config().Transport, keyring.Config{Keyring: ring})
				if err != nil {
					panic(err)
				}
				b.Transport(w)
			}
		},
	}
}

// runSteady runs the steady modes for each size, one cluster per size,
// printing their lines to w. Like the table, it skips a size whose heap,
// estimated from the previous one, would not fit (unless force).
func runSteady(w io.Writer, ns []int, opt options, force bool, memProfile string) error {
	var perPair float64
	for _, n := range ns {
		if reason := tooBig(n, perPair); reason != "" && !force {
			logf("N=%d skipped: %s", n, reason)
			for _, m := range steadyModes(opt) {
				fmt.Fprintf(w, "%s N=%d skipped: %s\n", m, n, reason)
			}
			continue
		}
		start := time.Now()
		heapPerNode, err := steadyOne(w, n, opt, memProfile)
		if err != nil {
			return fmt.Errorf("size %d: %w", n, err)
		}
		logf("N=%d: done in %v", n, time.Since(start).Round(time.Millisecond))
		if heapPerNode > 0 {
			perPair = heapPerNode / float64(n)
		}
	}
	return nil
}

// steadyModes names the steady modes asked for, in the order they run.
func steadyModes(opt options) []string {
	var m []string
	if opt.idle {
		m = append(m, "idle")
	}
	if opt.churn {
		m = append(m, "churn")
	}
	return m
}

// steadyOne builds, joins and measures one cluster of n nodes: the idle
// window, then the churn, as asked. It returns the live heap per node
// (for the next size's estimate).
func steadyOne(w io.Writer, n int, opt options, memProfile string) (float64, error) {
	base := heapAfterGC()
	obs := newObserver()
	c, err := sim.New(defaultConfig(n, opt.seed, obs, opt.encrypt))
	if err != nil {
		return 0, err
	}
	defer c.Close()
	for i, a := range c.Addrs {
		obs.index[a] = i
	}
	// Two keys per node, as the memory figure is quoted for: the address
	// (reserved, written by the Node) and a role.
	for _, nd := range c.Nodes {
		if err := nd.UpdateLocal("role", "worker"); err != nil {
			return 0, err
		}
	}
	live := watchLiveness(c)
	converged := func() bool { return c.AllKnowAll() && live.current == 0 }

	wall := time.Now()
	if err := join(c, opt); err != nil {
		return 0, err
	}
	rounds, stop := runJoin(c, opt, defaultInterval, converged)
	if stop != "" {
		for _, m := range steadyModes(opt) {
			fmt.Fprintf(w, "%s N=%d not converged: %s after %d rounds (worst node knew %.1f%%, %d suspected in all views)\n",
				m, n, stop, rounds, 100*worstKnown(c), live.current)
		}
		return perNode(heapAfterGC(), 0, n), nil
	}
	logf("N=%d: membership converged in %d rounds (%v virtual), %d false suspicions on the way; wall %v",
		n, rounds, time.Duration(rounds)*defaultInterval, live.events, time.Since(wall).Round(time.Millisecond))

	wall = time.Now()
	c.Net.Advance(opt.drain)
	if !converged() {
		logf("N=%d: WARNING membership no longer converged after the drain: worst node knows %.1f%%, %d suspected in all views",
			n, 100*worstKnown(c), live.current)
	}
	if bad := membersShort(c); bad > 0 {
		logf("N=%d: WARNING %d nodes' Members() do not list all %d nodes", n, bad, n)
	}
	logf("N=%d: drained %v (wall %v)", n, opt.drain, time.Since(wall).Round(time.Millisecond))

	var heap float64
	if opt.idle {
		wall = time.Now()
		heap = idleWindow(w, c, obs, live, opt, base)
		logf("N=%d: idle window measured (wall %v)", n, time.Since(wall).Round(time.Millisecond))
	}
	if opt.churn {
		wall = time.Now()
		churnWindow(w, c, obs, live, opt)
		logf("N=%d: churn measured (wall %v)", n, time.Since(wall).Round(time.Millisecond))
		if !opt.idle {
			heap = perNode(heapAfterGC(), base, n)
		}
	}
	if memProfile != "" {
		if err := writeHeapProfile(memProfile); err != nil {
			return heap, err
		}
	}
	return heap, nil
}

// perNode is the heap above base per node, or 0.
func perNode(heap, base uint64, n int) float64 {
	if heap <= base {
		return 0
	}
	return float64(heap-base) / float64(n)
}

// idleWindow measures opt.window of a converged, idle cluster and prints
// the idle and memory lines. It returns the live heap per node.
func idleWindow(w io.Writer, c *sim.Cluster, obs *observer, live *liveness, opt options, base uint64) float64 {
	n := len(c.Nodes)
	obs.mode = decode
	if opt.encrypt {
		obs.mode = count // sealed: nothing to decode
	}
	obs.reset()
	s0, ev0 := total(c), live.events
	c.Net.Advance(opt.window)
	d := total(c).sub(s0)
	obs.mode = off
	nodeSecs := float64(n) * opt.window.Seconds()
	fmt.Fprintf(w, "idle N=%d bytes_per_node_per_s=%.1f msgs_per_node_per_s=%.1f\n",
		n, float64(d.bytes)/nodeSecs, float64(d.messages)/nodeSecs)
	if opt.encrypt {
		fmt.Fprintf(w, "idle_sealed N=%d wire_bytes_per_node_per_s=%.1f\n", n, float64(obs.bytes)/nodeSecs)
	}
	logf("N=%d idle detail: %s", n, detail(d, obs, live.events-ev0, nodeSecs))

	// The live heap after a GC, above the heap before the cluster was
	// built, per node and per node it knows: every node's store (each
	// node's copy of every node's state: its reserved keys and address),
	// member tables, hash trees, ring and detector, the Nodes and their
	// transports, the mem Network (queues, pending timers), sim's and this
	// program's bookkeeping (the observer, the event subscriptions); not
	// garbage, goroutine stacks or memory the runtime holds but does not
	// use.
	heap := perNode(heapAfterGC(), base, n)
	fmt.Fprintf(w, "memory N=%d bytes_per_node_pair=%.1f\n", n, heap/float64(n))
	return heap
}

// churnWrite is one write of -churn.
type churnWrite struct {
	writer  int
	at      time.Time
	reached int           // other nodes that applied it
	spread  time.Duration // from the write until all other nodes applied it; 0 until then
}

// churnWindow has a random node (seeded) write churnKey with the next
// value every round: churnWarmup unmeasured, then opt.window measured, then
// opt.drain of quiet, after which it checks that every node holds every
// writer's last value. It prints the churn line.
func churnWindow(w io.Writer, c *sim.Cluster, obs *observer, live *liveness, opt options) {
	n := len(c.Nodes)
	rng := rand.New(rand.NewPCG(uint64(opt.seed), 0xc4c4))
	var writes []churnWrite
	last := make([]int, n) // per writer: its last write's value, 0 for none
	for j, nd := range c.Nodes {
		self := sim.ID(j)
		nd.SubscribePrefix(churnKey, func(e scuttlebutt.Event) {
			if e.Kind != scuttlebutt.EventUpdate || e.Node == self {
				return
			}
			k, err := strconv.Atoi(e.Value)
			if err != nil || k < 1 || k > len(writes) {
				return
			}
			cw := &writes[k-1]
			if cw.reached++; cw.reached == n-1 {
				cw.spread = c.Net.Now().Sub(cw.at)
			}
		})
	}
	var failed int
	writeFor := func(d time.Duration) {
		for t := time.Duration(0); t < d; t += defaultInterval {
			i := rng.IntN(n)
			writes = append(writes, churnWrite{writer: i, at: c.Net.Now()})
			last[i] = len(writes)
			if err := c.Nodes[i].UpdateLocal(churnKey, strconv.Itoa(len(writes))); err != nil {
				failed++
			}
			c.Net.Advance(defaultInterval)
		}
	}

	writeFor(churnWarmup)
	obs.mode = decode
	obs.reset()
	s0, ev0, w0 := total(c), live.events, len(writes)
	writeFor(opt.window)
	d := total(c).sub(s0)
	obs.mode = off
	c.Net.Advance(opt.drain)

	lagging := 0
	for _, nd := range c.Nodes {
		for i, k := range last {
			if k == 0 {
				continue
			}
			if v, ok := nd.Lookup(sim.ID(i), churnKey); !ok || v != strconv.Itoa(k) {
				lagging++
				break
			}
		}
	}
	nodeSecs := float64(n) * opt.window.Seconds()
	perS := float64(d.bytes) / nodeSecs
	fmt.Fprintf(w, "churn N=%d bytes_per_node_per_s=%.1f bytes_per_node_per_round=%.1f msgs_per_node_per_s=%.1f lagging=%d\n",
		n, perS, perS*defaultInterval.Seconds(), float64(d.messages)/nodeSecs, lagging)
	logf("N=%d churn detail: %s", n, detail(d, obs, live.events-ev0, nodeSecs))
	logf("N=%d churn spread: %s; %d writes refused", n, spreadStats(writes, w0, last), failed)
}

// spreadStats summarises how long the writes from index from on took to
// reach every other node. A write its writer overwrote before it got
// everywhere need not get everywhere (the newer value replaces it); a
// writer's last write must.
func spreadStats(writes []churnWrite, from int, last []int) string {
	var times []time.Duration
	overwritten, missing := 0, 0
	for k := from; k < len(writes); k++ {
		cw := &writes[k]
		switch {
		case cw.spread > 0:
			times = append(times, cw.spread)
		case last[cw.writer] != k+1:
			overwritten++
		default:
			missing++
		}
	}
	total := len(writes) - from
	if len(times) == 0 {
		return fmt.Sprintf("none of the window's %d writes reached every other node", total)
	}
	slices.Sort(times)
	q := func(p float64) time.Duration { return times[min(len(times)-1, int(p*float64(len(times))))] }
	return fmt.Sprintf("%d of the window's %d writes reached every other node, in p50 %v, p90 %v, max %v (virtual); "+
		"%d did not but were overwritten by their writer; %d writers' last writes did not",
		len(times), total, q(0.5), q(0.9), times[len(times)-1], overwritten, missing)
}

// detail formats the counters of a window for stderr.
func detail(d sums, obs *observer, suspectEvents int64, nodeSecs float64) string {
	per := func(x uint64) float64 { return float64(x) / nodeSecs }
	var kinds [codec.KindPong + 1]float64
	for k := range obs.split.kinds {
		kinds[k] = per(obs.split.kinds[k].datagrams)
	}
	sp := &obs.split
	quiet := 0.0
	if d.rounds > 0 {
		quiet = 100 * float64(d.quiet) / float64(d.rounds)
	}
	return fmt.Sprintf("rounds/node/s %.2f (%.0f%% quiet); delivered B/node/s %.1f = header %.1f + digest %.1f + deltas %.1f + liveness %.1f; "+
		"datagrams/node/s %s; exchanges equal %d, differ %d; walks %d; deltas applied %d; pushes %d, forwards %d; pings %d, pongs %d; "+
		"verdicts written %d, suspect events %d, refutations %d; %d undecodable, %d mis-sized",
		per(d.rounds), quiet, per(obs.bytes), per(sp.header), per(sp.digest), per(sp.deltas), per(sp.liveness),
		kindsString(kinds[:]), d.equal, d.differ, d.walks, d.deltasApplied, d.pushes, d.forwards, d.pings, d.pongs,
		d.suspicions, suspectEvents, d.refutations, obs.undecodable, obs.misSized)
}

// sums adds up the counters of every node that the steady modes report.
type sums struct {
	messages, bytes         uint64
	rounds, quiet           uint64
	pings, pongs            uint64
	suspicions, refutations uint64
	equal, differ, walks    uint64
	pushes, deltasApplied   uint64
	forwards                uint64
}

// total sums the nodes' counters.
func total(c *sim.Cluster) sums {
	var t sums
	for _, nd := range c.Nodes {
		s := nd.Stats()
		t.messages += s.MessagesSent
		t.bytes += s.BytesSent
		t.rounds += s.Rounds
		t.quiet += s.QuietRounds
		t.pings += s.PingsSent
		t.pongs += s.PongsReceived
		t.suspicions += s.Suspicions
		t.refutations += s.Refutations
		t.equal += s.ExchangesEqual
		t.differ += s.ExchangesDiffer
		t.walks += s.Walks
		t.pushes += s.Pushes
		t.forwards += s.Forwards
		t.deltasApplied += s.DeltasApplied
	}
	return t
}

// sub returns the growth of every counter from b to a.
func (a sums) sub(b sums) sums {
	return sums{
		messages: a.messages - b.messages, bytes: a.bytes - b.bytes,
		rounds: a.rounds - b.rounds, quiet: a.quiet - b.quiet,
		pings: a.pings - b.pings, pongs: a.pongs - b.pongs,
		suspicions: a.suspicions - b.suspicions, refutations: a.refutations - b.refutations,
		equal: a.equal - b.equal, differ: a.differ - b.differ, walks: a.walks - b.walks,
		pushes: a.pushes - b.pushes, deltasApplied: a.deltasApplied - b.deltasApplied,
		forwards: a.forwards - b.forwards,
	}
}

// liveness follows, from every node's events, which nodes each node holds
// suspected. The simulation delivers events on the goroutine that advances
// the Network, so it needs no lock.
type liveness struct {
	suspected []map[string]bool // per node: the nodes it holds suspected
	current   int               // the sum of their sizes
	events    int64             // EventSuspect events seen
}

// watchLiveness subscribes to every node of c.
func watchLiveness(c *sim.Cluster) *liveness {
	l := &liveness{suspected: make([]map[string]bool, len(c.Nodes))}
	for i, nd := range c.Nodes {
		nd.Subscribe(func(e scuttlebutt.Event) { l.on(i, e) })
	}
	return l
}

func (l *liveness) on(i int, e scuttlebutt.Event) {
	m := l.suspected[i]
	switch e.Kind {
	case scuttlebutt.EventSuspect:
		l.events++
		if m == nil {
			m = map[string]bool{}
			l.suspected[i] = m
		}
		if !m[e.Node] {
			m[e.Node] = true
			l.current++
		}
	case scuttlebutt.EventAlive, scuttlebutt.EventLeave, scuttlebutt.EventRemove, scuttlebutt.EventRestart:
		if m[e.Node] {
			delete(m, e.Node)
			l.current--
		}
	}
}

// membersShort counts the nodes whose Members() (the nodes they consider
// alive, themselves included) is not the whole cluster: a check of the
// event bookkeeping against the Nodes' own view.
func membersShort(c *sim.Cluster) int {
	bad := 0
	for _, nd := range c.Nodes {
		if len(nd.Members()) != len(c.Nodes) {
			bad++
		}
	}
	return bad
}
