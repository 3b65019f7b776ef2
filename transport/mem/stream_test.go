package mem

import (
	"bytes"
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
)

func TestStreamIsReliableInOrderAndUnlimitedByMTU(t *testing.T) {
	n := NewNetwork(Config{
		Seed: 3,
		DefaultLink: Link{
			Loss: 1, Duplicate: 1, Reorder: 1, // datagram faults only
			Delay: 20 * time.Millisecond, Jitter: 15 * time.Millisecond,
		},
	})
	ts, rs := newStarted(t, n, "a", "b")
	big := bytes.Repeat([]byte("x"), 10*n.MTU())
	var want []delivery
	for i := range 50 {
		msg := append([]byte(strconv.Itoa(i)+":"), big...)
		require.NoError(t, ts[0].SendStream(context.Background(), "b", msg))
		want = append(want, delivery{"a", string(msg)})
	}
	n.Advance(19 * time.Millisecond)
	assert.Empty(t, rs[1].got, "delivered before the link delay")
	n.Advance(time.Second)
	assert.Equal(t, want, rs[1].got)
	st := n.Stats()
	assert.Equal(t, uint64(50), st.StreamsSent)
	assert.Equal(t, uint64(50), st.StreamsDelivered)
	assert.Equal(t, uint64(0), st.Delivered, "streams are not datagrams")
	assert.Equal(t, n.MaxStreamSize(), ts[0].MaxStreamSize())
}

func TestStreamErrors(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name  string
		setup func(n *Network)
		to    string
		size  int
		ctx   context.Context
		want  error
	}{
		{"unknown address", nil, "nobody", 1, context.Background(), transport.ErrUnreachable},
		{"partitioned", func(n *Network) { n.Partition([]string{"a"}, []string{"b"}) }, "b", 1, context.Background(), transport.ErrUnreachable},
		{"isolated", func(n *Network) { n.Isolate("b") }, "b", 1, context.Background(), transport.ErrUnreachable},
		{"too large", nil, "b", 1025, context.Background(), transport.ErrTooLarge},
		{"context done", nil, "b", 1, canceled, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := NewNetwork(Config{MaxStreamSize: 1024})
			ts, rs := newStarted(t, n, "a", "b")
			if tt.setup != nil {
				tt.setup(n)
			}
			err := ts[0].SendStream(tt.ctx, tt.to, make([]byte, tt.size))
			require.ErrorIs(t, err, tt.want)
			n.Advance(time.Second)
			assert.Empty(t, rs[1].got)
			assert.Equal(t, uint64(0), n.Stats().StreamsSent)
		})
	}
}

func TestStreamInFlightDroppedByPartitionOrClose(t *testing.T) {
	n := NewNetwork(Config{DefaultLink: Link{Delay: 10 * time.Millisecond}})
	ts, rs := newStarted(t, n, "a", "b", "c")
	ctx := context.Background()
	require.NoError(t, ts[0].SendStream(ctx, "b", []byte("cut")))
	require.NoError(t, ts[0].SendStream(ctx, "c", []byte("closed")))
	n.Cut("a", "b")
	require.NoError(t, ts[2].Close())
	n.Advance(time.Second)
	assert.Empty(t, rs[1].got)
	assert.Empty(t, rs[2].got)
	assert.Equal(t, uint64(2), n.Stats().StreamsDropped)
}
