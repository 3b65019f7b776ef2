// Package core is the Scuttlebutt protocol as a deterministic state machine.
//
// A Core is fed the current time, received messages and local writes; it
// queues messages to send and events to emit, which the caller drains with
// Ready. It starts no goroutines, opens no sockets, never reads the wall
// clock and draws randomness only from the *rand.Rand it was given, so the
// same inputs produce the same outputs, byte for byte. It is not safe for
// concurrent use: the Node runtime in package scuttlebutt serialises calls.
//
// An exchange follows van Renesse et al. (2008), push-pull, with digests
// that cost what differs rather than what is known:
//
//	initiator                      responder
//	Tick:  SYN(hash, recent)  ──────▶  equal hash: no answer
//	                          ◀──────  SYNACK(hash, echoes, recent, deltas)
//	       SYNACK(deltas, bucket walk if the hashes still differ) ──────▶
//	       ...                                 ACK(deltas)
//
// and liveness comes from a few monitors per node (see monitor.go), whose
// PING and PONG carry the same hash.
//
// It depends only on the codec, store and detector interfaces.
package core

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/detector"
	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// ReservedPrefix starts the keys the protocol keeps for itself in each
// node's state. Users cannot write them, and they raise no events.
const ReservedPrefix = "_sb."

// KeyAddr is the reserved key holding a node's advertised gossip address.
const KeyAddr = ReservedPrefix + "addr"

// KeyIncarnation is the reserved key holding a node's incarnation: it
// starts absent (0) and grows each time the node refutes a suspicion.
const KeyIncarnation = ReservedPrefix + "inc"

// KeySuspectPrefix starts the reserved keys of a monitor's verdicts: the
// key KeySuspectPrefix+id, valued "generation.incarnation", says that this
// node suspects that incarnation of node id is down.
const KeySuspectPrefix = ReservedPrefix + "suspect."

// Ordering chooses which deltas go first when not all fit in a datagram.
type Ordering uint8

const (
	// ScuttleDepth sends the nodes with the most available deltas first
	// (ties broken at random): the paper's best.
	ScuttleDepth Ordering = iota
	// ScuttleBreadth sends one delta of each node per pass, round-robin.
	ScuttleBreadth
)

// Status is a node's membership state as this node sees it.
type Status uint8

const (
	// StatusAlive: no quorum of the node's monitors suspects it.
	StatusAlive Status = iota + 1
	// StatusSuspect: a quorum of the node's monitors suspects it is down.
	StatusSuspect
	// StatusLeft: the node announced a graceful departure.
	StatusLeft
)

var statusNames = [...]string{"", "alive", "suspect", "left"}

