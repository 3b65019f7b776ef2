package tests

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// chaosPlan sizes one chaos run.
type chaosPlan struct {
	nodes, rounds int
	seeds         []int64
}

// chaosPlanFor: -large runs the full plan; the default run is shorter but
// still has several partitions that outlast TombstoneGrace, so it still
// needs resets; the race detector gets the shortest.
func chaosPlanFor(t *testing.T) chaosPlan {
	switch {
	case *large:
		return chaosPlan{nodes: 64, rounds: 3000, seeds: []int64{1, 2, 3}}
	case raceEnabled:
		return chaosPlan{nodes: 64, rounds: 200, seeds: []int64{1}}
	default:
		return chaosPlan{nodes: 64, rounds: 400, seeds: []int64{1}}
	}
}

// Faults and churn of the chaos run, per gossip round (1 s).
const (
	chaosGrace       = 30 * time.Second
	chaosRemoveAfter = 5 * time.Minute // longer than any partition
	chaosKeys        = 30              // key space per node
	chaosValue       = 40              // bytes per value: 30 keys outgrow a datagram
	chaosWrites      = 6               // writes and deletes per round, cluster-wide
	chaosDeleteP     = 0.3             // of which deletes
	chaosRestartP    = 1.0 / 25        // a crash and restart at a new generation
	chaosLeaveP      = 1.0 / 80        // a graceful leave, back 60-200 rounds later
)

var chaosLink = mem.Link{Loss: 0.3, Delay: 5 * time.Millisecond, Jitter: 20 * time.Millisecond,
	Duplicate: 0.05, Reorder: 0.1}

// TestChaos: 64 nodes under 30% loss, duplication and reordering, random
// partitions that outlast TombstoneGrace (30 s) and heal, crashes that
// restart at a higher generation, graceful leaves, and random writes and
// deletes. Then the faults stop and the cluster converges. It asserts:
//
//   - every live node's view of every live node is exactly that node's own
//     state (same generation, same keys and values, no deleted key), and
//     every owner's state is what the test wrote;
//   - no delete event of a key its owner did not delete (see eventCheck);
//   - no key event going back in version, per observer and key.
//
// -large runs 3,000 rounds on 3 seeds; the default 400 rounds on one,
// and 200 under the race detector (the first partition starts by round 60
// and outlasts the grace).
func TestChaos(t *testing.T) {
	plan := chaosPlanFor(t)
	for _, seed := range plan.seeds {
		t.Run(fmt.Sprint("seed-", seed), func(t *testing.T) { chaosRun(t, plan, seed) })
	}
}

// chaosState is the test's model of what each owner wrote.
type chaosState struct {
	c   *memCluster
	rng *rand.Rand
	// want[i] is node i's state in its current generation.
	want []map[string]string
	// back[i] is the round a departed node i returns at (0: running).
	back []int
	// stopAt[i] is the round a leaving node i stops at (0: not leaving).
	stopAt []int
	writes int

	restarts, leaves, partitions, deletes int
}

