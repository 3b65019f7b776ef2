package scuttlebutt

import (
	"math"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/store"
)

// Generations that never go back. Without a durable store a Node takes the
// clock's time in nanoseconds, which goes back when the clock does. A
// durable store (store.Durable, such as store/bolt) remembers the last
// generation this ID ran with, and the Node takes one above it:
// max(stored + 1, now), as Cassandra does.

// defaultGeneration is the generation a Node with ID id takes on store s at
// now when Config.Generation is zero.
func defaultGeneration(s store.Store, id string, now time.Time) uint64 {
	g := uint64(now.UnixNano())
	if d, ok := s.(store.Durable); ok {
		if last, held := d.LastGeneration(id); held && last >= g && last < math.MaxUint64 {
			g = last + 1
		}
	}
	return g
}

// checkGeneration refuses a Generation at or below the one a durable store
// holds for the ID: the Node would run as an incarnation its peers already
// know, or one they retired.
func (c *Config) checkGeneration() error {
	d, ok := c.Store.(store.Durable)
	if !ok {
		return nil
	}
	if last, held := d.LastGeneration(c.ID); held && c.Generation <= last {
		return configErr("Generation", "%d is not above %d, the generation the store holds for %q; generations never go back (leave Generation zero to take the next)",
			c.Generation, last, c.ID)
	}
	return nil
}
