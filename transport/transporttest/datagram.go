package transporttest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// testLocalAddr: LocalAddr is set, stable across Start, and differs between
// transports.
func testLocalAddr(t *testing.T, s *Suite) {
	a, b := s.fresh(t), s.fresh(t)
	before := a.LocalAddr()
	require.NotEmpty(t, before)
	require.NoError(t, a.Start(func(string, []byte) {}))
	assert.Equal(t, before, a.LocalAddr(), "LocalAddr changed on Start")
	assert.NotEqual(t, a.LocalAddr(), b.LocalAddr(), "two transports share an address")
	assert.Positive(t, a.MTU())
}

// testSendReceive: datagrams of several sizes arrive intact, from the
// sender's LocalAddr, and Send does not retain the buffer.
func testSendReceive(t *testing.T, s *Suite) {
	a, b := s.start(t), s.start(t)
	mtu := a.tr.MTU()
	for i, size := range []int{1, 7, 64, mtu / 2, mtu} {
		if size < 1 {
			continue
		}
		want := pattern(size, byte(i))
		got := s.deliver(t, a, b, want)
		assert.Equal(t, a.tr.LocalAddr(), got.from, "sender address of a %d-byte datagram", size)
	}
}

// testReplyToSender: sending to the from address a Handler saw reaches the
// original sender.
func testReplyToSender(t *testing.T, s *Suite) {
	a, b := s.start(t), s.start(t)
	got := s.deliver(t, a, b, []byte("ping"))
	reply := []byte("pong")
	sendReply := func() { require.NoError(t, b.tr.Send(got.from, reply)) }
	sendReply()
	var resend func()
	if !s.Reliable {
		resend = sendReply
	}
	back, ok := a.rec.find(s.Timeout, resend, func(m message) bool { return string(m.b) == "pong" })
	require.True(t, ok, "reply to from address %q did not arrive", got.from)
	assert.Equal(t, b.tr.LocalAddr(), back.from)
}

// testMTU: exactly MTU bytes pass, MTU+1 fail with ErrTooLarge, and a
// refusal does not disturb later sends.
func testMTU(t *testing.T, s *Suite) {
	a, b := s.start(t), s.start(t)
	mtu := a.tr.MTU()
	for _, size := range []int{mtu + 1, 2 * mtu} {
		err := a.tr.Send(b.tr.LocalAddr(), make([]byte, size))
		assert.ErrorIs(t, err, transport.ErrTooLarge, "Send of %d bytes with MTU %d", size, mtu)
	}
	got := s.deliver(t, a, b, pattern(mtu, 0x5c))
	assert.Len(t, got.b, mtu)
	for _, m := range b.rec.snapshot() {
		assert.LessOrEqual(t, len(m.b), mtu, "a datagram above the MTU was delivered")
	}
}

// Shape of the concurrent-senders case: senders transports, each with
// goroutines goroutines sending perGoroutine datagrams to one receiver.
const (
	senders      = 2
	goroutines   = 4
	perGoroutine = 100
	headerLen    = 6 // sender, goroutine, sequence (uint16), length (uint16)
	maxConcSize  = 512
)

// testConcurrentSenders: many goroutines on several transports send at once;
// datagrams arrive uncorrupted, from the right address, exactly once if the
// transport is reliable and mostly otherwise.
func testConcurrentSenders(t *testing.T, s *Suite) {
	rx := s.start(t)
	var tx [senders]*node
	for i := range tx {
		tx[i] = s.start(t)
	}
	maxSize := min(rx.tr.MTU(), maxConcSize)
	require.GreaterOrEqual(t, maxSize, headerLen+1, "MTU too small for the concurrent case")

	var wg sync.WaitGroup
	var mu sync.Mutex
	var sendErrs []error
	for si, n := range tx {
		for g := range goroutines {
			wg.Go(func() {
				for seq := range perGoroutine {
					if err := n.tr.Send(rx.tr.LocalAddr(), concMessage(si, g, seq, maxSize)); err != nil {
						mu.Lock()
						sendErrs = append(sendErrs, err)
						mu.Unlock()
					}
				}
			})
		}
	}
	wg.Wait()
	total := senders * goroutines * perGoroutine
	if s.Reliable {
		require.Empty(t, sendErrs, "Send failed on a reliable transport")
	}

	// Wait for every datagram; an unreliable transport may stop short, so
	// also stop once nothing has arrived for a while.
	idle := s.Timeout / 10
	if s.Reliable {
		idle = s.Timeout
	}
	rx.rec.settle(idle, s.Timeout, func(msgs []message) bool { return len(msgs) >= total })

	seen := make(map[[3]int]int)
	for _, m := range rx.rec.snapshot() {
		id, err := checkConcMessage(m.b, maxSize)
		if !assert.NoError(t, err) {
			continue
		}
		assert.Equal(t, tx[id[0]].tr.LocalAddr(), m.from, "sender address of message %v", id)
		seen[id]++
	}
	dups := 0
	for _, c := range seen {
		dups += c - 1
	}
	if s.Reliable {
		assert.Len(t, seen, total, "distinct datagrams delivered")
		assert.Zero(t, dups, "duplicated datagrams on a reliable transport")
		return
	}
	assert.GreaterOrEqual(t, float64(len(seen)), s.MinDelivery*float64(total),
		"delivered %d of %d datagrams (%d send errors)", len(seen), total, len(sendErrs))
}

