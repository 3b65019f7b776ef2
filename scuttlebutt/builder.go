package scuttlebutt

import (
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/detector"
	"github.com/scuttlebutt-go/scuttlebutt/store"
	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// Builder wires a Node's parts. It only fills a Config; Build passes it to
// New, which applies the defaults and validation. A zero Builder is not
// usable: start with NewBuilder.
//
//	node, err := scuttlebutt.NewBuilder("node-1").
//		Transport(t).
//		Codec(msgpack.Codec{}).
//		Seed(42).
//		Build()
type Builder struct{ cfg Config }

// NewBuilder starts a Builder for a node named id.
func NewBuilder(id string) *Builder { return &Builder{cfg: Config{ID: id}} }

// BindAddr sets Config.BindAddr.
func (b *Builder) BindAddr(addr string) *Builder { b.cfg.BindAddr = addr; return b }

// AdvertiseAddr sets Config.AdvertiseAddr.
func (b *Builder) AdvertiseAddr(addr string) *Builder { b.cfg.AdvertiseAddr = addr; return b }

// Transport sets Config.Transport.
func (b *Builder) Transport(t transport.Transport) *Builder { b.cfg.Transport = t; return b }

// Codec sets Config.Codec.
func (b *Builder) Codec(c codec.Codec) *Builder { b.cfg.Codec = c; return b }

// Store sets Config.Store.
func (b *Builder) Store(s store.Store) *Builder { b.cfg.Store = s; return b }

// RepublishLocal sets Config.RepublishLocal.
func (b *Builder) RepublishLocal(v bool) *Builder { b.cfg.RepublishLocal = v; return b }

// Detector sets Config.Detector.
func (b *Builder) Detector(d detector.Detector) *Builder { b.cfg.Detector = d; return b }

// Clock sets Config.Clock.
func (b *Builder) Clock(c Clock) *Builder { b.cfg.Clock = c; return b }

// Rand sets Config.Rand.
func (b *Builder) Rand(r *rand.Rand) *Builder { b.cfg.Rand = r; return b }

// Seed sets Config.Rand to a generator seeded with seed.
func (b *Builder) Seed(seed uint64) *Builder {
	b.cfg.Rand = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return b
}

// Logger sets Config.Logger.
func (b *Builder) Logger(l *slog.Logger) *Builder { b.cfg.Logger = l; return b }

// Subscriber sets Config.EventSubscriber.
func (b *Builder) Subscriber(s EventSubscriber) *Builder { b.cfg.EventSubscriber = s; return b }

// Generation sets Config.Generation.
func (b *Builder) Generation(g uint64) *Builder { b.cfg.Generation = g; return b }

// GossipInterval sets Config.GossipInterval.
func (b *Builder) GossipInterval(d time.Duration) *Builder { b.cfg.GossipInterval = d; return b }

// Fanout sets Config.Fanout.
func (b *Builder) Fanout(n int) *Builder { b.cfg.Fanout = n; return b }

// Label sets Config.Label.
func (b *Builder) Label(l string) *Builder { b.cfg.Label = l; return b }

// Limits sets Config.Limits.
func (b *Builder) Limits(l Limits) *Builder { b.cfg.Limits = l; return b }

// MTU sets Config.MTU.
func (b *Builder) MTU(n int) *Builder { b.cfg.MTU = n; return b }

// Ordering sets Config.Ordering.
func (b *Builder) Ordering(o Ordering) *Builder { b.cfg.Ordering = o; return b }

// RemoveAfter sets Config.RemoveAfter.
func (b *Builder) RemoveAfter(d time.Duration) *Builder { b.cfg.RemoveAfter = d; return b }

// RememberRemoved sets Config.RememberRemoved.
func (b *Builder) RememberRemoved(d time.Duration) *Builder { b.cfg.RememberRemoved = d; return b }

// TombstoneGrace sets Config.TombstoneGrace.
func (b *Builder) TombstoneGrace(d time.Duration) *Builder { b.cfg.TombstoneGrace = d; return b }

// MaxGenerationSkew sets Config.MaxGenerationSkew.
func (b *Builder) MaxGenerationSkew(d time.Duration) *Builder { b.cfg.MaxGenerationSkew = d; return b }

// AmplificationFactor sets Config.AmplificationFactor.
func (b *Builder) AmplificationFactor(k int) *Builder { b.cfg.AmplificationFactor = k; return b }

// SeedRefresh sets Config.SeedRefresh.
func (b *Builder) SeedRefresh(d time.Duration) *Builder { b.cfg.SeedRefresh = d; return b }

// Resolver sets Config.Resolver.
func (b *Builder) Resolver(r Resolver) *Builder { b.cfg.Resolver = r; return b }

// DisableStreams sets Config.DisableStreams.
func (b *Builder) DisableStreams(v bool) *Builder { b.cfg.DisableStreams = v; return b }

// FlowControl sets Config.FlowControl.
func (b *Builder) FlowControl(v bool) *Builder { b.cfg.FlowControl = v; return b }

// DisablePush sets Config.DisablePush.
func (b *Builder) DisablePush(v bool) *Builder { b.cfg.DisablePush = v; return b }

// DisableQuiet sets Config.DisableQuiet.
func (b *Builder) DisableQuiet(v bool) *Builder { b.cfg.DisableQuiet = v; return b }

// HeartbeatInterval sets Config.HeartbeatInterval.
func (b *Builder) HeartbeatInterval(d time.Duration) *Builder { b.cfg.HeartbeatInterval = d; return b }

// Monitors sets Config.Monitors.
func (b *Builder) Monitors(n int) *Builder { b.cfg.Monitors = n; return b }

// Config returns the Config filled so far.
func (b *Builder) Config() Config { return b.cfg }

// Build calls New with the Config.
func (b *Builder) Build() (*Node, error) { return New(b.cfg) }
