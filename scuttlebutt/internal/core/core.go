// Package core is the Scuttlebutt protocol as a deterministic state machine.
//
// A Core is fed the current time, received messages and local writes; it
// queues messages to send and events to emit, which the caller drains with
// Ready. It starts no goroutines, opens no sockets, never reads the wall
// clock and draws randomness only from the *rand.Rand it was given, so the
// same inputs produce the same outputs, byte for byte. It is not safe for
// concurrent use: the Node runtime in package scuttlebutt serialises calls.
//
// The exchange follows van Renesse et al. (2008), push-pull:
//
//	initiator                      responder
//	Tick:  SYN(digest)     ──────▶
//	                        ◀──────  SYNACK(requests, deltas initiator lacks)
//	       ACK(deltas responder lacks) ──────▶
//
// It depends only on the codec, store and detector interfaces.
package core

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
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
	// StatusAlive: heartbeats arrive as expected.
	StatusAlive Status = iota + 1
	// StatusSuspect: the detector suspects the node is down.
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
	// GossipInterval is the time between rounds; the detector's expected
	// heartbeat interval is derived from it (see tuneDetector).
	GossipInterval time.Duration
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
	Store          store.Store
	Detector       detector.Detector
	Sizer          codec.Sizer
	Rand           *rand.Rand
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
	Prunes          uint64 // prunes installed: held keys checked against a key list
	PrunesStaged    uint64 // key lists taken for a prune, installed or not
	PrunesTooLarge  uint64 // prunes owed to a peer that fit no message and were not sent
	StoreErrors     uint64 // store writes that failed (and changed nothing)
	// GenerationBumps counts the times this node saw its own ID at a
	// newer generation and took one above it.
	GenerationBumps uint64
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
	idx    int       // position in Core.members
	// heartbeat is the highest heartbeat counter seen for the node's
	// current generation.
	heartbeat uint64
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

	heartbeat uint64
	left      bool
	leaveAcks map[string]bool

	members    map[string]*member
	order      []*member // every member, in join order: deterministic iteration
	alive      []*member // members to gossip with, for O(1) random choice
	aliveIdx   map[*member]int
	checkFrom  int // rotating cursor of liveness checks
	removed    map[string]removedID
	seeds      []string
	digestFrom string // rotating digest window cursor
	// recent lists nodes whose state changed lately, oldest first;
	// recentAt holds the round of each node's latest change.
	recent   []recentChange
	recentAt map[string]uint64

	gcMarks map[string][]gcMark
	// detectorIv is the heartbeat interval last given to the detector.
	detectorIv time.Duration
	// streamed holds when the last stream went to each peer address.
	streamed map[string]time.Time
	nextMark time.Time

	out    []Outgoing
	events []Event
	stats  Stats

	// scratch reused across calls
	listed   map[string]struct{}
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
}

// removedID remembers a removed node: gossip about that generation with no
// newer heartbeat is stale and cannot bring it back.
type removedID struct {
	gen       uint64
	heartbeat uint64
	until     time.Time
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
		aliveIdx:  map[*member]int{},
		removed:   map[string]removedID{},
		gcMarks:   map[string][]gcMark{},
		listed:    map[string]struct{}{},
		recentAt:  map[string]uint64{},
		streamed:  map[string]time.Time{},
		overlay:   map[string]store.Entry{},
		staged:    map[string]*staging{},
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
	if cfg.Addr != "" {
		if err := c.put(KeyAddr, cfg.Addr, false); err != nil {
			return nil, fmt.Errorf("core: writing address: %w", err)
		}
	}
	c.restore(now)
	c.nextMark = now
	return c, nil
}

// ID returns the node's ID.
func (c *Core) ID() string { return c.cfg.ID }

// Generation returns the node's generation.
func (c *Core) Generation() uint64 { return c.cfg.Generation }

// Stats returns the counters.
func (c *Core) Stats() Stats { return c.stats }

// Ready returns the queued messages and events and clears the queues. The
// caller owns the returned slices.
func (c *Core) Ready() ([]Outgoing, []Event) {
	out, ev := c.out, c.events
	c.out, c.events = nil, nil
	return out, ev
}

