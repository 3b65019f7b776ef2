package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/detector/interval"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/sim"
)

// options are the knobs shared by every row.
type options struct {
	fanout     int
	seed       int64
	mtu        int
	fastJoin   bool
	streams    bool          // the mem network's stream capability on (the table only)
	idleRounds int           // idle rounds measured (twice: timing, then bytes)
	maxRounds  int           // join rounds before giving up
	budget     time.Duration // join wall time before giving up
	detector   string        // "" (the Node's default, phi) or "interval"
	joinBytes  bool          // decode during the join too (slower join)
	maxHeap    uint64        // live heap that stops a join; 0: 80% of the memory available

	// The steady modes (steady.go); neither set: the table.
	idle, churn bool
	window      time.Duration // virtual time measured
	drain       time.Duration // virtual time let pass after convergence, and after the writes
	encrypt     bool          // every transport wrapped in transport/keyring (the steady modes)
}

// row is one cluster size's measurements.
type row struct {
	n       int
	join    string // how membership was seeded
	skipped string // why the row was not measured, if it was not

	joinRounds int
	joinOK     bool
	joinStop   string  // why the join was abandoned, if !joinOK
	joinKnown  float64 // fraction of the full view the worst node had, if !joinOK
	joinWall   time.Duration
	joinCPU    time.Duration
	// With -joinbytes: per node per round during the join.
	joinBytesPer, joinDigestPer, joinDeltaPer, joinLivenessPer float64

	updRounds int
	updOK     bool
	theory    float64 // log3(N) + log2(ln N)
	delivMean float64 // deliveries of the probe per non-owner node
	delivMin  int
	delivMax  int
	carryPer  float64 // bytes of datagrams carrying the probe, per node
	probePer  float64 // bytes of the probe's own delta, per node

	headerPer    float64                     // SYN, SYNACK and ACK header bytes per node per round
	digestPer    float64                     // digest bytes (all but deltas and header) per node per round
	deltaPer     float64                     // node delta bytes per node per round
	livenessPer  float64                     // PING and PONG bytes per node per round
	bytesPer     float64                     // bytes per node per round
	kindsPer     [codec.KindPong + 1]float64 // datagrams per node per round, by codec.Kind
	datagramsPer float64                     // datagrams per node per round
	ticks        float64                     // gossip rounds each node ran per interval
	idleRounds   int
	largest      int

	heapPerNode float64
	cpuRound    time.Duration // process CPU per simulated round
	wallRound   time.Duration
	undecodable uint64
	misSized    uint64 // datagrams whose length is not the codec's predicted size

	// False suspicions (EventSuspect, summed over observers): during the
	// join, and during the update and idle rounds after it.
	suspectJoin, suspectAfter int64
}

// logf writes progress to stderr, keeping stdout for the report.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
}

// measure builds an n-node cluster and measures it: join, one update, idle
// rounds, memory.
func measure(n int, opt options, memProfile string) (row, error) {
	r := row{n: n, join: "node 0", theory: math.Log(float64(n))/math.Log(3) + math.Log2(math.Log(float64(n)))}
	if opt.fastJoin {
		r.join = "fast"
	}
	base := heapAfterGC()
	obs := newObserver()
	cfg := sim.Config{Nodes: n, Seed: opt.seed, MTU: opt.mtu, Fanout: opt.fanout, OnDeliver: obs.onDeliver,
		Streams: opt.streams}
	if opt.detector == "interval" {
		cfg.Configure = func(_ int, b *scuttlebutt.Builder) {
			d, err := interval.New(interval.Config{})
			if err != nil {
				panic(err) // the zero Config is valid
			}
			b.Detector(d)
		}
	}
	c, err := sim.New(cfg)
	if err != nil {
		return r, err
	}
	defer c.Close()
	for i, a := range c.Addrs {
		obs.index[a] = i
	}
	// No node fails, so every suspicion is a false one.
	var suspicions atomic.Int64
	for _, nd := range c.Nodes {
		nd.Subscribe(func(e scuttlebutt.Event) {
			if e.Kind == scuttlebutt.EventSuspect {
				suspicions.Add(1)
			}
		})
	}

	err = r.joinPhase(c, obs, opt)
	r.suspectJoin = suspicions.Load()
	if err != nil || !r.joinOK {
		return r, err
	}
	if err := r.updatePhase(c, obs); err != nil {
		return r, err
	}
	r.idlePhase(c, obs, opt)
	r.suspectAfter = suspicions.Load() - r.suspectJoin

	// Memory: the live heap with the cluster converged, per node.
	if h := heapAfterGC(); h > base {
		r.heapPerNode = float64(h-base) / float64(n)
	}
	if memProfile != "" {
		if err := writeHeapProfile(memProfile); err != nil {
			return r, err
		}
	}
	return r, nil
}

