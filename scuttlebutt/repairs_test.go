package scuttlebutt_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/codec/binary"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/sim"
	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// memNode builds a node on nw; clock nil means the wall clock.
func memNode(t *testing.T, nw *mem.Network, id string, clock scuttlebutt.Clock, mut ...func(*scuttlebutt.Builder)) *scuttlebutt.Node {
	t.Helper()
	tr, err := nw.NewTransport(id)
	require.NoError(t, err)
	b := scuttlebutt.NewBuilder(id).Transport(tr).Seed(7).GossipInterval(100 * time.Millisecond)
	if clock != nil {
		b.Clock(clock).GossipInterval(time.Second)
	}
	for _, f := range mut {
		f(b)
	}
	n, err := b.Build()
	require.NoError(t, err)
	t.Cleanup(func() { n.Close() })
	return n
}

// TestCloseAndLeaveFromSubscriber: a subscriber may call Leave and Close on
// its own node, on a virtual clock (inline delivery) and on the wall clock
// (the Node's delivery goroutine); neither deadlocks.
func TestCloseAndLeaveFromSubscriber(t *testing.T) {
	for _, wall := range []bool{false, true} {
		t.Run(fmt.Sprintf("wall=%v", wall), func(t *testing.T) {
			nw := mem.NewNetwork(mem.Config{Seed: 1})
			var clock scuttlebutt.Clock = nw
			if wall {
				clock = nil
				stop := nw.RunRealtime(time.Millisecond)
				defer stop()
			}
			a := memNode(t, nw, "a", clock)
			b := memNode(t, nw, "b", clock)
			done := make(chan error, 1)
			var once sync.Once
			b.Subscribe(func(e scuttlebutt.Event) {
				if e.Kind != scuttlebutt.EventJoin {
					return
				}
				once.Do(func() {
					ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
					defer cancel()
					leaveErr := b.Leave(ctx)
					done <- errors.Join(leaveErr, b.Close())
				})
			})
			require.NoError(t, b.Join([]string{"a"}))
			if !wall {
				require.True(t, nw.RunUntil(nw.Now().Add(time.Minute), func() bool { return len(done) > 0 }))
			}
			select {
			case err := <-done:
				require.NoError(t, err)
			case <-time.After(10 * time.Second):
				t.Fatal("Leave and Close from a subscriber did not return")
			}
			require.ErrorIs(t, b.UpdateLocal("k", "v"), scuttlebutt.ErrClosed)
			require.NoError(t, a.Close())
		})
	}
}

// stallingTransport is a mem transport whose streams to one address block
// until released: a peer that stopped reading.
type stallingTransport struct {
	*mem.Transport
	to      string
	blocked chan struct{} // closed when a stream first blocks
	release chan struct{}
	once    sync.Once
}

func (s *stallingTransport) SendStream(ctx context.Context, addr string, b []byte) error {
	if addr != s.to {
		return s.Transport.SendStream(ctx, addr, b)
	}
	s.once.Do(func() { close(s.blocked) })
	select {
	case <-s.release:
		return s.Transport.SendStream(ctx, addr, b)
	case <-ctx.Done():
		return ctx.Err()
	}
}

var _ transport.Streamer = (*stallingTransport)(nil)

// TestSlowStreamPeerDoesNotStallInbound: while a stream to a peer that does
// not read is blocked, the node keeps taking in and answering other peers'
// messages.
func TestSlowStreamPeerDoesNotStallInbound(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{Seed: 2})
	stop := nw.RunRealtime(time.Millisecond)
	defer stop()
	tr, err := nw.NewTransport("a")
	require.NoError(t, err)
	st := &stallingTransport{Transport: tr, to: "slow", blocked: make(chan struct{}), release: make(chan struct{})}
	a, err := scuttlebutt.NewBuilder("a").Transport(st).Seed(1).GossipInterval(100 * time.Millisecond).Build()
	require.NoError(t, err)
	defer a.Close()
	for k := range 60 {
		require.NoError(t, a.UpdateLocal(fmt.Sprintf("k%02d", k), strings.Repeat("v", 100)))
	}
	slow := memNode(t, nw, "slow", nil)
	require.NoError(t, slow.Join([]string{"a"})) // a answers with a stream that blocks
	select {
	case <-st.blocked:
	case <-time.After(10 * time.Second):
		t.Fatal("no stream to the slow peer")
	}
	c := memNode(t, nw, "c", nil)
	require.NoError(t, c.UpdateLocal("hello", "world"))
	require.NoError(t, c.Join([]string{"a"}))
	deadline := time.Now().Add(10 * time.Second)
	for {
		if v, ok := a.Lookup("c", "hello"); ok && v == "world" {
			break
		}
		require.True(t, time.Now().Before(deadline), "a took in nothing while its stream was blocked")
		time.Sleep(5 * time.Millisecond) // real network time: nothing to drive
	}
	select {
	case <-st.release:
	default:
		close(st.release)
	}
}

