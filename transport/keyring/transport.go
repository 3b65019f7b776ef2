package keyring

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

// Wire format of a sealed message.
const (
	// Version is the first byte of a message sealed with the sender's
	// primary key (format 1). No codec of this module starts a message
	// with it: 0xC1 is never used by msgpack and is not valid UTF-8, the
	// binary codec starts with "SB" and JSON with "{".
	Version byte = 0xC1
	// VersionReply is the first byte of a message sealed (format 1) with a
	// key other than the sender's primary: the key the receiver itself
	// last sealed with (see Transport). A receiver never answers such a
	// message in kind, so two nodes never keep each other on an old key.
	VersionReply byte = 0xC2
	// NonceSize is the size of the random nonce after the version byte.
	NonceSize = 12
	// TagSize is the size of the AES-GCM authentication tag at the end.
	TagSize = 16
	// Overhead is what sealing adds to a message: version, nonce and tag.
	Overhead = 1 + NonceSize + TagSize
)

// Mode says what a wrapper sends and what it accepts. Its zero value,
// Require, is the one to run in; the others are for migrating a
// plaintext cluster (see the package documentation).
type Mode int32

const (
	// Require seals every message sent and drops every message received
	// that is not sealed with an installed key.
	Require Mode = iota
	// AcceptPlaintext seals every message sent, and accepts unsealed
	// messages as well as sealed ones.
	AcceptPlaintext
	// SendPlaintext sends messages unsealed, and accepts unsealed messages
	// as well as sealed ones: the first step of a migration, in which
	// plaintext nodes still read everything this node sends.
	SendPlaintext
)

// String returns the mode's name.
func (m Mode) String() string {
	switch m {
	case Require:
		return "require"
	case AcceptPlaintext:
		return "accept-plaintext"
	case SendPlaintext:
		return "send-plaintext"
	}
	return fmt.Sprintf("Mode(%d)", int32(m))
}

// Defaults of Config.
const (
	// DefaultLogInterval is the least time between two logged drops.
	DefaultLogInterval = 10 * time.Second
	// DefaultReplyWindow is how long a peer is answered with the old key
	// it last sealed with (see Transport).
	DefaultReplyWindow = 30 * time.Second
	// MaxReplyKeys bounds the peers remembered as sealing with a key that
	// is not the primary (see Transport).
	MaxReplyKeys = 4096
)

// Clock tells the time; the rate limit of the drop log reads it. A
// transport/mem Network and package scuttlebutt's Clock have this method.
type Clock interface {
	Now() time.Time
}

// Config configures a wrapper.
type Config struct {
	// Keyring holds the keys. Required. Several wrappers may share one.
	Keyring *Keyring
	// Mode is the wrapper's mode at start (default Require); SetMode
	// changes it while it runs.
	Mode Mode
	// Logger receives an error record when a message is dropped because
	// no key opens it or because it is unsealed in Require mode, at most
	// one every LogInterval, with the number of drops since the last
	// record. nil is silent.
	Logger *slog.Logger
	// LogInterval is the least time between two such records (default
	// DefaultLogInterval).
	LogInterval time.Duration
	// ReplyWindow is how long after a peer last sealed a message with an
	// installed key other than this node's primary that key still seals
	// what this node sends to that peer (default DefaultReplyWindow;
	// negative: never, always seal with the primary). Wait at least this
	// long between the last UseKey and the first Remove of a rotation.
	ReplyWindow time.Duration
	// Clock is read by the log's rate limit and the reply window
	// (default: the wall clock).
	Clock Clock
}

// Stats are a wrapper's counters. Every counter only grows.
type Stats struct {
	// Sealed counts messages sent sealed, SentPlaintext those sent
	// unsealed (in SendPlaintext mode).
	Sealed, SentPlaintext uint64
	// Decrypted counts sealed messages received and opened.
	Decrypted uint64
	// Plaintext counts unsealed messages received and accepted (in
	// AcceptPlaintext or SendPlaintext mode).
	Plaintext uint64
	// Failed counts sealed messages received that no installed key opens:
	// sent with a key this node does not hold, altered, or truncated.
	// They are dropped.
	Failed uint64
	// Refused counts unsealed messages received in Require mode. They
	// are dropped.
	Refused uint64
}

