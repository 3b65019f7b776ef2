package main

import (
	"bytes"
	"slices"
	"testing"
)

// shortSetup is the experiment scaled down to run in a few seconds: 32
// nodes, a smaller MTU and higher rates so that the doubled load still
// overloads the cluster, 40 seconds.
func shortSetup(seed int64) setup {
	return setup{Nodes: 32, Keys: 32, MTU: 600, Rate: 2, HighRate: 4, HighFrom: 5, HighUntil: 25,
		StopAt: 30, End: 40, DrainLimit: 200, HalveAt: 20, Seed: seed}
}

func byName(t *testing.T, names ...string) []variant {
	t.Helper()
	var vs []variant
	for _, n := range names {
		v, err := pick(n)
		if err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v...)
	}
	return vs
}

// The paper's claims on the short run, on counts: scuttle-depth has at
// least 25% fewer stale mappings at its peak than scuttle-breadth, and
// flow control lowers depth's maximum staleness.
func TestShortExperiment(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 32-node experiment")
	}
	rs, err := runAll(shortSetup(1), byName(t, "depth", "breadth", "depth-fc"))
	if err != nil {
		t.Fatal(err)
	}
	depth, breadth, fc := rs[0], rs[1], rs[2]
	t.Logf("depth peak %d max %.1fs; breadth peak %d max %.1fs; depth-fc peak %d max %.1fs",
		depth.Peak, depth.MaxAge, breadth.Peak, breadth.MaxAge, fc.Peak, fc.MaxAge)
	if float64(depth.Peak) > 0.75*float64(breadth.Peak) {
		t.Errorf("depth peak %d is not 25%% below breadth's %d", depth.Peak, breadth.Peak)
	}
	if fc.MaxAge >= depth.MaxAge {
		t.Errorf("flow control: max staleness %.1fs, not below %.1fs without", fc.MaxAge, depth.MaxAge)
	}
	if depth.Drain < 0 || fc.Drain < 0 {
		t.Errorf("a run did not drain: depth %g, depth-fc %g", depth.Drain, fc.Drain)
	}
	if fc.MaxWait == 0 {
		t.Errorf("flow control never held a write back under the doubled load")
	}
}

// The same seed gives the same report, byte for byte, and the MTU halving
// takes effect (it changes the run).
func TestSameSeedSameOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 32-node experiment three times")
	}
	s := shortSetup(7)
	s.End, s.StopAt, s.DrainLimit, s.MTU = 25, 20, 25, 1100 // halved: 550, above MinMTU
	vs := byName(t, "depth", "depth-mtuhalf")
	var out [2]bytes.Buffer
	for i := range out {
		rs, err := runAll(s, vs)
		if err != nil {
			t.Fatal(err)
		}
		report(&out[i], s, rs)
		if i == 0 && slices.Equal(rs[0].Rows, rs[1].Rows) {
			t.Errorf("halving the MTU changed nothing")
		}
	}
	if !bytes.Equal(out[0].Bytes(), out[1].Bytes()) {
		t.Fatal("two runs with the same seed differ")
	}
}
