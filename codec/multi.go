package codec

import "fmt"

// Matcher is implemented by codecs that recognise their own header. Every
// codec of this module implements it.
type Matcher interface {
	// Match reports whether b starts with the codec's header, whatever the
	// protocol version.
	Match(b []byte) bool
}

// Multi returns a Codec for a cluster that is changing codecs (see
// COMPAT.md): it encodes and sizes with primary, and decodes with whichever
// of primary and others recognises the message's header, trying primary
// first. Codecs among others that do not implement Matcher are ignored. A
// message no codec recognises gives an error wrapping ErrCodecMismatch.
func Multi(primary Codec, others ...Codec) Codec {
	m := multi{Codec: primary}
	for _, o := range others {
		if mt, ok := o.(Matcher); ok {
			m.others = append(m.others, matched{o, mt})
		}
	}
	return m
}

type matched struct {
	Codec
	Matcher
}

type multi struct {
	Codec  // the primary: Name, Append and the Sizer methods
	others []matched
}

// Decode decodes with the first codec that recognises b.
func (m multi) Decode(b []byte) (*Message, error) {
	if mt, ok := m.Codec.(Matcher); !ok || mt.Match(b) || len(m.others) == 0 {
		return m.Codec.Decode(b)
	}
	for _, o := range m.others {
		if o.Match(b) {
			return o.Codec.Decode(b)
		}
	}
	return nil, fmt.Errorf("%w: none of %s and %d others recognises the header", ErrCodecMismatch, m.Name(), len(m.others))
}