// Transport is the wrapper of a transport without the stream capability.
// All methods are safe for concurrent use.
//
// Besides sealing with the primary key, a wrapper remembers, for each peer
// address whose last message sealed with its sender's primary opened with
// an installed key other than this node's primary, that key, and for
// Config.ReplyWindow seals what it sends to that address with it (up to
// MaxReplyKeys peers; a key no longer installed is never used). So a node
// that missed a rotation and still seals with the old key is answered with
// the old key as long as it is installed here, and rejoins.
type Transport struct {
	inner transport.Transport
	ring  *Keyring
	mode  atomic.Int32
	cfg   Config

	closed atomic.Bool

	mu      sync.Mutex
	replyTo map[string]replyKey // peers sealing with a non-primary key

	logMu      sync.Mutex
	lastLog    time.Time
	suppressed uint64

	sealed, sentPlain, decrypted, plaintext, failed, refused atomic.Uint64
}

// replyKey is the key a peer last sealed with, and when.
type replyKey struct {
	e    *entry
	seen time.Time
}

// StreamTransport is the wrapper of a transport with the stream
// capability: stream messages are sealed and opened like datagrams.
type StreamTransport struct {
	*Transport
	streamer transport.Streamer
}

var (
	_ transport.Transport = (*Transport)(nil)
	_ transport.Streamer  = (*StreamTransport)(nil)
)

