// Package codectest is the conformance suite every codec.Codec passes, with
// the sample messages, fuzzing and benchmark helpers the codecs share.
//
// A codec's test is one line:
//
//	func TestCodec(t *testing.T) { codectest.Run(t, Codec{}) }
//
// Run checks round-trips of every message kind and field with boundary
// numbers, string lengths and list counts (where length prefixes and counts
// change width); that codec.Size predicts the encoded length exactly for all
// of them; that invalid messages do not encode; and that hostile input never
// panics: every truncation, bit flip and spliced-in huge length or count
// gives an error wrapping one of the codec errors, or a valid message, and
// decoding allocates in proportion to the input. It also checks that minimal
// messages of the other codecs in this module are reported as
// codec.ErrCodecMismatch.
//
// # Decisions the suite enforces
//
//   - Strings that are not valid UTF-8 (InvalidUTF8) may be refused by
//     Append, but a codec that accepts them must round-trip them byte for
//     byte. The JSON codec refuses them; binary and msgpack carry them.
//   - Decoders return nil, not empty, slices for empty lists; Normalize makes
//     messages comparable either way.
//   - Every strict prefix of an encoding is ErrMalformed (all formats are
//     self-delimiting), including a prefix of the header. Bytes that diverge
//     from the codec's header are ErrCodecMismatch, whether they belong to
//     another codec or to nobody.
package codectest
