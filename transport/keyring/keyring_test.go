package keyring_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/keyring"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
	"github.com/scuttlebutt-go/scuttlebutt/transport/transporttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var realtimeLeak = goleak.IgnoreAnyFunction("github.com/scuttlebutt-go/scuttlebutt/transport/mem.(*Network).realtime")

// key returns a 32-byte key filled with b.
func key(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

// wrapper is what Wrap returns, seen through the methods both types have.
type wrapper interface {
	transport.Transport
	Stats() keyring.Stats
	Keyring() *keyring.Keyring
	Mode() keyring.Mode
	SetMode(keyring.Mode) error
}

func wrap(t testing.TB, inner transport.Transport, cfg keyring.Config) wrapper {
	t.Helper()
	w, err := keyring.Wrap(inner, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = w.Close() })
	return w.(wrapper)
}

// TestConformance runs the shared suite over wrappers of a real-time
// simulated network, sealing (Require) and in the migration modes.
func TestConformance(t *testing.T) {
	for _, mode := range []keyring.Mode{keyring.Require, keyring.AcceptPlaintext, keyring.SendPlaintext} {
		t.Run(mode.String(), func(t *testing.T) {
			ring, err := keyring.New(key(1), key(2))
			require.NoError(t, err)
			nets := sync.Map{} // *testing.T → *mem.Network
			newInner := func(t *testing.T) *mem.Transport {
				v, loaded := nets.LoadOrStore(t, mem.NewNetwork(mem.Config{}))
				nw := v.(*mem.Network)
				if !loaded {
					t.Cleanup(nw.RunRealtime(0))
				}
				tr, err := nw.NewTransport("")
				require.NoError(t, err)
				return tr
			}
			transporttest.Run(t, transporttest.Suite{
				New: func(t *testing.T) transport.Transport {
					tr, err := keyring.Wrap(newInner(t), keyring.Config{Keyring: ring, Mode: mode})
					require.NoError(t, err)
					return tr
				},
				StalledPeer: func(t *testing.T) string {
					tr := newInner(t)
					t.Cleanup(func() { _ = tr.Close() })
					return tr.LocalAddr()
				},
				Reliable:    true,
				LeakOptions: []goleak.Option{realtimeLeak},
			})
		})
	}
}

// TestKeyringOperations: sizes, install, use, remove, and the errors.
func TestKeyringOperations(t *testing.T) {
	for _, n := range []int{0, 1, 15, 17, 31, 33, 64} {
		_, err := keyring.New(make([]byte, n))
		require.ErrorIs(t, err, keyring.ErrKeySize, "%d bytes", n)
	}
	_, err := keyring.New(key(1), make([]byte, 5))
	require.ErrorIs(t, err, keyring.ErrKeySize)

	k16, k24 := bytes.Repeat([]byte{7}, 16), bytes.Repeat([]byte{8}, 24)
	ring, err := keyring.New(k16, k24, k16)
	require.NoError(t, err)
	require.Equal(t, [][]byte{k16, k24}, ring.Keys(), "duplicates installed once")
	require.Equal(t, k16, ring.Primary())

	require.ErrorIs(t, ring.Install(make([]byte, 20)), keyring.ErrKeySize)
	require.NoError(t, ring.Install(key(3)))
	require.NoError(t, ring.Install(key(3)), "installing twice is a no-op")
	require.Len(t, ring.Keys(), 3)

	require.ErrorIs(t, ring.UseKey(key(9)), keyring.ErrKeyNotInstalled)
	require.NoError(t, ring.UseKey(key(3)))
	require.Equal(t, key(3), ring.Primary())
	require.Equal(t, [][]byte{key(3), k16, k24}, ring.Keys())

	err = ring.Remove(key(3))
	require.ErrorIs(t, err, keyring.ErrPrimaryKey)
	require.Contains(t, err.Error(), "primary")
	require.ErrorIs(t, ring.Remove(key(9)), keyring.ErrKeyNotInstalled)
	require.NoError(t, ring.Remove(k16))
	require.Equal(t, [][]byte{key(3), k24}, ring.Keys())

	// The keyring keeps copies: changing the caller's or the returned
	// slices changes nothing.
	mine := key(4)
	require.NoError(t, ring.Install(mine))
	mine[0] = 99
	ring.Keys()[0][0] = 99
	require.Equal(t, [][]byte{key(3), k24, key(4)}, ring.Keys())
}

