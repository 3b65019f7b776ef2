package storetest

import (
	"testing"

	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// Check fails tb unless the reads of s agree with each other: Len with
// Range, Node with Range, each summary's Keys with its node's Entries, Get
// with Entries, and Entries(after) with Entries(0). It is the check the
// suite makes after every step, for use on a store in any state: one
// reopened after a crash, say. It reads everything s holds.
func Check(tb testing.TB, s store.Store) {
	tb.Helper()
	snapshot(tb, s)
}
