package udp

import (
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// Stats are a Transport's counters since New. They only grow.
type Stats struct {
	// Sent and BytesSent count datagrams written to the socket.
	Sent, BytesSent uint64
	// Received and BytesReceived count datagrams passed to the Handler.
	Received, BytesReceived uint64
	// SendErrors counts Send calls that failed for a reason other than the
	// transport being closed: too large, unresolvable, or a socket error.
	SendErrors uint64
	// ReceiveErrors counts socket read errors other than the close.
	ReceiveErrors uint64
	// Oversize counts received datagrams dropped for exceeding the MTU.
	Oversize uint64
	// Malformed counts received datagrams dropped for an invalid source
	// address.
	Malformed uint64
}

// counters holds the live values behind Stats.
type counters struct {
	sent, bytesSent         atomic.Uint64
	received, bytesReceived atomic.Uint64
	sendErrors              atomic.Uint64
	receiveErrors           atomic.Uint64
	oversize, malformed     atomic.Uint64
}

// Stats returns a snapshot of the counters. Each field is read atomically;
// the fields are not read at one instant together.
func (t *Transport) Stats() Stats {
	c := &t.stats
	return Stats{
		Sent:          c.sent.Load(),
		BytesSent:     c.bytesSent.Load(),
		Received:      c.received.Load(),
		BytesReceived: c.bytesReceived.Load(),
		SendErrors:    c.sendErrors.Load(),
		ReceiveErrors: c.receiveErrors.Load(),
		Oversize:      c.oversize.Load(),
		Malformed:     c.malformed.Load(),
	}
}

var _ transport.Counter = (*Transport)(nil)

// Drops reports the received datagrams dropped for exceeding the MTU, for
// an invalid source address (as Decode), and, on Linux, by the kernel
// before the reader could read them (as Kernel; see the package doc).
func (t *Transport) Drops() transport.Drops {
	return transport.Drops{
		Oversize: t.stats.oversize.Load(),
		Decode:   t.stats.malformed.Load(),
		Kernel:   t.kernel.read(t.raw),
	}
}

// kernelDrops turns the socket's kernel drop counter, a uint32 that wraps,
// into a total that only grows. It reads the counter when asked (Drops, and
// once in Close so that the final count survives the socket), so the
// receive path pays nothing for it.
type kernelDrops struct {
	mu    sync.Mutex
	last  uint32 // the counter's value at the last read; a new socket's is 0
	total uint64
}

// read updates the total from the counter of the socket behind rc, when it
// can be read, and returns the total. Wraps are handled as long as fewer
// than 2^32 datagrams are dropped between two reads.
func (k *kernelDrops) read(rc syscall.RawConn) uint64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	if v, ok := socketDrops(rc); ok {
		k.total += uint64(v - k.last)
		k.last = v
	}
	return k.total
}
