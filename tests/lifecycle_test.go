package tests

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/detector/phi"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/sim"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// eventLog records every node's events with their virtual time.
type eventLog struct {
	mu     sync.Mutex
	net    *mem.Network
	events []timedEvent
}

type timedEvent struct {
	at       time.Time
	observer int
	scuttlebutt.Event
}

func (l *eventLog) configure(threshold float64) func(int, *scuttlebutt.Builder) {
	return func(i int, b *scuttlebutt.Builder) {
		b.Subscriber(scuttlebutt.EventSubscriberFunc(func(e scuttlebutt.Event) {
			l.mu.Lock()
			l.events = append(l.events, timedEvent{at: l.net.Now(), observer: i, Event: e})
			l.mu.Unlock()
		}))
		if threshold > 0 {
			d, err := phi.New(phi.Config{Interval: time.Second, Threshold: threshold})
			if err != nil {
				panic(err)
			}
			b.Detector(d)
		}
	}
}

// count returns how many events of kind about node were seen since t.
func (l *eventLog) count(kind scuttlebutt.EventKind, node string, since time.Time) int {
	k := 0
	for _, e := range l.all() {
		if e.Kind == kind && e.Node == node && !e.at.Before(since) {
			k++
		}
	}
	return k
}

// all returns a copy of the events so far.
func (l *eventLog) all() []timedEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events)
}

// lifecycleCluster is the cluster of issue 5's measurements: 1 s gossip
// interval, links with up to 200 ms of jitter and 5% loss.
func lifecycleCluster(t *testing.T, n int, seed int64, threshold float64, mut func(*sim.Config)) (*sim.Cluster, *eventLog) {
	t.Helper()
	log := &eventLog{}
	cfg := sim.Config{Nodes: n, Seed: seed, GossipInterval: time.Second,
		Link:      mem.Link{Loss: 0.05, Jitter: 200 * time.Millisecond},
		Configure: log.configure(threshold)}
	if mut != nil {
		mut(&cfg)
	}
	c, err := sim.New(cfg)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	log.net = c.Net
	require.NoError(t, c.JoinAll())
	_, ok := c.RunRounds(120, c.AllKnowAll)
	require.True(t, ok, "membership converges")
	return c, log
}

// detectionCluster is the cluster of the detection measurements: the
// default 500 ms gossip interval and 1 s heartbeats, links with up to
// 200 ms of jitter and 5% loss, and a phi detector at threshold (0: the
// Node's default).
func detectionCluster(t *testing.T, n int, seed int64, threshold float64) (*sim.Cluster, *eventLog) {
	t.Helper()
	return lifecycleCluster(t, n, seed, 0, func(cfg *sim.Config) {
		cfg.GossipInterval = 500 * time.Millisecond
		prev := cfg.Configure
		cfg.Configure = func(i int, b *scuttlebutt.Builder) {
			prev(i, b)
			b.HeartbeatInterval(time.Second)
			if threshold > 0 {
				d, err := phi.New(phi.Config{Interval: time.Second, AcceptablePause: time.Second / 4, Threshold: threshold})
				if err != nil {
					panic(err)
				}
				b.Detector(d)
			}
		}
	})
}

// detectionTimes lets settle rounds pass, crashes node victim and returns,
// per other node, the virtual seconds until it suspected the victim.
func detectionTimes(t *testing.T, c *sim.Cluster, log *eventLog, victim, settle int) []float64 {
	c.RunRounds(settle, func() bool { return false }) // let the detectors learn
	crash := c.Net.Now()
	require.NoError(t, c.Nodes[victim].Close())
	first := map[int]time.Time{}
	c.RunRounds(240, func() bool {
		for _, e := range log.all() {
			if e.Kind == scuttlebutt.EventSuspect && e.Node == sim.ID(victim) && e.at.After(crash) {
				if _, ok := first[e.observer]; !ok {
					first[e.observer] = e.at
				}
			}
		}
		return len(first) == len(c.Nodes)-1
	})
	require.Len(t, first, len(c.Nodes)-1, "every node suspects the crashed one")
	var out []float64
	for _, at := range first {
		out = append(out, at.Sub(crash).Seconds())
	}
	slices.Sort(out)
	return out
}

// TestLifecycleCrashDetection measures how long 100 nodes take to suspect a
// crashed one, with the Node's default detector and with phi detectors of
// the older, looser shape (window 100, pause 250 ms) at thresholds 5, 8 and
// 12, on one seed: at threshold 8 and with the default, the last live node
// suspects it within 6 s.
func TestLifecycleCrashDetection(t *testing.T) { crashDetection(t, 1) }

// TestLargeLifecycleCrashDetection is TestLifecycleCrashDetection over
// three seeds (-large).
func TestLargeLifecycleCrashDetection(t *testing.T) {
	requireLarge(t)
	crashDetection(t, 3)
}

