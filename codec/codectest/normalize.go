package codectest

import "github.com/scuttlebutt-go/scuttlebutt/codec"

// Normalize returns a deep copy of m in which every empty slice is nil, so
// that messages which encode identically compare equal with reflect.DeepEqual
// (decoders return nil for empty lists).
func Normalize(m *codec.Message) *codec.Message {
	if m == nil {
		return nil
	}
	c := *m
	c.Digest.Cover = clone(m.Digest.Cover)
	c.Digest.Entries = clone(m.Digest.Entries)
	c.Buckets = clone(m.Buckets)
	c.Requests = clone(m.Requests)
	c.Deltas = nil
	if len(m.Deltas) > 0 {
		c.Deltas = make([]codec.NodeDelta, len(m.Deltas))
		for i, d := range m.Deltas {
			d.Entries = clone(d.Entries)
			c.Deltas[i] = d
		}
	}
	return &c
}

// clone copies s, returning nil for an empty s.
func clone[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return append([]T(nil), s...)
}
