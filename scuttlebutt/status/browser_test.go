package status_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/status"
	"github.com/scuttlebutt-go/scuttlebutt/transport/mem"
)

// browser returns the path of a Chromium or Chrome binary on PATH, or "".
func browser() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// runningCluster starts five nodes on a simulated network that runs in
// real time, waits until every node knows every other, and makes the last
// one leave. It returns the nodes and the network.
func runningCluster(t *testing.T) ([]*scuttlebutt.Node, *mem.Network) {
	t.Helper()
	nw := mem.NewNetwork(mem.Config{Seed: 5})
	t.Cleanup(nw.RunRealtime(0))
	ids := []string{"api-1", "api-2", "cache-1", "db-1", "worker-1"}
	roles := []string{"api", "api", "cache", "db", "worker"}
	var nodes []*scuttlebutt.Node
	for i, id := range ids {
		tr, err := nw.NewTransport(fmt.Sprintf("10.0.0.%d:7946", i+1))
		require.NoError(t, err)
		n, err := scuttlebutt.NewBuilder(id).Transport(tr).Clock(nw).Seed(uint64(i) + 1).
			GossipInterval(100 * time.Millisecond).Build()
		require.NoError(t, err)
		t.Cleanup(func() { n.Close() })
		require.NoError(t, n.UpdateLocal("role", roles[i]))
		require.NoError(t, n.UpdateLocal("rpc", fmt.Sprintf("10.0.0.%d:5112", i+1)))
		if i > 0 {
			require.NoError(t, n.Join([]string{"10.0.0.1:7946"}))
		}
		nodes = append(nodes, n)
	}
	require.NoError(t, nodes[0].UpdateLocal("version", "1.4.2"))
	require.Eventually(t, func() bool {
		for _, n := range nodes {
			if len(n.Members()) != len(nodes) {
				return false
			}
		}
		v, _ := nodes[1].Lookup("api-1", "version")
		return v == "1.4.2"
	}, 20*time.Second, 20*time.Millisecond, "the cluster converges")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, nodes[4].Leave(ctx))
	require.Eventually(t, func() bool {
		s, _ := nodes[0].NodeState("worker-1")
		return s.Status == scuttlebutt.StatusLeft
	}, 20*time.Second, 20*time.Millisecond, "api-1 sees worker-1 leave")
	return nodes, nw
}

// TestPageInBrowser loads the status page of a running cluster in headless
// Chromium: the members table shows every node, clicking a node shows its
// keys, and a screenshot is written (to $STATUS_SCREENSHOT, or
// scuttlebutt-status.png in the temporary directory).
func TestPageInBrowser(t *testing.T) {
	bin := browser()
	if bin == "" {
		t.Skip("no chromium, chromium-browser, google-chrome or chrome on PATH: skipping the browser test (apt-get install chromium)")
	}
	nodes, nw := runningCluster(t)
	srv := httptest.NewServer(status.New(nodes[0], status.Options{Clock: nw, Refresh: time.Second}))
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(860, 400))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL),
		chromedp.WaitVisible(chromedp.CSS("#members tbody tr")),
	))
	ids, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#members tbody td.id a")).map(a => a.textContent)`))
	require.NoError(t, err)
	want := []string{"api-1", "api-2", "cache-1", "db-1", "worker-1"}
	require.Equal(t, want, ids, "the members table lists every node")
	statuses, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#members tbody td.status")).map(td => td.textContent.trim())`))
	require.NoError(t, err)
	require.Equal(t, []string{"alive", "alive", "alive", "alive", "left"}, statuses)

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#members tr[data-id="api-2"] td.id a`)),
		chromedp.WaitVisible(chromedp.CSS("#keys")),
	))
	keys, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#keys")))
	require.NoError(t, err)
	require.Contains(t, keys, "Keys of api-2")
	require.Contains(t, keys, "10.0.0.2:5112")
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.True(t, slices.Equal(png[:8], []byte("\x89PNG\r\n\x1a\n")), "a PNG screenshot")

	path := os.Getenv("STATUS_SCREENSHOT")
	if path == "" {
		path = filepath.Join(os.TempDir(), "scuttlebutt-status.png")
	}
	require.NoError(t, os.WriteFile(path, png, 0o644))
	t.Logf("screenshot of the status page (%d bytes): %s", len(png), path)

	// The page reloads itself: a node that joins shows up without a click.
	tr, err := nw.NewTransport("10.0.0.9:7946")
	require.NoError(t, err)
	late, err := scuttlebutt.NewBuilder("late-1").Transport(tr).Clock(nw).Seed(9).GossipInterval(100 * time.Millisecond).Build()
	require.NoError(t, err)
	defer late.Close()
	require.NoError(t, late.Join([]string{"10.0.0.1:7946"}))
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#members tr[data-id="late-1"]`))))
	rows, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#members tbody")))
	require.NoError(t, err)
	require.True(t, strings.Contains(rows, "late-1"))
}
