package scuttlebutt_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/store/bolt"
	storemem "github.com/scuttlebutt-go/scuttlebutt/store/mem"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// startOn builds b's node on a Network whose clock starts at start.
func startOn(t *testing.T, b *scuttlebutt.Builder, start time.Time) (*scuttlebutt.Node, error) {
	t.Helper()
	nw := mem.NewNetwork(mem.Config{Start: start})
	return b.Transport(mustTransport(t, nw, "10.0.0.1:7946")).Clock(nw).Seed(1).Build()
}

func openBolt(t *testing.T, path string) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(path, nil)
	require.NoError(t, err)
	return s
}

// TestGenerationNeverGoesBack: on a durable store the default generation is
// max(stored + 1, now), also when the clock went back; a Generation given
// at or below the stored one is refused, naming the field.
func TestGenerationNeverGoesBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	later := mem.DefaultStart.Add(time.Hour)

	s := openBolt(t, path)
	n, err := startOn(t, scuttlebutt.NewBuilder("a").Store(s), later)
	require.NoError(t, err)
	first := n.Generation()
	require.Equal(t, uint64(later.UnixNano()), first, "a new store: the clock's time")
	require.NoError(t, n.Close())
	require.NoError(t, s.Close())

	// The clock went back an hour: the generation still grows.
	s = openBolt(t, path)
	n, err = startOn(t, scuttlebutt.NewBuilder("a").Store(s), mem.DefaultStart)
	require.NoError(t, err)
	second := n.Generation()
	require.Equal(t, first+1, second)
	require.NoError(t, n.Close())

	// The clock is ahead of the stored generation: the clock's time.
	ahead := later.Add(time.Hour)
	n, err = startOn(t, scuttlebutt.NewBuilder("a").Store(s), ahead)
	require.NoError(t, err)
	require.Equal(t, uint64(ahead.UnixNano()), n.Generation())
	third := n.Generation()
	require.NoError(t, n.Close())

	for _, g := range []uint64{1, second, third} {
		_, err = startOn(t, scuttlebutt.NewBuilder("a").Store(s).Generation(g), ahead)
		require.ErrorIs(t, err, scuttlebutt.ErrInvalidConfig, "generation %d", g)
		var ce *scuttlebutt.ConfigError
		require.True(t, errors.As(err, &ce))
		require.Equal(t, "Generation", ce.Field, err.Error())
		got, _ := s.LastGeneration("a")
		require.Equal(t, third, got, "a refused Config changes nothing")
	}
	n, err = startOn(t, scuttlebutt.NewBuilder("a").Store(s).Generation(third+5), ahead)
	require.NoError(t, err)
	require.Equal(t, third+5, n.Generation())
	require.NoError(t, n.Close())
	require.NoError(t, s.Close())
}

// TestGenerationWithoutDurableStore: the in-memory store remembers nothing,
// so the default stays the clock's time.
func TestGenerationWithoutDurableStore(t *testing.T) {
	n, err := startOn(t, scuttlebutt.NewBuilder("a").Store(storemem.New()), mem.DefaultStart)
	require.NoError(t, err)
	require.Equal(t, uint64(mem.DefaultStart.UnixNano()), n.Generation())
	require.NoError(t, n.Close())
}

// TestRepublishLocal: a warm restart drops the node's own keys of the
// previous generation unless RepublishLocal is set.
func TestRepublishLocal(t *testing.T) {
	for _, republish := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "a.db")
		s := openBolt(t, path)
		n, err := startOn(t, scuttlebutt.NewBuilder("a").Store(s), mem.DefaultStart)
		require.NoError(t, err)
		require.NoError(t, n.UpdateLocal("role", "db"))
		require.NoError(t, n.UpdateLocal("tmp", "x"))
		require.NoError(t, n.DeleteLocal("tmp"))
		require.NoError(t, n.Close())
		require.NoError(t, s.Close())

		s = openBolt(t, path)
		var events []scuttlebutt.Event
		n, err = startOn(t, scuttlebutt.NewBuilder("a").Store(s).RepublishLocal(republish).
			Subscriber(scuttlebutt.EventSubscriberFunc(func(e scuttlebutt.Event) { events = append(events, e) })),
			mem.DefaultStart)
		require.NoError(t, err)
		v, ok := n.Lookup("a", "role")
		require.Equal(t, republish, ok, "RepublishLocal(%v)", republish)
		if republish {
			require.Equal(t, "db", v)
			st, _ := n.NodeState("a")
			require.Equal(t, map[string]string{"role": "db"}, st.Keys)
			require.Equal(t, uint64(2), st.Version, "role at 1, the address at 2")
		}
		_, ok = n.Lookup("a", "tmp")
		require.False(t, ok, "a deleted key stays deleted")
		require.NoError(t, n.UpdateLocal("k", "v"), "the node writes on")
		own := 0
		for _, e := range events {
			if e.Node == "a" && e.Kind == scuttlebutt.EventUpdate && e.Key == "role" {
				require.Equal(t, n.Generation(), e.Generation)
				own++
			}
		}
		require.Equal(t, republish, own == 1, "an update event for a republished key")
		require.NoError(t, n.Close())
		require.NoError(t, s.Close())
	}
}
