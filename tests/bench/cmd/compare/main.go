// Command compare runs the same experiments on clusters of this library's
// nodes and of hashicorp/memberlist v0.7.0 nodes, one cluster at a time,
// in one process on 127.0.0.1, and prints a markdown table of both side by
// side plus an SVG chart of how an update spreads.
//
//	go run ./cmd/compare -n 10,50,100 -reps 2 -svg spread.svg -out results.md
//
// Each trial of a variant at a size runs two clusters. The first starts N
// nodes with 64 bytes of state each and measures, in order: join
// convergence (all nodes join node 0 at once; until every node holds every
// node's state), idle traffic and CPU (once the join traffic has drained),
// update spread (node 1 changes its state; until every other node holds
// it) and failure detection (node N-1 stops without leaving; until every
// other node considers it down). The second measures a staggered join: the
// nodes join node 0 one after another, -join-rate per second. Every node
// is closed at the end of each.
//
// The variants: this library at the shared gossip interval and at its own
// defaults, memberlist's DefaultLANConfig and DefaultLocalConfig, both
// changed only in GossipInterval, GossipNodes and UDPBufferSize (set to the
// shared values). Bytes are counted by wrapping each library's transport:
// datagram payloads and, for memberlist, TCP stream payloads, with and
// without IP/UDP/TCP headers.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// settings are shared by both libraries, and bound the phases.
type settings struct {
	interval   time.Duration // gossip interval (but see sb-default)
	fanout     int
	mtu        int
	stateBytes int

	timeout     time.Duration // bound on the join and update phases
	failTimeout time.Duration // bound on the failure phase
	minSettle   time.Duration // least wait after join convergence
	maxSettle   time.Duration // most wait after join convergence
	bucket      time.Duration // the settle's sampling step
	idle        time.Duration // the idle window
	joinRate    float64       // staggered join: Join calls per second
}

// variant is one library configuration under test.
type variant struct {
	key   string
	label string
	// gossip is the gossip interval the variant runs at.
	gossip func(s settings) time.Duration
	// config describes the configuration for the report.
	config func(s settings) string
	build  func(s settings, n int, tr *tracker) (cluster, error)
}

// cluster is what a trial needs from either library.
type cluster interface {
	counters() *counters
	// stateOf is node i's state at version.
	stateOf(i, version int) string
	// startJoin makes node i join node 0 without waiting for the network;
	// where the library's Join blocks, it runs in the background and is
	// retried on failure until deadline.
	startJoin(i int, deadline time.Time)
	// joinFailures waits for every startJoin to finish and returns how
	// many Join calls failed.
	joinFailures() int
	update(i int, value string) (wait func())
	kill(i int)
	// fullSync makes one node run one extra periodic full-state exchange
	// (when the library has one), and returns its traffic and how often
	// each node runs one at this cluster size.
	fullSync() (t tally, every time.Duration)
	// suspectedBeforeKill counts how often a node marked a live node
	// suspect before the kill.
	suspectedBeforeKill() int
	// afterKill counts, after the kill, suspicions of live nodes and
	// reports of the killed node alive again (-1 each where the library
	// does not tell).
	afterKill() (liveSuspected, victimAlive int)
	tracksDead() bool
	// internals sums the library's own counters over its nodes (nil for
	// a library that has none).
	internals() map[string]uint64
	close() error
}

// sbDefaultInterval is this library's default GossipInterval.
const sbDefaultInterval = 500 * time.Millisecond

var variants = []variant{
	{
		key: "sb", label: "scuttlebutt (shared interval)",
		gossip: func(s settings) time.Duration { return s.interval },
		config: func(s settings) string {
			return fmt.Sprintf("defaults, with `GossipInterval` %v (so `HeartbeatInterval` %v), `Fanout` %d, `MTU` %d", s.interval, 2*s.interval, s.fanout, s.mtu)
		},
		build: func(s settings, n int, tr *tracker) (cluster, error) { return newSBCluster(s, n, s.interval, tr) },
	},
	{
		key: "sb-default", label: "scuttlebutt (its defaults)",
		gossip: func(settings) time.Duration { return sbDefaultInterval },
		config: func(s settings) string {
			return fmt.Sprintf("defaults (`GossipInterval` %v, `HeartbeatInterval` %v), with `Fanout` %d, `MTU` %d", sbDefaultInterval, 2*sbDefaultInterval, s.fanout, s.mtu)
		},
		build: func(s settings, n int, tr *tracker) (cluster, error) { return newSBCluster(s, n, 0, tr) },
	},
	{
		key: "ml-lan", label: "memberlist LAN",
		gossip: func(s settings) time.Duration { return s.interval },
		config: func(s settings) string { return mlDescribe(s, mlLAN) },
		build:  func(s settings, n int, tr *tracker) (cluster, error) { return newMLCluster(s, n, mlLAN, tr) },
	},
	{
		key: "ml-local", label: "memberlist Local",
		gossip: func(s settings) time.Duration { return s.interval },
		config: func(s settings) string { return mlDescribe(s, mlLocal) },
		build:  func(s settings, n int, tr *tracker) (cluster, error) { return newMLCluster(s, n, mlLocal, tr) },
	},
}

