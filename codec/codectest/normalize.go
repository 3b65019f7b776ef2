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
	c.Digest.Entries = nil
	if len(m.Digest.Entries) > 0 {
		c.Digest.Entries = append([]codec.DigestEntry(nil), m.Digest.Entries...)
	}
	c.Deltas = nil
	if len(m.Deltas) > 0 {
		c.Deltas = make([]codec.NodeDelta, len(m.Deltas))
		for i, d := range m.Deltas {
			d.Entries = nil
			if len(m.Deltas[i].Entries) > 0 {
				d.Entries = append([]codec.Entry(nil), m.Deltas[i].Entries...)
			}
			c.Deltas[i] = d
		}
	}
	return &c
}
