// Package binary is the compact binary codec for Scuttlebutt messages, and
// the default one: it fits the most state into a datagram.
//
// The format is documented byte by byte in FORMAT.md beside this file. In
// short, a message is
//
//	magic "SB" | version (varint) | kind (1 byte) | from | lo | hi |
//	digest count (varint) | digest entries | delta count (varint) | node deltas
//
// where strings are a varint length and the bytes, numbers are unsigned
// LEB128 varints, records carry no field names, and each record's booleans
// are bits of one flags byte:
//
//	digest entry  flags(Left) | id | generation | maxVersion | gcVersion | heartbeat
//	node delta    flags(Reset) | id | generation | from | upto | gcVersion | entry count | entries
//	entry         flags(Tombstone) | key | value | version
//
// Every value has exactly one encoding: the decoder refuses varints that are
// not in their shortest form, undefined flag bits and trailing bytes, so
// re-encoding a decoded message gives back the same bytes.
//
// Decoding uses no reflection and allocates the Message, one slice per list
// and one string per non-empty string. Every length and count is checked
// against the bytes that remain before anything is allocated for it.
// Strings are carried byte for byte and need not be valid UTF-8.
//
// The codec's Sizer is exact: codec.Size(Codec{}, m) equals the length of the
// encoding of any valid m.
package binary
