package main

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/codec"
	"github.com/stretchr/testify/require"
)

func smallOptions() options {
	return options{fanout: 3, seed: 1, mtu: 1400, idleRounds: 2, maxRounds: 100, budget: time.Minute}
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
		// Idle: digests and liveness only, every datagram within the MTU,
		// decodable and of the predicted size, and the split covers every
		// byte.
		require.Positive(t, r.digestPer)
		require.Positive(t, r.livenessPer)
		require.Zero(t, r.deltaPer)
		require.InDelta(t, r.bytesPer, r.headerPer+r.digestPer+r.deltaPer+r.livenessPer, 1e-9)
		require.Positive(t, r.kindsPer[codec.KindSyn])
		require.Positive(t, r.kindsPer[codec.KindPing])
		require.Equal(t, r.kindsPer[codec.KindPing], r.kindsPer[codec.KindPong], "every PING answered")
		// At most a SYN per fanout peer, its answers, and the monitors'
		// PINGs and PONGs.
		require.LessOrEqual(t, r.datagramsPer, float64(3*opt.fanout+2*3))
		require.LessOrEqual(t, r.largest, opt.mtu)
		require.Zero(t, r.undecodable)
		require.Zero(t, r.misSized)
		require.Zero(t, r.suspectJoin+r.suspectAfter, "no node fails")
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

func steadyOptions() options {
	return options{seed: 1, maxRounds: 100, budget: time.Minute, idle: true, churn: true,
		window: time.Minute, drain: 20 * time.Second}
}

var (
	idleLine   = regexp.MustCompile(`^idle N=(\d+) bytes_per_node_per_s=(\d+\.\d) msgs_per_node_per_s=(\d+\.\d)$`)
	memoryLine = regexp.MustCompile(`^memory N=(\d+) bytes_per_node_pair=(\d+\.\d)$`)
	churnLine  = regexp.MustCompile(`^churn N=(\d+) bytes_per_node_per_s=(\d+\.\d) bytes_per_node_per_round=(\d+\.\d) msgs_per_node_per_s=(\d+\.\d) lagging=(\d+)$`)
)

// steadyLines runs the steady modes on sizes ns and returns their lines
// parsed, by mode and N: the numbers after N, in order.
func steadyLines(t *testing.T, opt options, ns ...int) (out string, lines map[string]map[int][]float64) {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, runSteady(&b, ns, opt, false, ""))
	lines = map[string]map[int][]float64{}
	for _, l := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		var mode string
		var m []string
		for name, re := range map[string]*regexp.Regexp{"idle": idleLine, "memory": memoryLine, "churn": churnLine} {
			if m = re.FindStringSubmatch(l); m != nil {
				mode = name
				break
			}
		}
		require.NotNil(t, m, "unexpected line %q", l)
		n, err := strconv.Atoi(m[1])
		require.NoError(t, err)
		var xs []float64
		for _, f := range m[2:] {
			x, err := strconv.ParseFloat(f, 64)
			require.NoError(t, err)
			xs = append(xs, x)
		}
		if lines[mode] == nil {
			lines[mode] = map[int][]float64{}
		}
		require.NotContains(t, lines[mode], n, "one %s line per N", mode)
		lines[mode][n] = xs
	}
	return b.String(), lines
}

func TestSteadyModes(t *testing.T) {
	out, lines := steadyLines(t, steadyOptions(), 20, 80)
	t.Log("\n" + out)
	for _, n := range []int{20, 80} {
		require.Len(t, lines["idle"][n], 2, "idle N=%d", n)
		require.Len(t, lines["memory"][n], 1, "memory N=%d", n)
		require.Len(t, lines["churn"][n], 4, "churn N=%d", n)
	}
	require.Len(t, strings.Split(strings.TrimSpace(out), "\n"), 6, "three lines per N")

	// Idle: a SYN to one peer every fourth round and the monitors' PINGs
	// and PONGs, about 90 B and 5.3 datagrams per node per second when
	// this was written (binary codec, IDs "node-i"); the bounds leave
	// twice that, and the cost must not grow with N.
	idle20, idle80 := lines["idle"][20], lines["idle"][80]
	for _, x := range [][]float64{idle20, idle80} {
		require.Positive(t, x[0])
		require.Less(t, x[0], 200.0, "idle bytes per node per second")
		require.Positive(t, x[1])
		require.Less(t, x[1], 11.0, "idle messages per node per second")
	}
	require.Less(t, idle80[0], 1.25*idle20[0], "idle bytes flat in N")
	require.Positive(t, lines["memory"][20][0])

	// Churn: dearer than idle, a round is half a second, and every
	// writer's last value reached every node.
	for _, n := range []int{20, 80} {
		ch := lines["churn"][n]
		require.Greater(t, ch[0], lines["idle"][n][0])
		require.InDelta(t, ch[0]/2, ch[1], 0.1)
		require.Positive(t, ch[2])
		require.Zero(t, ch[3], "lagging nodes")
	}
}

func TestSteadyModesAreDeterministic(t *testing.T) {
	opt := steadyOptions()
	opt.churn = false
	a, _ := steadyLines(t, opt, 20)
	b, _ := steadyLines(t, opt, 20)
	// The memory line depends on the Go heap, not only on the seed.
	idleOnly := func(s string) string { return strings.SplitN(s, "\n", 2)[0] }
	require.Equal(t, idleOnly(a), idleOnly(b))
}

func TestCheckOptions(t *testing.T) {
	opt := steadyOptions()
	require.NoError(t, checkOptions(opt, map[string]bool{"seed": true, "n": true}))
	require.ErrorContains(t, checkOptions(opt, map[string]bool{"fanout": true}), "-fanout configures the table only")
	short := opt
	short.window = 30 * time.Second
	require.ErrorContains(t, checkOptions(short, nil), "at least 1m")
	table := smallOptions()
	table.window = time.Minute
	require.NoError(t, checkOptions(table, map[string]bool{"fanout": true}))

	require.Equal(t, "1000", defaultSizes(options{churn: true}))
	require.Equal(t, "1000", defaultSizes(options{churn: true, idle: true}))
	require.Equal(t, "100,1000", defaultSizes(options{idle: true}))
	require.Equal(t, "100,1000,10000", defaultSizes(options{}))
}
