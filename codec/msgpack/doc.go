// Package msgpack is a MessagePack codec for Scuttlebutt messages, built on
// github.com/vmihailenco/msgpack/v5.
//
// Every record is a MessagePack array whose elements are the fields in a
// fixed order (no field names), so any MessagePack library can read it:
//
//	message        [ "sb", version, kind, from, hash,
//	                 [covered bucket...], [digest entry...], [bucket...], [request...], [node delta...],
//	                 rates? ]
//	rates          [ desired, max ]
//	covered bucket [ level, index ]
//	digest entry   [ id, generation, maxVersion, gcVersion, left ]
//	bucket         [ level, index, hash, count ]
//	node delta     [ id, generation, from, upto, reset, gcVersion, [entry...] ]
//	entry          [ key, value, version, tombstone ]
//
// A request is a digest entry. The flow-control rates are the one optional
// field: a message with them has 11 elements, the last the rates (not both
// 0), one without has 10. Every other field is always present: an empty list
// is an empty array, and a message without a hash has the integer 0 in its
// place. Numbers are unsigned integers in their shortest MessagePack form,
// except the message's hash, which is always a uint64 (9 bytes) when it is
// not 0, so that its size does not depend on its value. Strings are str,
// flags are booleans, and lists use the shortest array header.
//
// # Header
//
// A message starts with a fixarray header followed by the fixstr "sb" (bytes
// 0x9N 0xa2 0x73 0x62) and the protocol version (3, codec.Version). The
// decoder reads the version before it checks the array's length, so another
// version with other fields, such as version 2, is reported as
// codec.ErrVersion. Bytes that do not start with the header are
// codec.ErrCodecMismatch; anything else wrong is codec.ErrMalformed.
// [Codec.Match] tests for the header.
//
// # Decoding rules
//
// The decoder is strict about structure (array lengths, types, no trailing
// bytes, non-empty From and IDs, a kind of 1 to 5, bucket levels of at most
// codec.MaxLevel and indexes within their level, bucket counts within 32
// bits) and lenient about representation: it accepts non-negative integers
// in any integer width (the hash too, and a hash of 0 in any width as no
// hash) and strings as str or bin, so that other MessagePack encoders
// interoperate.
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
