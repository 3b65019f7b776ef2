package main

import (
	"fmt"
	"io"
	"math"
	"slices"
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
	baseCPU            float64 // CPU seconds per second with no cluster running
}

// row is one line of a table: a time (dur) or a number (num, printed with
// format) per trial, reduced to "median [min–max]" over the trials of a
// cell. only, when set, limits the row to some variants ("n/a" elsewhere).
type row struct {
	name   string
	dur    func(r trial) time.Duration
	num    func(r trial) float64
	format string
	only   func(key string) bool
}

func isSB(key string) bool { return strings.HasPrefix(key, "sb") }
func isML(key string) bool { return strings.HasPrefix(key, "ml") }

func (rw row) cell(v variant, trials []trial) string {
	if rw.only != nil && !rw.only(v.key) {
		return "n/a"
	}
	if rw.dur != nil {
		var ds []time.Duration
		for _, r := range trials {
			ds = append(ds, rw.dur(r))
		}
		return durCell(ds)
	}
	var xs []float64
	for _, r := range trials {
		xs = append(xs, rw.num(r))
	}
	return numCell(xs, rw.format)
}

// table prints rows for every size (or only for sizes given).
func table(w io.Writer, vs []variant, sizes []int, res map[string][]trial, rows []row) {
	header(w, vs)
	for _, rw := range rows {
		for _, n := range sizes {
			cells := make([]string, len(vs))
			for i, v := range vs {
				cells[i] = rw.cell(v, res[key(v.key, n)])
			}
			fmt.Fprintf(w, "| %s | %d | %s |\n", rw.name, n, strings.Join(cells, " | "))
		}
	}
	fmt.Fprintln(w)
}

func header(w io.Writer, vs []variant) {
	labels := make([]string, len(vs))
	seps := make([]string, len(vs))
	for i, v := range vs {
		labels[i], seps[i] = v.label, "---"
	}
	fmt.Fprintf(w, "| metric | N | %s |\n|---|---|%s|\n", strings.Join(labels, " | "), strings.Join(seps, "|"))
}

// Rows shared by the headline and the full tables.
var (
	rowJoin = row{name: "join, all at once: last node holds every node's state", dur: func(r trial) time.Duration {
		if r.joinAt == nil {
			return never
		}
		return maxOf(observers(r.joinAt, -1))
	}}
	rowStagLast = row{name: "join, staggered: last joiner, from its Join until it and every earlier node hold each other's state", dur: func(r trial) time.Duration {
		if r.stag == nil || r.stag.err != nil {
			return never
		}
		return maxOf(r.stag.perJoiner())
	}}
	rowStagMedian = row{name: "join, staggered: median joiner, the same", dur: func(r trial) time.Duration {
		if r.stag == nil || r.stag.err != nil {
			return never
		}
		return median(r.stag.perJoiner())
	}}
	rowStagAfter = row{name: "join, staggered: from the last Join until every node holds every node's state", dur: func(r trial) time.Duration {
		if r.stag == nil || r.stag.err != nil {
			return never
		}
		return r.stag.afterLast()
	}}
	rowUpdateMedian = row{name: "update spread, median node", dur: phaseDur(func(r trial) []time.Duration { return observers(r.updateAt, updater) }, median)}
	rowUpdateLast   = row{name: "update spread, last node", dur: phaseDur(func(r trial) []time.Duration { return observers(r.updateAt, updater) }, maxOf)}
	rowDownMedian   = row{name: "failure: suspect (or dead), median node", dur: phaseDur(downOf, median)}
	rowDownLast     = row{name: "failure: suspect (or dead), last node", dur: phaseDur(downOf, maxOf)}
	rowDeadMedian   = row{name: "failure: dead (memberlist NotifyLeave), median node", dur: phaseDur(deadOf, median), only: isML}
	rowDeadLast     = row{name: "failure: dead (memberlist NotifyLeave), last node", dur: phaseDur(deadOf, maxOf), only: isML}

	rowIdleSteady = row{name: "idle, steady state: bytes per node per second, payload", format: "%.0f", num: func(r trial) float64 {
		return steadyIdle(r, false)
	}}
	rowIdleSteadyWire = row{name: "idle, steady state: bytes per node per second, with IP/UDP/TCP headers", format: "%.0f", num: func(r trial) float64 {
		return steadyIdle(r, true)
	}}
	rowIdleMeasured = row{name: "idle, as measured in the window: bytes per node per second, payload", format: "%.0f", num: func(r trial) float64 {
		return idleRate(r, func(t tally) uint64 { return t.Bytes() })
	}}
	rowIdleMeasuredWire = row{name: "idle, as measured in the window: bytes per node per second, with headers", format: "%.0f", num: func(r trial) float64 {
		return idleRate(r, func(t tally) uint64 { return t.Wire() })
	}}
	rowIdleCPU = row{name: "idle CPU per node: ms of CPU per second (process CPU / window / N)", format: "%.3f", num: func(r trial) float64 {
		if r.idleWindow == 0 {
			return math.NaN()
		}
		return cpuPerNode(r)
	}}
	rowFalse = row{name: "false suspicions before the kill (events of live nodes, whole cluster)", format: "%.0f", num: func(r trial) float64 {
		if r.downAt == nil {
			return math.NaN()
		}
		return float64(r.falseSuspicions)
	}}
)

