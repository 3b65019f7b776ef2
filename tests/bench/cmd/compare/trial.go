package main

import (
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"
)

// trial is what one run of one variant at one size measured. Times per
// observer are missing when the observer did not get there in time.
type trial struct {
	variant string
	n, rep  int
	err     error

	joinFailures int // Join calls that returned an error (and were retried)
	joinAt       []time.Duration
	joinTraffic  tally

	settleTook  time.Duration // from join convergence to the idle window
	settled     bool          // the traffic had stopped falling before maxSettle
	settleSteps []uint64      // UDP payload bytes of the cluster per settle step

	idleTraffic   tally
	idleWindow    time.Duration
	idleCPU       time.Duration // user+system CPU of the whole process
	idleTrend     float64       // bytes in the window's second half over its first
	idleInternals map[string]uint64

	sync      tally         // one periodic full-state exchange (memberlist's push-pull)
	syncEvery time.Duration // how often each node starts one

	updateAt      []time.Duration
	updateTraffic tally

	downAt []time.Duration // suspect or worse
	deadAt []time.Duration // memberlist only: declared dead

	falseSuspicions int // a live node marked suspect, before the kill
	liveSuspected   int // scuttlebutt: a live node suspected after the kill
	victimAlive     int // scuttlebutt: the killed node reported alive again

	stag *staggered // the staggered join, on a cluster of its own
}

// staggered is what a staggered join measured: node 0 is started, then
// nodes 1 to n-1 join it one after another.
type staggered struct {
	err          error
	joinFailures int
	calledAt     []time.Duration   // when node i's Join was called (node 0: 0)
	seenAt       [][]time.Duration // when observer first held subject's state
	traffic      tally             // from the first Join until converged (or the timeout)
	took         time.Duration     // the same span
	internals    map[string]uint64 // the library's counters over the same span
}

// perJoiner is, for each joiner j, the time from its Join call until it
// holds the state of every node that joined before it and every such node
// holds its state; never when that did not happen.
func (st *staggered) perJoiner() []time.Duration {
	var out []time.Duration
	for j := 1; j < len(st.calledAt); j++ {
		done := st.calledAt[j]
		for i := range j {
			a, b := st.seenAt[j][i], st.seenAt[i][j]
			if a == missing || b == missing {
				done = never
				break
			}
			done = max(done, a, b)
		}
		if done == never {
			out = append(out, never)
		} else {
			out = append(out, done-st.calledAt[j])
		}
	}
	return out
}

// afterLast is the time from the last Join call until every node holds
// every other node's state; never when that did not happen.
func (st *staggered) afterLast() time.Duration {
	last := st.calledAt[len(st.calledAt)-1]
	end := last
	for o, row := range st.seenAt {
		for s, d := range row {
			if o == s {
				continue
			}
			if d == missing {
				return never
			}
			end = max(end, d)
		}
	}
	return end - last
}

// updater and victim are the nodes whose state changes and which fails.
const updater = 1

func victim(n int) int { return n - 1 }

