package store

// The optional interfaces below extend a Store the way hashicorp/raft grows
// its Transport: the core detects them with a type assertion and works
// without them. store/mem implements neither; store/bolt implements both.

// Batcher is implemented by a Store that can apply several Writes as one
// unit, cheaper than one by one: a durable store commits (and syncs) once
// per batch instead of once per Write. The core wraps the writes of each
// received message's deltas in one Batch, so a durable store costs one
// transaction per message, not one per node delta.
//
// Batch calls fn, during which every Write and Remove joins the batch and
// every read sees the batch's writes so far. When fn returns, the batch is
// applied as a whole: either every Write and Remove of it that returned nil
// takes effect, atomically, or none does.
//
// Errors: a Write or Remove inside fn that returns an error changed nothing,
// and the batch goes on. If fn returns an error, or the store fails to apply
// the batch (a disk error, say), no write of the batch takes effect and
// Batch returns that error: the store then holds exactly what it held before
// Batch was called. A Batch with no write applies nothing and cannot fail
// but for fn's error.
//
// Concurrency and ownership are the Store's: one caller at a time, and the
// store copies what it keeps. fn runs on the caller's goroutine and must not
// call Batch again; if it does, the inner call runs its fn as part of the
// outer batch. A panic in fn discards the batch and propagates.
type Batcher interface {
	Batch(fn func() error) error
}

// Durable is implemented by a Store whose contents outlive the process (a
// file, say). A Node started on a Durable store resumes from it: it keeps
// its view of every other node, and takes a generation above the one the
// store holds for its own ID, so its generation never goes back even when
// the clock does (Cassandra's rule: max(stored + 1, now)).
type Durable interface {
	// LastGeneration returns the generation the store holds for node id,
	// and whether it holds id at all. For a Node's own ID it is the last
	// generation that Node ran with: the core writes its generation, and
	// every later bump, to the store before using it, and never removes
	// its own ID. Like every read, it cannot fail.
	LastGeneration(id string) (uint64, bool)
}