// joinPhase joins every node and runs until every node has seen every other
// join, or a limit.
func (r *row) joinPhase(c *sim.Cluster, obs *observer, opt options) error {
	if err := join(c, opt); err != nil {
		return err
	}
	if opt.joinBytes {
		obs.mode = decode
	}
	wall0, cpu0 := time.Now(), cpuNow()
	r.joinRounds, r.joinStop = runJoin(c, opt, gossipInterval, c.AllKnowAll)
	r.joinWall, r.joinCPU = time.Since(wall0), cpuNow()-cpu0
	r.joinOK = r.joinStop == ""
	if !r.joinOK {
		r.joinKnown = worstKnown(c)
		r.heapPerNode = float64(heapAfterGC()) / float64(r.n)
	}
	if jr := float64(r.n * max(r.joinRounds, 1)); opt.joinBytes {
		r.joinBytesPer = float64(obs.bytes) / jr
		r.joinDigestPer = float64(obs.split.digest) / jr
		r.joinDeltaPer = float64(obs.split.deltas) / jr
		r.joinLivenessPer = float64(obs.split.liveness) / jr
	}
	return nil
}

// updatePhase has node N/2 set a key and runs until every node holds it,
// decoding every datagram to count those that carry the entry.
func (r *row) updatePhase(c *sim.Cluster, obs *observer) error {
	owner := r.n / 2
	const key, value = "scale-probe", "1"
	if err := c.Nodes[owner].UpdateLocal(key, value); err != nil {
		return err
	}
	st, _ := c.Nodes[owner].NodeState(sim.ID(owner))
	obs.track(probe{owner: sim.ID(owner), key: key, version: st.Version}, r.n)
	obs.mode = decode
	obs.reset()
	r.updRounds, r.updOK = c.RunRounds(200, func() bool { return c.Count(owner, key, value) == r.n })
	return nil
}

// idlePhase runs idle rounds twice: first decoding every datagram for the
// byte counts (late deliveries of the probe are still counted), then only
// counting, for the CPU and wall time.
func (r *row) idlePhase(c *sim.Cluster, obs *observer, opt options) {
	r.idleRounds = opt.idleRounds
	obs.reset()
	ticks0 := totalTicks(c)
	c.Net.Advance(time.Duration(opt.idleRounds) * gossipInterval)
	rounds := float64(r.n * opt.idleRounds)
	r.headerPer = float64(obs.split.header) / rounds
	r.digestPer = float64(obs.split.digest) / rounds
	r.deltaPer = float64(obs.split.deltas) / rounds
	r.livenessPer = float64(obs.split.liveness) / rounds
	for k := range obs.split.kinds {
		r.kindsPer[k] = float64(obs.split.kinds[k].datagrams) / rounds
	}
	r.bytesPer = float64(obs.bytes) / rounds
	r.datagramsPer = float64(obs.datagrams) / rounds
	r.ticks = float64(totalTicks(c)-ticks0) / rounds
	r.undecodable, r.misSized = obs.undecodable, obs.misSized
	probeStats(r, obs, r.n/2)

	obs.mode = count
	obs.reset()
	wall0, cpu0 := time.Now(), cpuNow()
	c.Net.Advance(time.Duration(opt.idleRounds) * gossipInterval)
	r.wallRound = time.Since(wall0) / time.Duration(opt.idleRounds)
	r.cpuRound = (cpuNow() - cpu0) / time.Duration(opt.idleRounds)
	_, _, r.largest = c.Stats()
}