func crashDetection(t *testing.T, seeds int64) {
	var table strings.Builder
	fmt.Fprintf(&table, "\n| threshold | median (s) | worst (s) |\n|---|---|---|\n")
	var medians []float64
	for _, th := range []float64{0, 5, 8, 12} {
		var all []float64
		for seed := range seeds {
			c, log := detectionCluster(t, 100, 10+seed, th)
			all = append(all, detectionTimes(t, c, log, 42, 60)...)
			c.Close()
		}
		slices.Sort(all)
		median, worst := all[len(all)/2], all[len(all)-1]
		fmt.Fprintf(&table, "| %s | %.1f | %.1f |\n", thresholdName(th), median, worst)
		if th == 0 || th == phi.DefaultThreshold {
			require.LessOrEqual(t, worst, 6.0, "the last node suspects within 6 s")
		}
		if th > 0 {
			medians = append(medians, median)
		}
	}
	t.Log(table.String())
	require.Less(t, medians[0], medians[2], "a higher threshold detects later: %v", medians)
}

// TestLifecycleNoFalseSuspicion runs a healthy cluster long enough for more
// than 10^5 detector checks (about 300 per round at 100 nodes) and counts
// suspicions of live nodes: none at the default threshold and above.
func TestLifecycleNoFalseSuspicion(t *testing.T) { noFalseSuspicion(t, 400) }

// TestLargeLifecycleNoFalseSuspicion is TestLifecycleNoFalseSuspicion over
// 4,000 rounds (-large).
func TestLargeLifecycleNoFalseSuspicion(t *testing.T) {
	requireLarge(t)
	noFalseSuspicion(t, 4000)
}

func noFalseSuspicion(t *testing.T, rounds int) {
	var table strings.Builder
	fmt.Fprintf(&table, "\n| threshold | detector checks | false suspicions |\n|---|---|---|\n")
	for _, th := range []float64{0, 5, 8, 12} {
		c, log := detectionCluster(t, 100, 20, th)
		c.RunRounds(20, func() bool { return false }) // warm-up: detectors bootstrap
		start, checks0 := c.Net.Now(), totalChecks(c)
		c.RunRounds(rounds, func() bool { return false })
		checks := totalChecks(c) - checks0
		suspicions := 0
		for _, e := range log.all() {
			if e.Kind == scuttlebutt.EventSuspect && !e.at.Before(start) {
				suspicions++
				t.Logf("  %v: node-%d suspects %s", e.at.Sub(start), e.observer, e.Node)
			}
		}
		fmt.Fprintf(&table, "| %s | %d | %d |\n", thresholdName(th), checks, suspicions)
		require.Greater(t, checks, uint64(100_000))
		if th == 0 || th >= phi.DefaultThreshold {
			require.Zero(t, suspicions, "threshold %v", th)
		}
		c.Close()
	}
	t.Log(table.String())
}

// thresholdName names a row of the detection tables: 0 is the Node's
// default detector.
func thresholdName(th float64) string {
	if th == 0 {
		return "default"
	}
	return fmt.Sprintf("%.0f", th)
}

func totalChecks(c *sim.Cluster) uint64 {
	var n uint64
	for _, node := range c.Nodes {
		n += node.Stats().LivenessChecks
	}
	return n
}

// TestLifecycleStallIsNotRemoval: a node that stalls for 5 s (cut off from
// everyone) may be suspected but is never removed, and is alive again
// everywhere afterwards.
func TestLifecycleStallIsNotRemoval(t *testing.T) {
	c, log := lifecycleCluster(t, 30, 30, 0, nil)
	c.RunRounds(20, func() bool { return false })
	start := c.Net.Now()
	c.Net.Isolate(c.Addrs[7])
	c.Net.Advance(5 * time.Second)
	c.Net.Heal()
	_, ok := c.RunRounds(60, func() bool {
		for i, n := range c.Nodes {
			if s, found := n.NodeState(sim.ID(7)); i != 7 && (!found || s.Status != scuttlebutt.StatusAlive) {
				return false
			}
		}
		return true
	})
	require.True(t, ok, "alive again everywhere")
	require.Zero(t, log.count(scuttlebutt.EventRemove, sim.ID(7), start))
}

