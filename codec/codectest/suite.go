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
	t.Run("HashSize", func(t *testing.T) { testHashSize(t, c) })
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
			m.Hash = n / 7
			m.Digest.Cover[0].Index = uint32(n/2) & LastIndex(codec.MaxLevel)
			m.Digest.Entries[0].MaxVersion = n
			m.Digest.Entries[0].GCVersion = n / 2
			m.Buckets[0].Hash = n / 3
			m.Buckets[0].Count = uint32(n / 5)
			m.Requests[0].Generation = n
			m.Requests[0].GCVersion = n / 11
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
			for _, m := range []*codec.Message{
				WithCounts(ListCounts{Cover: n}), WithCounts(ListCounts{Digest: n}),
				WithCounts(ListCounts{Buckets: n}), WithCounts(ListCounts{Requests: n}),
				WithCounts(ListCounts{Deltas: n}), WithCounts(ListCounts{Entries: n}),
			} {
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
		func(m *codec.Message) { m.Digest.Entries[0].ID = s },
		func(m *codec.Message) { m.Requests[0].ID = s },
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

// testInvalidMessage checks that Append refuses every message of Invalid,
// and nil, and leaves dst as it was.
func testInvalidMessage(t *testing.T, c codec.Codec) {
	cases := Invalid()
	cases["nil"] = nil
	for name, m := range cases {
		t.Run(name, func(t *testing.T) {
			b, err := c.Append([]byte("prefix"), m)
			assert.ErrorIs(t, err, codec.ErrMalformed)
			assert.Equal(t, "prefix", string(b))
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
	assert.Zero(t, c.CoverCount(0), "CoverCount(0)")
	assert.Zero(t, c.DigestCount(0), "DigestCount(0)")
	assert.Zero(t, c.BucketCount(0), "BucketCount(0)")
	assert.Zero(t, c.RequestCount(0), "RequestCount(0)")
	assert.Zero(t, c.DeltaCount(0), "DeltaCount(0)")
	assert.Zero(t, c.EntryCount(0), "EntryCount(0)")
	// Growing the lists one item at a time must track the real size, which
	// is how the core's packer uses the Sizer; each list is also grown alone
	// from empty, so that a section's first item is checked by itself.
	grow := []func(m *codec.Message, i int){
		func(m *codec.Message, i int) { m.Digest.Cover = append(m.Digest.Cover, nthBucket(i)) },
		func(m *codec.Message, i int) {
			m.Digest.Entries = append(m.Digest.Entries, codec.DigestEntry{ID: fmt.Sprint(i), MaxVersion: uint64(i)})
		},
		func(m *codec.Message, i int) {
			m.Buckets = append(m.Buckets, codec.Bucket{BucketID: nthBucket(i), Hash: uint64(i), Count: uint32(i)})
		},
		func(m *codec.Message, i int) {
			m.Requests = append(m.Requests, codec.DigestEntry{ID: fmt.Sprint(i), Left: i%2 == 0})
		},
		func(m *codec.Message, i int) { m.Deltas = append(m.Deltas, codec.NodeDelta{ID: fmt.Sprint(i)}) },
		func(m *codec.Message, i int) {
			if len(m.Deltas) == 0 {
				m.Deltas = []codec.NodeDelta{{ID: "d"}}
			}
			m.Deltas[0].Entries = append(m.Deltas[0].Entries, codec.Entry{Key: fmt.Sprint(i), Version: uint64(i)})
		},
	}
	check := func(m *codec.Message, what string, i int) {
		b, err := c.Append(nil, m)
		require.NoError(t, err)
		require.Equal(t, len(b), codec.Size(c, m), "%s, items: %d", what, i+1)
	}
	for s, g := range grow {
		m := &codec.Message{Kind: codec.KindSynAck, From: "p"}
		for i := range 20 {
			g(m, i)
			check(m, fmt.Sprint("list ", s, " alone"), i)
		}
	}
	m := &codec.Message{Kind: codec.KindSynAck, From: "p", Hash: 1}
	for i := range 300 {
		for _, g := range grow {
			g(m, i)
		}
		check(m, "every list", i)
	}
}

// testHashSize checks that a non-zero hash adds HashSize whatever its value.
func testHashSize(t *testing.T, c codec.Codec) {
	for _, m := range []*codec.Message{{Kind: codec.KindPing, From: "p"}, Full(), TypicalSyn()} {
		m.Hash = 0
		without, err := c.Append(nil, m)
		require.NoError(t, err)
		for _, h := range Hashes {
			m.Hash = h
			b, err := c.Append(nil, m)
			require.NoError(t, err)
			assert.Equal(t, c.HashSize(), len(b)-len(without), "hash %#x", h)
		}
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
