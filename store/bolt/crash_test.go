package bolt_test

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/store"
	"github.com/scuttlebutt-go/scuttlebutt/store/bolt"
	"github.com/scuttlebutt-go/scuttlebutt/store/storetest"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// The crash test re-executes this test binary as a writer (TestCrashChild,
// selected by crashEnv = "mode path first"), which reports every
// acknowledged write on stdout as "ack N"; the parent SIGKILLs it at a
// random point, reopens the file and checks it.
const (
	crashEnv   = "SCUTTLEBUTT_BOLT_CRASH_CHILD"
	crashKeys  = 24 // keys the node mode cycles through
	crashPeers = 8  // nodes each batch of the batch mode writes
	crashRuns  = 6  // kills per mode
)

// TestCrashChild is the writer; it does nothing unless run by TestCrash.
func TestCrashChild(t *testing.T) {
	spec := strings.Fields(os.Getenv(crashEnv))
	if len(spec) != 3 {
		t.Skip("the crash test's writer; run by TestCrash")
	}
	first, err := strconv.Atoi(spec[2])
	require.NoError(t, err)
	s, err := bolt.Open(spec[1], nil) // fsync on every commit: the default
	require.NoError(t, err)
	switch spec[0] {
	case "node":
		crashNode(t, s, first)
	case "batch":
		crashBatch(t, s, first)
	}
	t.Fatalf("unknown mode %q", spec[0])
}

// crashNode writes through a Node's UpdateLocal, restarting warm (with
// RepublishLocal) on the store each run: write N sets key N%crashKeys to N.
func crashNode(t *testing.T, s *bolt.Store, first int) {
	nw := mem.NewNetwork(mem.Config{})
	tr, err := nw.NewTransport("10.0.0.1:7946")
	require.NoError(t, err)
	n, err := scuttlebutt.NewBuilder("self").Store(s).Transport(tr).Clock(nw).Seed(1).RepublishLocal(true).Build()
	require.NoError(t, err)
	fmt.Println("ready", n.Generation())
	for i := first; i < first+1_000_000; i++ {
		if err := n.UpdateLocal(crashKey(i), strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
		fmt.Println("ack", i)
	}
}

// crashBatch applies batches as the core applies a message: batch N writes
// one entry of value N to each of crashPeers nodes, at each node's next
// version.
func crashBatch(t *testing.T, s *bolt.Store, first int) {
	fmt.Println("ready 0")
	for b := first; b < first+1_000_000; b++ {
		err := s.Batch(func() error {
			for p := range crashPeers {
				id := "peer-" + strconv.Itoa(p)
				n, _ := s.Node(id)
				v := n.MaxVersion + 1
				w := &store.Write{Node: store.Node{ID: id, Generation: 1, MaxVersion: v},
					Put: []store.Entry{{Key: "k" + strconv.Itoa(int(v%5)), Value: strconv.Itoa(b), Version: v}}}
				if err := s.Write(w); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println("ack", b)
	}
}

func crashKey(i int) string { return fmt.Sprintf("k%02d", i%crashKeys) }

// TestCrash kills writers at random points and checks after each kill that
// the file opens, passes bbolt's and the store's consistency checks and the
// storetest invariants, and lost no acknowledged write.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts writer processes")
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	for _, mode := range []string{"node", "batch"} {
		t.Run(mode, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "crash.db")
			next, lastGen := 0, uint64(0)
			acked := map[string]int{} // key (node mode) or peer (batch mode) -> last acknowledged write
			for run := range crashRuns {
				killAfter := rng.IntN(150) // 0: during startup, before any write
				gen, last := runWriter(t, mode, path, next, killAfter)
				if mode == "node" && gen != 0 {
					require.Greater(t, gen, lastGen, "run %d: the generation grows on every start", run)
					lastGen = gen
				}
				for i := next; i <= last; i++ {
					if mode == "node" {
						acked[crashKey(i)] = i
					} else {
						acked["batch"] = i
					}
				}
				t.Logf("run %d: killed after %d acknowledged writes (asked for %d)", run, last-next+1, killAfter)
				checkAfterCrash(t, mode, path, acked, last)
				next = last + 2 // the write in flight at the kill may have landed
			}
		})
	}
}

// runWriter starts a writer of mode on path, numbering writes from first,
// kills it once it acknowledged killAfter writes, and returns the generation
// it reported and the number of the last write it acknowledged (first-1 if
// none).
func runWriter(t *testing.T, mode, path string, first, killAfter int) (gen uint64, last int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %s %d", crashEnv, mode, path, first))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	last, acks, killed := first-1, 0, false
	kill := func() {
		if !killed {
			killed = true
			require.NoError(t, cmd.Process.Kill()) // SIGKILL: no deferred call runs
		}
	}
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		f := strings.Fields(lines.Text())
		switch {
		case len(f) == 2 && f[0] == "ready":
			gen, err = strconv.ParseUint(f[1], 10, 64)
			require.NoError(t, err)
		case len(f) == 2 && f[0] == "ack":
			i, err := strconv.Atoi(f[1])
			require.NoError(t, err)
			require.Equal(t, last+1, i, "writes are acknowledged in order")
			last = i
			acks++
		default:
			continue // test framework output
		}
		if acks >= killAfter {
			kill() // what it printed after this is acknowledged too: read on
		}
	}
	kill()
	err = cmd.Wait()
	require.Error(t, err, "the writer was killed; its stderr:\n%s", stderr.String())
	require.Contains(t, err.Error(), "killed", "the writer failed on its own; its stderr:\n%s", stderr.String())
	return gen, last
}

// checkAfterCrash reopens the file and checks it against the acknowledged
// writes; last is the last write acknowledged, and at most the next one may
// have landed unacknowledged.
func checkAfterCrash(t *testing.T, mode, path string, acked map[string]int, last int) {
	t.Helper()
	s, err := bolt.Open(path, nil)
	require.NoError(t, err, "the file opens after a crash")
	defer func() { require.NoError(t, s.Close()) }()
	require.NoError(t, s.Check(), "no corruption")
	storetest.Check(t, s)
	switch mode {
	case "node":
		for key, want := range acked {
			e, ok := s.Get("self", key)
			require.True(t, ok, "acknowledged key %s lost", key)
			got, err := strconv.Atoi(e.Value)
			require.NoError(t, err)
			require.GreaterOrEqual(t, got, want, "key %s: acknowledged write %d lost (holds %d)", key, want, got)
			require.LessOrEqual(t, got, last+1, "key %s holds write %d, never made", key, got)
			require.Equal(t, key, crashKey(got))
		}
	case "batch":
		want, ok := acked["batch"]
		var maxVersion uint64
		for p := range crashPeers {
			n, held := s.Node("peer-" + strconv.Itoa(p))
			if !ok && !held {
				continue
			}
			require.True(t, held, "peer-%d lost", p)
			if p == 0 {
				maxVersion = n.MaxVersion
			}
			require.Equal(t, maxVersion, n.MaxVersion, "peer-%d: a batch applied in part", p)
			var top store.Entry
			s.Entries(n.ID, n.MaxVersion-1, func(e store.Entry) bool { top = e; return true })
			got, err := strconv.Atoi(top.Value)
			require.NoError(t, err)
			require.GreaterOrEqual(t, got, want, "peer-%d: acknowledged batch %d lost (holds %d)", p, want, got)
			require.LessOrEqual(t, got, last+1)
		}
	}
}
