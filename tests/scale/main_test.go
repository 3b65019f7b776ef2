package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func smallOptions() options {
	return options{fanout: 3, seed: 1, mtu: 1400, idle: 2, maxRounds: 100, budget: time.Minute}
}

func TestMeasureSmallCluster(t *testing.T) {
	for _, fast := range []bool{false, true} {
		opt := smallOptions()
		opt.fastJoin, opt.joinBytes = fast, true
		r, err := measure(40, opt, "")
		require.NoError(t, err)
		require.True(t, r.joinOK, r.joinStop)
		require.True(t, r.updOK)
		require.Positive(t, r.updRounds)
		// Every node but the owner received the entry at least once.
		require.GreaterOrEqual(t, r.delivMin, 1)
		require.GreaterOrEqual(t, r.delivMean, 1.0)
		require.Positive(t, r.probePer)
		require.Greater(t, r.carryPer, r.probePer, "a datagram is larger than the delta it carries")
		// Idle: digests only, every datagram within the MTU and decodable.
		require.Positive(t, r.digestPer)
		require.Zero(t, r.deltaPer)
		require.LessOrEqual(t, r.digestPer, r.bytesPer)
		require.InDelta(t, 2*opt.fanout, r.datagramsPer, 1, "a SYN and a SYNACK per exchange")
		require.LessOrEqual(t, r.largest, opt.mtu)
		require.Zero(t, r.undecodable)
		require.Positive(t, r.joinDeltaPer)
		require.Positive(t, r.heapPerNode)
	}
}

func TestMeasureIsDeterministic(t *testing.T) {
	a, err := measure(20, smallOptions(), "")
	require.NoError(t, err)
	b, err := measure(20, smallOptions(), "")
	require.NoError(t, err)
	require.Equal(t, a.joinRounds, b.joinRounds)
	require.Equal(t, a.updRounds, b.updRounds)
	require.Equal(t, a.delivMean, b.delivMean)
	require.Equal(t, a.bytesPer, b.bytesPer)
}

func TestJoinGivesUpAtTheRoundLimit(t *testing.T) {
	opt := smallOptions()
	opt.maxRounds = 1
	r, err := measure(200, opt, "")
	require.NoError(t, err)
	require.False(t, r.joinOK)
	require.Equal(t, "round limit", r.joinStop)
	require.Equal(t, 1, r.joinRounds)
	require.Less(t, r.joinKnown, 1.0)
}

func TestParseSizes(t *testing.T) {
	ns, err := parseSizes("100, 1000,10000")
	require.NoError(t, err)
	require.Equal(t, []int{100, 1000, 10000}, ns)
	for _, bad := range []string{"", "1", "10,x", "-5"} {
		_, err := parseSizes(bad)
		require.Error(t, err, bad)
	}
}

func TestReportShowsEveryRowAndGrowth(t *testing.T) {
	rows := []row{
		{n: 10, join: "node 0", joinOK: true, joinRounds: 2, updOK: true, updRounds: 2, delivMean: 1.5, bytesPer: 100, heapPerNode: 1000, cpuRound: time.Millisecond},
		{n: 100, join: "node 0", joinOK: true, joinRounds: 20, updOK: true, updRounds: 4, delivMean: 1.2, bytesPer: 100, heapPerNode: 10000, cpuRound: 10 * time.Millisecond},
		{n: 1000, skipped: "too big"},
	}
	var b bytes.Buffer
	printReport(&b, rows, smallOptions())
	out := b.String()
	require.Contains(t, out, "| 10 | node 0 | 2 |")
	require.Contains(t, out, "| 1000 | skipped: too big |")
	require.Contains(t, out, "join rounds x10.00 (k=1.00)")
	require.Contains(t, out, "heap/node x10.00 (k=1.00)")
	require.Equal(t, 1, strings.Count(out, "- N 10 -> 100"), "growth only between measured rows")
}