// pair returns a wrapper at "a" and one at "b" on a virtual network, and
// what b's Handler received.
type pair struct {
	nw   *mem.Network
	a, b wrapper
	got  *[][]byte
}

func newPair(t *testing.T, ra, rb *keyring.Keyring, onDeliver func(from, to string, b []byte)) pair {
	t.Helper()
	nw := mem.NewNetwork(mem.Config{Seed: 1, OnDeliver: onDeliver})
	ia, err := nw.NewTransport("a")
	require.NoError(t, err)
	ib, err := nw.NewTransport("b")
	require.NoError(t, err)
	p := pair{nw: nw, a: wrap(t, ia, keyring.Config{Keyring: ra}), b: wrap(t, ib, keyring.Config{Keyring: rb}), got: &[][]byte{}}
	require.NoError(t, p.a.Start(func(string, []byte) {}))
	require.NoError(t, p.b.Start(func(_ string, m []byte) { *p.got = append(*p.got, bytes.Clone(m)) }))
	return p
}

// TestSealedOnTheWire: what crosses the network is version, nonce,
// ciphertext and tag, 29 bytes more than the message, never the message
// itself, and the same message seals differently every time.
func TestSealedOnTheWire(t *testing.T) {
	ring, err := keyring.New(key(1))
	require.NoError(t, err)
	var wire [][]byte
	p := newPair(t, ring, ring, func(_, _ string, b []byte) { wire = append(wire, bytes.Clone(b)) })
	secret := []byte("role=db-primary;addr=10.0.0.7:5432")
	for range 2 {
		require.NoError(t, p.a.Send("b", secret))
	}
	p.nw.Advance(time.Second)
	require.Equal(t, [][]byte{secret, secret}, *p.got)
	require.Len(t, wire, 2)
	for _, w := range wire {
		require.Len(t, w, len(secret)+keyring.Overhead)
		require.Equal(t, keyring.Version, w[0])
		require.False(t, bytes.Contains(w, []byte("db-primary")), "plaintext on the wire")
	}
	require.NotEqual(t, wire[0][1:1+keyring.NonceSize], wire[1][1:1+keyring.NonceSize], "nonce reused")
	require.Equal(t, 29, keyring.Overhead)
	require.Equal(t, keyring.Stats{Sealed: 2}, p.a.Stats())
	require.Equal(t, keyring.Stats{Decrypted: 2}, p.b.Stats())
}

// TestMTU: the wrapper's MTU leaves room for the seal: MTU bytes pass the
// inner transport once sealed, MTU+1 are refused; likewise for streams.
func TestMTU(t *testing.T) {
	ring, err := keyring.New(key(1))
	require.NoError(t, err)
	p := newPair(t, ring, ring, nil)
	require.Equal(t, mem.DefaultMTU-keyring.Overhead, p.a.MTU())
	require.NoError(t, p.a.Send("b", make([]byte, p.a.MTU())))
	require.ErrorIs(t, p.a.Send("b", make([]byte, p.a.MTU()+1)), transport.ErrTooLarge)
	st := p.a.(transport.Streamer)
	require.Equal(t, mem.DefaultMaxStreamSize-keyring.Overhead, st.MaxStreamSize())
	require.NoError(t, st.SendStream(context.Background(), "b", make([]byte, st.MaxStreamSize())))
	require.ErrorIs(t, st.SendStream(context.Background(), "b", make([]byte, st.MaxStreamSize()+1)), transport.ErrTooLarge)
	p.nw.Advance(time.Second)
	require.Len(t, *p.got, 2)
	require.Len(t, (*p.got)[0], p.a.MTU())
	require.Len(t, (*p.got)[1], st.MaxStreamSize())

	// An inner MTU that cannot carry the seal is refused.
	nw := mem.NewNetwork(mem.Config{})
	tiny, _ := nw.NewTransport("t")
	defer tiny.Close()
	_, err = keyring.Wrap(&smallMTU{tiny}, keyring.Config{Keyring: ring})
	require.ErrorIs(t, err, transport.ErrInvalidConfig)
	_, err = keyring.Wrap(tiny, keyring.Config{})
	require.ErrorIs(t, err, transport.ErrInvalidConfig)
	_, err = keyring.Wrap(tiny, keyring.Config{Keyring: ring, Mode: 7})
	require.ErrorIs(t, err, transport.ErrInvalidConfig)
	_, err = keyring.Wrap(nil, keyring.Config{Keyring: ring})
	require.ErrorIs(t, err, transport.ErrInvalidConfig)
}

