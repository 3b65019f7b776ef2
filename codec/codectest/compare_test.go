package codectest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/codec/binary"
	"github.com/scuttlebutt-go/scuttlebutt/codec/codectest"
	"github.com/scuttlebutt-go/scuttlebutt/codec/json"
	"github.com/scuttlebutt-go/scuttlebutt/codec/msgpack"
)

// matcher is what each codec in this module offers to tell codecs apart.
type matcher interface {
	codec.Codec
	Match(b []byte) bool
}

var codecs = []matcher{json.Codec{}, msgpack.Codec{}, binary.Codec{}}

// TestCrossCodec decodes every codec's encodings with every other codec.
func TestCrossCodec(t *testing.T) {
	for _, enc := range codecs {
		for _, m := range codectest.Messages() {
			b, err := enc.Append(nil, m)
			require.NoError(t, err)
			for _, dec := range codecs {
				if dec.Name() == enc.Name() {
					assert.True(t, dec.Match(b))
					continue
				}
				assert.False(t, dec.Match(b), "%s matches %s", dec.Name(), enc.Name())
				_, err := dec.Decode(b)
				assert.ErrorIs(t, err, codec.ErrCodecMismatch, "%s decoding %s", dec.Name(), enc.Name())
			}
		}
	}
}

// TestDeltasPerPacket compares how much of the standard state each codec
// fits in one 1,400-byte datagram.
func TestDeltasPerPacket(t *testing.T) {
	const mtu = 1400
	d := codectest.StandardState()
	require.Len(t, d.Entries, 64)
	for _, e := range d.Entries {
		require.Len(t, e.Key, 16)
		require.Len(t, e.Value, 32)
	}
	fit := map[string]int{}
	digest := codectest.TypicalDigest()
	for _, c := range codecs {
		n := codectest.DeltasPerPacket(c, mtu)
		fit[c.Name()] = n
		// Check the count against a real encoding.
		m := codectest.TypicalDelta()
		m.Deltas[0].Entries = m.Deltas[0].Entries[:n]
		b, err := c.Append(nil, m)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(b), mtu)
		m.Deltas[0].Entries = codectest.StandardState().Entries[:n+1]
		b, err = c.Append(nil, m)
		require.NoError(t, err)
		assert.Greater(t, len(b), mtu)
		t.Logf("%-8s %2d entries per %d-byte packet (%d bytes per entry); %d bytes per digest entry",
			c.Name(), n, mtu, c.Entry(&d.Entries[32]), c.DigestEntry(&digest.Digest.Entries[25]))
	}
	assert.GreaterOrEqual(t, fit["msgpack"], fit["json"])
	assert.GreaterOrEqual(t, fit["binary"], fit["msgpack"])
	// An entry carries 48 bytes of key and value, so no codec fits more than
	// 29 in 1,400 bytes; the binary codec spends 6 bytes per entry on top.
	// Twice the JSON count would need JSON to spend 60 (field names padded
	// beyond readability), so the bar is 1.7 times.
	assert.GreaterOrEqual(t, 10*fit["binary"], 17*fit["json"], "binary must fit at least 1.7 times as many entries as json")
}
