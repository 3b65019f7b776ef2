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
//	detector/       Detector: PONG arrivals in, suspicion out (interval, phi)
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
// version counter for all its keys; every write takes the next version and
// a delete writes a tombstone. Keys and values are UTF-8 text.
//
// # Hostile input
//
// Without a key (see the keyring transport) any sender can craft valid
// messages, so the core believes no more than it must:
//
//   - Generations: a generation further ahead of this node's clock, read
//     as nanoseconds since 1970, than Config.MaxGenerationSkew (default a
//     year, as Cassandra) is refused: the delta, digest entry or request
//     carrying it is dropped and counted (Stats.GenerationsRefused).
//     Default generations are the clock in nanoseconds, or with a durable
//     store (store/bolt) max(held + 1, clock), so they pass on any clock
//     within the skew; so do small explicit counters.
//   - Owners refute: a node that sees its own ID at a newer generation
//     takes one above it; one that sees its own ID at its generation with a
//     max version above its own counter (someone wrote in its name) writes
//     each of its live keys again above that version and raises its
//     tombstone watermark to its new max version, so every replica is
//     pruned with its key list and the forged keys go too
//     (Stats.VersionBumps, GenerationBumps; logged at Warn).
//   - Anti-amplification, as QUIC (RFC 9000 section 8): an address is
//     validated when it is a seed given to Join (the user vouched for it)
//     or when it answers (SYNACK, ACK or PONG) what this node sent it. An
//     address not validated that sent messages is sent at most
//     Config.AmplificationFactor (3) times their bytes; one learned only
//     from gossip (a member's advertised address) gets only probes, a PING
//     or a SYN with nothing but the hash, until it answers
//     (Stats.AmplificationDrops, Probes).
//   - State limits (Config.Limits): nodes known, keys per node, key
//     length, value size and bytes per node. A remote delta that would
//     take a replica over one is dropped whole (Stats.LimitDrops), as a
//     gap would be; a local write over one is refused with a *LimitError.
//     Defaults hold 10,000 nodes of up to 10,000 keys and 1 MiB each.
//   - Cluster label (Config.Label): every message starts with the label,
//     and one of another label is dropped before decoding
//     (Stats.LabelDrops), so two clusters sharing seeds never merge.
//
// SECURITY.md at the repository root states the threat model.
//
// # Anti-entropy: digests that cost what differs
//
// A node's digest entry for each node it knows is (ID, generation, max
// version, left); its digest hash is the sum of a fixed hash of each entry
// (package codec), kept up to date on every change, with the same sums per
// bucket of a 16-ary tree over the hashes of the IDs. Nothing in it depends
// on local timers, so two nodes that hold the same state have the same
// hash, whatever the cluster size.
//
// Each round a node sends Fanout random peers a SYN: its hash and the
// entries of the nodes that changed in its last rounds, as many as fit. A peer whose
// hash matches does not answer. Otherwise it answers with its own hash,
// its entry for each listed node it holds differently (as a request when it
// is behind), its own recent changes and the deltas the initiator lacks of
// what was listed. The initiator answers the requests and can tell, since
// hashes are sums, whether the listed nodes explain the whole difference:
// if not, it starts a bucket walk, in which each side answers each bucket
// of the other's that differs with its children's sums or, once small, the
// list of its entries there; a listing is compared like a digest. The walk
// costs about O(k log N) bytes for k differing nodes, so a delta lost on the
// way is repaired by anti-entropy within a few rounds, not left to rumour.
// A local write is pushed at once to Fanout peers, and a node that
// applies news passes it on once, at once, to Fanout peers and to its ring
// successors (one delta a round at most, verdicts always), so a write
// reaches a quiet cluster in a few network hops; Config.DisablePush turns
// both off (verdicts are still passed on). Their random peers are
// addresses the anti-amplification rule lets this node send deltas to,
// seeds excepted (every node may send to them, so they would be picked by
// all). A node that saw nothing change for 4 rounds gossips with one peer
// every 4 rounds, until anything changes (Config.DisableQuiet
// turns that off); the monitors' PINGs below compare hashes meanwhile (if any two
// nodes differ, two ring neighbours differ).
//
// # Liveness: a few monitors per node
//
// The ring is the live members and this node, ordered by the hash of
// their IDs; each node monitors its Monitors (default 3) successors. A
// monitor checks them four times a HeartbeatInterval (default 1s; at
// least once a gossip round), on a
// timer of its own: it sends each a PING, which carries its digest hash,
// once an interval, and probes again at every check while a PONG is more
// than a quarter interval late; PONGs feed the Detector (phi-accrual by
// default), which so sees regular arrivals. The detector starts at a
// watched node's first PONG. A monitor writes a verdict once its detector
// has suspected the node at two checks in a row, with a probe in between,
// and every node that learns a new verdict passes it on at once to Fanout
// random peers and to its ring successors, so a
// suspicion reaches the cluster at the speed of the network. A monitor that suspects a node writes the
// reserved key "_sb.suspect.<id>" = "<generation>.<incarnation>" in its own
// state and deletes it when PONGs resume: verdicts are state, spread by the
// ordinary deltas, and every node judges from the same evidence. A node is
// suspected when more than half of min(Monitors, other members) monitors,
// none of them departed, suspect its current generation and incarnation;
// one monitor alone cut off from it (a one-way partition) cannot do it. A
// node that has heard from no one for two heartbeat intervals (no quorum
// can reach it) trusts its own verdicts, and so comes to suspect every
// other node as its ring moves past the suspected ones. A
// node that sees itself suspected by such a quorum refutes by taking the
// next incarnation ("_sb.inc"), and verdicts against an older one stop
// counting; a monitor takes a new incarnation as a sign of life and starts
// its detector afresh. When members join, leave or are suspected, the ring
// changes and each node's successors with it. A monitor keeps pinging the
// nodes it suspects, and keeps its verdict while it remembers a removed
// node, so a node cut off for that long learns it was suspected and
// refutes; a node removed elsewhere comes back as soon as it speaks to a
// peer itself or its state grows. A departed node is left, not suspected;
// suspected and departed nodes are removed after RemoveAfter.
//
// # Deltas
//
// Deltas of a node go in ascending version order and are cut only as a
// prefix, so a receiver's max version never jumps over a gap. Every message
// fits the MTU, counted in bytes of the encoded message: nodes the receiver
// has never heard of go first, then scuttle-depth (most deltas first) or
// scuttle-breadth ordering. Stale, duplicate, gapped, malformed and
// old-generation deltas are dropped without a change or an event.
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
// # Flow control
//
// With Config.FlowControl (off by default), a node puts its own writes
// into gossip no faster than a maximum rate it shares with its peers, as
// in the paper's section 4. Each node measures its desired rate, the
// rate of its own writes (an average over about 5 seconds, taken each
// round). A SYN carries the initiator's desired and maximum rates, and the
// SYNACK that answers it the responder's, as they were before the
// exchange; each side then takes, of the sum of the two maximum rates, a
// share in proportion to its desired rate (half each when neither writes)
// and moves its own maximum by the difference between that share and what
// it sent, so the pair's sum is kept. Each message a node packs deltas
// into adapts its maximum, AIMD: times 0.85 when some deltas were left out
// for lack of room, plus 0.1 update per second when all fitted. The
// maximum starts at 1 update per second and stays within [0.05, 2 x
// desired + 1]: capped by the desired rate, so an idle cluster does not
// grow rates without bound that would flood it when writes resume.
//
// A token bucket fills at the maximum rate and holds a second's worth (at
// least one token). A write that finds a token takes its version at once;
// one that does not waits in a queue, oldest first, and a later write of
// the same key replaces the waiting value in its place, so only the
// latest value of a key goes out. Each round releases as many waiting
// writes as there are tokens; Leave releases them all. No write is
// dropped. Lookup and Snapshot show this node's waiting values at once,
// but events, versions and gossip see a waiting write only when it is
// released. The rates ride in messages as an optional part that older
// builds refuse (codec/COMPAT.md); Node.Flow shows the state. The
// program examples/paper measures what it does under the paper's load.
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
