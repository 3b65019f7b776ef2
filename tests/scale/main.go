// Command scale measures how a simulated Scuttlebutt cluster's costs grow
// with its size. Every cluster is deterministic: transport/mem through
// scuttlebutt/sim, on virtual time, with a perfect network. It has three
// modes.
//
// The table (the default): for each N it builds a cluster with sim's
// defaults (rounds of 1 s, so that rows compare with earlier reports) and
// -fanout, -mtu and -detector, joins it and runs until every node knows
// every other, spreads one update from node N/2, idles -idlerounds rounds,
// and prints one markdown table row:
//
//   - join: rounds, wall and CPU time until every node has seen every join;
//   - update: rounds until all N hold the key (against log3(N) + log2(ln N)),
//     and deliveries of datagrams carrying that exact (node, key, version)
//     entry per node, against the floor of 1, with their bytes;
//   - idle: digest bytes (all of a SYN, SYNACK or ACK that is neither its
//     header nor node deltas: hash, digest entries, cover, buckets,
//     requests), liveness bytes (PING and PONG), all bytes and datagrams
//     per node per round, found by decoding every delivered datagram with
//     the binary codec;
//   - cost: live heap per node after a GC, and process CPU and wall time per
//     simulated round.
//
// Then it prints how each metric grows between rows.
//
// -idle: for each N it builds the cluster with scuttlebutt.New's default
// configuration (rounds of 500 ms, fanout 3, 3 monitors pinging every 1 s,
// phi detector; see defaultConfig), joins it, runs until membership has
// converged (every node knows every other, none is suspected), lets -drain
// of virtual time pass, then measures -window of virtual time and prints
//
//	idle N=<n> bytes_per_node_per_s=<x> msgs_per_node_per_s=<y>
//	memory N=<n> bytes_per_node_pair=<z>
//
// and with -encrypt also
//
//	idle_sealed N=<n> wire_bytes_per_node_per_s=<x>
//
// the bytes the network delivered, each datagram sealed (29 bytes more),
// where the idle line counts what the Nodes sent before the seal.
//
// counted at the transport (the growth of Node.Stats().BytesSent and
// MessagesSent, summed over nodes), and the live heap per node divided by
// N (see idleWindow for what it includes).
//
// -churn: the same cluster; after convergence and -drain, a random node
// writes the key "churn" with the next value every round (500 ms), for 10 s
// unmeasured and then -window measured; then -drain of quiet, and it prints
//
//	churn N=<n> bytes_per_node_per_s=<x> bytes_per_node_per_round=<y> msgs_per_node_per_s=<z> lagging=<k>
//
// where lagging counts the nodes that still miss some writer's last value.
// With -idle and -churn both, each cluster is measured idle, then under
// churn. The steady modes print their details (traffic split by part and
// kind, exchanges, walks, verdicts, spread times) to stderr.
//
// Run it as
//
//	go run ./tests/scale -n 100,1000,10000
//	go run ./tests/scale -idle -n 100,1000
//	go run ./tests/scale -churn -n 1000
//
// Without -n the table runs 100,1000,10000, -idle 100,1000 and -churn (with
// or without -idle) 1000.
//
// Before each size it estimates the heap from the previous one (bytes per
// node pair times N²) and skips a size that would not fit in the memory
// available (-force runs it anyway); a join that exceeds -budget of wall
// time or -maxrounds rounds is abandoned and reported as such.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