// TestLifecycleLeave: a node leaves gracefully; everyone reports it left,
// then removed, and stale gossip from a node that was away never brings it
// back.
func TestLifecycleLeave(t *testing.T) {
	c, log := lifecycleCluster(t, 12, 40, 0, func(cfg *sim.Config) {
		prev := cfg.Configure
		cfg.Configure = func(i int, b *scuttlebutt.Builder) {
			prev(i, b)
			b.RemoveAfter(30 * time.Second)
		}
	})
	// Node 11 is away (partitioned) while node 5 leaves: it keeps node 5's
	// old state, alive in its view.
	var rest []string
	for i, a := range c.Addrs {
		if i != 11 {
			rest = append(rest, a)
		}
	}
	c.Net.Partition([]string{c.Addrs[11]}, rest)
	start := c.Net.Now()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- c.Nodes[5].Leave(ctx) }()
	// The goroutine must have announced the departure before virtual time
	// runs on, or the rounds below could all pass before it does.
	require.Eventually(t, func() bool {
		s, _ := c.Nodes[5].NodeState(sim.ID(5))
		return s.Status == scuttlebutt.StatusLeft
	}, 10*time.Second, time.Millisecond)
	// Leave waits for acknowledgements, which arrive as virtual time
	// advances; it then returns on its goroutine's own (wall) time.
	c.RunRounds(10, func() bool { return len(errc) > 0 })
	select {
	case err := <-errc:
		require.NoError(t, err, "peers acknowledge the departure")
	case <-time.After(10 * time.Second):
		t.Fatal("no acknowledgement of the departure in 10 rounds")
	}
	require.NoError(t, c.Nodes[5].Close())
	_, ok := c.RunRounds(20, func() bool { return log.count(scuttlebutt.EventLeave, sim.ID(5), start) == 10 })
	require.True(t, ok, "every connected node reports the departure")

	c.RunRounds(60, func() bool { return false }) // past RemoveAfter
	for _, e := range log.all() {
		require.False(t, e.Kind == scuttlebutt.EventJoin && e.Node == sim.ID(5) && e.at.After(start))
	}
	removers := map[int]bool{}
	for _, e := range log.all() {
		if e.Kind == scuttlebutt.EventRemove && e.Node == sim.ID(5) {
			removers[e.observer] = true
		}
	}
	require.Len(t, removers, 11, "every other node removed it, the cut-off one too")
	removedAt := c.Net.Now()

	c.Net.Heal()
	c.RunRounds(30, func() bool { return false })
	require.Zero(t, log.count(scuttlebutt.EventJoin, sim.ID(5), removedAt), "a removed node is never rediscovered")
	for i, n := range c.Nodes {
		if i == 5 || i == 11 {
			continue
		}
		_, found := n.NodeState(sim.ID(5))
		require.False(t, found)
	}
}

// TestLifecycleRestart: a node restarts with a higher generation; every peer
// retires the old one at once (one restart event, old keys gone) and takes
// the new one's state.
func TestLifecycleRestart(t *testing.T) {
	c, log := lifecycleCluster(t, 10, 50, 0, nil)
	require.NoError(t, c.Nodes[3].UpdateLocal("old", "1"))
	_, ok := c.RunRounds(30, func() bool { return c.Count(3, "old", "1") == 10 })
	require.True(t, ok)
	start := c.Net.Now()

	require.NoError(t, c.Restart(3, 2, 0))
	require.NoError(t, c.Nodes[3].UpdateLocal("new", "2"))
	_, ok = c.RunRounds(30, func() bool { return c.Count(3, "new", "2") == 10 })
	require.True(t, ok)
	require.Zero(t, c.Count(3, "old", "1"), "the old generation's keys are gone")
	restarts := 0
	for _, e := range log.all() {
		if e.Kind == scuttlebutt.EventRestart && e.Node == sim.ID(3) && !e.at.Before(start) {
			restarts++
			require.Equal(t, uint64(2), e.Generation)
		}
		if e.Kind == scuttlebutt.EventDelete && e.Node == sim.ID(3) && !e.at.Before(start) {
			t.Fatalf("retiring a generation raises no per-key deletes: %v", e)
		}
	}
	require.Equal(t, 9, restarts, "one restart event per peer")
}

// TestLifecycleDeleteSurvivesLongPartition: a key deleted on one side of a
// partition that outlasts the tombstone grace period never comes back when
// the partition heals.
func TestLifecycleDeleteSurvivesLongPartition(t *testing.T) {
	c, _ := lifecycleCluster(t, 10, 60, 0, func(cfg *sim.Config) {
		prev := cfg.Configure
		cfg.Configure = func(i int, b *scuttlebutt.Builder) {
			prev(i, b)
			b.TombstoneGrace(20 * time.Second).RemoveAfter(10 * time.Minute)
		}
	})
	for _, k := range []string{"a", "b", "c"} {
		require.NoError(t, c.Nodes[0].UpdateLocal(k, "v"))
	}
	_, ok := c.RunRounds(30, func() bool { return c.Count(0, "c", "v") == 10 })
	require.True(t, ok)

	c.Net.Partition(c.Addrs[:5], c.Addrs[5:])
	require.NoError(t, c.Nodes[0].DeleteLocal("b"))
	require.NoError(t, c.Nodes[0].UpdateLocal("d", "v"))
	c.RunRounds(90, func() bool { return false }) // far past the grace period
	require.Equal(t, 5, c.Count(0, "b", "v"), "the far side still has b")
	var collected uint64
	for _, n := range c.Nodes[:5] {
		collected += n.Stats().TombstonesGCd
	}
	require.NotZero(t, collected, "the near side collected the tombstone")

	c.Net.Heal()
	_, ok = c.RunRounds(60, func() bool { return c.Count(0, "d", "v") == 10 && c.Count(0, "b", "v") == 0 })
	require.True(t, ok, "after the heal every node has d and none has b")
	c.RunRounds(20, func() bool { return false })
	require.Zero(t, c.Count(0, "b", "v"), "b never comes back")
	require.Equal(t, 10, c.Count(0, "a", "v"))
}
