// Package quic is a transport.Transport over QUIC (RFC 9000), built on
// github.com/quic-go/quic-go.
//
// Each node owns one UDP socket, on which it both accepts and dials QUIC
// connections. One connection per peer is dialled lazily on the first Send
// and reused; a connection a peer dialled to us is reused for replies too.
// Every peer has its own bounded send queue and writer goroutine, so a slow
// or unreachable peer never blocks Send to the others: a message that finds
// the queue full, or the peer backing off after a failed dial, is dropped and
// counted (see Stats). Delivery is best effort, as with UDP.
//
// # Datagrams, streams and the MTU
//
// A message that fits in a QUIC DATAGRAM frame (RFC 9221, about 1,100 to
// 1,400 bytes depending on the path) and has nothing queued behind it
// travels as one datagram: unreliable and unordered, like UDP. A larger one,
// up to the MTU, goes transparently over a unidirectional stream, and so
// does a burst: when messages queue up behind each other, the writer sends
// them together as one batch stream, because a burst of datagrams would
// overflow the receiver's datagram queue (quic-go keeps 128 per connection)
// while a stream is flow-controlled. Streams are reliable while the
// connection lives, but delivery stays best effort from Send's point of
// view. MTU therefore is not QUIC's packet size but the largest message Send
// accepts; it defaults to 64 KiB.
//
// The Transport also implements transport.Streamer: SendStream opens a
// bidirectional stream, writes up to MaxStreamSize bytes and waits until the
// receiver's Handler returned and acknowledged the message.
//
// # Security
//
// Config.TLS is required. The same *tls.Config serves both sides of every
// connection: its certificate is presented when accepting, and its RootCAs
// verify the peers we dial (by the host in the dialled address, unless
// ServerName is set). Setting ClientAuth to tls.RequireAndVerifyClientCert
// with ClientCAs makes it mutual TLS: only peers holding a certificate from
// those CAs can connect, in either direction. The transport overrides
// NextProtos with its own ALPN name, ALPN.
//
// MutualTLS builds that configuration for production from PEM data (the
// cluster's CA, the node's certificate and key); SelfSignedTLS builds one
// from a throwaway certificate, for development and tests only.
//
// # Addressing
//
// A Handler's from is the sender's advertised LocalAddr, so that a reply
// with Send(from, ...) reaches its listener. Each side of a new connection
// announces its address on the connection's first unidirectional stream (the
// hello: 'H', "SBQ1", a length byte and the address); nothing is delivered
// from a connection before its hello. The announced address is not bound to
// the certificate: with mutual TLS only authenticated peers can announce
// anything, but one of them could claim another's address.
//
// Later unidirectional streams carry a batch: 'B', then messages, each a
// 4-byte big-endian length and that many bytes, up to FIN. A bidirectional
// stream carries one SendStream message up to FIN, answered by one byte (0)
// once the Handler returned. A stream or hello that breaks these rules, or a
// message above the receiver's limit (MTU in a batch, MaxStreamSize on a
// bidirectional stream), is a protocol error: the stream is cancelled (for a
// hello, the connection closed) and counted. A declared length is checked
// before any memory is allocated for it.
//
// # Operations
//
// quic-go writes one line to the standard library's log when it cannot
// enlarge the UDP socket buffers (raise net.core.rmem_max and wmem_max, or
// set QUIC_GO_DISABLE_RECEIVE_BUFFER_WARNING=true to silence it). Idle
// connections close after IdleTimeout; there are no keep-alives.
package quic
