// Package binary is the compact binary codec for Scuttlebutt messages, and
// the default one: it fits the most state into a datagram and makes idle
// traffic small.
//
// The format (protocol version 3) is documented byte by byte in FORMAT.md
// beside this file. In short, a message is
//
//	magic "SB" | version (varint) | kind (1 byte) | presence (1 byte) | from |
//	[hash (8 bytes)] | [cover] | [digest entries] | [buckets] | [requests] | [node deltas]
//
// where each bit of the presence byte says whether the hash or one of the
// lists follows: absent parts cost nothing, so a PING with a hash is 13
// bytes plus the sender's ID. A list present is a varint count of at least 1
// and that many records. Strings are a varint length and the bytes, numbers
// are unsigned LEB128 varints except the hashes (8 bytes, little-endian),
// records carry no field names, and each record's booleans are bits of one
// flags byte:
//
//	covered bucket  level (1 byte) | index
//	digest entry    flags(Left) | id | generation | maxVersion | gcVersion
//	bucket          level (1 byte) | index | hash (8 bytes) | count
//	node delta      flags(Reset) | id | generation | from | upto | gcVersion | entry count | entries
//	entry           flags(Tombstone) | key | value | version
//
// Requests are digest entries.
//
// Every value has exactly one encoding: the decoder refuses varints that are
// not in their shortest form, undefined flag and presence bits, a present
// list with no items, a present hash of zero and trailing bytes, so
// re-encoding a decoded message gives back the same bytes. It also refuses
// kinds outside 1–5, empty IDs and bucket IDs that are not
// codec.BucketID.Valid, and reads only protocol version 3.
//
// Decoding uses no reflection and allocates the Message, one slice per list
// and one string per non-empty string. Every length and count is checked
// against the bytes that remain before anything is allocated for it.
// Strings are carried byte for byte and need not be valid UTF-8.
//
// The codec's Sizer is exact: codec.Size(Codec{}, m) equals the length of the
// encoding of any valid m.
package binary
