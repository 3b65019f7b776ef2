package phi

// window is a ring buffer of the most recent inter-arrival times, in
// nanoseconds, with running sums for an O(1) mean and variance.
//
// The sums are of the samples minus a reference (the expected interval):
// samples cluster around it, so the sum of squares does not cancel
// catastrophically when the variance is small next to the mean. The sums
// are recomputed from the samples each time the ring wraps, so rounding
// errors from adding and removing cannot build up over a long run.
type window struct {
	samples []float64 // grows to size, then wraps
	size    int
	next    int // slot of the next push
	n       int // samples held, at most size
	ref     float64
	sum     float64 // Σ (x - ref)
	sumSq   float64 // Σ (x - ref)²
}

// newWindow returns an empty window of size samples. The storage grows as
// samples arrive, so the many nodes a large cluster knows cost little until
// they have a history.
func newWindow(size int, ref float64) window {
	return window{samples: make([]float64, 0, min(size, 4)), size: size, ref: ref}
}

// push adds x, evicting the oldest sample when the window is full.
func (w *window) push(x float64) {
	if len(w.samples) < w.size {
		w.samples = append(w.samples, 0)
	}
	if w.n == w.size {
		old := w.samples[w.next] - w.ref
		w.sum -= old
		w.sumSq -= old * old
	} else {
		w.n++
	}
	w.samples[w.next] = x
	dx := x - w.ref
	w.sum += dx
	w.sumSq += dx * dx
	w.next++
	if w.next == w.size {
		w.next = 0
		w.resum()
	}
}

// resum recomputes the sums from the samples held.
func (w *window) resum() {
	w.sum, w.sumSq = 0, 0
	for _, x := range w.samples[:w.n] {
		dx := x - w.ref
		w.sum += dx
		w.sumSq += dx * dx
	}
}

// stats returns the mean and the population variance of the samples held.
// The window must not be empty.
func (w *window) stats() (mean, variance float64) {
	n := float64(w.n)
	d := w.sum / n
	return w.ref + d, max(w.sumSq/n-d*d, 0)
}

// dropOldest removes the k oldest samples (k < the samples held).
func (w *window) dropOldest(k int) {
	kept := make([]float64, 0, w.n)
	if w.n < w.size {
		kept = append(kept, w.samples[:w.n]...)
	} else {
		kept = append(append(kept, w.samples[w.next:]...), w.samples[:w.next]...)
	}
	fresh := newWindow(w.size, w.ref)
	for _, x := range kept[k:] {
		fresh.push(x)
	}
	*w = fresh
}
