// Command paper reproduces the evaluation of van Renesse et al. (2008),
// "Efficient Reconciliation and Flow Control for Anti-Entropy Protocols",
// with this library's real Node, binary codec and in-memory store, on the
// deterministic in-memory network:
//
//	go run ./examples/paper -seed 1
//
// 128 nodes of 64 keys gossip once a second each (fanout 1) with about 100
// deltas to a datagram; each node writes 1 update per second, 2 from t=25s
// to t=75s, none from t=120s. For scuttle-depth, scuttle-breadth and
// precise reconciliation, each without and with flow control, and for
// scuttle-depth with the MTU halved at t=90s, it prints a table per second
// of the stale mappings and their staleness, writes SVG charts to -out, and
// ends with one line per variant:
//
//	variant=<name> peak_stale=<n> max_staleness_s=<x> drain_s=<t>
//
// The same seed gives the same output, byte for byte. See README.md.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

func main() {
	seed := flag.Int64("seed", 1, "seed of the network, the nodes and the load")
	out := flag.String("out", "examples/paper", "folder for the SVG charts (empty: none)")
	only := flag.String("variants", "", "comma-separated variants to run (default: all)")
	flag.Parse()
	vs, err := pick(*only)
	if err != nil {
		log.Fatal(err)
	}
	s := paperSetup(*seed)
	results, err := runAll(s, vs)
	if err != nil {
		log.Fatal(err)
	}
	report(os.Stdout, s, results)
	if *out != "" {
		if err := writeCharts(*out, s, results); err != nil {
			log.Fatal(err)
		}
	}
}

// pick returns the variants named in list, all of them for "".
func pick(list string) ([]variant, error) {
	if list == "" {
		return variants, nil
	}
	var vs []variant
	for _, name := range strings.Split(list, ",") {
		found := false
		for _, v := range variants {
			if v.Name == name {
				vs, found = append(vs, v), true
			}
		}
		if !found {
			return nil, fmt.Errorf("no variant %q", name)
		}
	}
	return vs, nil
}

// runAll runs the variants, two at a time (each run is deterministic on
// its own), and returns their results in the order given.
func runAll(s setup, vs []variant) ([]*result, error) {
	results := make([]*result, len(vs))
	errs := make([]error, len(vs))
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i, v := range vs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i], errs[i] = run(s, v)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("variant %s: %w", vs[i].Name, err)
		}
	}
	return results, nil
}

// report prints a table per variant, a summary, and the variant lines.
func report(w io.Writer, s setup, results []*result) {
	fmt.Fprintf(w, "# %d nodes x %d keys, key %q (3 bytes), value %q (8 bytes), binary codec\n",
		s.Nodes, s.Keys, keyName(0), value(0))
	fmt.Fprintf(w, "# load: %g update/s per node, %g from t=%gs to t=%gs, none from t=%gs; seed %d\n",
		s.Rate, s.HighRate, s.HighFrom, s.HighUntil, s.StopAt, s.Seed)
	for _, r := range results {
		fmt.Fprintf(w, "\n## %s: %s\n", r.V.Name, r.V.describe(s))
		fmt.Fprintln(w, "t_s  stale  max_s  avg_s  behind  waiting  wait_s  max_rate")
		for _, x := range r.Rows {
			fmt.Fprintf(w, "%3d %6d %6.1f %6.1f %7d %8d %7.1f %9.2f\n",
				x.T, x.stale, x.maxAge, x.avgAge, x.behind, x.pending, x.maxWait, x.Rate)
		}
	}
	fmt.Fprintln(w, "\n# per variant: deltas per exchange while the load was high, message fill, waits at the source")
	for _, r := range results {
		perEx, fill := 0.0, 0.0
		if r.Exchanges > 0 {
			perEx = float64(r.Entries) / float64(r.Exchanges)
		}
		if r.Messages > 0 {
			fill = float64(r.Bytes) / float64(r.Messages)
		}
		fmt.Fprintf(w, "# %-17s deltas/exchange=%.1f bytes/message=%.0f max_wait_s=%.1f pings=%d",
			r.V.Name, perEx, fill, r.MaxWait, r.Pings)
		for i, k := range r.Kinds {
			if k.N > 0 {
				fmt.Fprintf(w, " %s:n=%d,bytes=%.0f,delta_bytes=%.0f,full=%.0f%%", [2]string{"synack", "ack"}[i],
					k.N, float64(k.Bytes)/float64(k.N), float64(k.DeltaBytes)/float64(k.N), 100*float64(k.Full)/float64(k.N))
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	for _, r := range results {
		fmt.Fprintf(w, "variant=%s peak_stale=%d max_staleness_s=%.1f drain_s=%g\n",
			r.V.Name, r.Peak, r.MaxAge, r.Drain)
	}
}

// writeCharts writes the two SVG charts into dir.
func writeCharts(dir string, s setup, results []*result) error {
	charts := []struct {
		file, title, ylabel string
		y                   func(row) float64
	}{
		{"stale.svg", "Stale mappings over time", "stale (observer, node, key) mappings", func(r row) float64 { return float64(r.stale) }},
		{"staleness.svg", "Maximum staleness over time", "maximum staleness (s)", func(r row) float64 { return r.maxAge }},
	}
	for _, ch := range charts {
		var b strings.Builder
		chart(&b, s, results, ch.title, ch.ylabel, ch.y)
		if err := os.WriteFile(filepath.Join(dir, ch.file), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}
