package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// environment describes the run for the report's header.
type environment struct {
	start              time.Time
	elapsed            time.Duration
	loadStart, loadEnd string
	goVersion          string
	cpus               int
	args               string
}

// durRow extracts one time per trial; never when the trial has none.
type durRow struct {
	name string
	of   func(r trial) time.Duration
	only string // a variant prefix the row applies to ("" for all)
}

// numRow extracts one number per trial; NaN when the trial has none.
type numRow struct {
	name   string
	format string
	of     func(r trial) float64
}

func writeReport(w io.Writer, s settings, env environment, vs []variant, sizes []int, reps int, res map[string][]trial) {
	fmt.Fprintf(w, "Go %s, %d CPUs, load average %s at start and %s at the end; the run took %s.\n",
		env.goVersion, env.cpus, env.loadStart, env.loadEnd, env.elapsed.Round(time.Second))
	fmt.Fprintf(w, "Flags: `%s`. Gossip interval %v, fanout %d, %d-byte packets, %d bytes of state per node, %d trials per cell, phase timeout %v, idle measured over %v after %v.\n\n",
		env.args, s.interval, s.fanout, s.mtu, s.stateBytes, reps, s.timeout, s.idle, s.settle)

	fmt.Fprintln(w, "Times: median over trials [min–max over trials]. \"median node\" and \"last node\" are the median and the maximum over the observing nodes within one trial.")
	fmt.Fprintln(w)
	durRows := []durRow{
		{"join convergence (last node holds every node's state)", func(r trial) time.Duration {
			if r.joinAt == nil {
				return never
			}
			return maxOf(observers(r.joinAt, -1))
		}, ""},
		{"update spread, median node", phaseDur(func(r trial) []time.Duration { return observers(r.updateAt, updater) }, median), ""},
		{"update spread, last node", phaseDur(func(r trial) []time.Duration { return observers(r.updateAt, updater) }, maxOf), ""},
		{"failure: suspect or down, median node", phaseDur(downOf, median), ""},
		{"failure: suspect or down, last node", phaseDur(downOf, maxOf), ""},
		{"failure: dead (NotifyLeave), median node", phaseDur(deadOf, median), "ml"},
		{"failure: dead (NotifyLeave), last node", phaseDur(deadOf, maxOf), "ml"},
	}
	header(w, vs)
	for _, row := range durRows {
		for _, n := range sizes {
			cells := make([]string, len(vs))
			for i, v := range vs {
				if !strings.HasPrefix(v.key, row.only) {
					cells[i] = "n/a"
					continue
				}
				var ds []time.Duration
				for _, r := range res[key(v.key, n)] {
					ds = append(ds, row.of(r))
				}
				cells[i] = durCell(ds)
			}
			fmt.Fprintf(w, "| %s | %d | %s |\n", row.name, n, strings.Join(cells, " | "))
		}
	}

	fmt.Fprintln(w)
	fmt.Fprintln(w, "Traffic: payload bytes written to UDP and (memberlist) TCP, without IP/UDP/TCP headers; median over trials [min–max]. The update phase includes the background traffic of its duration.")
	fmt.Fprintln(w)
	numRows := []numRow{
		{"join: bytes per node until convergence", "%.0f", func(r trial) float64 {
			if r.joinAt == nil {
				return math.NaN()
			}
			return float64(r.joinTraffic.Bytes()) / float64(r.n)
		}},
		{"join: of which TCP, per node", "%.0f", func(r trial) float64 {
			if r.joinAt == nil {
				return math.NaN()
			}
			return float64(r.joinTraffic.StreamBytes) / float64(r.n)
		}},
		{"update phase: bytes, whole cluster", "%.0f", func(r trial) float64 {
			if r.updateAt == nil {
				return math.NaN()
			}
			return float64(r.updateTraffic.Bytes())
		}},
		{"idle: bytes per node per second", "%.0f", func(r trial) float64 {
			if r.idleWindow == 0 {
				return math.NaN()
			}
			return perNodeSec(r.idleTraffic.Bytes(), r.n, r.idleWindow)
		}},
		{"idle with periodic push-pull (memberlist: estimate, see README): bytes per node per second", "%.0f", func(r trial) float64 {
			if r.idleWindow == 0 {
				return math.NaN()
			}
			x := perNodeSec(r.idleTraffic.Bytes(), r.n, r.idleWindow)
			if r.syncEvery > 0 {
				x += float64(r.syncBytes) / r.syncEvery.Seconds()
			}
			return x
		}},
		{"one push-pull (full-state TCP exchange), bytes", "%.0f", func(r trial) float64 {
			if r.syncEvery == 0 {
				return math.NaN()
			}
			return float64(r.syncBytes)
		}},
		{"idle: datagrams per node per second", "%.1f", func(r trial) float64 {
			if r.idleWindow == 0 {
				return math.NaN()
			}
			return perNodeSec(r.idleTraffic.Packets, r.n, r.idleWindow)
		}},
		{"idle: TCP streams per node per minute", "%.1f", func(r trial) float64 {
			if r.idleWindow == 0 {
				return math.NaN()
			}
			return 60 * perNodeSec(r.idleTraffic.Streams, r.n, r.idleWindow)
		}},
		{"idle: CPU of the whole cluster, % of one core", "%.1f", func(r trial) float64 {
			if r.idleWindow == 0 {
				return math.NaN()
			}
			return 100 * r.idleCPU.Seconds() / r.idleWindow.Seconds()
		}},
	}
	header(w, vs)
	for _, row := range numRows {
		for _, n := range sizes {
			cells := make([]string, len(vs))
			for i, v := range vs {
				var xs []float64
				for _, r := range res[key(v.key, n)] {
					xs = append(xs, row.of(r))
				}
				cells[i] = numCell(xs, row.format)
			}
			fmt.Fprintf(w, "| %s | %d | %s |\n", row.name, n, strings.Join(cells, " | "))
		}
	}

	fmt.Fprintln(w)
	fmt.Fprintln(w, "Health: how often a node marked a live node suspect (or down) before the kill, over the whole trial; median over trials [min–max].")
	fmt.Fprintln(w)
	header(w, vs)
	for _, n := range sizes {
		cells := make([]string, len(vs))
		for i, v := range vs {
			var xs []float64
			for _, r := range res[key(v.key, n)] {
				if r.downAt == nil {
					xs = append(xs, math.NaN())
				} else {
					xs = append(xs, float64(r.falseSuspicions))
				}
			}
			cells[i] = numCell(xs, "%.0f")
		}
		fmt.Fprintf(w, "| false suspicions per trial | %d | %s |\n", n, strings.Join(cells, " | "))
	}

	var errs []string
	for _, n := range sizes {
		for _, v := range vs {
			for _, r := range res[key(v.key, n)] {
				if r.joinFailures > 0 {
					errs = append(errs, fmt.Sprintf("- %s n=%d rep=%d: %d failed (and retried) Join calls", v.key, n, r.rep, r.joinFailures))
				}
				if r.err != nil {
					errs = append(errs, fmt.Sprintf("- %s n=%d rep=%d: %v", v.key, n, r.rep, r.err))
				}
			}
		}
	}
	if len(errs) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Trials with errors or retried joins:")
		fmt.Fprintln(w)
		fmt.Fprintln(w, strings.Join(errs, "\n"))
	}
}

func header(w io.Writer, vs []variant) {
	labels := make([]string, len(vs))
	seps := make([]string, len(vs))
	for i, v := range vs {
		labels[i], seps[i] = v.label, "---"
	}
	fmt.Fprintf(w, "| metric | N | %s |\n|---|---|%s|\n", strings.Join(labels, " | "), strings.Join(seps, "|"))
}

// phaseDur reduces a trial's per-observer times with f; never for a trial
// that did not reach the phase.
func phaseDur(at func(r trial) []time.Duration, f func([]time.Duration) time.Duration) func(r trial) time.Duration {
	return func(r trial) time.Duration {
		ds := at(r)
		if len(ds) == 0 {
			return never
		}
		return f(ds)
	}
}

func downOf(r trial) []time.Duration {
	if r.downAt == nil {
		return nil
	}
	return observers(r.downAt, victim(r.n))
}

func deadOf(r trial) []time.Duration {
	if r.deadAt == nil {
		return nil
	}
	return observers(r.deadAt, victim(r.n))
}
