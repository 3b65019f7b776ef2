package codec_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/codec/binary"
	"github.com/scuttlebutt-go/scuttlebutt/codec/json"
	"github.com/scuttlebutt-go/scuttlebutt/codec/msgpack"
)

func TestMultiDecodesEveryListedCodec(t *testing.T) {
	m := &codec.Message{Kind: codec.KindSyn, From: "a", Digest: codec.Digest{Entries: []codec.DigestEntry{{ID: "a", Generation: 1, MaxVersion: 3}}}}
	c := codec.Multi(binary.Codec{}, json.Codec{})
	require.Equal(t, "binary", c.Name())

	ours, err := c.Append(nil, m)
	require.NoError(t, err)
	want, _ := binary.Codec{}.Append(nil, m)
	require.Equal(t, want, ours, "encodes with the primary")
	require.Equal(t, len(ours), codec.Size(c, m), "sizes with the primary")

	for _, other := range []codec.Codec{binary.Codec{}, json.Codec{}} {
		b, err := other.Append(nil, m)
		require.NoError(t, err)
		got, err := c.Decode(b)
		require.NoError(t, err, other.Name())
		require.Equal(t, m, got)
	}
	b, err := msgpack.Codec{}.Append(nil, m)
	require.NoError(t, err)
	_, err = c.Decode(b)
	require.ErrorIs(t, err, codec.ErrCodecMismatch, "a codec not listed is refused")
}
