package json

import (
	"strconv"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// Field prefixes, shared by the encoder and the Sizer so that the two agree
// byte for byte.
const (
	fKind       = `,"kind":`
	fFrom       = `,"from":`
	fHash       = `,"hash":`
	fCover      = `,"cover":[`
	fDigest     = `,"digest":[`
	fBuckets    = `,"buckets":[`
	fRequests   = `,"requests":[`
	fDeltas     = `,"deltas":[`
	fLevel      = `{"level":`
	fIndex      = `,"index":`
	fCount      = `,"count":`
	fID         = `{"id":`
	fGeneration = `,"generation":`
	fMaxVersion = `,"maxVersion":`
	fLeft       = `,"left":true`
	fDeltaFrom  = `,"from":`
	fUpto       = `,"upto":`
	fReset      = `,"reset":true`
	fGCVersion  = `,"gcVersion":`
	fEntries    = `,"entries":[`
	fKey        = `{"key":`
	fValue      = `,"value":`
	fVersion    = `,"version":`
	fTombstone  = `,"tombstone":true`
	fRates      = `,"rates":{"desired":`
	fRatesMax   = `,"max":`
)

// hashLen is the size of a hash as a JSON string: 16 hex digits and quotes.
const hashLen = 16 + 2

// appendMessage encodes a message without checking it. With keepEmpty (for
// forging hostile input in tests), a list that is empty but not nil is
// written as an empty array.
func appendMessage(b []byte, m *codec.Message, keepEmpty bool) []byte {
	b = append(b, header...)
	b = strconv.AppendUint(b, Version, 10)
	b = append(b, fKind...)
	b = appendString(b, m.Kind.String())
	b = append(b, fFrom...)
	b = appendString(b, m.From)
	b = appendOptHash(b, fHash, m.Hash)
	b = appendList(b, fCover, len(m.Digest.Cover), keepEmpty && m.Digest.Cover != nil, func(b []byte, i int) []byte {
		c := m.Digest.Cover[i]
		return append(appendBucketID(b, c), '}')
	})
	b = appendList(b, fDigest, len(m.Digest.Entries), keepEmpty && m.Digest.Entries != nil, func(b []byte, i int) []byte {
		return appendDigestEntry(b, &m.Digest.Entries[i])
	})
	b = appendList(b, fBuckets, len(m.Buckets), keepEmpty && m.Buckets != nil, func(b []byte, i int) []byte {
		k := &m.Buckets[i]
		b = appendBucketID(b, k.BucketID)
		b = appendOptHash(b, fHash, k.Hash)
		b = appendOptUint(b, fCount, uint64(k.Count))
		return append(b, '}')
	})
	b = appendList(b, fRequests, len(m.Requests), keepEmpty && m.Requests != nil, func(b []byte, i int) []byte {
		return appendDigestEntry(b, &m.Requests[i])
	})
	b = appendList(b, fDeltas, len(m.Deltas), keepEmpty && m.Deltas != nil, func(b []byte, i int) []byte {
		return appendNodeDelta(b, &m.Deltas[i])
	})
	if !m.Rates.IsZero() {
		b = append(b, fRates...)
		b = strconv.AppendUint(b, m.Rates.Desired, 10)
		b = append(b, fRatesMax...)
		b = strconv.AppendUint(b, m.Rates.Max, 10)
		b = append(b, '}')
	}
	return append(b, '}')
}

// appendList appends field, then item(b, i) for i < n separated by commas,
// then the closing bracket; nothing when n is zero, unless always is set.
func appendList(b []byte, field string, n int, always bool, item func(b []byte, i int) []byte) []byte {
	if n == 0 && !always {
		return b
	}
	b = append(b, field...)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = item(b, i)
	}
	return append(b, ']')
}

// appendBucketID appends an object's opening, level and index.
func appendBucketID(b []byte, c codec.BucketID) []byte {
	b = append(b, fLevel...)
	b = strconv.AppendUint(b, uint64(c.Level), 10)
	b = append(b, fIndex...)
	return strconv.AppendUint(b, uint64(c.Index), 10)
}

func appendDigestEntry(b []byte, e *codec.DigestEntry) []byte {
	b = append(b, fID...)
	b = appendString(b, e.ID)
	b = appendOptUint(b, fGeneration, e.Generation)
	b = appendOptUint(b, fMaxVersion, e.MaxVersion)
	b = appendOptUint(b, fGCVersion, e.GCVersion)
	if e.Left {
		b = append(b, fLeft...)
	}
	return append(b, '}')
}

func appendNodeDelta(b []byte, d *codec.NodeDelta) []byte {
	b = append(b, fID...)
	b = appendString(b, d.ID)
	b = appendOptUint(b, fGeneration, d.Generation)
	b = appendOptUint(b, fDeltaFrom, d.From)
	b = appendOptUint(b, fUpto, d.Upto)
	if d.Reset {
		b = append(b, fReset...)
	}
	b = appendOptUint(b, fGCVersion, d.GCVersion)
	b = appendList(b, fEntries, len(d.Entries), false, func(b []byte, i int) []byte {
		return appendEntry(b, &d.Entries[i])
	})
	return append(b, '}')
}

func appendEntry(b []byte, e *codec.Entry) []byte {
	b = append(b, fKey...)
	b = appendString(b, e.Key)
	b = appendOptString(b, fValue, e.Value)
	b = appendOptUint(b, fVersion, e.Version)
	if e.Tombstone {
		b = append(b, fTombstone...)
	}
	return append(b, '}')
}

// appendOptUint appends field and n unless n is zero.
func appendOptUint(b []byte, field string, n uint64) []byte {
	if n == 0 {
		return b
	}
	b = append(b, field...)
	return strconv.AppendUint(b, n, 10)
}

// appendOptHash appends field and h as a string of 16 lower-case hex
// digits unless h is zero.
func appendOptHash(b []byte, field string, h uint64) []byte {
	if h == 0 {
		return b
	}
	b = append(b, field...)
	b = append(b, '"')
	for shift := 60; shift >= 0; shift -= 4 {
		b = append(b, hexDigits[h>>uint(shift)&0xf])
	}
	return append(b, '"')
}

// appendOptString appends field and s unless s is empty.
func appendOptString(b []byte, field, s string) []byte {
	if s == "" {
		return b
	}
	b = append(b, field...)
	return appendString(b, s)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. It escapes '"', '\\' and control
// characters and copies every other byte, so valid UTF-8 stays valid.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