// TestWritesThatCannotReachAPeerAreRefused: over datagrams alone, an entry
// larger than a datagram, or one key too many for the key list to fit, is
// refused with ErrTooLarge and changes nothing; with streams the large
// entry goes.
func TestWritesThatCannotReachAPeerAreRefused(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{Seed: 3})
	dgram := memNode(t, nw, "d", nw, func(b *scuttlebutt.Builder) { b.DisableStreams(true) })
	big := strings.Repeat("x", 2000)
	require.ErrorIs(t, dgram.UpdateLocal("big", big), scuttlebutt.ErrTooLarge)
	_, ok := dgram.Lookup("d", "big")
	require.False(t, ok)

	streams := memNode(t, nw, "s", nw)
	require.NoError(t, streams.UpdateLocal("big", big))

	var err error
	k := 0
	for ; k < 1000 && err == nil; k++ {
		err = dgram.UpdateLocal(fmt.Sprintf("key-%04d", k), "v")
	}
	require.ErrorIs(t, err, scuttlebutt.ErrTooLarge)
	t.Logf("over 1,400-byte datagrams, the %d-th 8-byte key is refused", k)
	require.Greater(t, k, 80)
	_, ok = dgram.Lookup("d", fmt.Sprintf("key-%04d", k-1))
	require.False(t, ok)
	// Overwriting a key, or deleting one, is still accepted.
	require.NoError(t, dgram.UpdateLocal("key-0000", "w"))
	require.NoError(t, dgram.DeleteLocal("key-0001"))
}

// TestKeysAndValuesAreText: a write that is not UTF-8 is refused.
func TestKeysAndValuesAreText(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{Seed: 4})
	n := memNode(t, nw, "a", nw)
	require.ErrorIs(t, n.UpdateLocal("k", "\xff\xfe"), scuttlebutt.ErrNotText)
	require.ErrorIs(t, n.UpdateLocal("\xc3", "v"), scuttlebutt.ErrNotText)
	require.NoError(t, n.UpdateLocal("ключ", "значение"))
}

// pickyCodec refuses any message carrying a delta with a key "poison", as
// a codec would refuse a value it cannot represent.
type pickyCodec struct{ binary.Codec }

func (p pickyCodec) Append(dst []byte, m *codec.Message) ([]byte, error) {
	for _, d := range m.Deltas {
		for _, e := range d.Entries {
			if e.Key == "poison" {
				return dst, errors.New("picky: cannot encode poison")
			}
		}
	}
	return p.Codec.Append(dst, m)
}

// TestEncodingFailureDropsOneDelta: a delta the codec refuses is left out,
// and the rest of each message still goes.
func TestEncodingFailureDropsOneDelta(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{Seed: 5})
	relay := memNode(t, nw, "relay", nw, func(b *scuttlebutt.Builder) { b.Codec(pickyCodec{}) })
	src := memNode(t, nw, "src", nw)
	dst := memNode(t, nw, "dst", nw)
	nw.Cut("src", "dst") // dst hears of src only through relay
	require.NoError(t, src.UpdateLocal("poison", "x"))
	require.NoError(t, src.UpdateLocal("fine", "y"))
	require.NoError(t, relay.UpdateLocal("relayed", "z"))
	require.NoError(t, src.Join([]string{"relay"}))
	ok := nw.RunUntil(nw.Now().Add(time.Minute), func() bool {
		_, ok := relay.Lookup("src", "poison")
		return ok
	})
	require.True(t, ok)
	require.NoError(t, dst.Join([]string{"relay"}))
	ok = nw.RunUntil(nw.Now().Add(time.Minute), func() bool {
		v, ok := dst.Lookup("relay", "relayed")
		return ok && v == "z"
	})
	require.True(t, ok, "dst never got relay's own key")
	require.NotZero(t, relay.Stats().EncodeErrors)
	_, ok = dst.Lookup("src", "poison")
	require.False(t, ok)
}