// concMessage encodes one datagram of the concurrent case: a header naming
// it, then a body derived from the header, with a size that varies.
func concMessage(sender, g, seq, maxSize int) []byte {
	size := headerLen + 1 + (sender*7919+g*104729+seq*31)%(maxSize-headerLen)
	b := make([]byte, size)
	b[0], b[1] = byte(sender), byte(g)
	binary.BigEndian.PutUint16(b[2:], uint16(seq))
	binary.BigEndian.PutUint16(b[4:], uint16(size))
	copy(b[headerLen:], pattern(size-headerLen, byte(seq)^byte(g)<<4^byte(sender)))
	return b
}

// checkConcMessage decodes and verifies a datagram of the concurrent case.
func checkConcMessage(b []byte, maxSize int) ([3]int, error) {
	if len(b) < headerLen+1 {
		return [3]int{}, fmt.Errorf("datagram of %d bytes is shorter than a header", len(b))
	}
	id := [3]int{int(b[0]), int(b[1]), int(binary.BigEndian.Uint16(b[2:]))}
	if id[0] >= senders || id[1] >= goroutines || id[2] >= perGoroutine {
		return id, fmt.Errorf("datagram has an unknown id %v", id)
	}
	want := concMessage(id[0], id[1], id[2], maxSize)
	if string(b) != string(want) {
		return id, fmt.Errorf("datagram %v is corrupted: %d bytes, want %d", id, len(b), len(want))
	}
	return id, nil
}

// testStartTwice: a second Start returns ErrStarted.
func testStartTwice(t *testing.T, s *Suite) {
	a := s.start(t)
	assert.ErrorIs(t, a.tr.Start(func(string, []byte) {}), transport.ErrStarted)
}

// testBadAddress: Send to malformed addresses returns promptly without
// panicking, and the transport still works.
func testBadAddress(t *testing.T, s *Suite) {
	a, b := s.start(t), s.start(t)
	for _, addr := range []string{"", "no-port", ":", "127.0.0.1:", "127.0.0.1:notaport",
		"127.0.0.1:99999", "[::1", "]:80", "\x00\xff:1", "[fe80::1%]:1"} {
		var err error
		within(t, s.Timeout, fmt.Sprintf("Send(%q)", addr), func() { err = a.tr.Send(addr, []byte("x")) })
		assert.False(t, errors.Is(err, net.ErrClosed), "Send(%q) on an open transport: %v", addr, err)
	}
	s.deliver(t, a, b, []byte("still works"))
}

// testDeadPeer: sending to a closed peer never blocks and does not disturb
// sends to a live one.
func testDeadPeer(t *testing.T, s *Suite) {
	a, gone, live := s.start(t), s.start(t), s.start(t)
	s.deliver(t, a, gone, []byte("hello"))
	deadAddr := gone.tr.LocalAddr()
	require.NoError(t, gone.tr.Close())
	errs := make([]error, 20)
	within(t, s.Timeout, "Send to a closed peer", func() {
		for i := range errs {
			errs[i] = a.tr.Send(deadAddr, pattern(64, byte(i)))
			if i%5 == 0 {
				_ = a.tr.Send(live.tr.LocalAddr(), []byte("interleaved"))
			}
		}
	})
	for _, err := range errs {
		assert.False(t, errors.Is(err, net.ErrClosed), "Send to a closed peer: %v", err)
	}
	s.deliver(t, a, live, []byte("after the dead peer"))
}
