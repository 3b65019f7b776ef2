package mem

import (
	"encoding/binary"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// blast sends count numbered datagrams from a to b and drives the network
// until they have all arrived or been dropped. It returns the numbers in
// arrival order and their arrival offsets from the send time.
func blast(t *testing.T, n *Network, count int) (order []uint32, delays []time.Duration) {
	t.Helper()
	a, err := n.NewTransport("a")
	require.NoError(t, err)
	b, err := n.NewTransport("b")
	require.NoError(t, err)
	require.NoError(t, a.Start(func(string, []byte) {}))
	sent := n.Now()
	require.NoError(t, b.Start(func(_ string, p []byte) {
		order = append(order, binary.BigEndian.Uint32(p))
		delays = append(delays, n.Now().Sub(sent))
	}))
	var buf [4]byte
	for i := range count {
		binary.BigEndian.PutUint32(buf[:], uint32(i))
		require.NoError(t, a.Send("b", buf[:]))
	}
	require.True(t, n.Stabilize(time.Hour))
	return order, delays
}

// within asserts that got is within tol of want, where tol is many standard
// deviations of a binomial count: loose enough never to flake, tight enough
// to catch a wrong probability.
func within(t *testing.T, got uint64, trials int, p float64) {
	t.Helper()
	want := float64(trials) * p
	tol := 8*math.Sqrt(float64(trials)*p*(1-p)) + 1
	assert.InDelta(t, want, float64(got), tol, "count %d of %d trials at p=%v", got, trials, p)
}

func TestLossRate(t *testing.T) {
	for _, p := range []float64{0, 0.05, 0.3, 1} {
		n := NewNetwork(Config{Seed: 7, DefaultLink: Link{Loss: p}})
		const count = 20000
		order, _ := blast(t, n, count)
		st := n.Stats()
		within(t, st.DroppedLoss, count, p)
		assert.Equal(t, uint64(count), st.Delivered+st.DroppedLoss)
		assert.Len(t, order, int(st.Delivered))
	}
}

func TestDuplication(t *testing.T) {
	n := NewNetwork(Config{Seed: 7, DefaultLink: Link{Duplicate: 0.2, Loss: 0.1}})
	const count = 20000
	order, _ := blast(t, n, count)
	st := n.Stats()
	within(t, st.DroppedLoss, count, 0.1)
	within(t, st.Duplicated, count-int(st.DroppedLoss), 0.2)
	assert.Equal(t, st.Sent+st.Duplicated, st.Delivered+st.Dropped())
	seen := make(map[uint32]int)
	for _, v := range order {
		seen[v]++
	}
	twice := 0
	for _, c := range seen {
		require.LessOrEqual(t, c, 2)
		if c == 2 {
			twice++
		}
	}
	assert.Equal(t, int(st.Duplicated), twice)
}

func TestDelayAndJitterBounds(t *testing.T) {
	n := NewNetwork(Config{Seed: 7, DefaultLink: Link{Delay: 5 * time.Millisecond, Jitter: 3 * time.Millisecond}})
	_, delays := blast(t, n, 5000)
	require.Len(t, delays, 5000)
	lo, hi := delays[0], delays[0]
	for _, d := range delays {
		lo, hi = min(lo, d), max(hi, d)
	}
	assert.GreaterOrEqual(t, lo, 5*time.Millisecond)
	assert.LessOrEqual(t, hi, 8*time.Millisecond)
	assert.Greater(t, hi-lo, 2*time.Millisecond, "jitter should spread delays")
}

func inversions(order []uint32) int {
	count := 0
	for i := 1; i < len(order); i++ {
		if order[i] < order[i-1] {
			count++
		}
	}
	return count
}

func TestReordering(t *testing.T) {
	// Sends spaced 1ms apart, so only the reorder delay can swap them.
	spaced := func(link Link) []uint32 {
		n := NewNetwork(Config{Seed: 7, DefaultLink: link})
		a, err := n.NewTransport("a")
		require.NoError(t, err)
		b, err := n.NewTransport("b")
		require.NoError(t, err)
		var order []uint32
		require.NoError(t, b.Start(func(_ string, p []byte) { order = append(order, binary.BigEndian.Uint32(p)) }))
		for i := range 1000 {
			n.AfterFunc(time.Duration(i)*time.Millisecond, func() {
				require.NoError(t, a.Send("b", binary.BigEndian.AppendUint32(nil, uint32(i))))
			})
		}
		n.Advance(2 * time.Second)
		require.Len(t, order, 1000)
		return order
	}
	assert.Zero(t, inversions(spaced(Link{Delay: 3 * time.Millisecond})), "no reordering without Reorder")
	inv := inversions(spaced(Link{Delay: 3 * time.Millisecond, Reorder: 0.1, ReorderDelay: 20 * time.Millisecond}))
	assert.Greater(t, inv, 20, "later datagrams should overtake delayed ones")
}

func TestSameInstantKeepsSendOrder(t *testing.T) {
	n := NewNetwork(Config{DefaultLink: Link{Delay: time.Millisecond}})
	order, _ := blast(t, n, 1000)
	assert.Zero(t, inversions(order))
}

func TestPartitions(t *testing.T) {
	type pair struct{ from, to string }
	tests := []struct {
		name    string
		cut     func(n *Network)
		blocked []pair
	}{
		{
			name: "partition",
			cut:  func(n *Network) { n.Partition([]string{"a", "b"}, []string{"c"}) },
			blocked: []pair{
				{"a", "c"}, {"c", "a"}, {"b", "c"}, {"c", "b"},
			},
		},
		{
			name: "isolate",
			cut:  func(n *Network) { n.Isolate("d") },
			blocked: []pair{
				{"a", "d"}, {"d", "a"}, {"b", "d"}, {"d", "b"}, {"c", "d"}, {"d", "c"},
			},
		},
		{
			name:    "cut",
			cut:     func(n *Network) { n.Cut("a", "b") },
			blocked: []pair{{"a", "b"}, {"b", "a"}},
		},
	}
	addrs := []string{"a", "b", "c", "d"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := NewNetwork(Config{DefaultLink: Link{Delay: time.Millisecond}})
			ts, rs := newStarted(t, n, addrs...)
			sendAll := func() {
				for _, from := range ts {
					for _, to := range addrs {
						require.NoError(t, from.Send(to, []byte(from.LocalAddr())))
					}
				}
			}
			received := func() map[pair]bool {
				got := make(map[pair]bool)
				for i, r := range rs {
					for _, d := range r.got {
						got[pair{d.data, addrs[i]}] = true
					}
					r.got = nil
				}
				return got
			}

			tt.cut(n)
			sendAll()
			n.Advance(time.Second)
			got := received()
			isBlocked := make(map[pair]bool)
			for _, p := range tt.blocked {
				isBlocked[p] = true
			}
			for _, from := range addrs {
				for _, to := range addrs {
					p := pair{from, to}
					assert.Equal(t, !isBlocked[p], got[p], "%s -> %s", from, to)
				}
			}
			assert.Equal(t, uint64(len(tt.blocked)), n.Stats().DroppedPartition)

			n.Heal()
			sendAll()
			n.Advance(time.Second)
			assert.Len(t, received(), len(addrs)*len(addrs), "after Heal everything flows")
		})
	}
}

