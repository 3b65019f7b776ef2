package binary_test

import (
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/codec/binary"
	"github.com/scuttlebutt-go/scuttlebutt/codec/codectest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldens are the messages whose encodings are pinned in testdata. Changing
// one of the files is changing the wire format.
func goldens() map[string]*codec.Message {
	return map[string]*codec.Message{
		"syn_empty":  {Kind: codec.KindSyn, From: "a"},
		"ping":       codectest.TypicalPing(),
		"syn_hints":  codectest.TypicalSyn(),
		"walk16":     codectest.TypicalWalk(),
		"listing":    codectest.TypicalListing(),
		"full":       codectest.Full(),
		"digest50":   codectest.TypicalDigest(),
		"delta64":    codectest.TypicalDelta(),
		"boundaries": boundaries(),
	}
}

// boundaries holds every numeric field at a varint width boundary, and the
// first and last bucket of every level.
func boundaries() *codec.Message {
	m := &codec.Message{Kind: codec.KindSynAck, From: "b", Hash: 1}
	for i, n := range codectest.Numbers {
		id := fmt.Sprint("n", i)
		m.Digest.Entries = append(m.Digest.Entries, codec.DigestEntry{ID: id, Generation: n, MaxVersion: n, GCVersion: n, Left: i%2 == 0})
		m.Requests = append(m.Requests, codec.DigestEntry{ID: id, Generation: n, MaxVersion: n / 2, GCVersion: n / 3, Left: i%2 == 1})
		m.Buckets = append(m.Buckets, codec.Bucket{BucketID: codec.BucketID{Level: codec.MaxLevel, Index: uint32(n) & codectest.LastIndex(codec.MaxLevel)},
			Hash: n, Count: uint32(n)})
		m.Deltas = append(m.Deltas, codec.NodeDelta{ID: id, Generation: n, From: n, Upto: n, GCVersion: n, Reset: i%2 == 1,
			Entries: []codec.Entry{{Key: "k", Value: "v", Version: n, Tombstone: i%3 == 0}}})
	}
	for l := uint8(0); l <= codec.MaxLevel; l++ {
		m.Digest.Cover = append(m.Digest.Cover, codec.BucketID{Level: l}, codec.BucketID{Level: l, Index: codectest.LastIndex(l)})
	}
	return m
}

func TestGolden(t *testing.T) {
	for name, m := range goldens() {
		t.Run(name, func(t *testing.T) {
			b, err := binary.Codec{}.Append(nil, m)
			require.NoError(t, err)
			path := filepath.Join("testdata", name+".golden")
			if *update {
				require.NoError(t, os.WriteFile(path, []byte(hexDump(b)), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run with -update to create")
			assert.Equal(t, string(want), hexDump(b), "the wire format changed; if deliberate, bump the version and run -update")
			got, err := binary.Codec{}.Decode(parseHex(t, string(want)))
			require.NoError(t, err)
			assert.Equal(t, codectest.Normalize(m), codectest.Normalize(got))
		})
	}
}

// hexDump writes 16 bytes per line so that a diff points at the change.
func hexDump(b []byte) string {
	var sb strings.Builder
	for len(b) > 0 {
		n := min(16, len(b))
		sb.WriteString(hex.EncodeToString(b[:n]))
		sb.WriteByte('\n')
		b = b[n:]
	}
	return sb.String()
}

func parseHex(t *testing.T, s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, "\n", ""))
	require.NoError(t, err)
	return b
}
