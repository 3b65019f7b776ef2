package json

import "github.com/scuttlebutt-go/scuttlebutt/codec"

// Forge encodes m without Append's checks, writing a list that is empty but
// not nil as an empty array, for codectest.Hostile.
func Forge(dst []byte, m *codec.Message) []byte { return appendMessage(dst, m, true) }