type smallMTU struct{ transport.Transport }

func (smallMTU) MTU() int { return keyring.Overhead }

// TestWrongKeyAndAlteredDropped: a message sealed with a key the receiver
// lacks, or altered in any single bit, or truncated, never reaches the
// Handler and is counted as Failed.
func TestWrongKeyAndAlteredDropped(t *testing.T) {
	ra, err := keyring.New(key(1))
	require.NoError(t, err)
	rb, err := keyring.New(key(2))
	require.NoError(t, err)
	p := newPair(t, ra, rb, nil)
	for range 5 {
		require.NoError(t, p.a.Send("b", []byte("hello")))
	}
	p.nw.Advance(time.Second)
	require.Empty(t, *p.got)
	require.Equal(t, uint64(5), p.b.Stats().Failed)

	// Capture one good sealed message, then replay it with every bit flipped
	// in turn, straight through the inner network.
	var sealed []byte
	ring, _ := keyring.New(key(1))
	q := newPair(t, ring, ring, func(_, _ string, b []byte) { sealed = bytes.Clone(b) })
	require.NoError(t, q.a.Send("b", []byte("hello")))
	q.nw.Advance(time.Second)
	require.Len(t, *q.got, 1)
	raw, err := q.nw.NewTransport("raw")
	require.NoError(t, err)
	defer raw.Close()
	require.NoError(t, raw.Start(func(string, []byte) {}))
	sent := 0
	for i := range len(sealed) * 8 {
		m := bytes.Clone(sealed)
		m[i/8] ^= 1 << (i % 8)
		if i/8 == 0 {
			continue // the version byte: tried below
		}
		require.NoError(t, raw.Send("b", m))
		sent++
	}
	for n := range keyring.Overhead {
		require.NoError(t, raw.Send("b", sealed[:n+1]))
		sent++
	}
	flipped := bytes.Clone(sealed)
	flipped[0] ^= 1
	require.NoError(t, raw.Send("b", flipped))
	q.nw.Advance(time.Second)
	require.Len(t, *q.got, 1, "an altered message was delivered")
	s := q.b.Stats()
	require.Equal(t, uint64(sent), s.Failed)
	require.Equal(t, uint64(1), s.Refused)
}

// TestModes: what each mode sends and accepts.
func TestModes(t *testing.T) {
	ring, err := keyring.New(key(1))
	require.NoError(t, err)
	var wire [][]byte
	p := newPair(t, ring, ring, func(_, _ string, b []byte) { wire = append(wire, bytes.Clone(b)) })
	raw, err := p.nw.NewTransport("raw")
	require.NoError(t, err)
	defer raw.Close()
	require.NoError(t, raw.Start(func(string, []byte) {}))

	// Require (the default): unsealed refused.
	require.Equal(t, keyring.Require, p.b.Mode())
	require.NoError(t, raw.Send("b", []byte("plain")))
	p.nw.Advance(time.Second)
	require.Empty(t, *p.got)
	require.Equal(t, uint64(1), p.b.Stats().Refused)

	// AcceptPlaintext: unsealed accepted, sealed too; sends sealed.
	require.NoError(t, p.b.SetMode(keyring.AcceptPlaintext))
	require.NoError(t, raw.Send("b", []byte("plain")))
	require.NoError(t, p.a.Send("b", []byte("sealed")))
	p.nw.Advance(time.Second)
	require.Equal(t, [][]byte{[]byte("plain"), []byte("sealed")}, *p.got)
	require.Equal(t, keyring.Stats{Decrypted: 1, Plaintext: 1, Refused: 1}, p.b.Stats())

	// SendPlaintext: sends unsealed.
	require.NoError(t, p.a.SetMode(keyring.SendPlaintext))
	wire = nil
	require.NoError(t, p.a.Send("b", []byte("in the clear")))
	p.nw.Advance(time.Second)
	require.Equal(t, [][]byte{[]byte("in the clear")}, wire)
	require.Equal(t, uint64(1), p.a.Stats().SentPlaintext)

	require.ErrorIs(t, p.a.SetMode(keyring.Mode(-1)), transport.ErrInvalidConfig)
	require.Equal(t, "Mode(9)", keyring.Mode(9).String())
}