// TestRestartRepublishesEveryKey: after a restart that rewrites the same
// values, a subscriber that clears the node on EventRestart gets every key
// back as an update.
func TestRestartRepublishesEveryKey(t *testing.T) {
	c, err := sim.New(sim.Config{Nodes: 2, Seed: 6})
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Nodes[1].UpdateLocal("role", "db"))
	require.NoError(t, c.JoinAll())
	_, ok := c.RunRounds(30, func() bool { return c.Count(1, "role", "db") == 2 })
	require.True(t, ok)

	view := map[string]string{}
	c.Nodes[0].Subscribe(func(e scuttlebutt.Event) {
		if e.Node != sim.ID(1) {
			return
		}
		switch e.Kind {
		case scuttlebutt.EventRestart:
			clear(view)
		case scuttlebutt.EventUpdate:
			view[e.Key] = e.Value
		case scuttlebutt.EventDelete:
			delete(view, e.Key)
		}
	})
	require.NoError(t, c.Restart(1, 2_000_000_000, 0))
	require.NoError(t, c.Nodes[1].UpdateLocal("role", "db"))
	_, ok = c.RunRounds(30, func() bool { return view["role"] == "db" })
	require.True(t, ok, "the unchanged key never came back after the restart: %v", view)
}

// TestMTUTooSmallForTheID: the MTU must carry a SYN with the longest IDs.
func TestMTUTooSmallForTheID(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{})
	long := strings.Repeat("n", scuttlebutt.MaxIDLength)
	_, err := scuttlebutt.New(scuttlebutt.Config{ID: long, MTU: scuttlebutt.MinMTU, Transport: mustTransport(t, nw, "x")})
	var ce *scuttlebutt.ConfigError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, "MTU", ce.Field)
	n, err := scuttlebutt.New(scuttlebutt.Config{ID: "short", MTU: scuttlebutt.MinMTU, Transport: mustTransport(t, nw, "y"), Clock: nw})
	require.NoError(t, err)
	require.NoError(t, n.Close())
}

// TestRestartWithAnOlderGenerationTakesANewerOne: a node restarted with a
// generation below the one the cluster holds (its clock stepped back) sees
// its own ID ahead, takes a generation above it, and its state reaches
// every node again.
func TestRestartWithAnOlderGenerationTakesANewerOne(t *testing.T) {
	first := true
	c, err := sim.New(sim.Config{Nodes: 4, Seed: 8, Configure: func(i int, b *scuttlebutt.Builder) {
		if i == 3 && first {
			b.Generation(1_000)
			first = false
		}
	}})
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.JoinAll())
	_, ok := c.RunRounds(30, c.AllKnowAll)
	require.True(t, ok)

	require.NoError(t, c.Restart(3, 500, 0)) // the clock went back
	require.NoError(t, c.Nodes[3].UpdateLocal("after", "restart"))
	r, ok := c.RunRounds(30, func() bool { return c.Count(3, "after", "restart") == 4 })
	require.True(t, ok, "the restarted node's state never spread")
	require.Equal(t, uint64(1), c.Nodes[3].Stats().GenerationBumps)
	require.Greater(t, c.Nodes[3].Generation(), uint64(1_000))
	t.Logf("state of the restarted node reached all in %d rounds", r)
}

// steppingClock is a virtual clock that one node sees stepped back an hour
// once back is set.
type steppingClock struct {
	*mem.Network
	mu   sync.Mutex
	back bool
}

func (s *steppingClock) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.back {
		return s.Network.Now().Add(-time.Hour)
	}
	return s.Network.Now()
}

// TestClockStepBackStillDetectsCrashes: a node whose clock steps back an
// hour still suspects a crashed peer as fast as a node whose clock did not.
func TestClockStepBackStillDetectsCrashes(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{Seed: 9})
	step := &steppingClock{Network: nw}
	nodes := []*scuttlebutt.Node{memNode(t, nw, "a", nw), memNode(t, nw, "b", step), memNode(t, nw, "c", nw)}
	for _, n := range nodes[1:] {
		require.NoError(t, n.Join([]string{"a"}))
	}
	require.True(t, nw.RunUntil(nw.Now().Add(time.Minute), func() bool {
		return len(nodes[1].Members()) == 3 && len(nodes[2].Members()) == 3
	}))
	nw.Advance(10 * time.Second)
	step.mu.Lock()
	step.back = true
	step.mu.Unlock()
	require.NoError(t, nodes[0].Close()) // a crashes
	start := nw.Now()
	suspected := func(n *scuttlebutt.Node) bool {
		s, ok := n.NodeState("a")
		return !ok || s.Status != scuttlebutt.StatusAlive
	}
	require.True(t, nw.RunUntil(start.Add(5*time.Minute), func() bool { return suspected(nodes[2]) }))
	plain := nw.Now().Sub(start)
	require.True(t, nw.RunUntil(start.Add(plain+30*time.Second), func() bool { return suspected(nodes[1]) }),
		"the node whose clock stepped back did not suspect the crash within 30s of the other (%v)", plain)
}