func main() {
	sizes := flag.String("n", "100,1000,10000", "comma-separated cluster sizes (when not given: 100,1000,10000 for the table, 100,1000 for -idle, 1000 for -churn)")
	opt := options{}
	flag.IntVar(&opt.fanout, "fanout", 3, "peers each node gossips with per round (the table only)")
	flag.Int64Var(&opt.seed, "seed", 1, "simulation seed")
	flag.IntVar(&opt.mtu, "mtu", 1400, "datagram size limit in bytes (the table only)")
	flag.BoolVar(&opt.streams, "streams", false, "give the simulated transport its stream capability, so large exchanges (a joiner's state) go whole over a stream (the table only)")
	flag.BoolVar(&opt.fastJoin, "fastjoin", false, "join each node through node 0 and two random earlier nodes instead of node 0 alone")
	flag.IntVar(&opt.idleRounds, "idlerounds", 5, "idle rounds measured (twice: once decoding, once timing; the table only)")
	flag.BoolVar(&opt.idle, "idle", false, "measure converged idle clusters of the default configuration instead of the table")
	flag.BoolVar(&opt.churn, "churn", false, "measure converged clusters of the default configuration under one write per round instead of the table")
	flag.DurationVar(&opt.window, "window", time.Minute, "virtual time measured by -idle and -churn (at least 1m)")
	flag.BoolVar(&opt.encrypt, "encrypt", false, "wrap every node's transport in transport/keyring (AES-256-GCM, one shared key); -idle then also prints the sealed bytes delivered (the steady modes only)")
	flag.DurationVar(&opt.drain, "drain", 20*time.Second, "virtual time let pass by -idle and -churn after convergence and after the writes")
	flag.IntVar(&opt.maxRounds, "maxrounds", 2000, "join rounds before giving up (of 1 s in the table, of 500 ms in -idle and -churn)")
	flag.DurationVar(&opt.budget, "budget", 5*time.Minute, "join wall time before giving up, per size")
	flag.StringVar(&opt.detector, "detector", "", `failure detector: "" (the Node's default, phi) or "interval" (the table only)`)
	flag.BoolVar(&opt.joinBytes, "joinbytes", false, "also decode every datagram of the join to split its bytes into digest, deltas and liveness (slows the join; the table only)")
	maxHeap := flag.Float64("maxheap", 0, "GiB of heap that stops a join (0: 80% of the memory available)")
	force := flag.Bool("force", false, "run sizes whose estimated heap exceeds the available memory")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	memProfile := flag.String("memprofile", "", "write a heap profile of the last size measured to this file")
	flag.Parse()

	opt.maxHeap = uint64(*maxHeap * (1 << 30))
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["n"] {
		*sizes = defaultSizes(opt)
	}
	ns, err := parseSizes(*sizes)
	if err == nil {
		err = checkOptions(opt, set)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(2)
	}
	if err := run(ns, opt, *force, *cpuProfile, *memProfile); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

// defaultSizes is -n when not given: it depends on the mode.
func defaultSizes(opt options) string {
	switch {
	case opt.churn:
		return "1000"
	case opt.idle:
		return "100,1000"
	}
	return "100,1000,10000"
}

// tableOnly are the flags that configure the table's clusters; the steady
// modes use the default configuration and refuse them.
var tableOnly = []string{"fanout", "mtu", "detector", "idlerounds", "joinbytes"}

// checkOptions validates the flags; set holds the names of those given.
func checkOptions(opt options, set map[string]bool) error {
	steady := opt.idle || opt.churn
	switch {
	case opt.detector != "" && opt.detector != "interval":
		return fmt.Errorf("unknown -detector %q", opt.detector)
	case !steady && (opt.idleRounds < 1 || opt.fanout < 0):
		return errors.New("the idle rounds must be at least 1 and the fanout not negative")
	case opt.window < time.Minute:
		return fmt.Errorf("-window %v: want at least 1m", opt.window)
	case opt.drain < 0:
		return fmt.Errorf("-drain %v: want no less than 0", opt.drain)
	}
	if steady {
		for _, f := range tableOnly {
			if set[f] {
				return fmt.Errorf("-%s configures the table only: -idle and -churn use the default configuration", f)
			}
		}
	}
	return nil
}

func run(ns []int, opt options, force bool, cpuProfile, memProfile string) error {
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if opt.idle || opt.churn {
		return runSteady(os.Stdout, ns, opt, force, memProfile)
	}
	var rows []row
	var perPair float64 // live heap per (node, known node) pair, from the last row
	for _, n := range ns {
		if perPair == 0 && n > probeSize {
			logf("calibrating the memory estimate on %d nodes", probeSize)
			p, err := measure(probeSize, opt, "")
			if err != nil {
				return err
			}
			perPair = p.heapPerNode / float64(probeSize)
		}
		if reason := tooBig(n, perPair); reason != "" && !force {
			logf("N=%d skipped: %s", n, reason)
			rows = append(rows, row{n: n, skipped: reason})
			continue
		}
		logf("N=%d: measuring", n)
		r, err := measure(n, opt, memProfile)
		if err != nil {
			return fmt.Errorf("size %d: %w", n, err)
		}
		logf("N=%d: done (join %d rounds, %v)", n, r.joinRounds, r.joinWall.Round(time.Millisecond))
		rows = append(rows, r)
		if r.heapPerNode > 0 {
			perPair = r.heapPerNode / float64(n)
		}
	}
	printReport(os.Stdout, rows, opt)
	return nil
}

// probeSize is the cluster measured to estimate memory when the first size
// asked for is larger.
const probeSize = 300

// tooBig explains why n nodes would not fit in memory, or returns "".
func tooBig(n int, perPair float64) string {
	avail, ok := memAvailable()
	if !ok || perPair == 0 {
		return ""
	}
	est := perPair * float64(n) * float64(n)
	if est < 0.8*float64(avail) {
		return ""
	}
	return fmt.Sprintf("estimated heap %s (%.0f B per node pair x N²) exceeds 80%% of the %s available",
		gib(est), perPair, gib(float64(avail)))
}

func gib(b float64) string { return fmt.Sprintf("%.1f GiB", b/(1<<30)) }

// parseSizes parses "100,1000,10000".
func parseSizes(s string) ([]int, error) {
	var ns []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 2 {
			return nil, fmt.Errorf("bad size %q in -n: want integers of at least 2", f)
		}
		ns = append(ns, n)
	}
	return ns, nil
}

// writeHeapProfile writes the live heap to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