// TestReplyWithPeersKey: a peer that seals with an installed key other
// than the primary is answered with that key, until the key is removed.
func TestReplyWithPeersKey(t *testing.T) {
	old, err := keyring.New(key(1))
	require.NoError(t, err)
	rotated, err := keyring.New(key(2), key(1))
	require.NoError(t, err)
	// c holds only the old key; d has the new one primary, the old installed.
	var atA [][]byte
	nw := mem.NewNetwork(mem.Config{Seed: 1})
	ic, _ := nw.NewTransport("c")
	id, _ := nw.NewTransport("d")
	c := wrap(t, ic, keyring.Config{Keyring: old})
	d := wrap(t, id, keyring.Config{Keyring: rotated})
	require.NoError(t, c.Start(func(_ string, m []byte) { atA = append(atA, bytes.Clone(m)) }))
	require.NoError(t, d.Start(func(from string, m []byte) { _ = d.Send(from, append([]byte("re: "), m...)) }))

	// Before d heard from c, it seals with its primary: c cannot open it.
	require.NoError(t, d.Send("c", []byte("first")))
	nw.Advance(time.Second)
	require.Empty(t, atA)
	require.Equal(t, uint64(1), c.Stats().Failed)

	// c speaks first with the old key: d answers with it.
	require.NoError(t, c.Send("d", []byte("ping")))
	nw.Advance(time.Second)
	require.Equal(t, [][]byte{[]byte("re: ping")}, atA)

	// Once the old key is removed, d no longer opens c, nor answers it.
	require.NoError(t, rotated.Remove(key(1)))
	require.NoError(t, c.Send("d", []byte("ping")))
	require.NoError(t, d.Send("c", []byte("direct")))
	nw.Advance(time.Second)
	require.Len(t, atA, 1)
	require.Equal(t, uint64(2), c.Stats().Failed)
	require.Equal(t, uint64(1), d.Stats().Failed)
}