// runTrial starts a cluster of variant v with n nodes, runs every phase and
// closes every node.
func runTrial(s settings, v variant, n, rep int) trial {
	r := trial{variant: v.key, n: n, rep: rep}
	tr := newTracker(n)
	cl, err := v.build(s, n, tr)
	if err != nil {
		r.err = fmt.Errorf("starting: %w", err)
		return r
	}
	defer closeCluster(cl)
	c := cl.counters()

	// Join: every node joins node 0 at once.
	want := make([]string, n)
	for i := range want {
		want[i] = cl.stateOf(i, 0)
	}
	done := tr.beginJoin(want)
	before := c.snapshot()
	deadline := time.Now().Add(s.timeout)
	for i := 1; i < n; i++ {
		cl.startJoin(i, deadline)
	}
	wait(done, s.timeout)
	r.joinTraffic = c.snapshot().sub(before)
	r.joinAt, _ = tr.endJoin()
	r.joinFailures = cl.joinFailures()
	// A join that did not converge in time is reported as a timeout; the
	// later phases still run on the cluster as it is.

	// Settle: wait until the join's traffic has drained.
	r.settleTook, r.settled, r.settleSteps = settle(c, s, n)

	// Idle: what the converged cluster sends by itself.
	in0 := cl.internals()
	before, cpu0, t0 := c.snapshot(), cpuTime(), time.Now()
	time.Sleep(s.idle / 2)
	mid := c.snapshot()
	time.Sleep(time.Until(t0.Add(s.idle)))
	end := c.snapshot()
	r.idleTraffic, r.idleCPU, r.idleWindow = end.sub(before), cpuTime()-cpu0, time.Since(t0)
	if first := mid.sub(before).Wire(); first > 0 {
		r.idleTrend = float64(end.sub(mid).Wire()) / float64(first)
	}
	if in0 != nil {
		r.idleInternals = diffMap(cl.internals(), in0)
	}

	r.sync, r.syncEvery = cl.fullSync()

	// Update: node updater changes its state.
	value := cl.stateOf(updater, 1)
	done = tr.beginUpdate(updater, value)
	before = c.snapshot()
	waitUpdate := cl.update(updater, value)
	wait(done, s.timeout)
	r.updateTraffic = c.snapshot().sub(before)
	r.updateAt, _ = tr.end()
	waitUpdate()

	// Failure: node victim stops without leaving.
	done = tr.beginFail(victim(n), cl.tracksDead())
	r.falseSuspicions = cl.suspectedBeforeKill()
	cl.kill(victim(n))
	wait(done, s.failTimeout)
	r.downAt, r.deadAt = tr.end()
	r.liveSuspected, r.victimAlive = cl.afterKill()
	return r
}

// runStaggered starts a cluster of variant v with n nodes, then makes
// nodes 1 to n-1 join node 0 one after another, s.joinRate per second,
// until every node holds every node's state (or s.timeout after the last
// Join), and closes every node.
func runStaggered(s settings, v variant, n int) *staggered {
	st := &staggered{}
	tr := newTracker(n)
	cl, err := v.build(s, n, tr)
	if err != nil {
		st.err = fmt.Errorf("starting: %w", err)
		return st
	}
	defer closeCluster(cl)
	c := cl.counters()
	want := make([]string, n)
	for i := range want {
		want[i] = cl.stateOf(i, 0)
	}
	step := time.Duration(float64(time.Second) / s.joinRate)
	done := tr.beginJoin(want)
	t0 := tr.started()
	before, in0 := c.snapshot(), cl.internals()
	deadline := t0.Add(time.Duration(n-2)*step + s.timeout)
	st.calledAt = make([]time.Duration, n)
	for i := 1; i < n; i++ {
		time.Sleep(time.Until(t0.Add(time.Duration(i-1) * step)))
		st.calledAt[i] = time.Since(t0)
		cl.startJoin(i, deadline)
	}
	wait(done, time.Until(deadline))
	st.traffic, st.took = c.snapshot().sub(before), time.Since(t0)
	if in0 != nil {
		st.internals = diffMap(cl.internals(), in0)
	}
	_, st.seenAt = tr.endJoin()
	st.joinFailures = cl.joinFailures()
	return st
}

// closeCluster closes every node and lets sockets and goroutines wind down
// before the next cluster starts.
func closeCluster(cl cluster) {
	_ = cl.close()
	runtime.GC()
	time.Sleep(200 * time.Millisecond)
}

// settle waits until the cluster's UDP traffic has stopped falling: it
// samples the payload bytes of all datagrams every s.bucket and returns
// once at least s.minSettle has passed and the last three samples are
// within 25% of each other (plus 10 bytes per node per second, for small
// clusters), or after s.maxSettle. It returns how long it waited, whether
// the traffic was stable by then, and the samples.
func settle(c *counters, s settings, n int) (time.Duration, bool, []uint64) {
	start := time.Now()
	prev := c.snapshot().PacketBytes
	slack := uint64(10 * float64(n) * s.bucket.Seconds())
	var steps []uint64
	for k := 1; ; k++ {
		time.Sleep(time.Until(start.Add(time.Duration(k) * s.bucket)))
		cur := c.snapshot().PacketBytes
		steps = append(steps, cur-prev)
		prev = cur
		took := time.Since(start)
		if len(steps) >= 3 && took >= s.minSettle {
			last := steps[len(steps)-3:]
			if slices.Max(last) <= slices.Min(last)*5/4+slack {
				return took, true, steps
			}
		}
		if took >= s.maxSettle {
			return took, false, steps
		}
	}
}

