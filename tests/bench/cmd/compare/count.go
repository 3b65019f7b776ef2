package main

import (
	"net"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// Header sizes used to count bytes on the wire (IPv4, no link layer).
const (
	// udpHeader is an IPv4 header (20 B) and a UDP header (8 B): what
	// every datagram adds to its payload.
	udpHeader = 28
	// tcpHeader is an IPv4 header (20 B), a TCP header (20 B) and the
	// timestamp option Linux sends by default (12 B).
	tcpHeader = 52
	// tcpMSS is the payload of a full TCP segment on a 1500-byte
	// Ethernet MTU with timestamps (1500 - 52).
	tcpMSS = 1448
	// tcpControlSegments is the segments of a connection that carry no
	// payload: SYN, SYN-ACK, ACK, then FIN, ACK, FIN, ACK.
	tcpControlSegments = 7
)

// counters add up what every node of one cluster writes to the network:
// datagrams and their payload bytes, TCP connections opened and the
// payload bytes written on them (by both ends), and the TCP segments those
// writes take at least (ceil(write / tcpMSS) each).
type counters struct {
	packets        atomic.Uint64
	packetBytes    atomic.Uint64
	streams        atomic.Uint64
	streamBytes    atomic.Uint64
	streamSegments atomic.Uint64
}

// tally is a snapshot of counters, or the difference of two.
type tally struct {
	// Packets and PacketBytes are the datagrams sent and their payload;
	// Streams the TCP connections opened, StreamBytes the payload written
	// on them and StreamSegments the segments those writes take at least.
	Packets, PacketBytes, Streams, StreamBytes, StreamSegments uint64
}

func (c *counters) snapshot() tally {
	return tally{c.packets.Load(), c.packetBytes.Load(), c.streams.Load(), c.streamBytes.Load(), c.streamSegments.Load()}
}

func (t tally) sub(o tally) tally {
	return tally{t.Packets - o.Packets, t.PacketBytes - o.PacketBytes, t.Streams - o.Streams,
		t.StreamBytes - o.StreamBytes, t.StreamSegments - o.StreamSegments}
}

// Bytes is every payload byte written, datagrams and streams.
func (t tally) Bytes() uint64 { return t.PacketBytes + t.StreamBytes }

// UDPWire is the datagrams' bytes with their IPv4 and UDP headers.
func (t tally) UDPWire() uint64 { return t.PacketBytes + udpHeader*t.Packets }

// TCPWire is the streams' bytes with the IPv4 and TCP headers of their
// data segments and of each connection's handshake and close. Pure ACKs of
// data are not counted, so this is a lower bound.
func (t tally) TCPWire() uint64 {
	return t.StreamBytes + tcpHeader*(t.StreamSegments+tcpControlSegments*t.Streams)
}

// Wire is every byte with its IP, UDP or TCP header (see TCPWire).
func (t tally) Wire() uint64 { return t.UDPWire() + t.TCPWire() }

// sbTransport counts what a scuttlebutt node sends through its UDP
// transport. The UDP transport has no stream capability, so neither does
// the wrapper.
type sbTransport struct {
	transport.Transport
	c *counters
}

var _ transport.Transport = (*sbTransport)(nil)

// Send counts b and forwards it; a datagram the socket refused is taken
// back. Counting first means a phase's snapshot never misses a datagram
// that its receiver has already acted on.
func (t *sbTransport) Send(addr string, b []byte) error {
	t.c.packets.Add(1)
	t.c.packetBytes.Add(uint64(len(b)))
	err := t.Transport.Send(addr, b)
	if err != nil {
		t.c.packets.Add(^uint64(0))
		t.c.packetBytes.Add(^uint64(len(b) - 1))
	}
	return err
}

// mlTransport counts what a memberlist node writes through its
// NetTransport: UDP packets and both directions of every TCP stream
// (outgoing streams counted at the dialer, incoming ones at the acceptor,
// so each byte is counted once, by its writer; the connection itself is
// counted once, at the dialer).
//
// It also shows every received datagram to inspect before memberlist gets
// it (memberlist stamps packets when it reads them from the socket, so the
// extra hand-over does not skew its round-trip times).
type mlTransport struct {
	inner   *memberlist.NetTransport
	c       *counters
	inspect func(b []byte)
	packetC chan *memberlist.Packet
	streamC chan net.Conn
	done    chan struct{}
}

var _ memberlist.NodeAwareTransport = (*mlTransport)(nil)

func newMLTransport(inner *memberlist.NetTransport, c *counters, inspect func(b []byte)) *mlTransport {
	t := &mlTransport{inner: inner, c: c, inspect: inspect,
		packetC: make(chan *memberlist.Packet), streamC: make(chan net.Conn), done: make(chan struct{})}
	go t.forward()
	return t
}

// forward hands received datagrams and accepted connections (wrapped for
// counting) to memberlist.
func (t *mlTransport) forward() {
	for {
		select {
		case p := <-t.inner.PacketCh():
			t.inspect(p.Buf)
			select {
			case t.packetC <- p:
			case <-t.done:
				return
			}
		case conn := <-t.inner.StreamCh():
			select {
			case t.streamC <- &countingConn{Conn: conn, c: t.c}:
			case <-t.done:
				_ = conn.Close()
				return
			}
		case <-t.done:
			return
		}
	}
}

// FinalAdvertiseAddr is the NetTransport's.
func (t *mlTransport) FinalAdvertiseAddr(ip string, port int) (net.IP, int, error) {
	return t.inner.FinalAdvertiseAddr(ip, port)
}

// WriteTo counts and sends a datagram.
func (t *mlTransport) WriteTo(b []byte, addr string) (time.Time, error) {
	t.countPacket(len(b))
	ts, err := t.inner.WriteTo(b, addr)
	t.uncountPacket(len(b), err)
	return ts, err
}

// WriteToAddress counts and sends a datagram.
func (t *mlTransport) WriteToAddress(b []byte, addr memberlist.Address) (time.Time, error) {
	t.countPacket(len(b))
	ts, err := t.inner.WriteToAddress(b, addr)
	t.uncountPacket(len(b), err)
	return ts, err
}

// countPacket counts a datagram before it is sent (see countingConn);
// uncountPacket takes it back if sending failed.
func (t *mlTransport) countPacket(n int) {
	t.c.packets.Add(1)
	t.c.packetBytes.Add(uint64(n))
}

func (t *mlTransport) uncountPacket(n int, err error) {
	if err != nil {
		t.c.packets.Add(^uint64(0))
		t.c.packetBytes.Add(^uint64(n - 1))
	}
}

// PacketCh delivers received datagrams, after inspection.
func (t *mlTransport) PacketCh() <-chan *memberlist.Packet { return t.packetC }

// DialTimeout opens a counted TCP connection.
func (t *mlTransport) DialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	return t.countDial(t.inner.DialTimeout(addr, timeout))
}

