package main

import (
	"fmt"
	"runtime"
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

	idleTraffic tally
	idleWindow  time.Duration
	idleCPU     time.Duration // user+system CPU of the whole process

	syncBytes uint64        // one periodic full-state exchange (memberlist's push-pull)
	syncEvery time.Duration // how often each node starts one

	updateAt      []time.Duration
	updateTraffic tally

	downAt []time.Duration // suspect or worse
	deadAt []time.Duration // memberlist only: declared dead

	falseSuspicions int // a live node marked suspect, before the kill
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
	defer func() {
		_ = cl.close()
		// Let sockets and goroutines wind down before the next cluster.
		runtime.GC()
		time.Sleep(200 * time.Millisecond)
	}()
	c := cl.counters()

	// Join: every node joins node 0 at once.
	want := make([]string, n)
	for i := range want {
		want[i] = cl.stateOf(s, i, 0)
	}
	done := tr.beginJoin(want)
	before := c.snapshot()
	waitJoin := cl.join(time.Now().Add(s.timeout))
	wait(done, s.timeout)
	r.joinTraffic = c.snapshot().sub(before)
	r.joinAt, _ = tr.end()
	r.joinFailures = waitJoin()
	// A join that did not converge in time is reported as a timeout; the
	// later phases still run on the cluster as it is.

	// Idle: after a pause, what the (converged) cluster sends by itself.
	time.Sleep(s.settle)
	before, cpu0, t0 := c.snapshot(), cpuTime(), time.Now()
	time.Sleep(s.idle)
	r.idleTraffic, r.idleCPU, r.idleWindow = c.snapshot().sub(before), cpuTime()-cpu0, time.Since(t0)

	r.syncBytes, r.syncEvery = cl.fullSync()

	// Update: node updater changes its state.
	value := cl.stateOf(s, updater, 1)
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
	wait(done, s.timeout)
	r.downAt, r.deadAt = tr.end()
	return r
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

// summary is a one-line progress report.
func (r trial) summary() string {
	head := fmt.Sprintf("%-4s n=%-3d rep=%d", r.variant, r.n, r.rep)
	if r.joinAt == nil {
		return head + "  error: " + r.err.Error()
	}
	s := fmt.Sprintf("%s  join max %s (%d join errors, %s)", head, fmtDur(maxOf(observers(r.joinAt, -1))), r.joinFailures, fmtBytes(r.joinTraffic.Bytes()))
	if r.err != nil {
		return s + "  error: " + r.err.Error()
	}
	s += fmt.Sprintf("  idle %.0f B/node/s", perNodeSec(r.idleTraffic.Bytes(), r.n, r.idleWindow))
	if r.syncEvery > 0 {
		s += fmt.Sprintf(" + push-pull %d B every %v", r.syncBytes, r.syncEvery)
	}
	s += fmt.Sprintf("  update med %s max %s", fmtDur(median(observers(r.updateAt, updater))), fmtDur(maxOf(observers(r.updateAt, updater))))
	s += fmt.Sprintf("  down med %s max %s", fmtDur(median(observers(r.downAt, victim(r.n)))), fmtDur(maxOf(observers(r.downAt, victim(r.n)))))
	s += fmt.Sprintf("  false suspicions %d", r.falseSuspicions)
	if r.variant != "sb" {
		s += fmt.Sprintf("  dead med %s max %s", fmtDur(median(observers(r.deadAt, victim(r.n)))), fmtDur(maxOf(observers(r.deadAt, victim(r.n)))))
	}
	return s
}

func perNodeSec(b uint64, n int, window time.Duration) float64 {
	return float64(b) / float64(n) / window.Seconds()
}
