package codectest

import (
	"testing"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

// Bench runs the standard benchmarks against c: encoding, decoding and
// sizing a PING (TypicalPing), the 16 level-1 buckets of a bucket walk
// (TypicalWalk), a 50-node digest (TypicalDigest) and a 64-key delta
// (TypicalDelta). Each reports the encoded size as bytes/msg.
//
//	func BenchmarkCodec(b *testing.B) { codectest.Bench(b, Codec{}) }
func Bench(b *testing.B, c codec.Codec) {
	for _, bc := range []struct {
		name string
		m    *codec.Message
	}{{"Ping", TypicalPing()}, {"Walk16", TypicalWalk()}, {"Digest50", TypicalDigest()}, {"Delta64", TypicalDelta()}} {
		enc, err := c.Append(nil, bc.m)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("Encode"+bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(enc)))
			buf := make([]byte, 0, len(enc))
			for b.Loop() {
				buf, err = c.Append(buf[:0], bc.m)
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(enc)), "bytes/msg")
		})
		b.Run("Decode"+bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(enc)))
			for b.Loop() {
				if _, err := c.Decode(enc); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(enc)), "bytes/msg")
		})
		b.Run("Size"+bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				codec.Size(c, bc.m)
			}
		})
	}
}

// DeltasPerPacket returns how many entries of StandardState fit, in version
// order, in one ACK of at most mtu bytes, counted with the Sizer the way the
// core's packer counts.
func DeltasPerPacket(s codec.Sizer, mtu int) int {
	d := StandardState()
	size := s.Base(codec.KindAck, "node-00") + s.DeltaCount(1) + s.NodeDelta(&d)
	if size > mtu {
		return 0
	}
	items := 0
	for i := range d.Entries {
		next := size + s.Entry(&d.Entries[i]) + s.EntryCount(i+1) - s.EntryCount(i)
		if next > mtu {
			break
		}
		size = next
		items++
	}
	return items
}
