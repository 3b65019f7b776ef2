package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/scuttlebutt-go/scuttlebutt/store"
	"github.com/stretchr/testify/require"
)

// testChurn drives nodes far larger than the model test's through long runs
// of seeded random writes (overwrites mostly at ascending versions, some
// below the tail, drops, and a rare Replace) and checks the whole content
// against the model after every fourth write, so an implementation's large-node
// paths (indexes, compaction, insertion) are covered too.
func testChurn(t *testing.T, newStore func() store.Store) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 0x5c077))
			nKeys := 4 + rng.IntN(120)
			keys := make([]string, nKeys)
			for i := range keys {
				keys[i] = "key-" + strconv.Itoa(i)
			}
			s := newStore()
			m := model{}
			var top uint64
			for step := range 1000 {
				w := &store.Write{Node: node("n", 1, top)}
				switch r := rng.IntN(100); {
				case r == 0:
					w.Replace = true
				case r < 15:
					for range 1 + rng.IntN(8) {
						w.Drop = append(w.Drop, keys[rng.IntN(nKeys)])
					}
				}
				res := m.apply(w)
				held := make(map[uint64]bool)
				for _, e := range res.entries {
					held[e.Version] = true
				}
				for range rng.IntN(10) {
					e := store.Entry{Key: keys[rng.IntN(nKeys)], Value: strconv.Itoa(step)}
					if old, ok := res.entries[e.Key]; ok {
						delete(held, old.Version)
					}
					e.Version = top + 1
					if rng.IntN(5) == 0 && top > 1 {
						if v := 1 + rng.Uint64N(top-1); !held[v] {
							e.Version = v
						}
					}
					top = max(top, e.Version)
					e.Tombstone = rng.IntN(6) == 0
					if e.Tombstone {
						e.Value = ""
					}
					held[e.Version] = true
					res.entries[e.Key] = e
					w.Put = append(w.Put, e)
				}
				require.NoError(t, s.Write(w))
				m["n"] = res
				if step%4 != 0 {
					continue // the full check is the expensive part
				}
				require.Equal(t, []nodeSnap{want(res.summary(), res.sorted()...)}, snapshot(t, s), "step %d", step)
				for _, k := range keys {
					if _, ok := res.entries[k]; !ok {
						_, ok := s.Get("n", k)
						require.False(t, ok, "step %d: Get(%q) of a key not held", step, k)
					}
				}
			}
			require.True(t, slices.ContainsFunc(keys, func(k string) bool { _, ok := m["n"].entries[k]; return ok }))
		})
	}
}
