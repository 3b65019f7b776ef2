package transporttest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// Defaults for zero Suite fields.
const (
	DefaultTimeout     = 5 * time.Second
	DefaultMinDelivery = 0.9
)

// resendEvery is how often a datagram is re-sent to an unreliable transport
// while waiting for it.
const resendEvery = 50 * time.Millisecond

// Suite describes the transport under test.
type Suite struct {
	// New returns a fresh transport that is not yet started and can exchange
	// datagrams with every other transport New returns during the same test
	// t. It fails t on error. Run closes what New returns (Close is
	// idempotent, so New may also register its own cleanup). Required.
	New func(t *testing.T) transport.Transport
	// Reliable says the transport delivers every datagram exactly once when
	// no peer fails, as a stream-based transport or a fault-free simulated
	// network does. An unreliable one (UDP) is held to MinDelivery.
	Reliable bool
	// MinDelivery is the fraction of datagrams an unreliable transport must
	// deliver when many are sent concurrently. Default DefaultMinDelivery.
	MinDelivery float64
	// Timeout bounds every wait for a delivery or for a call to return.
	// Default DefaultTimeout.
	Timeout time.Duration
	// LeakOptions are passed to goleak.VerifyNone by the leak check, to
	// ignore goroutines that outlive a transport by design (a simulated
	// network's clock, a library's shared workers).
	LeakOptions []goleak.Option
	// StalledPeer returns the address of a peer that accepts the
	// transport's connections, completing whatever handshake its protocol
	// needs, but never reads a message sent to it, so that a Streamer's
	// SendStream has nobody taking its bytes. It lives until t ends. Socket
	// transports build it from a raw listener on 127.0.0.1. Without it the
	// StreamStalledPeer case is skipped.
	StalledPeer func(t *testing.T) string
}

// Run runs the conformance cases against s.New, each as a subtest of t.
func Run(t *testing.T, s Suite) {
	t.Helper()
	require.NotNil(t, s.New, "Suite.New is required")
	if s.Timeout <= 0 {
		s.Timeout = DefaultTimeout
	}
	if s.MinDelivery <= 0 {
		s.MinDelivery = DefaultMinDelivery
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, &s) })
	}
}

// cases are the conformance checks, in the order Run runs them.
var cases = []struct {
	name string
	run  func(t *testing.T, s *Suite)
}{
	{"LocalAddr", testLocalAddr},
	{"SendReceive", testSendReceive},
	{"ReplyToSender", testReplyToSender},
	{"MTU", testMTU},
	{"ConcurrentSenders", testConcurrentSenders},
	{"StartTwice", testStartTwice},
	{"BadAddress", testBadAddress},
	{"DeadPeer", testDeadPeer},
	{"CloseUnstarted", testCloseUnstarted},
	{"CloseStarted", testCloseStarted},
	{"NoHandlerAfterClose", testNoHandlerAfterClose},
	{"NoLeaks", testNoLeaks},
	{"Stream", testStream},
	{"StreamLimits", testStreamLimits},
	{"StreamDeadPeer", testStreamDeadPeer},
	{"StreamStalledPeer", testStreamStalledPeer},
}

// node is a started transport with the recorder its Handler feeds.
type node struct {
	tr  transport.Transport
	rec *recorder
}

// fresh returns a transport from s.New that Run closes when t ends.
func (s *Suite) fresh(t *testing.T) transport.Transport {
	t.Helper()
	tr := s.New(t)
	require.NotNil(t, tr, "Suite.New returned nil")
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}

// start returns a fresh, started transport recording what it receives.
func (s *Suite) start(t *testing.T) *node {
	t.Helper()
	n := &node{tr: s.fresh(t), rec: newRecorder()}
	require.NoError(t, n.tr.Start(n.rec.handle))
	return n
}

// deliver sends payload from one node to another and waits until it has
// arrived, re-sending on an unreliable transport. It checks that Send does
// not retain its buffer by overwriting it after each Send, and returns the
// message as received.
func (s *Suite) deliver(t *testing.T, from, to *node, payload []byte) message {
	t.Helper()
	buf := make([]byte, len(payload))
	send := func() {
		copy(buf, payload)
		require.NoError(t, from.tr.Send(to.tr.LocalAddr(), buf))
		scribble(buf)
	}
	send()
	var resend func()
	if !s.Reliable {
		resend = send
	}
	m, ok := to.rec.find(s.Timeout, resend, func(m message) bool { return string(m.b) == string(payload) })
	require.True(t, ok, "a %d-byte datagram from %s did not arrive at %s within %v",
		len(payload), from.tr.LocalAddr(), to.tr.LocalAddr(), s.Timeout)
	return m
}

// within runs f in a goroutine and fails t if it does not return within d.
// what names f in the failure message.
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		t.Fatalf("%s did not return within %v", what, d)
	}
}

// pattern returns n bytes that differ between sizes and seeds, so that a
// mix-up or corruption shows.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31) ^ seed ^ byte(n)
	}
	return b
}

// scribble overwrites b, to catch a transport that keeps a sent buffer.
func scribble(b []byte) {
	for i := range b {
		b[i] = 0xA5
	}
}
