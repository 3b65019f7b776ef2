package phi_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/detector/phi"
)

// nodes returns n node IDs, each already heard from at t0.
func nodes(d *phi.Detector, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "node-" + strconv.Itoa(i)
		d.Heartbeat(ids[i], t0)
	}
	return ids
}

// BenchmarkHeartbeat records heartbeats of 1,000 known nodes in turn, each
// one second after its previous one: the steady state, windows full.
func BenchmarkHeartbeat(b *testing.B) {
	d := mustNew(b, phi.Config{})
	ids := nodes(d, 1000)
	now := t0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		now = now.Add(time.Millisecond) // 1,000 nodes: one second per node
		d.Heartbeat(ids[i%len(ids)], now)
	}
}

// BenchmarkSuspect judges 1,000 nodes in turn.
func BenchmarkSuspect(b *testing.B) {
	d := mustNew(b, phi.Config{})
	ids := nodes(d, 1000)
	now := t0.Add(2 * time.Second)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if d.Suspect(ids[i%len(ids)], now) {
			b.Fatal("suspected")
		}
	}
}

// BenchmarkSuspectTail judges a node far in the tail of its distribution,
// where the asymptotic series replaces math.Erfc.
func BenchmarkSuspectTail(b *testing.B) {
	d := mustNew(b, phi.Config{})
	ids := nodes(d, 1)
	now := t0.Add(30 * time.Second)
	b.ReportAllocs()
	for b.Loop() {
		if !d.Suspect(ids[0], now) {
			b.Fatal("not suspected")
		}
	}
}
