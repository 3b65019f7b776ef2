// Package codectest is the conformance suite every codec.Codec passes, with
// the sample messages, fuzzing and benchmark helpers the codecs share.
//
// A codec's test is two lines:
//
//	func TestCodec(t *testing.T)   { codectest.Run(t, Codec{}) }
//	func TestHostile(t *testing.T) { codectest.Hostile(t, Codec{}, codectest.Forgery{Append: forge}) }
//
// Run checks round-trips of every message kind, field and section with
// boundary numbers, hashes, bucket levels and indexes, string lengths and
// list counts (where length prefixes and counts change width); that
// codec.Size predicts the encoded length exactly for all of them, and that
// a hash adds HashSize whatever its value; that invalid messages (Invalid)
// do not encode; and that hostile input never panics: every truncation, bit
// flip and spliced-in huge length or count gives an error wrapping one of
// the codec errors, or a valid message, and decoding allocates in proportion
// to the input. It also checks that minimal messages of the other codecs in
// this module are reported as codec.ErrCodecMismatch, and the codec's own
// version-2 messages as codec.ErrVersion.
//
// Hostile takes an encoder without Append's checks from the codec's test and
// checks that the decoder refuses what it writes for the messages of
// Invalid (kinds 0, 6 and 255, empty IDs, bucket IDs that are not Valid) and
// handles sections that are present but empty.
//
// # Decisions the suite enforces
//
//   - Strings that are not valid UTF-8 (InvalidUTF8) may be refused by
//     Append, but a codec that accepts them must round-trip them byte for
//     byte. The JSON codec refuses them; binary and msgpack carry them.
//   - Decoders return nil, not empty, slices for empty lists; Normalize makes
//     messages comparable either way.
//   - A Hash of zero means no hash: it costs nothing beyond Base, a
//     non-zero one costs HashSize, and no codec tells the two apart.
//   - Every strict prefix of an encoding is ErrMalformed (all formats are
//     self-delimiting), including a prefix of the header. Bytes that diverge
//     from the codec's header are ErrCodecMismatch, whether they belong to
//     another codec or to nobody.
//   - A codec reads protocol version 3 only: its version-2 messages are
//     ErrVersion.
package codectest
