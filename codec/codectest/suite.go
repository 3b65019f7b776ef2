package codectest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// Run runs the conformance suite against c, each group of checks as a
// subtest. It takes a few seconds with the race detector on.
func Run(t *testing.T, c codec.Codec) {
	t.Run("Name", func(t *testing.T) { testName(t, c) })
	t.Run("Corpus", func(t *testing.T) { testCorpus(t, c) })
	t.Run("Numbers", func(t *testing.T) { testNumbers(t, c) })
	t.Run("Lengths", func(t *testing.T) { testLengths(t, c) })
	t.Run("Counts", func(t *testing.T) { testCounts(t, c) })
	t.Run("Unicode", func(t *testing.T) { testUnicode(t, c) })
	t.Run("InvalidUTF8", func(t *testing.T) { testInvalidUTF8(t, c) })
	t.Run("InvalidMessage", func(t *testing.T) { testInvalidMessage(t, c) })
	t.Run("AppendKeepsPrefix", func(t *testing.T) { testAppendKeepsPrefix(t, c) })
	t.Run("DecodeOwnsMemory", func(t *testing.T) { testDecodeOwnsMemory(t, c) })
	t.Run("SizerZeroCounts", func(t *testing.T) { testSizerZeroCounts(t, c) })
	t.Run("Truncated", func(t *testing.T) { testTruncated(t, c) })
	t.Run("Corrupted", func(t *testing.T) { testCorrupted(t, c) })
	t.Run("Inflated", func(t *testing.T) { testInflated(t, c) })
	t.Run("Foreign", func(t *testing.T) { testForeign(t, c) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, c) })
}

// RoundTrip encodes m, checks that the Sizer predicted the encoded size
// exactly and that decoding gives m back, and returns the encoding.
func RoundTrip(t testing.TB, c codec.Codec, m *codec.Message) []byte {
	t.Helper()
	b, err := c.Append(nil, m)
	require.NoError(t, err, "Append")
	require.Equal(t, len(b), codec.Size(c, m), "codec.Size must equal the encoded length")
	got, err := c.Decode(b)
	require.NoError(t, err, "Decode")
	if !equal(m, got) {
		require.Equal(t, Normalize(m), Normalize(got), "decoded message differs")
	}
	return b
}

func testName(t *testing.T, c codec.Codec) {
	name := c.Name()
	assert.NotEmpty(t, name)
	assert.Equal(t, strings.ToLower(name), name, "Name must be lower-case")
	assert.Equal(t, name, c.Name(), "Name must be stable")
}

func testCorpus(t *testing.T, c codec.Codec) {
	for i, m := range Messages() {
		t.Run(fmt.Sprint(i), func(t *testing.T) { RoundTrip(t, c, m) })
	}
}

func testNumbers(t *testing.T, c codec.Codec) {
	for _, n := range Numbers {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			RoundTrip(t, c, numbered(n))
			// Vary one field at a time so that a codec mixing fields up
			// cannot pass by symmetry.
			m := numbered(0)
			m.Digest.Entries[0].MaxVersion = n
			m.Digest.Entries[0].GCVersion = n / 2
			m.Deltas[0].Upto = n
			m.Deltas[0].Entries[0].Version = n
			RoundTrip(t, c, m)
		})
	}
}

func testLengths(t *testing.T, c codec.Codec) {
	for _, n := range Lengths {
		t.Run(fmt.Sprint(n), func(t *testing.T) { RoundTrip(t, c, WithLength(n)) })
	}
}

func testCounts(t *testing.T, c codec.Codec) {
	for _, n := range Counts {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			for _, m := range []*codec.Message{WithCounts(n, 0, 0), WithCounts(0, n, 0), WithCounts(0, 0, n)} {
				// Decoding every large list is slow under the race
				// detector and adds nothing; the largest is decoded.
				if n <= 256 || n == Counts[len(Counts)-1] {
					RoundTrip(t, c, m)
					continue
				}
				b, err := c.Append(nil, m)
				require.NoError(t, err)
				require.Equal(t, len(b), codec.Size(c, m), "codec.Size must equal the encoded length")
			}
		})
	}
}

func testUnicode(t *testing.T, c codec.Codec) {
	for _, s := range Unicode {
		t.Run(fmt.Sprintf("%+q", s), func(t *testing.T) { RoundTrip(t, c, stringed(s)) })
	}
}

// testInvalidUTF8 lets a codec refuse strings that are not UTF-8 but never
// alter them.
func testInvalidUTF8(t *testing.T, c codec.Codec) {
	for _, s := range InvalidUTF8 {
		t.Run(fmt.Sprintf("%+q", s), func(t *testing.T) {
			for _, m := range invalidUTF8Messages(s) {
				if _, err := c.Append(nil, m); err != nil {
					continue // refused: fine
				}
				RoundTrip(t, c, m)
			}
		})
	}
}

