// Package transport defines how Scuttlebutt nodes exchange datagrams.
//
// A Transport moves opaque byte datagrams between addresses and knows nothing
// of the protocol. Implementations live in sub-packages: transport/udp,
// transport/tcp, transport/quic and transport/mem (a deterministic simulated
// network for tests). Every implementation passes the shared suite in
// transport/transporttest.
//
// Capabilities beyond datagrams are optional interfaces that the core detects
// with a type assertion; see Streamer and Counter.
package transport

import (
	"context"
	"errors"
)

// Handler receives one datagram. from is the sender's address as Send would
// accept it. b is only valid until the handler returns: copy what you keep.
//
// A Transport may call its Handler from several goroutines at once. A handler
// must not block for long, and must not call the Transport's Close.
type Handler func(from string, b []byte)

// Transport sends and receives datagrams.
//
// All methods are safe for concurrent use. After Close, Send and Start return
// an error for which errors.Is(err, net.ErrClosed) is true, and the Handler
// is never called again.
type Transport interface {
	// Start begins delivering received datagrams to h. It is called once,
	// before any Send; a second call returns an error.
	Start(h Handler) error
	// Send sends the datagram b to addr. It does not retain b. Delivery is
	// best effort: loss, duplication and reordering are possible. A datagram
	// larger than MTU is refused with an error wrapping ErrTooLarge. Send may
	// block briefly (a socket write) but never on a slow or dead peer.
	Send(addr string, b []byte) error
	// LocalAddr is the address peers send to, as "host:port" for IP
	// transports.
	LocalAddr() string
	// MTU is the largest datagram Send accepts, in bytes.
	MTU() int
	// Close stops the transport and waits for its goroutines to exit. It is
	// idempotent: later calls return nil.
	Close() error
}

// Streamer is an optional capability of a Transport: reliable delivery of
// messages larger than the MTU, used for a full state sync on join and for a
// reset after missed deletes. A Transport without it still converges through
// datagrams.
//
// SendStream may block, unlike Send. It blocks until the whole message has
// been handed to the reliable channel toward the peer (for transport/tcp,
// written to the connection; for transport/quic, written to a stream), or
// until ctx is done, whichever comes first. An implementation may then keep
// waiting, within the same ctx, for the receiver to acknowledge the message
// (tcp and quic wait until the receiver's Handler has returned). So a slow
// or dead peer may keep SendStream blocked up to ctx's deadline, and no
// longer: give it a ctx with a deadline. An implementation that needs no
// waiting (the simulated transport/mem) returns at once. SendStream must
// never be called from a Handler: it may wait on the very goroutine that is
// running the Handler.
type Streamer interface {
	// SendStream delivers b reliably to addr's Handler as one message, or
	// returns an error; it blocks as the Streamer documentation says. When
	// ctx ends first, the error wraps ctx's cause (context.DeadlineExceeded
	// after its deadline), and the message may or may not arrive. A message
	// above MaxStreamSize fails with an error wrapping ErrTooLarge. It is
	// safe for concurrent use, and does not retain b.
	SendStream(ctx context.Context, addr string, b []byte) error
	// MaxStreamSize is the largest message SendStream accepts.
	MaxStreamSize() int
}

// Drops counts the datagrams a Transport dropped before they reached the
// Handler or the network, by cause. Every field only grows; a Transport
// leaves zero the causes it cannot have.
type Drops struct {
	// Oversize counts datagrams dropped for exceeding the MTU: received
	// ones (udp), or Sends refused (mem).
	Oversize uint64
	// QueueFull counts datagrams dropped because a queue was full: a
	// peer's send queue (tcp, quic), or the datagrams in flight to an
	// address (mem).
	QueueFull uint64
	// Decode counts received datagrams or frames malformed at the
	// transport's level (an invalid source address, a bad hello or frame),
	// not those the codec refuses.
	Decode uint64
	// Kernel counts datagrams the operating system dropped for a full
	// receive buffer, where the platform reports it (Linux, for udp).
	Kernel uint64
	// Unauthenticated counts messages a sealing wrapper dropped: no
	// installed key opened them (another key, altered, truncated), or
	// they were unsealed where sealing is required (transport/keyring).
	Unauthenticated uint64
}

// Add returns the sum of d and e, field by field: a wrapper's drops over
// its inner transport's.
func (d Drops) Add(e Drops) Drops {
	return Drops{
		Oversize:        d.Oversize + e.Oversize,
		QueueFull:       d.QueueFull + e.QueueFull,
		Decode:          d.Decode + e.Decode,
		Kernel:          d.Kernel + e.Kernel,
		Unauthenticated: d.Unauthenticated + e.Unauthenticated,
	}
}

// DropsOf returns t's drop counts when it is a Counter, and none
// otherwise.
func DropsOf(t Transport) Drops {
	if c, ok := t.(Counter); ok {
		return c.Drops()
	}
	return Drops{}
}

// Counter is an optional capability of a Transport: it reports its drop
// counts, which a Node adds to its own Stats. Drops is safe for concurrent
// use, also after Close.
type Counter interface {
	// Drops returns a snapshot of the drop counters.
	Drops() Drops
}

// Errors returned by transports. Test for them with errors.Is; a closed
// transport returns net.ErrClosed.
var (
	// ErrTooLarge: the datagram exceeds the transport's MTU.
	ErrTooLarge = errors.New("transport: datagram larger than MTU")
	// ErrUnreachable: the address is not known or not reachable.
	ErrUnreachable = errors.New("transport: address unreachable")
	// ErrStarted: Start was called twice.
	ErrStarted = errors.New("transport: already started")
	// ErrInvalidConfig: a constructor (udp.New, tcp.New, quic.New) refused
	// its Config. The message names the field, as in
	// "tcp: Config.DialTimeout: must not be negative: transport: invalid config".
	ErrInvalidConfig = errors.New("transport: invalid config")
)