// steadyIdle is the idle rate per node with the periodic full sync
// amortised: the window's datagrams plus one full sync per node per
// period. For a library without one it is the window's rate.
func steadyIdle(r trial, wire bool) float64 {
	if r.idleWindow == 0 {
		return math.NaN()
	}
	if r.syncEvery == 0 {
		if wire {
			return idleRate(r, func(t tally) uint64 { return t.Wire() })
		}
		return idleRate(r, func(t tally) uint64 { return t.Bytes() })
	}
	udp, sync := r.idleTraffic.PacketBytes, r.sync.Bytes()
	if wire {
		udp, sync = r.idleTraffic.UDPWire(), r.sync.Wire()
	}
	return perNodeSec(udp, r.n, r.idleWindow) + float64(sync)/r.syncEvery.Seconds()
}

func idleRate(r trial, f func(tally) uint64) float64 {
	if r.idleWindow == 0 {
		return math.NaN()
	}
	return perNodeSec(f(r.idleTraffic), r.n, r.idleWindow)
}

func writeReport(w io.Writer, s settings, env environment, vs []variant, sizes []int, reps int, res map[string][]trial) {
	fmt.Fprintf(w, "Go %s, %d CPUs, load average %s at start and %s at the end; the run took %s.\n",
		env.goVersion, env.cpus, env.loadStart, env.loadEnd, env.elapsed.Round(time.Second))
	fmt.Fprintf(w, "Flags: `%s`. Shared settings: gossip interval %v (not for \"its defaults\"), fanout %d, %d-byte packets, %d bytes of state per node. %d trials per cell; join and update phases bounded by %v, failure phase by %v; idle window %v, started once the join traffic had drained (see README); staggered join at %g nodes per second.\n\n",
		env.args, s.interval, s.fanout, s.mtu, s.stateBytes, reps, s.timeout, s.failTimeout, s.idle, s.joinRate)
	fmt.Fprintf(w, "The process with no cluster running used %.2f ms of CPU per second (included in the idle CPU below, not subtracted).\n\n", 1e3*env.baseCPU)
	for _, v := range vs {
		fmt.Fprintf(w, "- **%s** (`%s`): %s.\n", v.label, v.key, v.config(s))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Cells: median over trials [min–max over trials]. \"median node\" and \"last node\" are the median and the maximum over the observing nodes within one trial. \"timeout\" or ∞: not reached within the phase's bound.")
	fmt.Fprintln(w)

	big := slices.Max(sizes)
	fmt.Fprintf(w, "### Quiet at scale: N = %d, side by side\n\n", big)
	fmt.Fprintln(w, "Steady-state idle: the window's datagrams plus, for memberlist, one measured push-pull per node per push-pull period (its first one comes later than the window, see README).")
	fmt.Fprintln(w)
	table(w, vs, []int{big}, res, []row{
		rowIdleSteady, rowIdleSteadyWire, rowIdleMeasured, rowIdleCPU,
		rowDownLast, rowDeadLast, rowUpdateLast, rowJoin, rowStagLast, rowStagAfter, rowFalse,
	})

	fmt.Fprintln(w, "### Times")
	fmt.Fprintln(w)
	table(w, vs, sizes, res, []row{
		rowJoin, rowStagMedian, rowStagLast, rowStagAfter,
		rowUpdateMedian, rowUpdateLast,
		rowDownMedian, rowDownLast, rowDeadMedian, rowDeadLast,
	})

	fmt.Fprintln(w, "### Traffic and CPU")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Payload: bytes written to UDP and (memberlist) TCP. With headers: plus 28 B per datagram (IPv4 + UDP) and, for TCP, 52 B (IPv4 + TCP + timestamps) per data segment (one per 1448 B of a write) and per handshake and close segment (7 per connection); pure ACKs of TCP data are not counted.")
	fmt.Fprintln(w)
	perNode := func(f func(t tally) uint64, of func(r trial) (tally, bool)) func(r trial) float64 {
		return func(r trial) float64 {
			t, ok := of(r)
			if !ok {
				return math.NaN()
			}
			return float64(f(t)) / float64(r.n)
		}
	}
	joinT := func(r trial) (tally, bool) { return r.joinTraffic, r.joinAt != nil }
	stagT := func(r trial) (tally, bool) {
		if r.stag == nil || r.stag.err != nil {
			return tally{}, false
		}
		return r.stag.traffic, true
	}
	payload := func(t tally) uint64 { return t.Bytes() }
	wire := func(t tally) uint64 { return t.Wire() }
	table(w, vs, sizes, res, []row{
		{name: "join, all at once: bytes per node until convergence, payload", format: "%.0f", num: perNode(payload, joinT)},
		{name: "join, all at once: the same, with headers", format: "%.0f", num: perNode(wire, joinT)},
		{name: "join, all at once: of which TCP payload, per node", format: "%.0f", num: perNode(func(t tally) uint64 { return t.StreamBytes }, joinT)},
		{name: "join, staggered: bytes per node from the first Join until convergence, payload", format: "%.0f", num: perNode(payload, stagT)},
		{name: "join, staggered: the same, with headers", format: "%.0f", num: perNode(wire, stagT)},
		{name: "settle: from join convergence to the idle window, s", format: "%.0f", num: func(r trial) float64 {
			if r.joinAt == nil {
				return math.NaN()
			}
			return r.settleTook.Seconds()
		}},
		rowIdleSteady, rowIdleSteadyWire, rowIdleMeasured, rowIdleMeasuredWire,
		{name: "idle, as measured: of which TCP (payload), bytes per node per second", format: "%.0f", num: func(r trial) float64 {
			return idleRate(r, func(t tally) uint64 { return t.StreamBytes })
		}},
		{name: "idle: TCP connections in the window, whole cluster", format: "%.0f", num: func(r trial) float64 {
			if r.idleWindow == 0 {
				return math.NaN()
			}
			return float64(r.idleTraffic.Streams)
		}},
		{name: "idle: datagrams per node per second", format: "%.2f", num: func(r trial) float64 {
			return idleRate(r, func(t tally) uint64 { return t.Packets })
		}},
		{name: "idle: bytes in the window's second half / first half", format: "%.2f", num: func(r trial) float64 {
			if r.idleWindow == 0 {
				return math.NaN()
			}
			return r.idleTrend
		}},
		{name: "one push-pull (full-state TCP exchange), bytes, payload", format: "%.0f", only: isML, num: func(r trial) float64 {
			if r.syncEvery == 0 {
				return math.NaN()
			}
			return float64(r.sync.Bytes())
		}},
		{name: "one push-pull, with headers", format: "%.0f", only: isML, num: func(r trial) float64 {
			if r.syncEvery == 0 {
				return math.NaN()
			}
			return float64(r.sync.Wire())
		}},
		{name: "push-pull period per node, s", format: "%.0f", only: isML, num: func(r trial) float64 {
			if r.syncEvery == 0 {
				return math.NaN()
			}
			return r.syncEvery.Seconds()
		}},
		{name: "update phase: bytes, whole cluster, payload (includes the background traffic of its duration)", format: "%.0f", num: func(r trial) float64 {
			if r.updateAt == nil {
				return math.NaN()
			}
			return float64(r.updateTraffic.Bytes())
		}},
		rowIdleCPU,
		{name: "idle CPU, whole cluster, % of one core", format: "%.1f", num: func(r trial) float64 {
			if r.idleWindow == 0 {
				return math.NaN()
			}
			return 100 * r.idleCPU.Seconds() / r.idleWindow.Seconds()
		}},
	})

	fmt.Fprintln(w, "### Health")
	fmt.Fprintln(w)
	table(w, vs, sizes, res, []row{
		rowFalse,
		{name: "after the kill: suspicions of live nodes (scuttlebutt EventSuspect)", format: "%.0f", only: isSB, num: func(r trial) float64 {
			if r.downAt == nil {
				return math.NaN()
			}
			return float64(r.liveSuspected)
		}},
		{name: "after the kill: the stopped node reported alive again (scuttlebutt EventAlive)", format: "%.0f", only: isSB, num: func(r trial) float64 {
			if r.downAt == nil {
				return math.NaN()
			}
			return float64(r.victimAlive)
		}},
	})

	var sbs []variant
	for _, v := range vs {
		if isSB(v.key) {
			sbs = append(sbs, v)
		}
	}
	if len(sbs) > 0 {
		fmt.Fprintln(w, "### scuttlebutt's own counters over the idle window (Node.Stats, summed over nodes), per node per second")
		fmt.Fprintln(w)
		var names []string
		for _, r := range res[key(sbs[0].key, sizes[0])] {
			for k := range r.idleInternals {
				if !slices.Contains(names, k) {
					names = append(names, k)
				}
			}
		}
		slices.Sort(names)
		var rows, stagRows []row
		for _, k := range names {
			rows = append(rows, row{name: k, format: "%.2f", num: func(r trial) float64 {
				if r.idleInternals == nil {
					return math.NaN()
				}
				return perNodeSec(r.idleInternals[k], r.n, r.idleWindow)
			}})
			stagRows = append(stagRows, row{name: k, format: "%.2f", num: func(r trial) float64 {
				if r.stag == nil || r.stag.internals == nil {
					return math.NaN()
				}
				return perNodeSec(r.stag.internals[k], r.n, r.stag.took)
			}})
		}
		table(w, sbs, sizes, res, rows)
		if s.joinRate > 0 {
			fmt.Fprintln(w, "### scuttlebutt's own counters over the staggered join (from the first Join until convergence), per node per second")
			fmt.Fprintln(w)
			table(w, sbs, sizes, res, stagRows)
		}
	}

	var errs []string
	for _, n := range sizes {
		for _, v := range vs {
			for _, r := range res[key(v.key, n)] {
				if r.joinFailures > 0 {
					errs = append(errs, fmt.Sprintf("- %s n=%d rep=%d: %d failed (and retried) Join calls", v.key, n, r.rep, r.joinFailures))
				}
				if r.stag != nil && r.stag.joinFailures > 0 {
					errs = append(errs, fmt.Sprintf("- %s n=%d rep=%d, staggered: %d failed (and retried) Join calls", v.key, n, r.rep, r.stag.joinFailures))
				}
				if r.err != nil {
					errs = append(errs, fmt.Sprintf("- %s n=%d rep=%d: %v", v.key, n, r.rep, r.err))
				}
				if r.stag != nil && r.stag.err != nil {
					errs = append(errs, fmt.Sprintf("- %s n=%d rep=%d, staggered: %v", v.key, n, r.rep, r.stag.err))
				}
				if r.joinAt != nil && !r.settled {
					errs = append(errs, fmt.Sprintf("- %s n=%d rep=%d: traffic still changing after the longest settle (%v)", v.key, n, r.rep, r.settleTook.Round(time.Second)))
				}
			}
		}
	}
	if len(errs) > 0 {
		fmt.Fprintln(w, "Trials with errors, retried joins or an unsettled idle window:")
		fmt.Fprintln(w)
		fmt.Fprintln(w, strings.Join(errs, "\n"))
	}
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