// invalidUTF8Messages puts s into each string field in turn.
func invalidUTF8Messages(s string) []*codec.Message {
	base := func() *codec.Message { return stringed("ok") }
	set := []func(m *codec.Message){
		func(m *codec.Message) { m.From = s },
		func(m *codec.Message) { m.Digest.Lo = s },
		func(m *codec.Message) { m.Digest.Hi = s },
		func(m *codec.Message) { m.Digest.Entries[0].ID = s },
		func(m *codec.Message) { m.Deltas[0].ID = s },
		func(m *codec.Message) { m.Deltas[0].Entries[0].Key = s },
		func(m *codec.Message) { m.Deltas[0].Entries[0].Value = s },
	}
	var ms []*codec.Message
	for _, f := range set {
		m := base()
		f(m)
		ms = append(ms, m)
	}
	return ms
}

func testInvalidMessage(t *testing.T, c codec.Codec) {
	cases := map[string]*codec.Message{
		"nil":              nil,
		"zero kind":        {From: "a"},
		"unknown kind":     {Kind: codec.KindAck + 1, From: "a"},
		"empty from":       {Kind: codec.KindSyn},
		"empty digest ID":  {Kind: codec.KindSyn, From: "a", Digest: codec.Digest{Entries: []codec.DigestEntry{{}}}},
		"empty delta ID":   {Kind: codec.KindAck, From: "a", Deltas: []codec.NodeDelta{{}}},
		"second delta bad": {Kind: codec.KindAck, From: "a", Deltas: []codec.NodeDelta{{ID: "b"}, {}}},
	}
	for name, m := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := c.Append([]byte("prefix"), m)
			assert.Error(t, err)
		})
	}
}

func testAppendKeepsPrefix(t *testing.T, c codec.Codec) {
	m := Full()
	want, err := c.Append(nil, m)
	require.NoError(t, err)
	dst := make([]byte, 3, 4)
	copy(dst, "abc")
	got, err := c.Append(dst, m)
	require.NoError(t, err)
	assert.Equal(t, "abc", string(got[:3]))
	assert.Equal(t, want, got[3:])
	// Reusing a buffer, as the core does with buf[:0], gives the same bytes.
	again, err := c.Append(got[:0], m)
	require.NoError(t, err)
	assert.Equal(t, want, again)
}

func testDecodeOwnsMemory(t *testing.T, c codec.Codec) {
	for _, m := range []*codec.Message{Full(), stringed("owned"), TypicalDelta()} {
		b, err := c.Append(nil, m)
		require.NoError(t, err)
		got, err := c.Decode(b)
		require.NoError(t, err)
		for i := range b {
			b[i] = 0xaa
		}
		assert.True(t, equal(m, got), "decoded message changed when its input was overwritten")
	}
}

func testSizerZeroCounts(t *testing.T, c codec.Codec) {
	assert.Zero(t, c.DigestCount(0), "DigestCount(0)")
	assert.Zero(t, c.DeltaCount(0), "DeltaCount(0)")
	assert.Zero(t, c.EntryCount(0), "EntryCount(0)")
	// Growing a list one item at a time must track the real size, which is
	// how the core's packer uses the Sizer.
	m := &codec.Message{Kind: codec.KindSynAck, From: "p", Deltas: []codec.NodeDelta{{ID: "d"}}}
	for i := range 300 {
		m.Digest.Entries = append(m.Digest.Entries, codec.DigestEntry{ID: fmt.Sprint(i), Heartbeat: uint64(i)})
		m.Deltas[0].Entries = append(m.Deltas[0].Entries, codec.Entry{Key: fmt.Sprint(i), Version: uint64(i)})
		b, err := c.Append(nil, m)
		require.NoError(t, err)
		require.Equal(t, len(b), codec.Size(c, m), "items: %d", i+1)
	}
}

func testConcurrent(t *testing.T, c codec.Codec) {
	ms := Messages()
	want := make([][]byte, len(ms))
	for i, m := range ms {
		b, err := c.Append(nil, m)
		require.NoError(t, err)
		want[i] = b
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			var buf []byte
			for i, m := range ms {
				var err error
				buf, err = c.Append(buf[:0], m)
				if err == nil && !bytes.Equal(buf, want[i]) {
					err = fmt.Errorf("message %d encoded differently", i)
				}
				if err == nil {
					var got *codec.Message
					got, err = c.Decode(want[i])
					if err == nil && !equal(m, got) {
						err = fmt.Errorf("message %d decoded differently", i)
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// isCodecError reports whether err wraps one of the codec package's errors.
func isCodecError(err error) bool {
	return errors.Is(err, codec.ErrMalformed) || errors.Is(err, codec.ErrCodecMismatch) ||
		errors.Is(err, codec.ErrVersion)
}
