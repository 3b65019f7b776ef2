package mem

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/scuttlebutt-go/scuttlebutt/store"
	"github.com/stretchr/testify/require"
)

// checkNode checks nodeState's invariants, and that the log is no longer than
// twice the entries held, as Write's tidy promises.
func checkNode(t *testing.T, ns *nodeState) {
	t.Helper()
	dead := 0
	keys := map[string]int{}
	for i, e := range ns.log {
		if i > 0 {
			require.LessOrEqual(t, ns.log[i-1].Version, e.Version, "log out of order at %d", i)
		}
		if e.Key == "" {
			dead++
			require.Equal(t, store.Entry{Version: e.Version}, e, "blank slot %d keeps more than its version", i)
			continue
		}
		_, dup := keys[e.Key]
		require.False(t, dup, "key %q held twice", e.Key)
		keys[e.Key] = i
	}
	require.Equal(t, dead, int(ns.dead), "dead count")
	if ns.idx != nil {
		require.Equal(t, keys, ns.idx, "index")
	} else {
		require.Less(t, len(keys), indexMin, "no index at %d keys", len(keys))
	}
	require.LessOrEqual(t, len(ns.log), 2*len(keys), "log of %d slots for %d keys", len(ns.log), len(keys))
}

// TestCompactionKeepsOrder overwrites and drops keys at ascending and
// below-tail versions and checks the log's invariants after every write,
// through every compaction, insertion and index build.
func TestCompactionKeepsOrder(t *testing.T) {
	for _, nKeys := range []int{1, 2, 3, indexMin - 1, indexMin, 40} {
		t.Run(strconv.Itoa(nKeys)+"keys", func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(nKeys), 1))
			s := New()
			var top uint64
			for step := range 3000 {
				w := &store.Write{Node: store.Node{ID: "n", Generation: 1}}
				if rng.IntN(10) == 0 {
					w.Drop = []string{"k" + strconv.Itoa(rng.IntN(nKeys))}
				}
				for range 1 + rng.IntN(3) {
					top += 2 // leave odd versions free for below-tail puts
					v := top
					if rng.IntN(4) == 0 {
						v = 2*rng.Uint64N(top/2) + 1 // odd: never held twice
					}
					w.Put = append(w.Put, store.Entry{Key: "k" + strconv.Itoa(rng.IntN(nKeys)), Value: strconv.Itoa(step), Version: v})
				}
				require.NoError(t, s.Write(w))
				checkNode(t, s.nodes["n"])
			}
		})
	}
}

// TestSmallNodeDoesNotGrow checks that a node rewriting its two keys keeps a
// log of about two slots, however many writes it takes.
func TestSmallNodeDoesNotGrow(t *testing.T) {
	s := New()
	for v := uint64(1); v <= 10000; v++ {
		w := &store.Write{Node: store.Node{ID: "n", MaxVersion: v},
			Put: []store.Entry{{Key: "k" + strconv.Itoa(int(v%2)), Value: "x", Version: v}}}
		require.NoError(t, s.Write(w))
	}
	ns := s.nodes["n"]
	checkNode(t, ns)
	require.LessOrEqual(t, cap(ns.log), 2, "log capacity")
	require.Nil(t, ns.idx)
}
