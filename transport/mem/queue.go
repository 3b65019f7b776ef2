package mem

import "container/heap"

// eventKind says what an event does when its time comes.
type eventKind uint8

const (
	evTimer    eventKind = iota // run timer.f
	evDatagram                  // deliver data as a datagram
	evStream                    // deliver data as a stream message
)

// timer states.
const (
	timerPending uint8 = iota
	timerFired
	timerStopped
)

// timer is one AfterFunc registration.
type timer struct {
	f     func()
	state uint8
}

// event is one entry of the Network's queue: a timer or a delivery. Events are
// stored by value, so queueing one does not allocate.
type event struct {
	at    int64  // virtual nanoseconds since Config.Start
	seq   uint64 // insertion order; breaks ties in at
	kind  eventKind
	timer *timer // evTimer only
	from  string // deliveries only
	to    string // deliveries only
	data  []byte // deliveries only; owned by the event
}

// eventQueue is a min-heap of events ordered by (at, seq). Events go in and
// out through push and pop, which use container/heap without boxing.
type eventQueue []event

var _ heap.Interface = (*eventQueue)(nil)

func (q eventQueue) Len() int { return len(q) }

func (q eventQueue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}

func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }

// Push implements heap.Interface; the queue itself uses push.
func (q *eventQueue) Push(x any) { *q = append(*q, x.(event)) }

// Pop implements heap.Interface; the queue itself uses pop.
func (q *eventQueue) Pop() any {
	old := *q
	n := len(old) - 1
	ev := old[n]
	old[n] = event{}
	*q = old[:n]
	return ev
}

// push adds ev. Appending and fixing the last index is heap.Push without the
// conversion to any, which would allocate.
func (q *eventQueue) push(ev event) {
	*q = append(*q, ev)
	heap.Fix(q, len(*q)-1)
}

// peek returns the earliest event; the queue must not be empty.
func (q eventQueue) peek() *event { return &q[0] }

// pop removes and returns the earliest event; the queue must not be empty.
func (q *eventQueue) pop() event {
	old := *q
	n := len(old) - 1
	ev := old[0]
	old[0] = old[n]
	old[n] = event{} // drop references held by the vacated slot
	*q = old[:n]
	if n > 0 {
		heap.Fix(q, 0)
	}
	return ev
}

// compact removes stopped timers and restores the heap order.
func (q *eventQueue) compact() {
	old := *q
	kept := old[:0]
	for _, ev := range old {
		if ev.kind == evTimer && ev.timer.state == timerStopped {
			continue
		}
		kept = append(kept, ev)
	}
	for i := len(kept); i < len(old); i++ {
		old[i] = event{}
	}
	*q = kept
	heap.Init(q)
}
