// Package peerq is the outbound side of one peer in transport/tcp and
// transport/quic: a bounded queue of message copies that Send fills without
// ever blocking, the dial backoff that makes Send drop at once while a peer
// is unreachable, and a pool for the copies' buffers.
//
// Backoff works on time.Time values compared with Before and Add, which use
// the monotonic clock when the times come from time.Now: a wall clock
// stepped back or forward neither stretches nor cuts a pause.
package peerq

import (
	"sync"
	"sync/atomic"
	"time"
)

// Result says what Enqueue did with a message.
type Result int

// Results of Enqueue.
const (
	// Queued: the copy waits in the queue for the writer.
	Queued Result = iota
	// DroppedFull: the queue was full.
	DroppedFull
	// DroppedDown: the peer is backing off after a failed dial.
	DroppedDown
)

// Drops counts the messages that Enqueue dropped, for a transport's Stats.
// One Drops may serve every Queue of a transport. The writer adds what it
// drops itself (Unreachable after a failed dial).
type Drops struct {
	// Full counts messages that found the queue full.
	Full atomic.Uint64
	// Unreachable counts messages dropped while the peer backed off.
	Unreachable atomic.Uint64
}

// Queue is a bounded queue of message copies and the Backoff of the peer it
// feeds. Enqueue and Backoff are safe for concurrent use; the receiving side
// (C, Drain) belongs to one writer goroutine.
type Queue struct {
	// Backoff is the peer's dial backoff; Enqueue drops while it is down.
	Backoff *Backoff
	ch      chan *[]byte
	drops   *Drops
}

// New returns an empty Queue of size messages whose Backoff pauses between
// lo and hi, and which counts what it drops in drops.
func New(size int, lo, hi time.Duration, drops *Drops) *Queue {
	return &Queue{Backoff: NewBackoff(lo, hi), ch: make(chan *[]byte, size), drops: drops}
}

// Enqueue queues a copy of b, unless the peer is down at now or the queue is
// full; then it counts the drop. It never blocks and never retains b.
func (q *Queue) Enqueue(b []byte, now time.Time) Result {
	if q.Backoff.Down(now) {
		q.drops.Unreachable.Add(1)
		return DroppedDown
	}
	if len(q.ch) == cap(q.ch) {
		q.drops.Full.Add(1)
		return DroppedFull
	}
	m := getBuf(len(b))
	copy(*m, b)
	select {
	case q.ch <- m:
		return Queued
	default:
		Recycle(m)
		q.drops.Full.Add(1)
		return DroppedFull
	}
}

// C is the channel the writer receives queued copies from. It is never
// closed. The writer owns what it receives, and hands it to Recycle when
// done.
func (q *Queue) C() <-chan *[]byte { return q.ch }

// Len is the number of queued messages.
func (q *Queue) Len() int { return len(q.ch) }

// DrainUpTo drops up to n queued messages and returns how many it dropped.
func (q *Queue) DrainUpTo(n int) int {
	for i := range n {
		select {
		case m := <-q.ch:
			Recycle(m)
		default:
			return i
		}
	}
	return n
}

// Drain drops what is queued, at most the queue's capacity so that a busy
// sender cannot keep it going, and returns how many it dropped.
func (q *Queue) Drain() int { return q.DrainUpTo(cap(q.ch)) }

// Backoff is the exponential pause after failed dials to one peer. Down is
// safe for concurrent use with everything; Failed and Succeeded are called
// by one goroutine, the peer's writer (or under its dial lock).
type Backoff struct {
	lo, hi time.Duration
	until  atomic.Pointer[time.Time] // nil before the first failure

	mu    sync.Mutex
	pause time.Duration
}

// NewBackoff returns a Backoff whose pauses start at lo and double up to hi.
func NewBackoff(lo, hi time.Duration) *Backoff {
	return &Backoff{lo: lo, hi: hi}
}

// Down reports whether now falls in the pause after the last failed dial.
// now should come from time.Now, whose monotonic reading makes the
// comparison immune to wall-clock steps.
func (b *Backoff) Down(now time.Time) bool {
	until := b.until.Load()
	return until != nil && now.Before(*until)
}

// Failed records a failed dial at now: it doubles the pause within
// [lo, hi], makes Down true until now plus the pause, and returns the pause.
func (b *Backoff) Failed(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pause = min(max(2*b.pause, b.lo), b.hi)
	until := now.Add(b.pause)
	b.until.Store(&until)
	return b.pause
}

// Succeeded records a successful dial: the next failure pauses for lo
// again.
func (b *Backoff) Succeeded() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pause = 0
}

// maxPooled is the largest buffer kept for reuse: the default MTU of tcp and
// quic. Larger copies are left to the garbage collector.
const maxPooled = 64 << 10

// bufPool recycles message copies between Enqueue and the writers.
var bufPool sync.Pool // of *[]byte

func getBuf(n int) *[]byte {
	if b, ok := bufPool.Get().(*[]byte); ok && cap(*b) >= n {
		*b = (*b)[:n]
		return b
	}
	b := make([]byte, n, max(n, 512))
	return &b
}

// Recycle returns a copy received from C for reuse. The caller must not use
// it afterwards.
func Recycle(b *[]byte) {
	if cap(*b) <= maxPooled {
		bufPool.Put(b)
	}
}