func TestPartitionDropsInFlight(t *testing.T) {
	n := NewNetwork(Config{DefaultLink: Link{Delay: 10 * time.Millisecond}})
	ts, rs := newStarted(t, n, "a", "b")
	require.NoError(t, ts[0].Send("b", []byte("x")))
	n.Advance(5 * time.Millisecond)
	n.Partition([]string{"a"}, []string{"b"})
	n.Advance(time.Second)
	assert.Empty(t, rs[1].got)
	assert.Equal(t, uint64(1), n.Stats().DroppedPartition)
}

func TestSetLinkIsOneDirection(t *testing.T) {
	n := NewNetwork(Config{})
	ts, rs := newStarted(t, n, "a", "b")
	n.SetLink("a", "b", Link{Loss: 1})
	require.NoError(t, ts[0].Send("b", []byte("lost")))
	require.NoError(t, ts[1].Send("a", []byte("kept")))
	n.Advance(0)
	assert.Empty(t, rs[1].got)
	assert.Equal(t, []delivery{{"b", "kept"}}, rs[0].got)

	n.ClearLink("a", "b")
	require.NoError(t, ts[0].Send("b", []byte("back to default")))
	n.Advance(0)
	assert.Equal(t, []delivery{{"a", "back to default"}}, rs[1].got)

	n.SetDefaultLink(Link{Loss: 1})
	require.NoError(t, ts[0].Send("b", []byte("lost again")))
	n.Advance(0)
	assert.Len(t, rs[1].got, 1)
}

func TestLinkNormalization(t *testing.T) {
	tests := []struct {
		name string
		in   Link
		want Link
	}{
		{"zero", Link{}, Link{ReorderDelay: DefaultReorderDelay}},
		{"clamped", Link{Loss: 5, Duplicate: -1, Reorder: math.NaN(), Delay: -1, Jitter: -1, ReorderDelay: -1},
			Link{Loss: 1, ReorderDelay: DefaultReorderDelay}},
		{"kept", Link{Loss: 0.5, Duplicate: 0.25, Reorder: 0.1, Delay: 2, Jitter: 3, ReorderDelay: 4},
			Link{Loss: 0.5, Duplicate: 0.25, Reorder: 0.1, Delay: 2, Jitter: 3, ReorderDelay: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.in.normalized())
		})
	}
}

func TestQueueLimit(t *testing.T) {
	tests := []struct {
		name      string
		limit     int
		delivered int // copies per destination
	}{
		{"limited", 10, 10},
		{"unlimited", -1, 30},
		{"default", 0, 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := NewNetwork(Config{QueueLimit: tt.limit, DefaultLink: Link{Duplicate: 1}})
			ts, rs := newStarted(t, n, "a", "b", "c")
			for range 15 {
				require.NoError(t, ts[0].Send("b", []byte("x"))) // two copies each
				require.NoError(t, ts[0].Send("c", []byte("y")))
			}
			n.Advance(0)
			assert.Len(t, rs[1].got, tt.delivered)
			assert.Len(t, rs[2].got, tt.delivered, "the limit is per address")
			st := n.Stats()
			assert.Equal(t, uint64(2*(30-tt.delivered)), st.DroppedOverflow)
			assert.Equal(t, st.Sent+st.Duplicated, st.Delivered+st.Dropped())

			require.NoError(t, ts[0].Send("b", []byte("room again")))
			n.Advance(0)
			assert.Equal(t, delivery{"a", "room again"}, rs[1].got[len(rs[1].got)-1])
		})
	}
}
