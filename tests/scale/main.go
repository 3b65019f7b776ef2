// Command scale measures how a simulated Scuttlebutt cluster's costs grow
// with its size. For each N it builds a deterministic cluster on
// transport/mem (scuttlebutt/sim), joins it and runs until every node knows
// every other, spreads one update from node N/2, idles a few rounds, and
// prints one markdown table row:
//
//   - join: rounds, wall and CPU time until every node has seen every join;
//   - update: rounds until all N hold the key (against log3(N) + log2(ln N)),
//     and deliveries of datagrams carrying that exact (node, key, version)
//     entry per node, against the floor of 1, with their bytes;
//   - idle: digest bytes (in SYN and SYNACK), all bytes and datagrams per
//     node per round, found by decoding every delivered datagram with the
//     binary codec;
//   - cost: live heap per node after a GC, and process CPU and wall time per
//     simulated round.
//
// Then it prints how each metric grows between rows. Run it as
//
//	go run ./tests/scale -n 100,1000,10000
//
// Before each size it estimates the heap from the previous row (bytes per
// node pair times N²) and skips a size that would not fit in the memory
// available (-force runs it anyway); a join that exceeds -budget of wall
// time is abandoned and reported as such.
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
	sizes := flag.String("n", "100,1000,10000", "comma-separated cluster sizes")
	opt := options{}
	flag.IntVar(&opt.fanout, "fanout", 3, "peers each node gossips with per round")
	flag.Int64Var(&opt.seed, "seed", 1, "simulation seed")
	flag.IntVar(&opt.mtu, "mtu", 1400, "datagram size limit in bytes")
	flag.BoolVar(&opt.fastJoin, "fastjoin", false, "join each node through node 0 and two random earlier nodes instead of node 0 alone")
	flag.IntVar(&opt.idle, "idle", 5, "idle rounds measured (twice: once decoding, once timing)")
	flag.IntVar(&opt.maxRounds, "maxrounds", 2000, "join rounds before giving up")
	flag.DurationVar(&opt.budget, "budget", 5*time.Minute, "join wall time before giving up, per size")
	flag.StringVar(&opt.detector, "detector", "", `failure detector: "" (the Node's default, phi) or "interval"`)
	flag.BoolVar(&opt.joinBytes, "joinbytes", false, "also decode every datagram of the join to split its bytes into digest and deltas (slows the join)")
	maxHeap := flag.Float64("maxheap", 0, "GiB of heap that stops a join (0: 80% of the memory available)")
	force := flag.Bool("force", false, "run sizes whose estimated heap exceeds the available memory")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	memProfile := flag.String("memprofile", "", "write a heap profile of the last size measured to this file")
	flag.Parse()

	opt.maxHeap = uint64(*maxHeap * (1 << 30))
	ns, err := parseSizes(*sizes)
	if err == nil && opt.detector != "" && opt.detector != "interval" {
		err = fmt.Errorf("unknown -detector %q", opt.detector)
	}
	if err == nil && (opt.idle < 1 || opt.fanout < 0) {
		err = errors.New("the idle rounds must be at least 1 and the fanout not negative")
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
