package core

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// TestGenerationSkew: a generation more than MaxGenerationSkew ahead of
// the clock is dropped and counted; one within it, and the rest of the
// message, are taken.
func TestGenerationSkew(t *testing.T) {
	b := newCore(t, "b", func(c *Config) { c.MaxGenerationSkew = 365 * 24 * time.Hour })
	far := uint64(t0.Add(366 * 24 * time.Hour).UnixNano())
	near := uint64(t0.Add(364 * 24 * time.Hour).UnixNano())
	m := &codec.Message{Kind: codec.KindAck, From: "a", Deltas: []codec.NodeDelta{
		{ID: "far", Generation: far, Upto: 1, Entries: []codec.Entry{{Key: "k", Value: "v", Version: 1}}},
		{ID: "max", Generation: math.MaxUint64, Upto: 1, Entries: []codec.Entry{{Key: "k", Value: "v", Version: 1}}},
		{ID: "near", Generation: near, Upto: 1, Entries: []codec.Entry{{Key: "k", Value: "v", Version: 1}}},
	}}
	b.Step(t0, "a-addr", m)
	require.Equal(t, uint64(2), b.Stats().GenerationsRefused)
	_, ok := b.st.Node("far")
	require.False(t, ok)
	_, ok = b.st.Node("near")
	require.True(t, ok)
}

// TestRefuteVersion: a delta of this node at its generation above its
// counter makes it write its keys again above it, with its watermark
// there; a version with no room left above it makes it take a new
// generation instead.
func TestRefuteVersion(t *testing.T) {
	b := newCore(t, "b")
	require.NoError(t, b.Put("k", "v"))
	require.NoError(t, b.Delete("k"))
	require.NoError(t, b.Put("j", "w"))
	b.Ready()
	b.Step(t0, "a-addr", &codec.Message{Kind: codec.KindAck, From: "a", Deltas: []codec.NodeDelta{
		{ID: "b", Generation: 1, From: 0, Upto: 100, Entries: []codec.Entry{{Key: "j", Value: "x", Version: 100}}}}})
	n, _ := b.st.Node("b")
	require.Equal(t, uint64(1), b.Stats().VersionBumps)
	require.Equal(t, uint64(102), n.MaxVersion, "two live keys (_sb.addr and j) above 100")
	require.Equal(t, n.MaxVersion, n.GCVersion)
	e, _ := b.st.Get("b", "j")
	require.Equal(t, "w", e.Value)
	require.Greater(t, e.Version, uint64(100))
	_, had := b.st.Get("b", "k")
	require.False(t, had, "the tombstone is collected")

	b.Step(t0, "a-addr", &codec.Message{Kind: codec.KindSynAck, From: "a", Digest: codec.Digest{Entries: []codec.DigestEntry{
		{ID: "b", Generation: 1, MaxVersion: math.MaxUint64 - 1}}}})
	require.Equal(t, uint64(2), b.Generation(), "no room above: a new generation")
}
