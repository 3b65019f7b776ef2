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

// TestSizeTable prints the sizes in CODECS.md, each checked against a real
// encoding:
//
//	go test -run TestSizeTable -v ./codec/codectest
func TestSizeTable(t *testing.T) {
	const mtu = 1400
	size := func(c codec.Codec, m *codec.Message) int {
		b, err := c.Append(nil, m)
		require.NoError(t, err)
		require.Equal(t, len(b), codec.Size(c, m), "%s %s", c.Name(), m.Kind)
		return len(b)
	}
	d := codectest.StandardState()
	digest, walk := codectest.TypicalDigest(), codectest.TypicalWalk()
	t.Log("| Codec | PING | SYN, 2 entries | SYNACK, 16 buckets | bucket | digest entry | 50-entry SYN | 64-entry ACK | entry | entries per 1,400-byte ACK |")
	t.Log("|---|---|---|---|---|---|---|---|---|---|")
	for _, c := range codecs {
		t.Logf("| %s | %d | %d | %d | %d | %d | %d | %d | %d | %d |", c.Name(),
			size(c, codectest.TypicalPing()), size(c, codectest.TypicalSyn()), size(c, walk),
			c.Bucket(&walk.Buckets[5]), c.DigestEntry(&digest.Digest.Entries[25]),
			size(c, digest), size(c, codectest.TypicalDelta()), c.Entry(&d.Entries[32]),
			codectest.DeltasPerPacket(c, mtu))
	}
	// The idle-traffic budget of the binary codec: a PING is its header,
	// one flags byte, the sender and the hash.
	ping := codectest.TypicalPing()
	assert.Equal(t, 2+1+1+1+(1+len(ping.From))+8, size(binary.Codec{}, ping))
}
