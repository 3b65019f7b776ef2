// Command compare runs the same experiments on clusters of this library's
// nodes and of hashicorp/memberlist v0.7.0 nodes, one cluster at a time,
// in one process on 127.0.0.1, and prints a markdown table of both side by
// side plus an SVG chart of how an update spreads.
//
//	go run ./cmd/compare -n 10,50,100 -reps 3 -svg spread.svg
//
// Each trial starts N nodes with 64 bytes of state each and measures, in
// order: join convergence (all nodes join node 0 at once; until every node
// holds every node's state), idle traffic (after a settling pause), update
// spread (node 1 changes its state; until every other node holds it) and
// failure detection (node N-1 stops without leaving; until every other node
// considers it down). Every node is closed at the end of the trial.
//
// memberlist runs DefaultLocalConfig with GossipInterval, GossipNodes and
// UDPBufferSize set to the shared values (and, for the second variant,
// RetransmitMult 4). Bytes are counted by wrapping each library's
// transport: datagram payloads and, for memberlist, TCP stream payloads.
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

// settings are shared by both libraries.
type settings struct {
	interval   time.Duration
	fanout     int
	mtu        int
	stateBytes int
	timeout    time.Duration
	settle     time.Duration
	idle       time.Duration
}

// variant is one library configuration under test.
type variant struct {
	key   string
	label string
	build func(s settings, n int, tr *tracker) (cluster, error)
}

// cluster is what a trial needs from either library.
type cluster interface {
	counters() *counters
	// stateOf is node i's state at version.
	stateOf(s settings, i, version int) string
	// join makes every node but node 0 join node 0, retrying until
	// deadline where the library needs that; wait returns how many Join
	// calls failed.
	join(deadline time.Time) (wait func() int)
	update(i int, value string) (wait func())
	kill(i int)
	// fullSync makes one node run one extra periodic full-state exchange
	// (when the library has one), and returns the bytes it wrote and how
	// often each node runs one at this cluster size.
	fullSync() (bytes uint64, every time.Duration)
	// suspectedBeforeKill counts how often a node marked a live node
	// suspect before the kill.
	suspectedBeforeKill() int
	tracksDead() bool
	close() error
}

var variants = []variant{
	{"sb", "scuttlebutt", func(s settings, n int, tr *tracker) (cluster, error) { return newSBCluster(s, n, tr) }},
	{"ml", "memberlist (local)", func(s settings, n int, tr *tracker) (cluster, error) { return newMLCluster(s, n, 0, tr) }},
	{"ml4", "memberlist (local, RetransmitMult 4)", func(s settings, n int, tr *tracker) (cluster, error) {
		return newMLCluster(s, n, 4, tr)
	}},
}

func main() {
	ns := flag.String("n", "10,50,100", "cluster sizes, comma-separated (each at least 3)")
	reps := flag.Int("reps", 3, "trials per library and size")
	only := flag.String("variants", "sb,ml", "what to run: sb (this library), ml (memberlist DefaultLocalConfig), ml4 (ml with RetransmitMult 4)")
	timeout := flag.Duration("timeout", 15*time.Second, "bound on each phase of a trial")
	interval := flag.Duration("interval", 200*time.Millisecond, "gossip interval of both libraries")
	fanout := flag.Int("fanout", 3, "peers per gossip round (memberlist GossipNodes)")
	mtu := flag.Int("mtu", 1400, "datagram size limit (memberlist UDPBufferSize)")
	settle := flag.Duration("settle", 2*time.Second, "pause after join convergence before measuring idle traffic")
	idle := flag.Duration("idle", 3*time.Second, "window over which idle traffic is measured")
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
		timeout: *timeout, settle: *settle, idle: *idle}

	env := environment{start: time.Now(), loadStart: loadavg(), goVersion: runtime.Version(), cpus: runtime.NumCPU(),
		args: strings.Join(os.Args[1:], " ")}
	results := map[string][]trial{} // by variant key and size
	for _, n := range sizes {
		// Trials interleave the variants so that a change in the
		// machine's load hits all of them alike.
		for rep := range *reps {
			for _, v := range chosen {
				r := runTrial(s, v, n, rep)
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

// pacer spreads the start of n nodes evenly over one gossip interval, so
// that their gossip rounds are out of phase as in a cluster whose nodes
// started at different times. memberlist needs this: it creates each
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
