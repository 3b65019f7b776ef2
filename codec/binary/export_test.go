package binary

import "github.com/scuttlebutt-go/scuttlebutt/codec"

// Forge encodes m without Append's checks, writing a section whose slice is
// empty but not nil as present with a zero count, for codectest.Hostile.
func Forge(dst []byte, m *codec.Message) []byte { return appendMessage(dst, m, true) }