// Wrap wraps inner. It returns a *StreamTransport when inner implements
// transport.Streamer, and a *Transport otherwise; both have Stats,
// Keyring, Mode and SetMode. The wrapper owns inner from then on and
// closes it on Close. A missing inner transport or keyring, an unknown
// Mode, or an inner MTU too small to carry the seal is refused with an
// error wrapping transport.ErrInvalidConfig.
func Wrap(inner transport.Transport, cfg Config) (transport.Transport, error) {
	switch {
	case inner == nil:
		return nil, fmt.Errorf("keyring: nil inner transport: %w", transport.ErrInvalidConfig)
	case cfg.Keyring == nil:
		return nil, fmt.Errorf("keyring: Config.Keyring: required: %w", transport.ErrInvalidConfig)
	case cfg.Mode < Require || cfg.Mode > SendPlaintext:
		return nil, fmt.Errorf("keyring: Config.Mode: unknown %v: %w", cfg.Mode, transport.ErrInvalidConfig)
	case cfg.LogInterval < 0:
		return nil, fmt.Errorf("keyring: Config.LogInterval: negative (%v): %w", cfg.LogInterval, transport.ErrInvalidConfig)
	case inner.MTU() <= Overhead:
		return nil, fmt.Errorf("keyring: inner MTU %d cannot carry the %d-byte seal: %w", inner.MTU(), Overhead, transport.ErrInvalidConfig)
	}
	if cfg.LogInterval == 0 {
		cfg.LogInterval = DefaultLogInterval
	}
	if cfg.ReplyWindow == 0 {
		cfg.ReplyWindow = DefaultReplyWindow
	}
	if cfg.Clock == nil {
		cfg.Clock = wallClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	t := &Transport{inner: inner, ring: cfg.Keyring, cfg: cfg, replyTo: map[string]replyKey{}}
	t.mode.Store(int32(cfg.Mode))
	if s, ok := inner.(transport.Streamer); ok {
		return &StreamTransport{Transport: t, streamer: s}, nil
	}
	return t, nil
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// Keyring returns the wrapper's keyring.
func (t *Transport) Keyring() *Keyring { return t.ring }

// Mode returns the current mode.
func (t *Transport) Mode() Mode { return Mode(t.mode.Load()) }

// SetMode changes the mode; the next message sent or received follows it.
// An unknown mode is refused with an error wrapping
// transport.ErrInvalidConfig.
func (t *Transport) SetMode(m Mode) error {
	if m < Require || m > SendPlaintext {
		return fmt.Errorf("keyring: unknown %v: %w", m, transport.ErrInvalidConfig)
	}
	t.mode.Store(int32(m))
	return nil
}

// Stats returns the counters.
func (t *Transport) Stats() Stats {
	return Stats{
		Sealed: t.sealed.Load(), SentPlaintext: t.sentPlain.Load(),
		Decrypted: t.decrypted.Load(), Plaintext: t.plaintext.Load(),
		Failed: t.failed.Load(), Refused: t.refused.Load(),
	}
}

// Drops returns the inner transport's drop counts (when it reports them),
// with the messages this wrapper dropped as Unauthenticated: Failed plus
// Refused of Stats. A Node adds them to its Stats.TransportDrops.
func (t *Transport) Drops() transport.Drops {
	own := transport.Drops{Unauthenticated: t.failed.Load() + t.refused.Load()}
	return transport.DropsOf(t.inner).Add(own)
}

// LocalAddr returns the inner transport's address.
func (t *Transport) LocalAddr() string { return t.inner.LocalAddr() }

// MTU is the inner transport's MTU less Overhead, so that a message of MTU
// bytes still fits the inner datagram once sealed. It is the same in every
// mode.
func (t *Transport) MTU() int { return t.inner.MTU() - Overhead }

// Start starts the inner transport with a Handler that opens what arrives
// and passes h the message inside; what fails to open is dropped and
// counted.
func (t *Transport) Start(h transport.Handler) error {
	if t.closed.Load() {
		return fmt.Errorf("keyring: start: %w", net.ErrClosed)
	}
	return t.inner.Start(func(from string, b []byte) { t.receive(h, from, b) })
}

// Send seals b (unless in SendPlaintext mode) and sends it. A message above
// MTU is refused with an error wrapping transport.ErrTooLarge.
func (t *Transport) Send(addr string, b []byte) error {
	if t.closed.Load() {
		return fmt.Errorf("keyring: send to %s: %w", addr, net.ErrClosed)
	}
	if len(b) > t.MTU() {
		return fmt.Errorf("keyring: send %d bytes: %w (MTU %d)", len(b), transport.ErrTooLarge, t.MTU())
	}
	if t.Mode() == SendPlaintext {
		t.sentPlain.Add(1)
		return t.inner.Send(addr, b)
	}
	buf := getBuf(len(b) + Overhead)
	defer putBuf(buf)
	t.sealed.Add(1)
	return t.inner.Send(addr, t.seal((*buf)[:0], addr, b))
}

// Close closes the inner transport. Later calls return what it returns
// (nil, for a conforming one).
func (t *Transport) Close() error {
	t.closed.Store(true)
	return t.inner.Close()
}

// SendStream seals b like Send and sends it over the inner transport's
// stream. A message above MaxStreamSize is refused with an error wrapping
// transport.ErrTooLarge.
func (t *StreamTransport) SendStream(ctx context.Context, addr string, b []byte) error {
	if t.closed.Load() {
		return fmt.Errorf("keyring: send stream to %s: %w", addr, net.ErrClosed)
	}
	if len(b) > t.MaxStreamSize() {
		return fmt.Errorf("keyring: send stream of %d bytes: %w (max %d)", len(b), transport.ErrTooLarge, t.MaxStreamSize())
	}
	if t.Mode() == SendPlaintext {
		t.sentPlain.Add(1)
		return t.streamer.SendStream(ctx, addr, b)
	}
	t.sealed.Add(1)
	return t.streamer.SendStream(ctx, addr, t.seal(make([]byte, 0, len(b)+Overhead), addr, b))
}

// MaxStreamSize is the inner transport's less Overhead.
func (t *StreamTransport) MaxStreamSize() int { return t.streamer.MaxStreamSize() - Overhead }

// seal appends the sealed form of b, for addr, to dst.
func (t *Transport) seal(dst []byte, addr string, b []byte) []byte {
	e, reply := t.sealKey(addr)
	if reply {
		dst = append(dst, VersionReply)
	} else {
		dst = append(dst, Version)
	}
	nonce := dst[len(dst) : len(dst)+NonceSize]
	dst = dst[:len(dst)+NonceSize]
	_, _ = rand.Read(nonce) // never fails (crypto/rand since Go 1.24)
	return e.aead.Seal(dst, nonce, b, nil)
}

// sealKey is the key to seal with for addr: the one addr was last seen
// sealing with, within the reply window and while it is still installed
// (reply is then true), else the primary.
func (t *Transport) sealKey(addr string) (e *entry, reply bool) {
	r := t.ring.cur.Load()
	if t.cfg.ReplyWindow < 0 {
		return r.keys[0], false
	}
	t.mu.Lock()
	k, ok := t.replyTo[addr]
	if ok && t.cfg.Clock.Now().Sub(k.seen) >= t.cfg.ReplyWindow {
		delete(t.replyTo, addr)
		ok = false
	}
	t.mu.Unlock()
	if ok && k.e != r.keys[0] && r.holds(k.e) {
		return k.e, true
	}
	return r.keys[0], false
}

// note records which key from sealed a message with its own primary.
func (t *Transport) note(from string, e *entry, primary bool) {
	if t.cfg.ReplyWindow < 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if primary {
		delete(t.replyTo, from)
		return
	}
	if _, ok := t.replyTo[from]; ok || len(t.replyTo) < MaxReplyKeys {
		t.replyTo[from] = replyKey{e: e, seen: t.cfg.Clock.Now()}
	}
}

// receive opens b and passes it on, or drops and counts it.
func (t *Transport) receive(h transport.Handler, from string, b []byte) {
	if len(b) == 0 || (b[0] != Version && b[0] != VersionReply) {
		if t.Mode() == Require {
			t.refused.Add(1)
			t.logDrop(from, len(b), ErrPlaintext)
			return
		}
		t.plaintext.Add(1)
		h(from, b)
		return
	}
	if len(b) < Overhead {
		t.drop(from, len(b))
		return
	}
	buf := getBuf(len(b) - Overhead)
	defer putBuf(buf)
	nonce, sealed := b[1:1+NonceSize], b[1+NonceSize:]
	r := t.ring.cur.Load()
	for i, e := range r.keys {
		out, err := e.aead.Open((*buf)[:0], nonce, sealed, nil)
		if err != nil {
			continue
		}
		t.decrypted.Add(1)
		if b[0] == Version {
			t.note(from, e, i == 0)
		}
		h(from, out)
		return
	}
	t.drop(from, len(b))
}

// drop counts and logs a sealed message that no key opens.
func (t *Transport) drop(from string, n int) {
	t.failed.Add(1)
	t.logDrop(from, n, ErrNoKey)
}

// logDrop logs at most one drop every LogInterval.
func (t *Transport) logDrop(from string, n int, err error) {
	now := t.cfg.Clock.Now()
	t.logMu.Lock()
	if !t.lastLog.IsZero() && now.Sub(t.lastLog) < t.cfg.LogInterval {
		t.suppressed++
		t.logMu.Unlock()
		return
	}
	t.lastLog = now
	suppressed := t.suppressed
	t.suppressed = 0
	t.logMu.Unlock()
	t.cfg.Logger.Error("keyring: dropping message: does this peer hold a current key?",
		"from", from, "bytes", n, "err", err, "mode", t.Mode(), "keys", len(t.ring.cur.Load().keys),
		"dropped_since_last_log", suppressed)
}

// bufs recycles seal and open buffers of datagram size.
var bufs = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

func getBuf(n int) *[]byte {
	b := bufs.Get().(*[]byte)
	if cap(*b) < n {
		*b = make([]byte, 0, n)
	}
	return b
}

func putBuf(b *[]byte) {
	if cap(*b) <= 64<<10 { // keep stream-sized buffers out of the pool
		bufs.Put(b)
	}
}
