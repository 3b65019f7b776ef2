package mem

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pingPongTrace runs a small workload under seed and returns every delivery
// as a line of text: virtual time, from, to and the bytes. Each node pings a
// peer every 100ms; a ping is answered with a pong carrying a hop count, and
// pongs are answered until the count reaches 3.
func pingPongTrace(t *testing.T, seed int64) []byte {
	t.Helper()
	var trace bytes.Buffer
	var n *Network
	n = NewNetwork(Config{
		Seed: seed,
		DefaultLink: Link{
			Loss: 0.1, Delay: 5 * time.Millisecond, Jitter: 10 * time.Millisecond,
			Duplicate: 0.05, Reorder: 0.1,
		},
		OnDeliver: func(from, to string, b []byte) {
			fmt.Fprintf(&trace, "%d %s->%s %x\n", n.Now().Sub(DefaultStart), from, to, b)
		},
	})
	const nodes = 6
	pick := rand.New(rand.NewPCG(1, 2)) // the workload's own randomness, fixed
	ts := make([]*Transport, nodes)
	for i := range ts {
		tr, err := n.NewTransport(fmt.Sprintf("node-%d", i))
		require.NoError(t, err)
		ts[i] = tr
	}
	for i, tr := range ts {
		require.NoError(t, tr.Start(func(from string, b []byte) {
			if b[0] < 3 {
				reply := append([]byte{b[0] + 1}, b[1:]...)
				reply = append(reply, byte(i))
				require.NoError(t, tr.Send(from, reply))
			}
		}))
		var tick func()
		tick = func() {
			peer := ts[pick.IntN(nodes)].LocalAddr()
			require.NoError(t, tr.Send(peer, []byte{0, byte(i)}))
			n.AfterFunc(100*time.Millisecond, tick)
		}
		n.AfterFunc(time.Duration(i)*time.Millisecond, tick)
	}
	n.Advance(2 * time.Second)
	for _, tr := range ts {
		require.NoError(t, tr.Close())
	}
	require.Positive(t, n.Stats().DroppedLoss, "the workload should exercise loss")
	return trace.Bytes()
}

func TestSameSeedSameTrace(t *testing.T) {
	first := pingPongTrace(t, 42)
	second := pingPongTrace(t, 42)
	require.NotEmpty(t, first)
	assert.True(t, bytes.Equal(first, second), "same seed, different traces")
	other := pingPongTrace(t, 43)
	assert.False(t, bytes.Equal(first, other), "different seeds, same trace")
}