// TestReplyKeysDoNotStick: two nodes that answered each other with the old
// key go back to the primary as soon as one seals with it, and a reply key
// expires after the reply window, so the old key can be removed.
func TestReplyKeysDoNotStick(t *testing.T) {
	ra, _ := keyring.New(key(2), key(1)) // a has switched
	rb, _ := keyring.New(key(1), key(2)) // b has not yet
	var wire []byte
	nw2 := mem.NewNetwork(mem.Config{Seed: 1, OnDeliver: func(_, _ string, b []byte) { wire = bytes.Clone(b) }})
	ia, _ := nw2.NewTransport("a")
	ib, _ := nw2.NewTransport("b")
	a := wrap(t, ia, keyring.Config{Keyring: ra, Clock: nw2, ReplyWindow: 10 * time.Second})
	b := wrap(t, ib, keyring.Config{Keyring: rb, Clock: nw2, ReplyWindow: 10 * time.Second})
	require.NoError(t, a.Start(func(string, []byte) {}))
	require.NoError(t, b.Start(func(string, []byte) {}))
	exchange := func(from, to wrapper) byte {
		require.NoError(t, from.Send(to.LocalAddr(), []byte("m")))
		nw2.Advance(time.Millisecond)
		return wire[0]
	}
	require.Equal(t, keyring.Version, exchange(b, a), "b seals with its primary, the old key")
	require.Equal(t, keyring.VersionReply, exchange(a, b), "a answers b with the old key")
	require.Equal(t, keyring.Version, exchange(b, a), "b does not answer a reply in kind")
	require.NoError(t, rb.UseKey(key(2))) // b switches
	require.Equal(t, keyring.VersionReply, exchange(a, b), "a has not heard b since")
	require.Equal(t, keyring.Version, exchange(b, a))
	require.Equal(t, keyring.Version, exchange(a, b), "a heard b on the new key")

	// A reply key expires after the window.
	require.NoError(t, rb.UseKey(key(1)))
	require.Equal(t, keyring.Version, exchange(b, a))
	require.Equal(t, keyring.VersionReply, exchange(a, b))
	nw2.Advance(10 * time.Second)
	require.Equal(t, keyring.Version, exchange(a, b), "window over")
	require.Zero(t, a.Stats().Failed+b.Stats().Failed)

	// A negative window never replies with another key.
	ic, _ := nw2.NewTransport("c")
	c := wrap(t, ic, keyring.Config{Keyring: ra, ReplyWindow: -1})
	require.NoError(t, c.Start(func(string, []byte) {}))
	require.Equal(t, keyring.Version, exchange(b, c))
	require.Equal(t, keyring.Version, exchange(c, b))
}

// countHandler counts log records at Error level.
type countHandler struct {
	n    atomic.Int64
	last atomic.Value // error attribute of the last record
}

func (h *countHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Level == slog.LevelError {
		h.n.Add(1)
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "err" {
				if err, ok := a.Value.Any().(error); ok {
					h.last.Store(err)
				}
			}
			return true
		})
	}
	return nil
}
func (h *countHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countHandler) WithGroup(string) slog.Handler      { return h }

// TestDropLogRateLimited: a flood of undecryptable messages is counted in
// full but logged once per LogInterval, with ErrNoKey.
func TestDropLogRateLimited(t *testing.T) {
	nw := mem.NewNetwork(mem.Config{Seed: 1, QueueLimit: -1})
	h := &countHandler{}
	ia, _ := nw.NewTransport("a")
	ib, _ := nw.NewTransport("b")
	ra, _ := keyring.New(key(1))
	rb, _ := keyring.New(key(2))
	a := wrap(t, ia, keyring.Config{Keyring: ra})
	b := wrap(t, ib, keyring.Config{Keyring: rb, Logger: slog.New(h), Clock: nw, LogInterval: 10 * time.Second})
	require.NoError(t, a.Start(func(string, []byte) {}))
	require.NoError(t, b.Start(func(string, []byte) { t.Error("delivered") }))
	// 100 messages a second for 60 seconds.
	for range 60 * 100 {
		require.NoError(t, a.Send("b", []byte("x")))
		nw.Advance(10 * time.Millisecond)
	}
	require.Equal(t, uint64(6000), b.Stats().Failed)
	require.InDelta(t, 6, h.n.Load(), 1, "one record per 10s")
	require.ErrorIs(t, h.last.Load().(error), keyring.ErrNoKey)
}

