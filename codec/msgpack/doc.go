// Package msgpack is a MessagePack codec for Scuttlebutt messages, built on
// github.com/vmihailenco/msgpack/v5.
//
// Every record is a MessagePack array whose elements are the fields in a
// fixed order (no field names), so any MessagePack library can read it:
//
//	message     [ "sb", version, kind, from, lo, hi, [digest entry...], [node delta...] ]
//	digest entry [ id, generation, maxVersion, gcVersion, heartbeat, left ]
//	node delta  [ id, generation, from, upto, reset, gcVersion, [entry...] ]
//	entry       [ key, value, version, tombstone ]
//
// Numbers are unsigned integers in their shortest MessagePack form, strings
// are str, flags are booleans, and lists use the shortest array header.
//
// # Header
//
// A message starts with a fixarray header followed by the fixstr "sb" (bytes
// 0x9N 0xa2 0x73 0x62) and the protocol version (currently 1). The decoder
// reads the version before it checks the array's length, so a later version
// with more fields is reported as codec.ErrVersion. Bytes that do not start
// with the header are codec.ErrCodecMismatch; anything else wrong is
// codec.ErrMalformed. [Codec.Match] tests for the header.
//
// # Decoding rules
//
// The decoder is strict about structure (array lengths, types, no trailing
// bytes, non-empty From and IDs, a valid kind) and lenient about
// representation: it accepts non-negative integers in any integer width and
// strings as str or bin, so that other MessagePack encoders interoperate.
// Strings are carried byte for byte; they need not be valid UTF-8 (other
// languages' decoders may insist that str is UTF-8).
//
// Every length and count is checked against the bytes that remain before
// anything is allocated for it: a string must fit, and a list of n records
// must have room for n of the smallest such record.
//
// # Sizes
//
// The codec's Sizer is exact: codec.Size(Codec{}, m) equals the length of the
// encoding of any valid m.
package msgpack