func wait(done <-chan struct{}, timeout time.Duration) bool {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func diffMap(a, b map[string]uint64) map[string]uint64 {
	out := make(map[string]uint64, len(a))
	for k, v := range a {
		out[k] = v - b[k]
	}
	return out
}

// summary is a one-line progress report.
func (r trial) summary() string {
	head := fmt.Sprintf("%-10s n=%-3d rep=%d", r.variant, r.n, r.rep)
	if r.joinAt == nil {
		return head + "  error: " + r.err.Error()
	}
	var b strings.Builder
	b.WriteString(head)
	fmt.Fprintf(&b, "  join max %s (%d join errors, %s)", fmtDur(maxOf(observers(r.joinAt, -1))), r.joinFailures, fmtBytes(r.joinTraffic.Bytes()))
	if r.err != nil {
		return b.String() + "  error: " + r.err.Error()
	}
	steps := make([]string, len(r.settleSteps))
	for i, x := range r.settleSteps {
		steps[i] = fmtBytes(x)
	}
	fmt.Fprintf(&b, "  settle %s (stable %v; UDP per %v: %s)", r.settleTook.Round(100*time.Millisecond), r.settled, "step", strings.Join(steps, " "))
	fmt.Fprintf(&b, "  idle %.0f B/node/s payload, %.0f with headers, %.2f dgrams/node/s, %d streams, trend %.2f, CPU %.3f ms/node/s",
		perNodeSec(r.idleTraffic.Bytes(), r.n, r.idleWindow), perNodeSec(r.idleTraffic.Wire(), r.n, r.idleWindow),
		perNodeSec(r.idleTraffic.Packets, r.n, r.idleWindow), r.idleTraffic.Streams, r.idleTrend,
		cpuPerNode(r))
	if r.syncEvery > 0 {
		fmt.Fprintf(&b, " + push-pull %d B (%d with headers) every %v", r.sync.Bytes(), r.sync.Wire(), r.syncEvery)
	}
	if r.idleInternals != nil {
		fmt.Fprintf(&b, "  [idle per node per s: %s]", fmtInternals(r.idleInternals, r.n, r.idleWindow))
	}
	fmt.Fprintf(&b, "  update med %s max %s", fmtDur(median(observers(r.updateAt, updater))), fmtDur(maxOf(observers(r.updateAt, updater))))
	fmt.Fprintf(&b, "  down med %s max %s", fmtDur(median(observers(r.downAt, victim(r.n)))), fmtDur(maxOf(observers(r.downAt, victim(r.n)))))
	if r.deadAt != nil && r.variant != "sb" && r.variant != "sb-default" {
		fmt.Fprintf(&b, "  dead med %s max %s", fmtDur(median(observers(r.deadAt, victim(r.n)))), fmtDur(maxOf(observers(r.deadAt, victim(r.n)))))
	}
	fmt.Fprintf(&b, "  false suspicions %d", r.falseSuspicions)
	if r.liveSuspected >= 0 {
		fmt.Fprintf(&b, " (after the kill: %d of live nodes, %d victim alive again)", r.liveSuspected, r.victimAlive)
	}
	if st := r.stag; st != nil {
		if st.err != nil {
			fmt.Fprintf(&b, "  staggered: error %v", st.err)
		} else {
			pj := st.perJoiner()
			fmt.Fprintf(&b, "  staggered: joiner med %s max %s, after last %s, %s in %s (%d join errors)",
				fmtDur(median(pj)), fmtDur(maxOf(pj)), fmtDur(st.afterLast()), fmtBytes(st.traffic.Bytes()),
				st.took.Round(100*time.Millisecond), st.joinFailures)
			if st.internals != nil {
				fmt.Fprintf(&b, " [per node per s: %s]", fmtInternals(st.internals, r.n, st.took))
			}
		}
	}
	return b.String()
}

// fmtInternals lists counters per node per second, by name.
func fmtInternals(m map[string]uint64, n int, window time.Duration) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %.2f", k, perNodeSec(m[k], n, window))
	}
	return strings.Join(parts, ", ")
}

func perNodeSec(b uint64, n int, window time.Duration) float64 {
	return float64(b) / float64(n) / window.Seconds()
}

// cpuPerNode is the process's CPU over the idle window, in milliseconds
// per node per second.
func cpuPerNode(r trial) float64 {
	return 1e3 * r.idleCPU.Seconds() / r.idleWindow.Seconds() / float64(r.n)
}
