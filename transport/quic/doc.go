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
// 1,400 bytes depending on the path) travels as one: unreliable and
// unordered, like UDP. A larger one, up to the MTU, goes transparently over
// its own unidirectional stream: reliable while the connection lives, but
// still best effort from Send's point of view. MTU therefore is not QUIC's
// packet size but the largest message Send accepts; it defaults to 64 KiB.
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
// SelfSignedTLS builds such a mutual configuration from a throwaway
// certificate, for development and tests only.
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
// Later unidirectional streams carry one message each ('M' and the
// payload, ended by FIN). A stream or hello that breaks these rules, or a
// message above the receiver's limit, is a protocol error: the stream is
// cancelled (for a hello, the connection closed) and counted.
package quic
