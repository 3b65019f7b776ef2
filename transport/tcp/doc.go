// Package tcp is a transport.Transport over TCP.
//
// Each node listens on one TCP port. Datagrams to a peer travel as
// length-prefixed frames on one persistent outbound connection, dialled
// lazily on the first Send and reused afterwards. Every peer has its own
// bounded send queue and writer goroutine, so a slow or dead peer never
// blocks Send to the others: Send only enqueues, and a message that finds the
// queue full, or the peer backing off after a failed dial, is dropped and
// counted (see Stats). Delivery is best effort, as with UDP.
//
// The MTU defaults to 64 KiB, far above UDP's, because TCP has no packet
// size limit; keep it in line with what the receivers accept, since a frame
// above the receiver's limit closes the connection.
//
// The Transport also implements transport.Streamer: SendStream dials a
// dedicated connection, writes one frame of up to MaxStreamSize bytes and
// waits until the receiver's Handler has returned and acknowledged it, so
// a large state sync never sits in front of the gossip datagrams.
//
// # Wire format
//
// A connection starts with a preamble (the hello):
//
//	"SBT1"     4 bytes, magic and version
//	kind       1 byte: 'D' datagram connection, 'S' stream connection
//	n          1 byte: length of the address
//	address    n bytes: the sender's advertised LocalAddr, "host:port"
//
// The receiver reports that address as the Handler's from, so that a reply
// with Send(from, ...) reaches the sender's listener rather than the
// ephemeral port of the connection. The address is a claim, not a proof:
// TCP has no peer authentication, so run it on a trusted network (or use
// transport/quic with mutual TLS). Nor is the number of inbound connections
// limited: each costs a goroutine until its peer goes quiet for IdleTimeout.
//
// Then frames follow, each a 4-byte big-endian length and that many bytes.
// On a datagram connection a frame is at most the receiver's MTU; on a
// stream connection at most its MaxStreamSize, and the receiver answers each
// frame with one byte (0) once its Handler returned. A frame over the limit,
// or a malformed hello, is a protocol error: the receiver closes the
// connection and counts it, without allocating the declared size.
package tcp
