// Package json is a readable JSON codec for Scuttlebutt messages.
//
// It is meant for debugging and for peers written in other languages: every
// message is one JSON object with descriptive field names that jq and any
// JSON library can read. The compact codecs (codec/binary, codec/msgpack) fit
// more state into a datagram.
//
// A message looks like this (whitespace added):
//
//	{"scuttlebutt":3, "kind":"SYNACK", "from":"node-a", "hash":"0123456789abcdef",
//	 "cover":[{"level":1,"index":3}],
//	 "digest":[{"id":"node-c","generation":7,"maxVersion":12,"gcVersion":3,"left":true}],
//	 "buckets":[{"level":2,"index":52,"hash":"fedcba9876543210","count":6}],
//	 "requests":[{"id":"node-d","generation":2,"maxVersion":9}],
//	 "deltas":[{"id":"node-b","generation":3,"from":4,"upto":6,"reset":true,"gcVersion":2,
//	            "entries":[{"key":"addr","value":"10.0.0.2:7946","version":5},
//	                       {"key":"role","version":6,"tombstone":true}]}]}
//
// "cover" is Digest.Cover and "digest" Digest.Entries; requests are digest
// entries. A node with flow control on adds its rates, both numbers always
// written, not both 0: "rates":{"desired":1500,"max":1200}.
//
// # Header
//
// Every message starts with the exact bytes {"scuttlebutt": followed by the
// protocol version as a JSON integer (3, codec.Version). Bytes that do not
// start with that header are reported as codec.ErrCodecMismatch, a header
// with another version (such as 2) as codec.ErrVersion; anything else wrong
// is codec.ErrMalformed. [Codec.Match] tests for the header.
//
// # Encoding rules
//
// The encoder writes no whitespace, writes the header first and the other
// fields in the order above, and omits every field at its zero value (zero
// numbers and hashes, false booleans, empty strings and empty lists), except
// "kind", "from", "id", "key", "level" and "index", which it always writes.
// Kind is the name returned by codec.Kind.String. Numbers are unsigned
// decimal integers up to 2^64-1 (beyond JavaScript's exact range of 2^53:
// parse them as 64-bit integers). Hashes, the message's and the buckets',
// are strings of exactly 16 lower-case hex digits, so that a hash's size
// does not depend on its value and JavaScript reads it without loss.
// Strings escape only '"', '\\' and control characters below U+0020, and
// carry other characters as raw UTF-8.
//
// # Decoding rules
//
// The decoder accepts insignificant whitespace after the header, the fields
// of an object in any order, fields written at their zero value (a hash of
// 16 zeros is no hash) and hex digits in either case. It rejects unknown or
// repeated fields, non-integer or negative numbers, invalid UTF-8, unpaired
// surrogate escapes, a missing "kind" or "from", an empty "from" or "id", a
// kind other than the five names, a missing "level" or "index", a bucket
// level above codec.MaxLevel or an index with more bits than its level
// allows, a bucket count above 2^32-1, and trailing bytes after the object.
//
// # Strings must be UTF-8
//
// JSON text is Unicode, so this codec cannot carry arbitrary bytes: Append
// returns an error (wrapping codec.ErrMalformed) for a message holding a
// string that is not valid UTF-8, rather than altering it. Use codec/binary
// or codec/msgpack for keys or values that are raw bytes.
//
// # Sizes and limits
//
// The codec's Sizer is exact: codec.Size(Codec{}, m) equals the length of the
// encoding of any valid m. JSON has no declared lengths or counts, so the
// decoder allocates at most a small constant factor of the input size.
package json