// String returns the status name.
func (s Status) String() string {
	if int(s) < len(statusNames) && s != 0 {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// Config holds what a Core needs. Package scuttlebutt fills it from its own
// validated Config.
type Config struct {
	ID         string
	Generation uint64
	// Addr is the advertised gossip address, stored under KeyAddr.
	Addr     string
	Fanout   int
	MTU      int
	Ordering Ordering
	// HeartbeatInterval is the time between two pings of a monitored
	// node; the Detector expects a PONG about that often.
	HeartbeatInterval time.Duration
	// Monitors is how many ring successors each node watches (see
	// monitor.go).
	Monitors int
	// Quiet turns on quiet rounds: after quietAfter rounds in which
	// nothing changed, a round gossips with one peer every quietEvery
	// rounds, until anything changes.
	Quiet bool
	// NoPush turns off the push of each local write to Fanout peers at
	// once: writes then spread by anti-entropy only, as in the paper.
	NoPush bool
	// FlowControl turns on the paper's flow control (see flow.go): own
	// writes go into gossip at a maximum rate that the nodes share and
	// adapt, and writes beyond it wait, merged by key.
	FlowControl bool
	// RemoveAfter is how long a suspected or left node is kept before its
	// state is dropped.
	RemoveAfter time.Duration
	// RememberRemoved is how long a removed ID's generation is remembered,
	// so stale gossip cannot bring it back.
	RememberRemoved time.Duration
	// TombstoneGrace is how long a tombstone is kept before it is dropped.
	TombstoneGrace time.Duration
	// StreamMax, when above MTU, is the largest message the transport's
	// stream capability carries; exchanges that do not fit a datagram then
	// go whole over a stream.
	StreamMax int
	// StreamCooldown is how long after a stream to a peer no other goes to
	// it: one that is still in flight makes another useless.
	StreamCooldown time.Duration
	// RepublishLocal: on a store holding this node at an older generation
	// (a warm restart), write its live keys again under the new one
	// instead of dropping them (see restore.go).
	RepublishLocal bool
	// Amplification, when above zero, turns on the anti-amplification
	// rule (see amplify.go): an address not validated is sent at most
	// Amplification times the bytes received from it, and one learned
	// only from gossip only probes.
	Amplification int
	// MaxGenerationSkew, when above zero, refuses generations further
	// ahead of the clock (as nanoseconds since 1970) than it (see
	// hostile.go).
	MaxGenerationSkew time.Duration
	// Limits bound the state held of other nodes, and the node's own
	// writes (see limits.go); zero fields are unlimited.
	Limits   Limits
	Store    store.Store
	Detector detector.Detector
	Sizer    codec.Sizer
	Rand     *rand.Rand
	// Logger receives warnings the runtime cannot see in events (nil:
	// none).
	Logger *slog.Logger
}

// Outgoing is a message to send. The Core does not keep Msg.
type Outgoing struct {
	To  string
	Msg *codec.Message
	// Stream asks for the transport's stream capability: the message may
	// exceed the MTU.
	Stream bool
}

// Stats counts what the Core did. All counters only grow.
type Stats struct {
	Rounds          uint64
	SynReceived     uint64
	SynAckReceived  uint64
	AckReceived     uint64
	DeltasApplied   uint64 // node deltas that changed state
	DeltasStale     uint64 // node deltas already held or of an old generation
	DeltasRejected  uint64 // node deltas refused: gaps, invalid, removed nodes
	EntriesApplied  uint64
	DeltasCut       uint64 // node deltas cut short for lack of room
	ResetsSent      uint64
	TombstonesGCd   uint64
	MessagesDropped uint64 // messages ignored as a whole (bad kind, from self)
	LivenessChecks  uint64 // questions put to the failure detector
	PingsSent       uint64 // PINGs to monitored nodes, probes included
	PongsReceived   uint64 // PONGs from monitored nodes
	Suspicions      uint64 // verdicts this node wrote as a monitor
	Refutations     uint64 // times this node took a new incarnation
	// ExchangesEqual counts the SYNs and PINGs whose hash matched this
	// node's: nothing to do.
	ExchangesEqual uint64
	// ExchangesDiffer counts the SYNs and PINGs whose hash did not.
	ExchangesDiffer uint64
	// The exchanges this node opened whose hashes differed, by outcome of
	// the first answer: deltas came in (pulled), went out (pushed), both,
	// or neither (only requests, or a walk whose deltas came later).
	ExchangesPulled, ExchangesPushed, ExchangesBoth, ExchangesNeither uint64
	// Walks counts bucket walks this node started: hashes that still
	// differed once the recent changes of both sides were counted.
	Walks uint64
	// Pushes counts the messages carrying this node's fresh writes at once.
	Pushes uint64
	// Forwards counts the messages passing news on at once.
	Forwards uint64
	// QuietRounds counts the rounds that sent no SYN because the cluster
	// was quiet.
	QuietRounds    uint64
	Prunes         uint64 // prunes installed: held keys checked against a key list
	PrunesStaged   uint64 // key lists taken for a prune, installed or not
	PrunesTooLarge uint64 // prunes owed to a peer that fit no message and were not sent
	StoreErrors    uint64 // store writes that failed (and changed nothing)
	// GenerationBumps counts the times this node saw its own ID at a
	// newer generation and took one above it.
	GenerationBumps uint64
	// VersionBumps counts the times this node saw its own ID at its
	// generation with a version above its counter, and wrote its keys
	// again above it.
	VersionBumps uint64
	// LimitDrops counts remote deltas refused because the state they
	// bring would exceed a limit (also counted in DeltasRejected).
	LimitDrops uint64
	// GenerationsRefused counts deltas, digest entries and requests
	// dropped for a generation too far ahead of the clock.
	GenerationsRefused uint64
	// AmplificationDrops counts messages not sent to an address that was
	// not validated, for lack of credit; Probes the SYNs cut down to a
	// probe for it.
	AmplificationDrops uint64
	Probes             uint64
	// Flow control (see flow.go): exchanges whose rates were
	// redistributed, decreases of the maximum rate, own writes that had
	// to wait for a token, and writes merged into a waiting one.
	FlowExchanges, FlowDecreases, FlowDelayed, FlowCoalesced uint64
}

// Errors returned by Core methods.
var (
	// ErrReservedKey: the key starts with ReservedPrefix.
	ErrReservedKey = errors.New(`key uses the reserved prefix "` + ReservedPrefix + `"`)
	// ErrEmptyKey: the key is empty.
	ErrEmptyKey = errors.New("key is empty")
	// ErrLeft: the node has left the cluster and accepts no more writes.
	ErrLeft = errors.New("node has left the cluster")
	// ErrNotText: a key or value is not valid UTF-8. Keys and values are
	// text; encode binary data (base64, say) before writing it.
	ErrNotText = errors.New("key or value is not valid UTF-8")
	// ErrTooLarge: the write could never reach a peer, because its entry,
	// or the list of the node's keys, does not fit what the transport
	// carries in one message.
	ErrTooLarge = errors.New("write too large for the transport")
	// ErrStore: the store failed to apply a write; nothing changed.
	ErrStore = errors.New("store write failed")
)

// member is what the Core tracks of another node beyond its store state.
type member struct {
	id     string
	addr   string
	status Status
	since  time.Time // when status last changed
	idx    int       // position in Core.order
	// aliveAt is its position in Core.alive, or -1.
	aliveAt int
	h       hashed // its place in the digest tree
	// inc is the node's incarnation (KeyIncarnation) at its generation.
	inc uint64
}

// gcMark records a node's max version at a time, for tombstone GC.
type gcMark struct {
	at      time.Time
	version uint64
}

// Core is the protocol state machine. Create it with New.
type Core struct {
	cfg   Config
	st    store.Store
	det   detector.Detector
	sizer codec.Sizer
	rng   *rand.Rand
	log   *slog.Logger

	left      bool
	leaveAcks map[string]bool
	// now is the time of the call being handled.
	now time.Time

	members map[string]*member
	order   []*member // every member, in join order: deterministic iteration
	alive   []*member // members to gossip with, for O(1) random choice
	removed map[string]removedID
	seeds   []string
	// recent lists nodes whose state changed lately, oldest first;
	// recentAt holds the round of each node's latest change.
	recent   []recentChange
	recentAt map[string]uint64
	// recentPeak is the most entries recentAt held since it was made: a
	// map never shrinks, so one grown by a mass join is made again.
	recentPeak int

	tree tree
	self hashed
	// inc is this node's incarnation; mon the monitor's state.
	inc uint64
	mon monitor
	// quiet counts the rounds in a row in which nothing changed; active
	// is set by any change since the last round.
	quiet  int
	active bool
	// pushed is the own max version last pushed to peers.
	pushed uint64
	// forwardedNews: this round already passed on a delta (verdicts
	// aside, which always are).
	forwardedNews bool

	gcMarks map[string][]gcMark
	// streamed holds when the last stream went to each peer address.
	streamed map[string]time.Time
	nextMark time.Time

	out    []Outgoing
	events []Event
	stats  Stats

	// scratch reused across calls
	listed   map[string]struct{}
	candIDs  map[string]struct{}
	cands    []candidate
	entryBuf []store.Entry
	taken    []int
	slot     []int
	// sized through the Sizer interface, these would escape if local
	scratchDigest codec.DigestEntry
	scratchEntry  codec.Entry
	scratchDelta  codec.NodeDelta
	changed       []store.Entry
	overlay       map[string]store.Entry // a delta's entries by key, while it applies
	// staged holds the prunes in progress, by node ID (see stage.go).
	staged map[string]*staging
	wbuf   store.Write
	// addrs holds the anti-amplification state of addresses.
	addrs map[string]*addrState
	// bytesHeld caches the key and value bytes held per node, for the
	// limits (see limits.go); limitSeen is project's scratch.
	bytesHeld map[string]int
	limitSeen map[string]store.Entry
	// flow is the flow-control state (see flow.go).
	flow flow
}

// removedID remembers a removed node: gossip about that generation at no
// higher version is stale and cannot bring it back.
type removedID struct {
	gen        uint64
	maxVersion uint64
	until      time.Time
}

// New returns a Core for cfg at time now, with the node's address written
// as its first key.
func New(cfg Config, now time.Time) (*Core, error) {
	switch {
	case cfg.ID == "":
		return nil, errors.New("core: empty ID")
	case cfg.Generation == 0:
		return nil, errors.New("core: zero Generation")
	case cfg.Store == nil || cfg.Detector == nil || cfg.Sizer == nil || cfg.Rand == nil:
		return nil, errors.New("core: Store, Detector, Sizer and Rand are required")
	case cfg.Fanout < 1:
		return nil, errors.New("core: Fanout below 1")
	case cfg.HeartbeatInterval <= 0:
		return nil, errors.New("core: HeartbeatInterval not positive")
	case cfg.Monitors < 1:
		return nil, errors.New("core: Monitors below 1")
	}
	c := &Core{
		cfg:       cfg,
		st:        cfg.Store,
		det:       cfg.Detector,
		sizer:     cfg.Sizer,
		rng:       cfg.Rand,
		log:       cfg.Logger,
		leaveAcks: map[string]bool{},
		members:   map[string]*member{},
		removed:   map[string]removedID{},
		gcMarks:   map[string][]gcMark{},
		listed:    map[string]struct{}{},
		candIDs:   map[string]struct{}{},
		recentAt:  map[string]uint64{},
		streamed:  map[string]time.Time{},
		mon:       newMonitor(),
		overlay:   map[string]store.Entry{},
		staged:    map[string]*staging{},
		addrs:     map[string]*addrState{},
		bytesHeld: map[string]int{},
		limitSeen: map[string]store.Entry{},
		flow:      newFlow(now),
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	self, ok := c.st.Node(cfg.ID)
	switch {
	case ok && self.Generation > cfg.Generation:
		return nil, fmt.Errorf("core: the store holds generation %d of this node, above %d", self.Generation, cfg.Generation)
	case !ok || self.Generation < cfg.Generation:
		if err := c.startGeneration(ok); err != nil { // see restore.go
			return nil, err
		}
	}
	c.self.id = codec.IDHash(cfg.ID)
	c.touch(cfg.ID)
	if cfg.Addr != "" {
		if err := c.put(KeyAddr, cfg.Addr, false); err != nil {
			return nil, fmt.Errorf("core: writing address: %w", err)
		}
	}
	c.restore(now)
	c.pushed = c.ownMax()
	c.mon.lastHeard = now
	c.nextMark = now
	return c, nil
}

// ID returns the node's ID.
func (c *Core) ID() string { return c.cfg.ID }

// Generation returns the node's generation.
func (c *Core) Generation() uint64 { return c.cfg.Generation }

// Stats returns the counters.
func (c *Core) Stats() Stats { return c.stats }
