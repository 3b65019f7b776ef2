// Package scuttlebutt keeps cluster membership and spreads each node's
// key-value state to every other node with the Scuttlebutt anti-entropy
// protocol (van Renesse, Dumitriu, Gough, Thomas: "Efficient Reconciliation
// and Flow Control for Anti-Entropy Protocols", LADIS 2008).
//
// Every node owns string key-value pairs (its role, its RPC address, its
// status). Every other node ends up with an eventually consistent copy, can
// look keys up, and can subscribe to changes:
//
//	node, err := scuttlebutt.New(scuttlebutt.Config{
//		ID:              "node-1",
//		BindAddr:        "127.0.0.1:7946",
//		EventSubscriber: sub,
//	})
//	node.UpdateLocal("rpcAddr", "10.0.0.7:5112")
//	node.Join([]string{"10.0.0.8:7946"})
//	addr, ok := node.Lookup("node-2", "rpcAddr")
//
// # Architecture
//
// The repository's folders are its layers:
//
//	scuttlebutt/    this package: Node (the runtime), Config, Builder, events
//	scuttlebutt/internal/core
//	                the protocol as a deterministic state machine
//	transport/      Transport: datagrams between addresses (udp, tcp, quic, mem)
//	codec/          the wire messages and Codec (json, msgpack, binary)
//	store/          Store: every node's versioned state (mem, bolt)
//	detector/       Detector: heartbeats in, suspicion out (interval, phi)
//
// The protocol core depends only on the codec, store and detector
// interfaces. It is fed the time, received messages and local writes, and
// returns messages to send and events to emit; it starts no goroutine and
// reads no clock. Every protocol rule lives there: the Store only stores.
// The Node wraps the core: it owns the gossip timer (from a Clock), the
// Transport, encoding and decoding, and event delivery. The parts are
// chosen in Config or with a Builder; New fills the defaults (UDP, the
// binary codec, the in-memory store, the phi-accrual detector).
//
// # Protocol
//
// A node is identified by (ID, generation); a restart takes a higher
// generation, which replaces the old one's state everywhere. A node that
// finds the cluster holding a newer generation of its own ID (it restarted
// with a clock set back) takes a generation above it. Each node has one
// version counter for all its keys; every write takes the next version, a
// delete writes a tombstone, and a separate heartbeat counter rides in
// digests. Keys and values are UTF-8 text. Each round a node sends a SYN
// with its digest (per known node: generation, max version, tombstone
// watermark, heartbeat) to Fanout random peers; a peer answers with a
// SYNACK holding the deltas the sender lacks and a request for what it
// lacks itself, which the sender fills in an ACK.
//
// Deltas of a node go in ascending version order and are cut only as a
// prefix, so a receiver's max version never jumps over a gap. Every message
// fits the MTU, counted in bytes of the encoded message: nodes the receiver
// has never heard of go first, then scuttle-depth (most deltas first) or
// scuttle-breadth ordering. A digest that does not fit is sent as a window
// over the ID space that rotates every round. Stale, duplicate, gapped,
// malformed and old-generation deltas are dropped without a change or an
// event.
//
// Tombstones are dropped TombstoneGrace after their write. A replica behind
// a node's watermark may still hold a key whose delete it never saw, so it
// accepts no more deltas of that node until it is pruned: the node itself
// sends the list of its live keys, then it or any peer sends the plain
// deltas from the replica's max version. The replica stages both and
// installs them in one step once the deltas reach the list's version:
// readers never see a partial reset, no key the owner did not delete is
// reported deleted, and no key's events go back in version. Only the owner
// can prune: a replica that lacks a key may simply not have received its
// latest write yet. Because the key list travels whole, a node's keys must
// fit one message; UpdateLocal refuses a write that would break that, or
// whose entry alone does not fit, with ErrTooLarge.
//
// Events are delivered in order, once each, never under the state lock;
// on the wall clock from a goroutine of the Node's own (a subscriber may
// call anything on the Node, Close and Leave included), on a virtual clock
// inline, so simulated runs stay deterministic.
//
// # Deterministic clusters
//
// With transport/mem's Network as both the Clock and the network, a whole
// cluster runs on virtual time in one goroutine: the test advances time and
// every gossip round, delivery and event happens inside that call, in an
// order fixed by the seeds. See the Example functions.
package scuttlebutt
