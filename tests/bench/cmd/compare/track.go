package main

import (
	"sync"
	"time"
)

// phase says what the tracker is waiting for.
type phase int

const (
	phaseIdle   phase = iota
	phaseJoin         // every node to hold every other node's initial state
	phaseUpdate       // every other node to hold the subject's new state
	phaseFail         // every other node to consider the subject down
)

// missing marks an observer that did not get there before the timeout.
const missing time.Duration = -1

// tracker turns the callbacks of every node of one cluster into completion
// times per observer. The clusters call seen and down from their event
// callbacks; everything else happens between phases.
type tracker struct {
	n  int
	mu sync.Mutex

	phase   phase
	start   time.Time
	want    []string          // join: the state every subject should be seen with
	subject int               // update and fail
	value   string            // update: the new state
	seenAt  [][]time.Duration // join: when observer first held subject's state
	count   []int             // join: subjects seen per observer
	at      []time.Duration
	dead    []time.Duration // fail: when the observer declared the subject dead
	left    int             // observers not done with at
	leftDue int             // fail: observers not done with dead (when tracked)
	done    chan struct{}
}

func newTracker(n int) *tracker { return &tracker{n: n} }

func (t *tracker) reset(p phase) {
	t.phase = p
	t.start = time.Now()
	t.at = fill(t.n, missing)
	t.dead = fill(t.n, missing)
	t.leftDue = 0
	t.done = make(chan struct{})
}

// beginJoin waits for every observer to see every other node with want[j].
func (t *tracker) beginJoin(want []string) <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.reset(phaseJoin)
	t.want = want
	t.seenAt = make([][]time.Duration, t.n)
	for i := range t.seenAt {
		t.seenAt[i] = fill(t.n, missing)
	}
	t.count = make([]int, t.n)
	t.left = t.n
	return t.done
}

// beginUpdate waits for every observer but subject to see value from it.
func (t *tracker) beginUpdate(subject int, value string) <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.reset(phaseUpdate)
	t.subject, t.value = subject, value
	t.left = t.n - 1
	return t.done
}

// beginFail waits for every observer but subject to consider it down and,
// when withDead, also dead.
func (t *tracker) beginFail(subject int, withDead bool) <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.reset(phaseFail)
	t.subject = subject
	t.left = t.n - 1
	if withDead {
		t.leftDue = t.n - 1
	}
	return t.done
}

// end closes the phase and returns its per-observer times.
func (t *tracker) end() (at, dead []time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.phase = phaseIdle
	return t.at, t.dead
}

// endJoin closes a join phase and returns, per observer, when it held
// every other node's state, and the matrix of when each observer first
// held each subject's state.
func (t *tracker) endJoin() (at []time.Duration, seenAt [][]time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.phase = phaseIdle
	return t.at, t.seenAt
}

// started is when the current (or last) phase began.
func (t *tracker) started() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.start
}

// seen reports that observer holds subject's state value.
func (t *tracker) seen(observer, subject int, value string) {
	if observer == subject || subject < 0 {
		return
	}
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	switch t.phase {
	case phaseJoin:
		if t.seenAt[observer][subject] != missing || value != t.want[subject] {
			return
		}
		t.seenAt[observer][subject] = now.Sub(t.start)
		t.count[observer]++
		if t.count[observer] == t.n-1 {
			t.mark(t.at, observer, now)
		}
	case phaseUpdate:
		if subject == t.subject && value == t.value && t.at[observer] == missing {
			t.mark(t.at, observer, now)
		}
	}
}

// down reports that observer considers subject down (suspect, or dead
// when dead is true).
func (t *tracker) down(observer, subject int, dead bool) {
	if observer == subject || subject < 0 {
		return
	}
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.phase != phaseFail || subject != t.subject {
		return
	}
	if t.at[observer] == missing {
		t.mark(t.at, observer, now)
	}
	if dead && t.leftDue > 0 && t.dead[observer] == missing {
		t.dead[observer] = now.Sub(t.start)
		t.leftDue--
		t.maybeDone()
	}
}

// mark records observer's time in ts; the caller holds t.mu.
func (t *tracker) mark(ts []time.Duration, observer int, now time.Time) {
	ts[observer] = now.Sub(t.start)
	t.left--
	t.maybeDone()
}

func (t *tracker) maybeDone() {
	if t.left == 0 && t.leftDue == 0 {
		select {
		case <-t.done:
		default:
			close(t.done)
		}
	}
}

func fill(n int, v time.Duration) []time.Duration {
	s := make([]time.Duration, n)
	for i := range s {
		s[i] = v
	}
	return s
}
