package interval_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/detector/interval"
)

func BenchmarkHeartbeat(b *testing.B) {
	d := mustNew(b, interval.Config{})
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = "node-" + strconv.Itoa(i)
		d.Heartbeat(ids[i], t0)
	}
	now := t0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		now = now.Add(time.Millisecond)
		d.Heartbeat(ids[i%len(ids)], now)
	}
}

func BenchmarkSuspect(b *testing.B) {
	d := mustNew(b, interval.Config{})
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = "node-" + strconv.Itoa(i)
		d.Heartbeat(ids[i], t0)
	}
	now := t0.Add(2 * time.Second)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if d.Suspect(ids[i%len(ids)], now) {
			b.Fatal("suspected")
		}
	}
}
