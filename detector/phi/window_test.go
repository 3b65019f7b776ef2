package phi

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestWindowEvictsOldest(t *testing.T) {
	w := newWindow(3, 10)
	for i, tt := range []struct {
		push           float64
		mean, variance float64
	}{
		{push: 10, mean: 10, variance: 0},
		{push: 20, mean: 15, variance: 25},
		{push: 30, mean: 20, variance: 200.0 / 3},
		{push: 40, mean: 30, variance: 200.0 / 3}, // 10 evicted
		{push: 40, mean: 110.0 / 3, variance: 200.0 / 9},
		{push: 40, mean: 40, variance: 0}, // 20 and 30 evicted
	} {
		w.push(tt.push)
		mean, variance := w.stats()
		if math.Abs(mean-tt.mean) > 1e-12 || math.Abs(variance-tt.variance) > 1e-9 {
			t.Errorf("after push %d (%v): mean %v variance %v, want %v %v", i, tt.push, mean, variance, tt.mean, tt.variance)
		}
		if w.n > len(w.samples) {
			t.Fatalf("window holds %d samples in %d slots", w.n, len(w.samples))
		}
	}
}

// TestWindowNoDrift runs a window for many wraps and compares its running
// statistics with ones computed afresh from the samples it holds.
func TestWindowNoDrift(t *testing.T) {
	const ref = float64(time.Second)
	w := newWindow(100, ref)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range 1_000_000 {
		x := ref + float64(rng.Int64N(int64(400*time.Millisecond))) - float64(200*time.Millisecond)
		if i%997 == 0 {
			x = 9 * ref // an occasional outlier, evicted 100 pushes later
		}
		w.push(x)
	}
	var sum float64
	for _, x := range w.samples {
		sum += x
	}
	mean := sum / float64(len(w.samples))
	var sq float64
	for _, x := range w.samples {
		sq += (x - mean) * (x - mean)
	}
	variance := sq / float64(len(w.samples))
	gotMean, gotVariance := w.stats()
	if math.Abs(gotMean-mean) > 1e-3 || math.Abs(math.Sqrt(gotVariance)-math.Sqrt(variance)) > 1 {
		t.Fatalf("running stats mean %v stddev %v, fresh %v %v (ns)", gotMean, math.Sqrt(gotVariance), mean, math.Sqrt(variance))
	}
}

// TestMemoryBoundedAndFreed checks that a node never holds more than
// WindowSize samples and that Forget drops it.
func TestMemoryBoundedAndFreed(t *testing.T) {
	d, err := New(Config{WindowSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(0, 0)
	for range 1000 {
		now = now.Add(time.Second)
		d.Heartbeat("a", now)
		d.Heartbeat("b", now)
	}
	for _, id := range []string{"a", "b"} {
		n := d.nodes[id]
		if len(n.win.samples) != 16 || cap(n.win.samples) != 16 || n.win.n != 16 {
			t.Errorf("%s: %d samples in a slice of len %d cap %d, want 16", id, n.win.n, len(n.win.samples), cap(n.win.samples))
		}
	}
	d.Forget("a")
	if _, ok := d.nodes["a"]; ok || len(d.nodes) != 1 {
		t.Errorf("after Forget(a): nodes %v", len(d.nodes))
	}
}

func TestWindowDropOldest(t *testing.T) {
	for _, pushes := range [][]float64{
		{1, 2, 3},       // not full
		{1, 2, 3, 4},    // full, not wrapped
		{1, 2, 3, 4, 5}, // wrapped: holds 2, 3, 4, 5
	} {
		w := newWindow(4, 3)
		for _, x := range pushes {
			w.push(x)
		}
		held := pushes[max(len(pushes)-4, 0):]
		w.dropOldest(1)
		want := newWindow(4, 3)
		for _, x := range held[1:] {
			want.push(x)
		}
		gm, gv := w.stats()
		wm, wv := want.stats()
		if w.n != len(held)-1 || math.Abs(gm-wm) > 1e-12 || math.Abs(gv-wv) > 1e-12 {
			t.Errorf("after %v, dropOldest(1): n=%d mean %v var %v, want n=%d mean %v var %v", pushes, w.n, gm, gv, len(held)-1, wm, wv)
		}
		w.push(10) // the window keeps working
		if w.n != len(held) {
			t.Errorf("after %v: push after drop holds %d", pushes, w.n)
		}
	}
}