// Join adds seed addresses and opens an exchange with each at once. The
// seeds are also used whenever no live peer is known.
func (c *Core) Join(seeds []string) {
	for _, s := range seeds {
		if s == "" || s == c.cfg.Addr || contains(c.seeds, s) {
			continue
		}
		c.seeds = append(c.seeds, s)
	}
	if len(c.seeds) == 0 {
		return
	}
	syn := c.synMessage()
	for _, s := range c.seeds {
		c.out = append(c.out, Outgoing{To: s, Msg: syn})
	}
}

// SetSeeds replaces the seed list without sending anything (used when seed
// names are resolved again).
func (c *Core) SetSeeds(seeds []string) {
	c.seeds = c.seeds[:0]
	for _, s := range seeds {
		if s != "" && s != c.cfg.Addr && !contains(c.seeds, s) {
			c.seeds = append(c.seeds, s)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Tick runs one gossip round at now: it beats the heart, checks liveness,
// drops what has expired, and opens an exchange with Fanout peers.
func (c *Core) Tick(now time.Time) {
	c.stats.Rounds++
	c.heartbeat++
	c.tuneDetector()
	c.checkLiveness(now)
	c.expire(now)
	c.collectTombstones(now)
	for addr, at := range c.streamed {
		if now.Sub(at) >= c.cfg.StreamCooldown {
			delete(c.streamed, addr)
		}
	}

	targets := c.choosePeers()
	if len(targets) == 0 {
		return
	}
	syn := c.synMessage()
	for _, to := range targets {
		c.out = append(c.out, Outgoing{To: to, Msg: syn})
	}
}

// choosePeers picks Fanout live members at random, now and then a suspected
// one (so that two healthy nodes that wrongly suspect each other recover),
// and a seed when no member is alive or, now and then, to heal partitions.
func (c *Core) choosePeers() []string {
	to := c.randomAlive(c.cfg.Fanout)
	n := len(c.alive)
	suspects := 0
	for _, m := range c.order {
		if m.status == StatusSuspect {
			suspects++
		}
	}
	if suspects > 0 && c.rng.Float64() < float64(suspects)/float64(n+1) {
		pick := c.rng.IntN(suspects)
		for _, m := range c.order {
			if m.status != StatusSuspect {
				continue
			}
			if pick == 0 {
				if m.addr != "" {
					to = append(to, m.addr)
				}
				break
			}
			pick--
		}
	}
	if len(c.seeds) > 0 && (n == 0 || c.rng.Float64() < float64(len(c.seeds))/float64(n+1)) {
		s := c.seeds[c.rng.IntN(len(c.seeds))]
		if !contains(to, s) {
			to = append(to, s)
		}
	}
	return to
}

// randomAlive returns the addresses of up to k distinct live members, chosen
// at random (a partial Fisher-Yates shuffle of the alive set).
func (c *Core) randomAlive(k int) []string {
	var to []string
	n := len(c.alive)
	for i := range min(k, n) {
		c.swapAlive(i, i+c.rng.IntN(n-i))
		if addr := c.alive[i].addr; addr != "" {
			to = append(to, addr)
		}
	}
	return to
}

// entryCost is what one more digest entry e adds to a digest of k entries.
func (c *Core) entryCost(e *codec.DigestEntry, k int) int {
	return c.sizer.DigestEntry(e) + c.sizer.DigestCount(k+1) - c.sizer.DigestCount(k)
}

func (c *Core) swapAlive(i, j int) {
	if i == j {
		return
	}
	a, b := c.alive[i], c.alive[j]
	c.alive[i], c.alive[j] = b, a
	c.aliveIdx[b], c.aliveIdx[a] = i, j
}

// Step handles a message received at now from the transport address from.
func (c *Core) Step(now time.Time, from string, m *codec.Message) {
	if m.From == c.cfg.ID || m.From == "" {
		c.stats.MessagesDropped++
		return
	}
	switch m.Kind {
	case codec.KindSyn:
		c.stats.SynReceived++
		c.handleSyn(now, from, m)
	case codec.KindSynAck:
		c.stats.SynAckReceived++
		c.applyDeltas(now, m.From, m.Deltas)
		c.handleRequests(now, from, m)
	case codec.KindAck:
		c.stats.AckReceived++
		c.applyDeltas(now, m.From, m.Deltas)
	default:
		c.stats.MessagesDropped++
	}
}

// handleSyn answers a SYN with the requests for what the initiator has and
// this node lacks, and the deltas the initiator lacks.
func (c *Core) handleSyn(now time.Time, from string, m *codec.Message) {
	reply := &codec.Message{Kind: codec.KindSynAck, From: c.cfg.ID}
	var ackLeave *codec.DigestEntry
	for i := range m.Digest.Entries {
		e := &m.Digest.Entries[i]
		c.revive(e)
		c.observe(now, e)
		if e.ID == m.From && e.Left {
			ackLeave = e
		}
	}
	// The request list: the leave acknowledgement, every node the
	// initiator is ahead on, then our own entry.
	budget := c.cfg.MTU - c.sizer.Base(codec.KindSynAck, c.cfg.ID, "", "")
	digestBudget := budget / 2
	used := 0
	add := func(e codec.DigestEntry) bool {
		n := len(reply.Digest.Entries)
		cost := c.entryCost(&e, n)
		if used+cost > digestBudget {
			return false
		}
		used += cost
		reply.Digest.Entries = append(reply.Digest.Entries, e)
		return true
	}
	if ackLeave != nil {
		add(*ackLeave)
	}
	// Our own entry goes first (the initiator learns of us at once, which
	// keeps joins fast), unless it would leave no room for the first
	// request: with a tiny MTU a request that never fits would stall a
	// node that needs a prune.
	self := c.selfEntry()
	first, want := len(m.Digest.Entries), codec.DigestEntry{}
	for i := range m.Digest.Entries {
		if w, ok := c.request(&m.Digest.Entries[i]); ok {
			first, want = i, w
			break
		}
	}
	n := len(reply.Digest.Entries)
	selfFirst := first == len(m.Digest.Entries) ||
		used+c.entryCost(&self, n)+c.entryCost(&want, n+1) <= digestBudget
	if selfFirst {
		add(self)
	}
	if first < len(m.Digest.Entries) && add(want) {
		for i := first + 1; i < len(m.Digest.Entries); i++ {
			if w, ok := c.request(&m.Digest.Entries[i]); ok && !add(w) {
				break
			}
		}
	}
	if !selfFirst {
		add(self)
	}
	// Then, while there is room, fresher heartbeats of the nodes the
	// initiator listed: in large clusters, where a digest is only a window,
	// this doubles how fast heartbeats travel.
	// Start at a random entry, so the budget never favours the same IDs.
	k := len(m.Digest.Entries)
	off := 0
	if k > 0 {
		off = c.rng.IntN(k)
	}
	for j := range k {
		e := &m.Digest.Entries[(off+j)%k]
		if e.ID == c.cfg.ID || e.ID == m.From {
			continue
		}
		m := c.members[e.ID]
		if m == nil || m.heartbeat <= e.Heartbeat {
			continue
		}
		if n, ok := c.st.Node(e.ID); ok && n.Generation == e.Generation && n.MaxVersion >= e.MaxVersion &&
			!add(c.digestEntry(n)) {
			break
		}
	}
	c.entryBuf = c.entryBuf[:0]
	c.cands = c.candidates(c.cands[:0], &m.Digest, true)
	var stream bool
	reply.Deltas, stream = c.packOut(now, from, c.cands, budget-used)
	c.out = append(c.out, Outgoing{To: from, Msg: reply, Stream: stream})
}

// handleRequests answers the request list of a SYNACK with an ACK.
func (c *Core) handleRequests(now time.Time, from string, m *codec.Message) {
	for i := range m.Digest.Entries {
		e := &m.Digest.Entries[i]
		if e.ID == c.cfg.ID {
			if c.left && e.Left && e.Generation == c.cfg.Generation {
				c.leaveAcks[m.From] = true
			}
			c.noticeSelf(e.Generation)
			continue
		}
		c.revive(e)
		c.observe(now, e)
	}
	// Our own entry may be both a leave acknowledgement and a request for
	// our state: candidates see every entry.
	c.entryBuf = c.entryBuf[:0]
	c.cands = c.candidates(c.cands[:0], &m.Digest, false)
	if len(c.cands) == 0 {
		return
	}
	ack := &codec.Message{Kind: codec.KindAck, From: c.cfg.ID}
	budget := c.cfg.MTU - c.sizer.Base(codec.KindAck, c.cfg.ID, "", "")
	var stream bool
	ack.Deltas, stream = c.packOut(now, from, c.cands, budget)
	if len(ack.Deltas) > 0 {
		c.out = append(c.out, Outgoing{To: from, Msg: ack, Stream: stream})
	}
}

// request returns the entry to ask the initiator for, when its digest entry
// e shows it holds more of a node than this node does.
func (c *Core) request(e *codec.DigestEntry) (codec.DigestEntry, bool) {
	if e.ID == c.cfg.ID || c.isRemoved(e.ID, e.Generation) {
		return codec.DigestEntry{}, false
	}
	n, ok := c.st.Node(e.ID)
	n = c.advertised(n)
	switch {
	case !ok:
		return codec.DigestEntry{ID: e.ID}, true // never heard of it
	case e.Generation > n.Generation:
		return codec.DigestEntry{ID: e.ID, Generation: n.Generation}, true
	case e.Generation == n.Generation && e.MaxVersion > n.MaxVersion:
		return codec.DigestEntry{ID: e.ID, Generation: n.Generation, MaxVersion: n.MaxVersion, GCVersion: n.GCVersion}, true
	}
	return codec.DigestEntry{}, false
}

// observe takes the heartbeat and departure a digest entry reports of a
// node this node already knows.
func (c *Core) observe(now time.Time, e *codec.DigestEntry) {
	if e.ID == c.cfg.ID {
		c.noticeSelf(e.Generation)
		return
	}
	n, ok := c.st.Node(e.ID)
	if !ok || e.Generation != n.Generation {
		return
	}
	m := c.members[e.ID]
	if m == nil {
		return
	}
	if e.Heartbeat > m.heartbeat {
		m.heartbeat = e.Heartbeat
		c.det.Heartbeat(e.ID, now)
		if m.status == StatusSuspect {
			c.setStatus(now, m, StatusAlive, n.Generation)
		}
	}
	if e.Left && !n.Left {
		n.Left = true
		if c.write(c.newWrite(n)) {
			c.setStatus(now, m, StatusLeft, n.Generation)
		}
	}
}

// noticeSelf handles gossip about this node's own ID at generation gen. A
// newer generation than this node's means the cluster holds another
// incarnation (one started with a clock set back, or a stale restart), and
// every peer would ignore this one as older: take a generation above it,
// so this node's state replaces it everywhere.
func (c *Core) noticeSelf(gen uint64) {
	if gen <= c.cfg.Generation || gen == math.MaxUint64 {
		return
	}
	old := c.cfg.Generation
	n, _ := c.st.Node(c.cfg.ID)
	n.Generation = gen + 1
	if !c.write(c.newWrite(n)) {
		return
	}
	c.cfg.Generation = gen + 1
	c.stats.GenerationBumps++
	c.log.Warn("the cluster holds a newer generation of this node; taking one above it",
		"id", c.cfg.ID, "was", old, "seen", gen, "now", c.cfg.Generation)
}

// selfEntry is this node's own digest entry.
func (c *Core) selfEntry() codec.DigestEntry {
	n, _ := c.st.Node(c.cfg.ID)
	return c.digestEntry(n)
}

// digestEntry is the digest entry of a node the store holds.
func (c *Core) digestEntry(n store.Node) codec.DigestEntry {
	n = c.advertised(n)
	e := codec.DigestEntry{
		ID: n.ID, Generation: n.Generation, MaxVersion: n.MaxVersion,
		GCVersion: n.GCVersion, Left: n.Left,
	}
	if n.ID == c.cfg.ID {
		e.Heartbeat = c.heartbeat
	} else if m := c.members[n.ID]; m != nil {
		e.Heartbeat = m.heartbeat
	}
	return e
}
