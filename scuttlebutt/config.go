package scuttlebutt

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/detector"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/internal/core"
	"github.com/scuttlebutt-go/scuttlebutt/store"
	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// Ordering chooses which deltas go first when not all fit in a datagram.
type Ordering = core.Ordering

const (
	// ScuttleDepth sends the nodes with the most available deltas first,
	// ties broken at random (the paper's best, and the default).
	ScuttleDepth = core.ScuttleDepth
	// ScuttleBreadth sends one delta of each node per pass, round-robin.
	ScuttleBreadth = core.ScuttleBreadth
)

// Config configures a Node. Only ID is required; every zero field takes the
// default documented on it. New fills the defaults, then validates, and
// refuses a bad Config with an error naming the field (errors.Is(err,
// ErrInvalidConfig)).
type Config struct {
	// ID names this node in the cluster. Required; at most MaxIDLength bytes.
	ID string
	// BindAddr is the "host:port" the default UDP transport binds to
	// (default "0.0.0.0:7946"). Unused when Transport is set.
	BindAddr string
	// AdvertiseAddr is the address other nodes send to. Default: the
	// transport's LocalAddr, with an unspecified host (0.0.0.0) replaced by
	// a private address of this machine.
	AdvertiseAddr string
	// EventSubscriber receives every event; see Subscribe for more.
	EventSubscriber EventSubscriber
	// Label names the cluster (default none). Every message starts with
	// it, and a message of another label, or of none, is dropped and
	// counted (Stats.LabelDrops): two clusters sharing a network, or a
	// seed list, never merge. It costs 2 bytes plus its length of each
	// message's MTU; at most MaxLabelLength bytes. With a transport/keyring
	// wrapper the label is sealed with the message, so it is authenticated
	// too. Every node of a cluster needs the same Label: changing it is a
	// restart of the whole cluster.
	Label string

	// Generation is this incarnation of ID; it must grow on every start.
	// Default: the clock's time in nanoseconds; on a durable Store
	// (store.Durable, such as store/bolt), max(the generation the store
	// holds for ID + 1, the clock's time in nanoseconds), so that it never
	// goes back, even when the clock does. With the in-memory store
	// nothing is remembered: a clock set back gives a generation below the
	// previous incarnation's, which peers ignore until this node sees its
	// own ID at the newer one in gossip and takes one above it (see
	// Stats.GenerationBumps). A Generation given at or below the one a
	// durable Store holds is refused.
	Generation uint64
	// GossipInterval is the time between gossip rounds (default 500ms);
	// each round is jittered by ±10%.
	GossipInterval time.Duration
	// Fanout is how many peers a round gossips with (default 3, at most
	// 64), and how many get a local write at once.
	Fanout int
	// HeartbeatInterval is how often a monitor pings each node it watches
	// (default twice GossipInterval: 1s; at least GossipInterval, since
	// pings go out with the rounds).
	HeartbeatInterval time.Duration
	// Monitors is how many nodes watch each node: its successors on the
	// ring of live members (default 3, at most MaxMonitors). A node is
	// suspected when more than half of them suspect it.
	Monitors int
	// MTU is the largest datagram sent, in bytes, counted on the encoded
	// message (default: the transport's MTU; at least MinMTU and at most the
	// transport's).
	MTU int
	// Ordering chooses the deltas sent first when not all fit (default
	// ScuttleDepth).
	Ordering Ordering
	// FlowControl turns on the paper's flow control (see the package
	// documentation): this node's writes go into gossip at a maximum rate
	// shared with its peers and adapted to the room in messages; writes
	// beyond it wait, merged by key. Off by default. Its rates ride in
	// SYNs and SYNACKs as an optional part of wire version 3 that older
	// builds refuse (see codec/COMPAT.md): turn it on once every node runs
	// a build that reads it.
	FlowControl bool
	// DisablePush turns off the push of each local write to Fanout peers
	// at once, and the passing on of news a node has just applied: writes
	// then spread by the gossip rounds alone, as in the paper's model (see
	// examples/paper). Monitors' verdicts are still passed on at once.
	DisablePush bool
	// DisableQuiet turns off quiet rounds: every round gossips with
	// Fanout peers even when nothing changed for a while.
	DisableQuiet bool
	// RemoveAfter is how long a suspected or departed node is kept before
	// its state is dropped (default 2 minutes).
	RemoveAfter time.Duration
	// RememberRemoved is how long a removed node is remembered so stale
	// gossip cannot bring it back (default 10 minutes).
	RememberRemoved time.Duration
	// TombstoneGrace is how long a deleted key's tombstone is kept (default
	// 5 minutes). A peer that was away longer is reset with full state.
	TombstoneGrace time.Duration
	// MaxGenerationSkew is how far ahead of this node's clock a peer's
	// generation may be (default DefaultMaxGenerationSkew, a year, as
	// Cassandra). Gossip carrying a generation further ahead is dropped
	// and counted (Stats.GenerationsRefused). Negative: no limit. Default
	// generations (the clock in nanoseconds, or a durable store's
	// max(held + 1, clock)) pass on any clock within the skew; explicit
	// generations far above the clock in nanoseconds do not.
	MaxGenerationSkew time.Duration
	// AmplificationFactor bounds what this node sends to an address that
	// has not been validated (see the package documentation): at most this
	// many times the bytes received from it (default 3, QUIC's factor;
	// negative: no limit, for trusted networks only).
	AmplificationFactor int

	// Limits bound the state held, of this node and of every other (see
	// Limits; zero fields take the defaults).
	Limits Limits

	// SeedRefresh is how often seed names given to Join are resolved again
	// (default 30s; negative: never).
	SeedRefresh time.Duration
	// Resolver resolves seed names (default net.DefaultResolver).
	Resolver Resolver

	// Transport carries datagrams (default: UDP on BindAddr). The Node
	// closes it on Close. When it also implements transport.Streamer (TCP,
	// QUIC, mem), exchanges too large for one datagram, such as the full
	// state a joining node needs, go whole over a stream.
	Transport transport.Transport
	// DisableStreams keeps every exchange to MTU-sized datagrams even when
	// the transport can stream.
	DisableStreams bool
	// Codec encodes messages (default: the binary codec).
	Codec codec.Codec
	// Store holds every node's state (default: in memory, empty). The
	// Node does not close it. A Store that already holds state (store/bolt
	// reopened) makes a warm restart: the Node keeps every other node's
	// state, still valid since only its own generation changes, and
	// needs only the deltas it missed; those nodes become members again,
	// announced with the events of a node just learned (EventJoin, then
	// an EventUpdate per key).
	Store store.Store
	// RepublishLocal, on a warm restart, writes this node's live keys of
	// the previous generation again under the new one. Off by default:
	// they are dropped, as on a cold start, since a restarting service
	// usually writes its keys afresh (its address, role or status may
	// have changed while it was down), and republished values would
	// spread stale state until it does.
	RepublishLocal bool
	// Detector judges the liveness of the nodes this node monitors from
	// the arrival times of their PONGs (default: phi-accrual with
	// threshold 8, Interval HeartbeatInterval, the last 30 arrivals,
	// MinStdDev a fortieth and AcceptablePause a tenth of
	// HeartbeatInterval, and the bootstrap dropped after 8 arrivals; see
	// detector/phi). Each Node needs its own.
	Detector detector.Detector
	// Clock is the source of time (default: the wall clock). A
	// transport/mem Network is a virtual clock for deterministic tests.
	Clock Clock
	// Rand drives every random choice (default: seeded from the clock).
	// The same seed, clock and inputs give the same run.
	Rand *rand.Rand
	// Logger receives diagnostics (default: none).
	Logger *slog.Logger
}