// DialAddressTimeout opens a counted TCP connection.
func (t *mlTransport) DialAddressTimeout(addr memberlist.Address, timeout time.Duration) (net.Conn, error) {
	return t.countDial(t.inner.DialAddressTimeout(addr, timeout))
}

func (t *mlTransport) countDial(conn net.Conn, err error) (net.Conn, error) {
	if err != nil {
		return nil, err
	}
	t.c.streams.Add(1)
	return &countingConn{Conn: conn, c: t.c}, nil
}

// StreamCh delivers accepted TCP connections, wrapped for counting.
func (t *mlTransport) StreamCh() <-chan net.Conn { return t.streamC }

// Shutdown stops forwarding and shuts the NetTransport down. Its reader
// loops may be blocked handing over a datagram or connection nobody reads
// any more, so those are drained until it has stopped.
func (t *mlTransport) Shutdown() error {
	close(t.done)
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case conn := <-t.inner.StreamCh():
				_ = conn.Close()
			case <-t.inner.PacketCh():
			case <-stop:
				return
			}
		}
	}()
	err := t.inner.Shutdown()
	close(stop)
	return err
}

// countingConn counts the bytes written on a stream.
type countingConn struct {
	net.Conn
	c *counters
}

// Write counts b and its segments before writing it: the peer may read it,
// and the caller may snapshot the counters, before Write returns. A short
// write (only on a failing connection) takes back what was not written.
func (c *countingConn) Write(b []byte) (int, error) {
	c.c.streamBytes.Add(uint64(len(b)))
	segs := segments(len(b))
	c.c.streamSegments.Add(segs)
	n, err := c.Conn.Write(b)
	if n < len(b) {
		c.c.streamBytes.Add(^uint64(len(b) - n - 1))
		c.c.streamSegments.Add(^(segs - segments(n) - 1))
	}
	return n, err
}

// segments is how many TCP segments n bytes of one write take at least.
func segments(n int) uint64 { return uint64((n + tcpMSS - 1) / tcpMSS) }
