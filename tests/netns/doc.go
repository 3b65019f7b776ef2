// Package netns tests the agent (examples/agent) on real separate hosts:
// one network namespace per node, each with its own interface, joined by
// veth links to a bridge in a namespace of its own, so every datagram goes
// through the kernel's network stack and a host can be cut off by taking
// its link down. Nothing leaves the namespaces the test creates; the test
// reads each agent's status as JSON over HTTP, dialling from the bridge's
// namespace.
//
// It needs root and the ip command (iproute2) on Linux, and skips with a
// message otherwise:
//
//	sudo go test -count=3 -v ./tests/netns/
//
// The scenarios: five agents join and an update spreads; the same on a
// network that loses a fifth of the datagrams and delays the rest by 50ms
// (the agent's -loss and -delay); a host cut off is suspected by every
// other and alive again once its link is back; a process killed with
// SIGKILL is suspected, and its restart, a new generation, replaces it.
//
// Every namespace, link and process is removed when the test ends, also
// when it fails; namespaces left behind by a test process that was killed
// are removed by the next run.
package netns