func main() {
	ns := flag.String("n", "10,50,100", "cluster sizes, comma-separated (each at least 3)")
	reps := flag.Int("reps", 2, "trials per variant and size")
	only := flag.String("variants", "sb,sb-default,ml-lan,ml-local", "what to run: sb (this library at -interval), sb-default (this library at its default interval), ml-lan (memberlist DefaultLANConfig), ml-local (memberlist DefaultLocalConfig)")
	timeout := flag.Duration("timeout", 15*time.Second, "bound on the join and update phases (a staggered join: after its last Join)")
	failTimeout := flag.Duration("fail-timeout", 60*time.Second, "bound on the failure phase")
	interval := flag.Duration("interval", 200*time.Millisecond, "gossip interval of both libraries (not of sb-default)")
	fanout := flag.Int("fanout", 3, "peers per gossip round (memberlist GossipNodes)")
	mtu := flag.Int("mtu", 1400, "datagram size limit (memberlist UDPBufferSize)")
	minSettle := flag.Duration("min-settle", 6*time.Second, "least wait after join convergence before the idle window")
	maxSettle := flag.Duration("max-settle", 60*time.Second, "most wait after join convergence before the idle window")
	bucket := flag.Duration("bucket", 2*time.Second, "sampling step of the settle: the idle window starts when 3 steps in a row are within 25% of each other")
	idle := flag.Duration("idle", 15*time.Second, "window over which idle traffic and CPU are measured")
	joinRate := flag.Float64("join-rate", 5, "staggered join: nodes joining per second (0: no staggered join)")
	svgPath := flag.String("svg", "", "write the update-spread chart to this file")
	outPath := flag.String("out", "", "also write the markdown report to this file")
	flag.Parse()

	sizes, err := parseSizes(*ns)
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(2)
	}
	var chosen []variant
	for _, k := range strings.Split(*only, ",") {
		v, ok := findVariant(strings.TrimSpace(k))
		if !ok {
			fmt.Fprintf(os.Stderr, "compare: unknown variant %q\n", k)
			os.Exit(2)
		}
		chosen = append(chosen, v)
	}
	if err := installSuspectSink(); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
	s := settings{interval: *interval, fanout: *fanout, mtu: *mtu, stateBytes: 64,
		timeout: *timeout, failTimeout: *failTimeout, minSettle: *minSettle, maxSettle: *maxSettle,
		bucket: *bucket, idle: *idle, joinRate: *joinRate}

	env := environment{start: time.Now(), loadStart: loadavg(), goVersion: runtime.Version(), cpus: runtime.NumCPU(),
		args: strings.Join(os.Args[1:], " ")}
	// The process's own CPU with no cluster running, over a short window:
	// what the idle CPU of a cluster includes besides the cluster.
	cpu0, t0 := cpuTime(), time.Now()
	time.Sleep(3 * time.Second)
	env.baseCPU = (cpuTime() - cpu0).Seconds() / time.Since(t0).Seconds()
	results := map[string][]trial{} // by variant key and size
	for _, n := range sizes {
		// Trials interleave the variants so that a change in the
		// machine's load hits all of them alike.
		for rep := range *reps {
			for _, v := range chosen {
				r := runTrial(s, v, n, rep)
				if s.joinRate > 0 {
					r.stag = runStaggered(s, v, n)
				}
				fmt.Fprintln(os.Stderr, r.summary())
				results[key(v.key, n)] = append(results[key(v.key, n)], r)
			}
		}
	}
	env.loadEnd = loadavg()
	env.elapsed = time.Since(env.start)

	var out io.Writer = os.Stdout
	if *outPath != "" {
		f, err := os.Create(*outPath)
		if err != nil {
			fmt.Fprintln(os.Stderr, "compare:", err)
			os.Exit(1)
		}
		defer f.Close()
		out = io.MultiWriter(os.Stdout, f)
	}
	writeReport(out, s, env, chosen, sizes, *reps, results)
	if *svgPath != "" {
		if err := os.WriteFile(*svgPath, spreadSVG(s, chosen, sizes, results), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "compare:", err)
			os.Exit(1)
		}
	}
}

func findVariant(k string) (variant, bool) {
	for _, v := range variants {
		if v.key == k {
			return v, true
		}
	}
	return variant{}, false
}

func key(v string, n int) string { return v + "/" + strconv.Itoa(n) }

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 3 {
			return nil, fmt.Errorf("-n: %q is not a size of at least 3", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// pacer spreads the start of n nodes evenly over one gossip interval (the
// variant's), so that their gossip rounds are out of phase as in a cluster
// whose nodes started at different times. memberlist needs this: it creates each
// ticker before its random stagger, so nodes created together gossip in
// lockstep. Both libraries are started the same way.
type pacer struct {
	start time.Time
	step  time.Duration
}

func newPacer(interval time.Duration, n int) pacer {
	return pacer{start: time.Now(), step: interval / time.Duration(n)}
}

// wait returns when node i is due to start.
func (p pacer) wait(i int) { time.Sleep(time.Until(p.start.Add(time.Duration(i) * p.step))) }

// nodeName names node i of a cluster.
func nodeName(prefix string, i int) string { return fmt.Sprintf("%s-%03d", prefix, i) }

// stateValue is node id's state at version, exactly size bytes.
func stateValue(id string, version, size int) string {
	v := fmt.Sprintf("%s|v%d|", id, version)
	if len(v) >= size {
		return v[:size]
	}
	return v + strings.Repeat(".", size-len(v))
}

// loadavg returns the first three fields of /proc/loadavg, or "?".
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