func chaosRun(t *testing.T, plan chaosPlan, seed int64) {
	start := time.Now()
	c := newMemCluster(t, plan.nodes, memOptions{seed: seed, link: chaosLink,
		grace: chaosGrace, removeAfter: chaosRemoveAfter})
	s := &chaosState{c: c, rng: rand.New(rand.NewPCG(uint64(seed), 0xc4a05)),
		want: make([]map[string]string, plan.nodes), back: make([]int, plan.nodes), stopAt: make([]int, plan.nodes)}
	for i := range plan.nodes {
		s.want[i] = map[string]string{}
		for range chaosKeys / 2 {
			s.write(t, i)
		}
	}
	for i := 1; i < plan.nodes; i++ {
		c.join(i, 0)
	}

	partitionEnd, nextPartition := 0, 20+s.rng.IntN(40)
	for r := 1; r <= plan.rounds; r++ {
		switch {
		case partitionEnd > 0 && r == partitionEnd:
			c.net.Heal()
			partitionEnd, nextPartition = 0, r+10+s.rng.IntN(60)
		case partitionEnd == 0 && r == nextPartition:
			s.partition()
			partitionEnd = r + 40 + s.rng.IntN(80) // 40-120 s: past the grace
		}
		for i := range plan.nodes {
			switch {
			case s.stopAt[i] == r:
				c.stop(i)
				s.stopAt[i], s.back[i] = 0, r+60+s.rng.IntN(140)
			case s.back[i] == r:
				s.restart(t, i)
			}
		}
		live := c.live()
		for range chaosWrites {
			i := live[s.rng.IntN(len(live))]
			if s.rng.Float64() < chaosDeleteP {
				s.delete(t, i)
			} else {
				s.write(t, i)
			}
		}
		if s.rng.Float64() < chaosRestartP {
			i := live[s.rng.IntN(len(live))]
			s.restart(t, i)
		} else if s.rng.Float64() < chaosLeaveP {
			i := live[s.rng.IntN(len(live))]
			c.leave(i)
			s.stopAt[i] = r + 5
			s.leaves++
		}
		c.round()
	}

	// The faults stop; whoever is away stays away.
	c.net.Heal()
	c.net.SetDefaultLink(mem.Link{})
	rounds, ok := c.runUntil(600, func() bool { return c.divergence() == "" })
	events, spurious, backwards := c.check.counts()
	t.Logf("seed %d: %d rounds of chaos (%d writes, %d deletes, %d partitions, %d restarts, %d leaves); "+
		"converged %v in %d rounds after the faults; %d key events: %d spurious deletes, %d going backwards; %d prunes installed; %v wall%s",
		seed, plan.rounds, s.writes, s.deletes, s.partitions, s.restarts, s.leaves, ok, rounds,
		events, spurious, backwards, c.installedPrunes(), time.Since(start).Round(time.Millisecond), c.check.report())

	require.True(t, ok, "exact final state: %s", c.divergence())
	for _, i := range c.live() {
		own, found := c.nodes[i].NodeState(memID(i))
		require.True(t, found)
		require.Equal(t, s.want[i], own.Keys, "node-%d's own state is what it wrote", i)
	}
	require.Zero(t, spurious, "delete events of keys their owner did not delete")
	require.Zero(t, backwards, "key events going back in version")
	require.NotZero(t, c.installedPrunes(), "the run never repaired a replica that missed collected deletes")
}

// write sets a random key of node i to a fresh value.
func (s *chaosState) write(t *testing.T, i int) {
	s.writes++
	key := fmt.Sprintf("k%02d", s.rng.IntN(chaosKeys))
	tag := fmt.Sprintf("%d:", s.writes)
	v := tag + strings.Repeat("x", chaosValue-len(tag))
	require.NoError(t, s.c.nodes[i].UpdateLocal(key, v))
	s.want[i][key] = v
}

// delete deletes a random key node i holds.
func (s *chaosState) delete(t *testing.T, i int) {
	if len(s.want[i]) == 0 {
		return
	}
	key := fmt.Sprintf("k%02d", s.rng.IntN(chaosKeys))
	if _, ok := s.want[i][key]; !ok {
		return
	}
	require.NoError(t, s.c.nodes[i].DeleteLocal(key))
	delete(s.want[i], key)
	s.deletes++
}

// restart crashes node i (if it runs) and starts its next generation with
// a fresh state, joining through three random live nodes.
func (s *chaosState) restart(t *testing.T, i int) {
	var via []int
	for _, j := range s.c.live() {
		if j != i {
			via = append(via, j)
		}
	}
	s.rng.Shuffle(len(via), func(a, b int) { via[a], via[b] = via[b], via[a] })
	s.c.restart(i, via[:min(3, len(via))]...)
	s.back[i], s.stopAt[i] = 0, 0
	s.want[i] = map[string]string{}
	for range chaosKeys / 2 {
		s.write(t, i)
	}
	s.restarts++
}

// partition splits the addresses in two random groups.
func (s *chaosState) partition() {
	var a, b []string
	frac := 0.2 + 0.6*s.rng.Float64()
	for _, addr := range s.c.addrs {
		if s.rng.Float64() < frac {
			a = append(a, addr)
		} else {
			b = append(b, addr)
		}
	}
	s.c.net.Partition(a, b)
	s.partitions++
}
