package msgpack

import "github.com/scuttlebutt-go/scuttlebutt/codec"

// Forge encodes m without Append's checks, for codectest.Hostile. Every list
// is written whether empty or not, so an empty list is an absent one.
func Forge(dst []byte, m *codec.Message) []byte {
	b, err := appendMessage(dst, m)
	if err != nil {
		panic(err) // the appender never fails
	}
	return b
}
