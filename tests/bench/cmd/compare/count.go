package main

import (
	"net"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// counters add up what every node of one cluster writes to the network:
// datagrams and their payload bytes, TCP streams opened and the bytes
// written on them (by both ends). IP, UDP and TCP headers are not counted.
type counters struct {
	packets     atomic.Uint64
	packetBytes atomic.Uint64
	streams     atomic.Uint64
	streamBytes atomic.Uint64
}

// tally is a snapshot of counters, or the difference of two.
type tally struct {
	Packets, PacketBytes, Streams, StreamBytes uint64
}

func (c *counters) snapshot() tally {
	return tally{c.packets.Load(), c.packetBytes.Load(), c.streams.Load(), c.streamBytes.Load()}
}

func (t tally) sub(o tally) tally {
	return tally{t.Packets - o.Packets, t.PacketBytes - o.PacketBytes, t.Streams - o.Streams, t.StreamBytes - o.StreamBytes}
}

// Bytes is every payload byte written, datagrams and streams.
func (t tally) Bytes() uint64 { return t.PacketBytes + t.StreamBytes }

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
// so each byte is counted once, by its writer).
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
			t.c.streams.Add(1)
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

func (t *mlTransport) FinalAdvertiseAddr(ip string, port int) (net.IP, int, error) {
	return t.inner.FinalAdvertiseAddr(ip, port)
}

func (t *mlTransport) WriteTo(b []byte, addr string) (time.Time, error) {
	t.countPacket(len(b))
	ts, err := t.inner.WriteTo(b, addr)
	t.uncountPacket(len(b), err)
	return ts, err
}

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

func (t *mlTransport) PacketCh() <-chan *memberlist.Packet { return t.packetC }

func (t *mlTransport) DialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	return t.countDial(t.inner.DialTimeout(addr, timeout))
}

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

// Write counts b before writing it: the peer may read it, and the caller
// may snapshot the counters, before Write returns. A short write (only on
// a failing connection) takes back what was not written.
func (c *countingConn) Write(b []byte) (int, error) {
	c.c.streamBytes.Add(uint64(len(b)))
	n, err := c.Conn.Write(b)
	if n < len(b) {
		c.c.streamBytes.Add(^uint64(len(b) - n - 1))
	}
	return n, err
}