// Limits on Config fields.
const (
	// MaxIDLength is the longest node ID accepted, in bytes.
	MaxIDLength = 128
	// MinMTU is the smallest MTU accepted, in bytes. New also refuses an
	// MTU too small for the codec and ID to carry a SYN with node IDs of
	// up to MaxIDLength bytes, and says how many bytes it needs.
	MinMTU = 512
	// MaxFanout is the largest Fanout accepted.
	MaxFanout = 64
	// MaxMonitors is the largest Monitors accepted.
	MaxMonitors = 16
	// MinInterval is the shortest GossipInterval and HeartbeatInterval
	// accepted: anything shorter can only be a slip of units (500 meant
	// as 500ms is 500ns, some 2 million rounds a second).
	MinInterval = 10 * time.Millisecond
	// MinGrace is the shortest RemoveAfter, RememberRemoved and
	// TombstoneGrace accepted: each must outlast several gossip rounds
	// to mean anything, and a second or less is a slip of units.
	MinGrace = time.Second
	// DefaultMaxGenerationSkew is the default MaxGenerationSkew.
	DefaultMaxGenerationSkew = 365 * 24 * time.Hour
)

// ErrInvalidConfig is wrapped by every Config validation error.
var ErrInvalidConfig = errors.New("invalid config")

// ConfigError names the Config field that was refused and why.
type ConfigError struct {
	Field  string
	Reason string
}

// Error returns "invalid config: Field: reason".
func (e *ConfigError) Error() string {
	return fmt.Sprintf("scuttlebutt: invalid config: %s: %s", e.Field, e.Reason)
}

// Unwrap makes errors.Is(err, ErrInvalidConfig) true.
func (e *ConfigError) Unwrap() error { return ErrInvalidConfig }

