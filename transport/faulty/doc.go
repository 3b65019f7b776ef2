// Package faulty wraps a transport.Transport and makes it worse on purpose:
// it loses a fraction of the datagrams sent and holds the others back for a
// delay, with optional jitter (which also reorders them). It is for tests,
// demos and the agent's -loss and -delay flags; any Transport can be
// wrapped, and the wrapper passes the shared conformance suite.
//
//	inner, _ := udp.New(udp.Config{BindAddr: "127.0.0.1:7946"})
//	t, err := faulty.New(inner, faulty.Config{Loss: 0.2, Delay: 50 * time.Millisecond, Seed: 1})
//	node, err := scuttlebutt.NewBuilder("a").Transport(t).Build()
//
// Every random choice comes from one generator seeded with Config.Seed, and
// delayed sends are scheduled on Config.Clock: with a virtual clock (a
// transport/mem Network) and the same sequence of calls, the same datagrams
// are lost and each arrives at the same instant, run after run.
//
// Faults apply to datagrams sent (Send). Received datagrams pass through
// unchanged, and so do stream messages when the inner transport implements
// transport.Streamer: a reliable channel does not lose messages, and the
// result of New implements transport.Streamer exactly when inner does.
package faulty
