package udp_test

import (
	"errors"
	"net"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/udp"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const waitFor = 3 * time.Second

// datagram is one delivery seen by a test handler.
type datagram struct {
	from string
	b    []byte
}

// collect starts tr with a handler that forwards copies of what arrives.
func collect(t *testing.T, tr *udp.Transport) <-chan datagram {
	t.Helper()
	ch := make(chan datagram, 64)
	require.NoError(t, tr.Start(func(from string, b []byte) {
		ch <- datagram{from, append([]byte(nil), b...)}
	}))
	return ch
}

// next waits for a delivery.
func next(t *testing.T, ch <-chan datagram) datagram {
	t.Helper()
	select {
	case d := <-ch:
		return d
	case <-time.After(waitFor):
		t.Fatal("no datagram within", waitFor)
		return datagram{}
	}
}

func TestNewConfig(t *testing.T) {
	tests := []struct {
		name  string
		cfg   udp.Config
		field string
	}{
		{"empty bind", udp.Config{}, "BindAddr"},
		{"bind without port", udp.Config{BindAddr: "127.0.0.1"}, "BindAddr"},
		{"bind with bad port", udp.Config{BindAddr: "127.0.0.1:x"}, "BindAddr"},
		{"bind port too large", udp.Config{BindAddr: "127.0.0.1:65536"}, "BindAddr"},
		{"bad advertise", udp.Config{BindAddr: "127.0.0.1:0", AdvertiseAddr: "10.0.0.1"}, "AdvertiseAddr"},
		{"negative MTU", udp.Config{BindAddr: "127.0.0.1:0", MTU: -1}, "MTU"},
		{"MTU too large", udp.Config{BindAddr: "127.0.0.1:0", MTU: udp.MaxMTU + 1}, "MTU"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := udp.New(tt.cfg)
			require.ErrorIs(t, err, transport.ErrInvalidConfig)
			assert.ErrorIs(t, err, udp.ErrInvalidConfig, "the deprecated alias still matches")
			assert.Contains(t, err.Error(), "udp: Config."+tt.field+":", "the message names the field")
			assert.Nil(t, tr)
		})
	}
}

func TestDefaultsAndAddresses(t *testing.T) {
	tr := newLoopback(t, udp.Config{ReadBufferBytes: -1, WriteBufferBytes: -1})
	assert.Equal(t, udp.DefaultMTU, tr.MTU())
	ap, err := netip.ParseAddrPort(tr.LocalAddr())
	require.NoError(t, err, "LocalAddr is the bound ip:port")
	assert.Equal(t, netip.MustParseAddr("127.0.0.1"), ap.Addr())
	assert.NotZero(t, ap.Port())

	adv := newLoopback(t, udp.Config{AdvertiseAddr: "gossip.example:7946"})
	assert.Equal(t, "gossip.example:7946", adv.LocalAddr())

	zero := newLoopback(t, udp.Config{AdvertiseAddr: "10.1.2.3:0"})
	host, port, err := net.SplitHostPort(zero.LocalAddr())
	require.NoError(t, err)
	assert.Equal(t, "10.1.2.3", host)
	assert.NotEqual(t, "0", port, "port 0 in AdvertiseAddr is replaced by the bound port")
}

func TestBindInUse(t *testing.T) {
	a := newLoopback(t, udp.Config{})
	_, err := udp.New(udp.Config{BindAddr: a.LocalAddr()})
	assert.Error(t, err)
}

func TestSendResolvesHostNames(t *testing.T) {
	a := newLoopback(t, udp.Config{})
	b := newLoopback(t, udp.Config{})
	got := collect(t, b)
	_, port, err := net.SplitHostPort(b.LocalAddr())
	require.NoError(t, err)
	// localhost resolves from the hosts file; on the IPv4 socket only its
	// IPv4 address is usable.
	for range 2 { // the second Send uses the cache
		require.NoError(t, a.Send(net.JoinHostPort("localhost", port), []byte("by name")))
		d := next(t, got)
		assert.Equal(t, "by name", string(d.b))
		assert.Equal(t, a.LocalAddr(), d.from)
	}
}

func TestSendUnreachable(t *testing.T) {
	a := newLoopback(t, udp.Config{})
	for _, addr := range []string{"", "no-port", "127.0.0.1:0", "127.0.0.1:http", ":7946", "[::1]:7946", "[::ffff:zz]:1"} {
		err := a.Send(addr, []byte("x"))
		assert.ErrorIs(t, err, transport.ErrUnreachable, "Send(%q)", addr)
	}
	assert.Equal(t, uint64(7), a.Stats().SendErrors)
	assert.Zero(t, a.Stats().Sent)
}