// gossipInterval is the table's round length: sim's default, kept so that
// rows stay comparable with earlier reports (the steady modes use the
// Node's own default; see defaultInterval).
const gossipInterval = time.Second

// join seeds membership: every node through node 0, or with -fastjoin
// through node 0 and two random earlier nodes, so the gossip graph is
// well connected from the first round instead of a star.
func join(c *sim.Cluster, opt options) error {
	if !opt.fastJoin {
		return c.JoinAll()
	}
	rng := rand.New(rand.NewPCG(uint64(opt.seed), 0x7a11))
	for i := 1; i < len(c.Nodes); i++ {
		seeds := []string{c.Addrs[0]}
		for k := 0; k < 2 && i > 1; k++ {
			seeds = append(seeds, c.Addrs[1+rng.IntN(i-1)])
		}
		if err := c.Nodes[i].Join(seeds); err != nil {
			return err
		}
	}
	return nil
}

// runJoin advances rounds of length step until done holds or a limit: the
// round limit, the wall budget, or a heap past opt.maxHeap (default: 80% of
// the memory available when it started). It returns the rounds run and, if
// it gave up, why.
func runJoin(c *sim.Cluster, opt options, step time.Duration, done func() bool) (int, string) {
	n := len(c.Nodes)
	heapLimit := opt.maxHeap
	if avail, ok := memAvailable(); ok && heapLimit == 0 {
		heapLimit = heapNow() + avail/5*4
	}
	if heapLimit > 0 {
		// Make the GC work harder near the limit rather than let garbage
		// trip it: only a live heap past it, after a GC, stops the join.
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(int64(min(heapLimit, math.MaxInt64))))
	}
	start, last := time.Now(), time.Now()
	for r := 0; ; r++ {
		if done() {
			return r, ""
		}
		switch {
		case r == opt.maxRounds:
			return r, "round limit"
		case time.Since(start) > opt.budget:
			return r, "wall budget"
		case heapLimit > 0 && heapNow() > heapLimit && heapAfterGC() > heapLimit:
			return r, fmt.Sprintf("heap past %s", gib(float64(heapLimit)))
		}
		c.Net.Advance(step)
		if time.Since(last) > 10*time.Second {
			last = time.Now()
			logf("N=%d join: round %d, worst node knows %.1f%%, heap %s, after %v",
				n, r+1, 100*worstKnown(c), gib(float64(heapNow())), time.Since(start).Round(time.Second))
		}
	}
}

// worstKnown is the smallest fraction of the other nodes any node knows.
func worstKnown(c *sim.Cluster) float64 {
	n := len(c.Nodes)
	if n < 2 {
		return 1
	}
	least := n
	for i := range n {
		least = min(least, c.Known(i))
	}
	return float64(least) / float64(n-1)
}

// totalTicks sums the gossip rounds every node has run.
func totalTicks(c *sim.Cluster) uint64 {
	var t uint64
	for _, nd := range c.Nodes {
		t += nd.Stats().Rounds
	}
	return t
}

// probeStats fills the per-node delivery counts of the probe.
func probeStats(r *row, obs *observer, owner int) {
	r.delivMin = math.MaxInt
	total := 0
	for i, k := range obs.carrying {
		if i == owner {
			continue
		}
		total += int(k)
		r.delivMin = min(r.delivMin, int(k))
		r.delivMax = max(r.delivMax, int(k))
	}
	others := float64(r.n - 1)
	if r.n < 2 {
		r.delivMin, others = 0, 1
	}
	r.delivMean = float64(total) / others
	r.carryPer = float64(obs.carryBytes) / others
	r.probePer = float64(obs.carryDeltas) / others
}

// cpuNow is cpuTime without the flag; zero where unavailable.
func cpuNow() time.Duration {
	t, _ := cpuTime()
	return t
}
