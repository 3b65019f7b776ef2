package main

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// printReport writes the markdown table, one row per size, then how each
// metric grows between measured rows.
func printReport(w io.Writer, rows []row, opt options) {
	det := opt.detector
	if det == "" {
		det = "phi (default)"
	}
	fmt.Fprintf(w, "\nfanout %d, MTU %d, seed %d, detector %s, %d idle rounds; a round is one gossip interval (1 s virtual); %d CPUs, load average %s\n\n",
		opt.fanout, opt.mtu, opt.seed, det, opt.idleRounds, runtime.NumCPU(), loadAvg())
	fmt.Fprintln(w, "| N | join via | join rounds | join wall | join CPU | update rounds | log3 N + log2 ln N | probe deliveries/node (min-max) | probe datagram B/node | digest B/node/round | liveness B/node/round | B/node/round | datagrams/node/round | heap/node | CPU/round | wall/round |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		switch {
		case r.skipped != "":
			fmt.Fprintf(w, "| %d | skipped: %s |\n", r.n, r.skipped)
		case !r.joinOK:
			fmt.Fprintf(w, "| %d | %s | stopped at %d (%s; worst node knew %.1f%%) | %v | %v | | | | | | | | | %s (live heap at stop) | | |\n",
				r.n, r.join, r.joinRounds, r.joinStop, 100*r.joinKnown, dur(r.joinWall), dur(r.joinCPU), kib(r.heapPerNode))
		default:
			upd := fmt.Sprint(r.updRounds)
			if !r.updOK {
				upd = "> " + upd
			}
			fmt.Fprintf(w, "| %d | %s | %d | %v | %v | %s | %.2f | %.2f (%d-%d) | %.0f | %.0f | %.0f | %.0f | %.2f | %s | %v | %v |\n",
				r.n, r.join, r.joinRounds, dur(r.joinWall), dur(r.joinCPU), upd, r.theory,
				r.delivMean, r.delivMin, r.delivMax, r.carryPer,
				r.digestPer, r.livenessPer, r.bytesPer, r.datagramsPer, kib(r.heapPerNode), dur(r.cpuRound), dur(r.wallRound))
		}
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		if r.joinOK {
			fmt.Fprintf(w, "- N=%d: largest datagram %d B; %.2f gossip rounds per node per interval; idle delta B/node/round %.0f, header %.0f; idle datagrams/node/round %s; probe delta itself %.0f B/node; %d undecodable and %d mis-sized datagrams; false suspicions %d in the join, %d in the %d rounds after\n",
				r.n, r.largest, r.ticks, r.deltaPer, r.headerPer, kindsString(r.kindsPer[:]), r.probePer, r.undecodable, r.misSized,
				r.suspectJoin, r.suspectAfter, r.updRounds+2*r.idleRounds)
			if r.joinBytesPer > 0 {
				fmt.Fprintf(w, "  join: %.0f B/node/round, digest %.0f (%.0f%%), deltas %.0f (%.0f%%), liveness %.0f (%.0f%%); deltas received in the join %.0f KiB per node\n",
					r.joinBytesPer, r.joinDigestPer, 100*r.joinDigestPer/r.joinBytesPer,
					r.joinDeltaPer, 100*r.joinDeltaPer/r.joinBytesPer,
					r.joinLivenessPer, 100*r.joinLivenessPer/r.joinBytesPer, r.joinDeltaPer*float64(r.joinRounds)/1024)
			}
		}
	}
	printGrowth(w, rows)
}

// metric is one column whose growth is reported.
type metric struct {
	name string
	get  func(r row) float64
}

var metrics = []metric{
	{"join rounds", func(r row) float64 { return float64(r.joinRounds) }},
	{"join wall", func(r row) float64 { return r.joinWall.Seconds() }},
	{"update rounds", func(r row) float64 { return float64(r.updRounds) }},
	{"probe deliveries/node", func(r row) float64 { return r.delivMean }},
	{"digest B/node/round", func(r row) float64 { return r.digestPer }},
	{"liveness B/node/round", func(r row) float64 { return r.livenessPer }},
	{"B/node/round", func(r row) float64 { return r.bytesPer }},
	{"datagrams/node/round", func(r row) float64 { return r.datagramsPer }},
	{"heap/node", func(r row) float64 { return r.heapPerNode }},
	{"CPU/round", func(r row) float64 { return r.cpuRound.Seconds() }},
}

// printGrowth prints, for each pair of consecutive measured rows, each
// metric's ratio and the exponent k it implies (metric ∝ N^k).
func printGrowth(w io.Writer, rows []row) {
	var done []row
	for _, r := range rows {
		if r.joinOK {
			done = append(done, r)
		}
	}
	if len(done) < 2 {
		return
	}
	fmt.Fprintln(w, "\nGrowth between rows (ratio, and k in metric ∝ N^k):")
	for i := 1; i < len(done); i++ {
		a, b := done[i-1], done[i]
		nr := float64(b.n) / float64(a.n)
		var parts []string
		for _, m := range metrics {
			x, y := m.get(a), m.get(b)
			if x <= 0 || y <= 0 {
				continue
			}
			parts = append(parts, fmt.Sprintf("%s x%.2f (k=%.2f)", m.name, y/x, math.Log(y/x)/math.Log(nr)))
		}
		fmt.Fprintf(w, "- N %d -> %d (x%.3g): %s\n", a.n, b.n, nr, strings.Join(parts, ", "))
	}
}

// dur rounds d for the table.
func dur(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// kindsString formats per-kind counts (indexed by codec.Kind) as
// "SYN 1.00 PING 3.00", leaving out the kinds with none.
func kindsString(per []float64) string {
	var parts []string
	for k, x := range per {
		if x > 0 {
			parts = append(parts, fmt.Sprintf("%s %.2f", codec.Kind(k), x))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

func kib(b float64) string { return fmt.Sprintf("%.1f KiB", b/1024) }