// TestConcurrentRotation: keys change while messages are sealed and
// opened on other goroutines; every message sealed with a key the other
// side holds arrives (run with -race).
func TestConcurrentRotation(t *testing.T) {
	ring, err := keyring.New(key(0))
	require.NoError(t, err)
	nw := mem.NewNetwork(mem.Config{QueueLimit: -1})
	defer nw.RunRealtime(0)()
	ia, _ := nw.NewTransport("a")
	ib, _ := nw.NewTransport("b")
	a := wrap(t, ia, keyring.Config{Keyring: ring})
	b := wrap(t, ib, keyring.Config{Keyring: ring})
	var got atomic.Int64
	require.NoError(t, a.Start(func(string, []byte) {}))
	require.NoError(t, b.Start(func(string, []byte) { got.Add(1) }))
	const senders, each = 4, 500
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for range each {
				if err := a.Send("b", []byte("payload")); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Go(func() {
		for i := byte(1); i < 50; i++ {
			require.NoError(t, ring.Install(key(i)))
			require.NoError(t, ring.UseKey(key(i)))
			_ = ring.Keys()
			require.NoError(t, ring.Remove(key(i-1)))
		}
	})
	wg.Wait()
	require.Eventually(t, func() bool { return b.Stats().Decrypted+b.Stats().Failed == senders*each }, 5*time.Second, time.Millisecond)
	// A key may be removed between seal and open, so some may fail (how
	// many depends on the scheduling); each one either opens and is
	// delivered or is counted as failed, and once rotation stops every
	// datagram opens again.
	require.Equal(t, int64(b.Stats().Decrypted), got.Load())
	const after = 100
	before := got.Load()
	for range after {
		require.NoError(t, a.Send("b", []byte("payload")))
	}
	require.Eventually(t, func() bool { return b.Stats().Decrypted+b.Stats().Failed == senders*each+after }, 5*time.Second, time.Millisecond)
	require.Equal(t, int64(b.Stats().Decrypted), got.Load())
	require.Equal(t, int64(after), got.Load()-before, "every datagram after the rotation opens")
}

// TestClosed: a closed wrapper refuses work with net.ErrClosed.
func TestClosed(t *testing.T) {
	ring, _ := keyring.New(key(1))
	nw := mem.NewNetwork(mem.Config{})
	inner, _ := nw.NewTransport("a")
	w := wrap(t, inner, keyring.Config{Keyring: ring})
	require.NoError(t, w.Close())
	require.NoError(t, w.Close())
	require.True(t, errors.Is(w.Send("b", []byte("x")), net.ErrClosed))
	require.ErrorIs(t, w.Start(func(string, []byte) {}), net.ErrClosed)
}

// FuzzReceive: whatever arrives, the wrapper never panics, delivers only
// what opens with its key (or nothing in Require mode), and counts every
// message once.
func FuzzReceive(f *testing.F) {
	ring, _ := keyring.New(key(1))
	var sealed []byte
	nw := mem.NewNetwork(mem.Config{OnDeliver: func(_, _ string, b []byte) { sealed = bytes.Clone(b) }})
	ia, _ := nw.NewTransport("a")
	ib, _ := nw.NewTransport("b")
	a, _ := keyring.Wrap(ia, keyring.Config{Keyring: ring})
	b, _ := keyring.Wrap(ib, keyring.Config{Keyring: ring})
	_ = a.Start(func(string, []byte) {})
	_ = b.Start(func(string, []byte) {})
	_ = a.Send("b", []byte("seed message"))
	nw.Advance(time.Second)
	_ = a.Close()
	_ = b.Close()
	f.Add(sealed)
	f.Add([]byte{keyring.Version})
	f.Add([]byte("SB\x03plain"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, msg []byte) {
		nw := mem.NewNetwork(mem.Config{})
		raw, _ := nw.NewTransport("raw")
		ib, _ := nw.NewTransport("b")
		w, err := keyring.Wrap(ib, keyring.Config{Keyring: ring})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		defer raw.Close()
		var got [][]byte
		_ = raw.Start(func(string, []byte) {})
		_ = w.Start(func(_ string, m []byte) { got = append(got, bytes.Clone(m)) })
		if err := raw.Send("b", msg); err != nil {
			return // above the inner MTU
		}
		nw.Advance(time.Second)
		s := w.(wrapper).Stats()
		if s.Decrypted+s.Failed+s.Refused != 1 {
			t.Fatalf("one message, counted %+v", s)
		}
		if uint64(len(got)) != s.Decrypted {
			t.Fatalf("delivered %d, decrypted %d", len(got), s.Decrypted)
		}
		if len(got) == 1 && len(got[0]) != len(msg)-keyring.Overhead {
			t.Fatalf("opened %d bytes from %d", len(got[0]), len(msg))
		}
	})
}