func TestIPv6Loopback(t *testing.T) {
	a, err := udp.New(udp.Config{BindAddr: "[::1]:0"})
	if err != nil {
		t.Skip("no IPv6 loopback:", err)
	}
	t.Cleanup(func() { _ = a.Close() })
	b := newLoopback(t, udp.Config{BindAddr: "[::1]:0"})
	got := collect(t, b)
	require.NoError(t, a.Send(b.LocalAddr(), []byte("v6")))
	d := next(t, got)
	assert.Equal(t, a.LocalAddr(), d.from)
	assert.ErrorIs(t, a.Send("127.0.0.1:7946", []byte("x")), transport.ErrUnreachable, "IPv4 peer from an IPv6 socket")
}

// TestReceiveSizes sends raw datagrams of every interesting size from a
// plain socket: up to the MTU they are delivered whole; above it they are
// dropped and counted, never delivered cut short.
func TestReceiveSizes(t *testing.T) {
	const mtu = 100
	rx := newLoopback(t, udp.Config{MTU: mtu})
	got := collect(t, rx)
	raw, err := net.Dial("udp", rx.LocalAddr())
	require.NoError(t, err)
	defer raw.Close()

	sizes := []int{0, 1, mtu - 1, mtu, mtu + 1, 2 * mtu, 65507}
	var want []int
	for i, size := range sizes {
		b := make([]byte, size)
		for j := range b {
			b[j] = byte(i + j)
		}
		_, err := raw.Write(b)
		require.NoError(t, err, "raw write of %d bytes", size)
		if size <= mtu {
			want = append(want, size)
		}
	}
	// A marker after the oversize datagrams: once it arrives, the reader
	// has handled everything sent before it.
	_, err = raw.Write([]byte("end"))
	require.NoError(t, err)
	want = append(want, 3)

	var lens []int
	for range want {
		d := next(t, got)
		lens = append(lens, len(d.b))
		assert.Equal(t, raw.LocalAddr().String(), d.from)
	}
	assert.Equal(t, want, lens)
	st := rx.Stats()
	assert.Equal(t, uint64(3), st.Oversize)
	assert.Equal(t, uint64(len(want)), st.Received)
	assert.Zero(t, st.ReceiveErrors)
}

func TestStats(t *testing.T) {
	a := newLoopback(t, udp.Config{MTU: 64})
	b := newLoopback(t, udp.Config{MTU: 64})
	got := collect(t, b)
	for i := range 3 {
		require.NoError(t, a.Send(b.LocalAddr(), make([]byte, 10+i)))
		next(t, got)
	}
	assert.ErrorIs(t, a.Send(b.LocalAddr(), make([]byte, 65)), transport.ErrTooLarge)
	assert.Equal(t, udp.Stats{Sent: 3, BytesSent: 33, SendErrors: 1}, a.Stats())
	assert.Equal(t, udp.Stats{Received: 3, BytesReceived: 33}, b.Stats())
}

func TestCloseErrors(t *testing.T) {
	a := newLoopback(t, udp.Config{})
	require.NoError(t, a.Close())
	err := a.Send("127.0.0.1:7946", nil)
	assert.ErrorIs(t, err, net.ErrClosed)
	assert.ErrorIs(t, a.Start(func(string, []byte) {}), net.ErrClosed)
	assert.Zero(t, a.Stats().SendErrors, "sends refused after Close are not errors of the network")
}

func TestStartNilHandler(t *testing.T) {
	a := newLoopback(t, udp.Config{})
	err := a.Start(nil)
	assert.Error(t, err)
	assert.False(t, errors.Is(err, transport.ErrStarted))
	assert.NoError(t, a.Start(func(string, []byte) {}), "a refused nil Handler does not count as a Start")
}

func TestManyPeersFromNames(t *testing.T) {
	// Each of several senders is named by its own address.
	rx := newLoopback(t, udp.Config{})
	got := collect(t, rx)
	for i := range 5 {
		tx := newLoopback(t, udp.Config{})
		require.NoError(t, tx.Send(rx.LocalAddr(), []byte(strconv.Itoa(i))))
		d := next(t, got)
		assert.Equal(t, tx.LocalAddr(), d.from)
		assert.Equal(t, strconv.Itoa(i), string(d.b))
	}
}
