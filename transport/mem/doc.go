// Package mem is a deterministic simulated network for tests: a Network on a
// virtual clock, and Transports on it that implement transport.Transport and
// transport.Streamer.
//
// Nothing moves by itself. Send only queues a copy of the bytes; the test
// drives the Network, which delivers datagrams and fires timers in the order
// of their virtual time (ties in the order they were queued), synchronously on
// the driving goroutine:
//
//	nw := mem.NewNetwork(mem.Config{
//		Seed:        1,
//		DefaultLink: mem.Link{Delay: 5 * time.Millisecond, Jitter: 2 * time.Millisecond, Loss: 0.01},
//	})
//	a, _ := nw.NewTransport("node-1")
//	b, _ := nw.NewTransport("node-2")
//	_ = b.Start(func(from string, p []byte) { /* decode p; may Send or AfterFunc */ })
//	_ = a.Start(func(from string, p []byte) {})
//	_ = a.Send("node-2", msg)
//	nw.Advance(time.Second) // runs everything due within the next second
//
// The Network is also the clock: pass it wherever a Clock with Now and
// AfterFunc is expected, and every node of a simulated cluster sees the same
// virtual time. Loss, jitter, duplication and reordering come from the
// Network's own random source, seeded by Config.Seed, so the same seed and
// the same sequence of calls give the same run, byte for byte. Partition,
// Isolate and Cut break the network on purpose; Heal mends it.
//
// Datagrams are bytes, never pointers: whatever a node sends must go through
// its codec and come out on the other side.
//
// Code that blocks on channels instead of driving the clock can use
// RunRealtime, which advances virtual time with real time on a goroutine of
// its own, at the cost of determinism.
package mem