func configErr(field, format string, args ...any) error {
	return &ConfigError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// setDefaults fills the zero fields that need no constructed parts.
func (c *Config) setDefaults() {
	if c.BindAddr == "" && c.Transport == nil {
		c.BindAddr = "0.0.0.0:7946"
	}
	if c.GossipInterval == 0 {
		c.GossipInterval = 500 * time.Millisecond
	}
	if c.Fanout == 0 {
		c.Fanout = 3
	}
	if c.HeartbeatInterval == 0 {
		c.HeartbeatInterval = 2 * c.GossipInterval
	}
	if c.Monitors == 0 {
		c.Monitors = 3
	}
	if c.RemoveAfter == 0 {
		c.RemoveAfter = 2 * time.Minute
	}
	if c.RememberRemoved == 0 {
		c.RememberRemoved = 10 * time.Minute
	}
	if c.TombstoneGrace == 0 {
		c.TombstoneGrace = 5 * time.Minute
	}
	if c.MaxGenerationSkew == 0 {
		c.MaxGenerationSkew = DefaultMaxGenerationSkew
	}
	if c.AmplificationFactor == 0 {
		c.AmplificationFactor = 3
	}
	c.Limits = c.Limits.withDefaults()
	if c.SeedRefresh == 0 {
		c.SeedRefresh = 30 * time.Second
	}
	if c.Resolver == nil {
		c.Resolver = net.DefaultResolver
	}
	if c.Clock == nil {
		c.Clock = wallClock{}
	}
	if c.Generation == 0 {
		c.Generation = defaultGeneration(c.Store, c.ID, c.Clock.Now())
	}
	if c.Rand == nil {
		seed := uint64(c.Clock.Now().UnixNano())
		c.Rand = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// validate checks the fields that do not depend on the transport.
func (c *Config) validate() error {
	switch {
	case c.ID == "":
		return configErr("ID", "required")
	case len(c.ID) > MaxIDLength:
		return configErr("ID", "%d bytes, more than %d", len(c.ID), MaxIDLength)
	case len(c.Label) > MaxLabelLength:
		return configErr("Label", "%d bytes, more than %d", len(c.Label), MaxLabelLength)
	case c.GossipInterval < 0:
		return configErr("GossipInterval", "negative (%v)", c.GossipInterval)
	case c.GossipInterval < MinInterval:
		return configErr("GossipInterval", "%v is below %v: a slip of units? (500 is 500ns; write 500*time.Millisecond)", c.GossipInterval, MinInterval)
	case c.Fanout < 0 || c.Fanout > MaxFanout:
		return configErr("Fanout", "%d is outside 1..%d", c.Fanout, MaxFanout)
	case c.HeartbeatInterval < MinInterval:
		return configErr("HeartbeatInterval", "%v is below %v: a slip of units?", c.HeartbeatInterval, MinInterval)
	case c.HeartbeatInterval < c.GossipInterval:
		return configErr("HeartbeatInterval", "%v is below GossipInterval %v: pings go out with the rounds", c.HeartbeatInterval, c.GossipInterval)
	case c.Monitors < 0 || c.Monitors > MaxMonitors:
		return configErr("Monitors", "%d is outside 1..%d", c.Monitors, MaxMonitors)
	case c.MTU != 0 && c.MTU < MinMTU:
		return configErr("MTU", "%d is below %d", c.MTU, MinMTU)
	case c.Limits.MaxNodes > 0 && c.Limits.MaxNodes < 2:
		return configErr("Limits.MaxNodes", "%d leaves no room for a peer", c.Limits.MaxNodes)
	case c.Limits.MaxKeysPerNode > 0 && c.Limits.MaxKeysPerNode < 8:
		return configErr("Limits.MaxKeysPerNode", "%d leaves no room for the keys the protocol writes (at least 8)", c.Limits.MaxKeysPerNode)
	case c.Limits.MaxKeyLength > 0 && c.Limits.MaxKeyLength < minKeyLength:
		return configErr("Limits.MaxKeyLength", "%d is below %d, shorter than the keys the protocol writes", c.Limits.MaxKeyLength, minKeyLength)
	case c.Limits.MaxNodeBytes > 0 && c.Limits.MaxNodeBytes < 1024:
		return configErr("Limits.MaxNodeBytes", "%d is below 1024, too little for the keys the protocol writes", c.Limits.MaxNodeBytes)
	case c.Ordering != ScuttleDepth && c.Ordering != ScuttleBreadth:
		return configErr("Ordering", "unknown ordering %d", c.Ordering)
	case c.RemoveAfter < 0:
		return configErr("RemoveAfter", "negative (%v)", c.RemoveAfter)
	case c.RemoveAfter < MinGrace:
		return configErr("RemoveAfter", "%v is below %v: a slip of units?", c.RemoveAfter, MinGrace)
	case c.RememberRemoved < 0:
		return configErr("RememberRemoved", "negative (%v)", c.RememberRemoved)
	case c.RememberRemoved < MinGrace:
		return configErr("RememberRemoved", "%v is below %v: a slip of units?", c.RememberRemoved, MinGrace)
	case c.TombstoneGrace < 0:
		return configErr("TombstoneGrace", "negative (%v)", c.TombstoneGrace)
	case c.TombstoneGrace < MinGrace:
		return configErr("TombstoneGrace", "%v is below %v: a slip of units?", c.TombstoneGrace, MinGrace)
	}
	return c.checkGeneration()
}
