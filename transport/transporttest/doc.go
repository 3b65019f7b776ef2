// Package transporttest is the conformance suite every transport.Transport
// implementation runs, in a one-line test:
//
//	func TestConformance(t *testing.T) {
//		transporttest.Run(t, transporttest.Suite{New: newLoopbackTransport})
//	}
//
// Suite.New returns a fresh, not yet started transport that can reach every
// other transport New returns in the same test (on 127.0.0.1 for socket
// transports; on one shared network, running in real time, for a simulated
// one). Run starts, uses and closes them. The cases check what the
// transport.Transport contract promises:
//
//   - datagrams arrive intact, from the sender's LocalAddr, and replying to
//     that address reaches the sender; Send does not retain its buffer;
//   - the MTU is enforced: exactly MTU bytes pass, MTU+1 fail with
//     transport.ErrTooLarge;
//   - concurrent senders on several transports: every datagram arrives
//     exactly once when Suite.Reliable, at least Suite.MinDelivery of them
//     otherwise, and none is corrupted;
//   - a second Start returns transport.ErrStarted;
//   - after Close, Send and Start return net.ErrClosed, Close is idempotent,
//     the Handler is never called again, and no goroutine is left behind
//     (checked with goleak; see Suite.LeakOptions);
//   - sending to a peer that has gone away, or to a malformed address, never
//     blocks and does not disturb sends to others;
//   - when the transport implements transport.Streamer: messages larger than
//     the MTU arrive intact, one above MaxStreamSize fails with
//     transport.ErrTooLarge, a dead peer yields an error, not a hang, and
//     SendStream to a peer that never reads (Suite.StalledPeer) returns
//     within its ctx's deadline, with an error that wraps
//     context.DeadlineExceeded if it fails.
//
// Waits use channels with deadlines of Suite.Timeout, never bare sleeps. An
// unreliable transport (Reliable false) gets single datagrams re-sent until
// they arrive. Run's cases run one after another, not in parallel, because
// the leak check looks at every goroutine in the process: do not run Run in
// parallel with other tests that start goroutines.
package transporttest
