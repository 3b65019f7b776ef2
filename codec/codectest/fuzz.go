package codectest

import (
	"testing"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// Fuzz seeds f with the encodings of Messages (and their truncations) and
// fuzzes c.Decode with CheckDecode. A codec's fuzz target is one line:
//
//	func FuzzDecode(f *testing.F) { codectest.Fuzz(f, Codec{}) }
func Fuzz(f *testing.F, c codec.Codec) {
	for _, b := range Seeds(c) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { CheckDecode(t, c, b) })
}

// Seeds returns c's encodings of Messages, each also cut in half, and the
// foreign and version-2 samples.
func Seeds(c codec.Codec) [][]byte {
	var out [][]byte
	for _, m := range Messages() {
		b, err := c.Append(nil, m)
		if err != nil {
			continue
		}
		if len(b) > 1024 {
			continue // big seeds slow the fuzzer down and add no coverage
		}
		out = append(out, b, b[:len(b)/2])
	}
	for _, f := range foreign {
		out = append(out, f.b)
	}
	for _, f := range previous {
		out = append(out, f.b)
	}
	return out
}
