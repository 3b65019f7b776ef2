package tcp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A peer without traffic for IdleTimeout closes its connection and stops
// its writer; the next Send dials again.
func TestIdlePeerRetires(t *testing.T) {
	cfg := Config{IdleTimeout: 20 * time.Millisecond}
	a, err := New(cfg)
	require.NoError(t, err)
	defer a.Close()
	b, err := New(Config{})
	require.NoError(t, err)
	defer b.Close()
	got := make(chan string, 2)
	require.NoError(t, b.Start(func(_ string, p []byte) { got <- string(p) }))
	require.NoError(t, a.Start(func(string, []byte) {}))

	peers := func() int {
		a.mu.RLock()
		defer a.mu.RUnlock()
		return len(a.peers)
	}
	for _, msg := range []string{"one", "two"} {
		require.NoError(t, a.Send(b.LocalAddr(), []byte(msg)))
		select {
		case m := <-got:
			require.Equal(t, msg, m)
		case <-time.After(5 * time.Second):
			t.Fatal("timeout")
		}
		require.Eventually(t, func() bool { return peers() == 0 }, 5*time.Second, time.Millisecond)
	}
	require.Equal(t, uint64(2), a.Stats().Sent)
}
