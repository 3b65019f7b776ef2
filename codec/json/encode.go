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
	fLo         = `,"lo":`
	fHi         = `,"hi":`
	fDigest     = `,"digest":[`
	fDeltas     = `,"deltas":[`
	fID         = `{"id":`
	fGeneration = `,"generation":`
	fMaxVersion = `,"maxVersion":`
	fHeartbeat  = `,"heartbeat":`
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
)

// appendMessage encodes a validated message.
func appendMessage(b []byte, m *codec.Message) []byte {
	b = append(b, header...)
	b = strconv.AppendUint(b, Version, 10)
	b = append(b, fKind...)
	b = appendString(b, m.Kind.String())
	b = append(b, fFrom...)
	b = appendString(b, m.From)
	b = appendOptString(b, fLo, m.Digest.Lo)
	b = appendOptString(b, fHi, m.Digest.Hi)
	if len(m.Digest.Entries) > 0 {
		b = append(b, fDigest...)
		for i := range m.Digest.Entries {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendDigestEntry(b, &m.Digest.Entries[i])
		}
		b = append(b, ']')
	}
	if len(m.Deltas) > 0 {
		b = append(b, fDeltas...)
		for i := range m.Deltas {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendNodeDelta(b, &m.Deltas[i])
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func appendDigestEntry(b []byte, e *codec.DigestEntry) []byte {
	b = append(b, fID...)
	b = appendString(b, e.ID)
	b = appendOptUint(b, fGeneration, e.Generation)
	b = appendOptUint(b, fMaxVersion, e.MaxVersion)
	b = appendOptUint(b, fGCVersion, e.GCVersion)
	b = appendOptUint(b, fHeartbeat, e.Heartbeat)
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
	if len(d.Entries) > 0 {
		b = append(b, fEntries...)
		for i := range d.Entries {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendEntry(b, &d.Entries[i])
		}
		b = append(b, ']')
	}
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
