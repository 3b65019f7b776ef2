package tests

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/scuttlebutt-go/scuttlebutt/codec/binary"
	"github.com/scuttlebutt-go/scuttlebutt/codec/json"
	"github.com/scuttlebutt-go/scuttlebutt/codec/msgpack"
)

// codecs are the codecs the table-driven tests run with.
var codecs = []struct {
	name  string
	codec codec.Codec
}{
	{"binary", binary.Codec{}},
	{"msgpack", msgpack.Codec{}},
	{"json", json.Codec{}},
}

// TestResetAfterLongPartition: node A holds 40 keys of 60 bytes, more than
// one datagram. A partition {A, B} | {C, D} outlasts TombstoneGrace while A
// deletes one key, so A collects the tombstone and C and D can only catch
// up through a reset, which over datagrams is cut as a prefix. After the
// heal every node holds exactly A's state, and no node ever reports a key
// deleted that A did not delete, nor a key event older than the one
// before.
func TestResetAfterLongPartition(t *testing.T) {
	const (
		keys  = 40
		value = 60
		grace = 20 * time.Second
	)
	for _, cd := range codecs {
		for _, streams := range []bool{false, true} {
			name := cd.name + "/datagrams"
			if streams {
				name = cd.name + "/streams"
			}
			t.Run(name, func(t *testing.T) {
				const a = 0
				c := newMemCluster(t, 4, memOptions{seed: 7, codec: cd.codec, streams: streams,
					grace: grace, removeAfter: 10 * time.Minute})
				for k := range keys {
					key := fmt.Sprintf("key-%02d", k)
					require.NoError(t, c.nodes[a].UpdateLocal(key, fmt.Sprintf("%02d:", k)+strings.Repeat("v", value-3)))
				}
				for i := 1; i < 4; i++ {
					c.join(i, a)
				}
				_, ok := c.runUntil(200, func() bool { return c.divergence() == "" })
				require.True(t, ok, "the cluster converges before the partition: %s", c.divergence())

				c.net.Partition(c.addrs[:2], c.addrs[2:])
				require.NoError(t, c.nodes[a].DeleteLocal("key-17"))
				c.runUntil(int(4*grace/time.Second), func() bool { return false })
				gcd := c.nodes[a].Stats().TombstonesGCd
				require.NotZero(t, gcd, "A collected the tombstone during the partition")
				_, far := c.nodes[2].Lookup(memID(a), "key-17")
				require.True(t, far, "the far side still holds the deleted key")

				c.net.Heal()
				rounds, ok := c.runUntil(300, func() bool { return c.divergence() == "" })
				c.runUntil(30, func() bool { return false }) // and it stays so
				events, spurious, backwards := c.check.counts()
				t.Logf("%s: converged after the heal in %d rounds (%v); %d key events, %d spurious deletes, %d going backwards%s",
					name, rounds, ok, events, spurious, backwards, c.check.report())
				require.True(t, ok, "every node converges to A's state")
				require.Empty(t, c.divergence(), "every node ends with A's state")
				own, _ := c.nodes[a].NodeState(memID(a))
				require.Len(t, own.Keys, keys-1)
				require.NotContains(t, own.Keys, "key-17")
				for i := range 4 {
					s, _ := c.nodes[i].NodeState(memID(a))
					require.True(t, maps.Equal(own.Keys, s.Keys), "node-%d holds exactly A's state", i)
				}
				require.Zero(t, spurious, "no delete event of a key A did not delete")
				require.Zero(t, backwards, "no key event goes back in version")
				require.GreaterOrEqual(t, c.installedPrunes(), uint64(2), "both far-side nodes were pruned")
			})
		}
	}
}
