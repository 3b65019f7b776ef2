package core

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
)

func flowOn(c *Config) { c.FlowControl = true }

// Writes beyond the token bucket wait, oldest first; a later write of a
// waiting key replaces its value in place; reads see waiting values; each
// round releases one write per token, and none is lost.
func TestFlowWritesWaitMergeAndRelease(t *testing.T) {
	a := newCore(t, "a", flowOn)
	require.NoError(t, a.Put("k0", "v0")) // the one token at start
	require.NoError(t, a.Put("k1", "v1"))
	require.NoError(t, a.Put("k2", "v2"))
	require.NoError(t, a.Put("k1", "v1b")) // merged into the waiting k1
	require.NoError(t, a.Put("k2", "v2"))  // unchanged: nothing
	s := a.Flow()
	assert.Equal(t, 2, s.Pending)
	assert.Equal(t, uint64(2), a.Stats().FlowDelayed)
	assert.Equal(t, uint64(1), a.Stats().FlowCoalesced)
	v, ok := a.Lookup("a", "k1")
	assert.True(t, ok)
	assert.Equal(t, "v1b", v, "reads see the waiting value")
	_, ev := a.Ready()
	require.Len(t, ev, 1, "only the released write has an event")
	assert.Equal(t, "k0", ev[0].Key)

	var keys []string
	a.Keys("a", func(k, v string) bool { keys = append(keys, k+"="+v); return true })
	assert.Equal(t, []string{"k0=v0", "k1=v1b", "k2=v2"}, keys)

	// One second at the initial rate (1 update/s) lets one more out: k1,
	// the oldest, with its latest value.
	a.Tick(t0.Add(time.Second))
	_, ev = a.Ready()
	require.Len(t, ev, 1)
	assert.Equal(t, "k1", ev[0].Key)
	assert.Equal(t, "v1b", ev[0].Value)
	assert.Equal(t, 1, a.Flow().Pending)
	a.Tick(t0.Add(2 * time.Second))
	_, ev = a.Ready()
	require.Len(t, ev, 1)
	assert.Equal(t, "k2", ev[0].Key)
	assert.Zero(t, a.Flow().Pending)
}

// Leave releases every waiting write before the departure.
func TestFlowLeaveReleasesAll(t *testing.T) {
	a := newCore(t, "a", flowOn)
	for i := range 5 {
		require.NoError(t, a.Put(fmt.Sprintf("k%d", i), "v"))
	}
	require.Equal(t, 4, a.Flow().Pending)
	a.Leave(t0)
	assert.Zero(t, a.Flow().Pending)
	for i := range 5 {
		e, ok := a.st.Get("a", fmt.Sprintf("k%d", i))
		require.True(t, ok)
		assert.Equal(t, "v", e.Value)
	}
}

// The SYN and the SYNACK that answers it carry the rates; the pair shares
// the sum of its maximum rates in proportion to the desired rates, and the
// sum is kept.
func TestFlowRedistributes(t *testing.T) {
	a, b := newCore(t, "a", flowOn), newCore(t, "b", flowOn)
	exchange(t, a, b, t0) // they meet
	ea, eb := a.Stats().FlowExchanges, b.Stats().FlowExchanges
	a.flow.desired, a.flow.max = 3, 2
	b.flow.desired, b.flow.max = 1, 2
	require.NoError(t, a.Put("x", "1")) // something to say, so b answers
	a.Ready()
	syn := a.roundSyn()
	assert.Equal(t, codec.Rates{Desired: 3000, Max: 2000}, syn.Rates)
	b.Step(t0, a.cfg.Addr, roundTrip(t, syn))
	out, _ := b.Ready()
	require.Len(t, out, 1)
	assert.Equal(t, codec.Rates{Desired: 1000, Max: 2000}, out[0].Msg.Rates, "the responder's rates as they were")
	a.Step(t0, b.cfg.Addr, roundTrip(t, out[0].Msg))
	// Each side also packed one message with room: +flowIncrease each.
	assert.InDelta(t, 3.0+flowIncrease, a.flow.max, 1e-9, "a wants three quarters of 4")
	assert.InDelta(t, 1.0+flowIncrease, b.flow.max, 1e-9)
	assert.Equal(t, ea+1, a.Stats().FlowExchanges)
	assert.Equal(t, eb+1, b.Stats().FlowExchanges)
}

// Without flow control no message carries rates, and rates received are
// ignored.
func TestFlowOffSendsNoRates(t *testing.T) {
	a, b := newCore(t, "a"), newCore(t, "b", flowOn)
	exchange(t, a, b, t0)
	require.NoError(t, a.Put("x", "1"))
	a.Ready()
	syn := a.roundSyn()
	assert.True(t, syn.Rates.IsZero())
	b.Step(t0, a.cfg.Addr, roundTrip(t, syn))
	out, _ := b.Ready()
	for _, o := range out {
		assert.True(t, o.Msg.Rates.IsZero(), "no rates to a peer that sent none")
	}
	assert.Equal(t, FlowState{}, a.Flow())
}

// AIMD: a message whose deltas were cut for lack of room lowers the
// maximum multiplicatively, one with room raises it additively, within the
// floor and the cap that follows the desired rate.
func TestFlowAIMD(t *testing.T) {
	a := newCore(t, "a", flowOn)
	a.flow.desired, a.flow.max = 4, 4
	a.adapt(true)
	assert.InDelta(t, 4*flowDecrease, a.flow.max, 1e-9)
	a.adapt(false)
	assert.InDelta(t, 4*flowDecrease+flowIncrease, a.flow.max, 1e-9)
	for range 1000 {
		a.adapt(false)
	}
	assert.InDelta(t, flowCapFactor*4+flowCapSlack, a.flow.max, 1e-9, "capped")
	for range 1000 {
		a.adapt(true)
	}
	assert.InDelta(t, flowFloor, a.flow.max, 1e-9, "floored")
}

// An exchange whose deltas do not all fit one message counts a decrease
// for each message that had to leave some out.
func TestFlowCutLowersMax(t *testing.T) {
	a := newCore(t, "a", flowOn, func(c *Config) { c.MTU = 600 })
	b := newCore(t, "b", flowOn, func(c *Config) { c.MTU = 600 })
	for i := range 20 {
		b.flow.tokens = 1
		require.NoError(t, b.Put(fmt.Sprintf("key-%02d", i), "a value long enough to fill a message quickly"))
	}
	b.flow.desired = 10
	b.flow.max = 5
	exchange(t, a, b, t0)
	require.NotZero(t, b.Stats().DeltasCut)
	assert.Equal(t, b.Stats().DeltasCut, b.Stats().FlowDecreases, "one decrease per message cut")
}
