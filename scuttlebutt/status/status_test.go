package status_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/sim"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/status"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// cluster returns a converged deterministic 4-node cluster whose nodes
// published a role, and in which node-3 then left.
func cluster(t *testing.T) *sim.Cluster {
	t.Helper()
	c, err := sim.New(sim.Config{Nodes: 4, Seed: 3})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	require.NoError(t, c.JoinAll())
	for i, n := range c.Nodes {
		require.NoError(t, n.UpdateLocal("role", []string{"api", "worker", "db", "cache"}[i]))
	}
	require.NoError(t, c.Nodes[1].UpdateLocal("zone", "eu-1"))
	_, ok := c.RunRounds(50, func() bool { return c.AllKnowAll() && c.Count(1, "zone", "eu-1") == 4 })
	require.True(t, ok)
	c.Nodes[3].Leave(canceled())
	_, ok = c.RunRounds(20, func() bool {
		s, _ := c.Nodes[0].NodeState(sim.ID(3))
		return s.Status == scuttlebutt.StatusLeft
	})
	require.True(t, ok, "node-0 sees node-3 leave")
	return c
}

// get serves one request and returns the response.
func get(t *testing.T, h http.Handler, target string, header ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func decode[T any](t *testing.T, resp *http.Response) T {
	t.Helper()
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var v T
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&v))
	return v
}

// TestJSON checks the report against the Node's own Snapshot and Stats,
// asked for both ways.
func TestJSON(t *testing.T) {
	c := cluster(t)
	node := c.Nodes[0]
	h := status.New(node, status.Options{Clock: c.Net})
	for _, resp := range []*http.Response{
		get(t, h, "/?format=json"),
		get(t, h, "/", "Accept", "application/json"),
		get(t, h, "/", "Accept", "application/json;q=0.9, */*;q=0.1"),
	} {
		require.Equal(t, http.StatusOK, resp.StatusCode)
		rep := decode[status.Report](t, resp)
		require.Equal(t, "node-0", rep.ID)
		require.Equal(t, node.Addr(), rep.Addr)
		require.Equal(t, node.Generation(), rep.Generation)
		require.True(t, rep.Time.Equal(c.Net.Now()), "the report's time is the node's clock")
		require.Equal(t, node.Stats(), rep.Stats)
		snap := node.Snapshot()
		require.Len(t, rep.Members, len(snap))
		for i, s := range snap {
			m := rep.Members[i]
			require.Equal(t, s.ID, m.ID)
			require.Equal(t, s.Addr, m.Addr)
			require.Equal(t, s.Status.String(), m.Status)
			require.Equal(t, s.Generation, m.Generation)
			require.True(t, s.Since.Equal(m.Since), "%s since", s.ID)
			require.Equal(t, s.Version, m.Version)
			require.Equal(t, s.Keys, m.Keys)
			require.Equal(t, len(s.Keys), m.KeyCount)
			require.Equal(t, s.ID == "node-0", m.Self)
		}
		require.Equal(t, []string{"alive", "alive", "alive", "left"},
			[]string{rep.Members[0].Status, rep.Members[1].Status, rep.Members[2].Status, rep.Members[3].Status})
		require.Equal(t, map[string]string{"role": "worker", "zone": "eu-1"}, rep.Members[1].Keys)
	}
}

// TestJSONNode: ?node=ID returns that node alone, and 404 for an unknown ID.
func TestJSONNode(t *testing.T) {
	c := cluster(t)
	h := status.New(c.Nodes[2], status.Options{Clock: c.Net})
	m := decode[status.Member](t, get(t, h, "/?format=json&node=node-1"))
	require.Equal(t, "node-1", m.ID)
	require.Equal(t, map[string]string{"role": "worker", "zone": "eu-1"}, m.Keys)
	require.Equal(t, 2, m.KeyCount)
	require.False(t, m.Self)

	resp := get(t, h, "/?format=json&node=nope")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Contains(t, decode[map[string]string](t, resp)["error"], "nope")
}

// TestJSONShape pins the field names programs read.
func TestJSONShape(t *testing.T) {
	c := cluster(t)
	resp := get(t, status.New(c.Nodes[0], status.Options{Clock: c.Net}), "/?format=json")
	raw := decode[map[string]any](t, resp)
	for _, k := range []string{"id", "addr", "generation", "time", "members", "stats"} {
		require.Contains(t, raw, k)
	}
	members := raw["members"].([]any)
	self := members[0].(map[string]any)
	require.Equal(t, true, self["self"])
	require.NotContains(t, self, "since", "no status change time for the local node")
	other := members[1].(map[string]any)
	for _, k := range []string{"id", "addr", "status", "generation", "since", "version", "key_count", "keys"} {
		require.Contains(t, other, k)
	}
	require.NotContains(t, other, "self")
}

// TestPage checks the HTML: every node in the members table, the keys of
// the selected node, the refresh, and escaping of what peers send.
func TestPage(t *testing.T) {
	c := cluster(t)
	require.NoError(t, c.Nodes[2].UpdateLocal("note", `<script>alert("x")</script>`))
	c.RunRounds(10, func() bool { return c.Count(2, "note", `<script>alert("x")</script>`) == 3 })
	h := status.New(c.Nodes[0], status.Options{Clock: c.Net, Refresh: 1500 * time.Millisecond})

	resp := get(t, h, "/", "Accept", "text/html,application/xhtml+xml,application/json;q=0.9")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	body := read(t, resp)
	for i := range 4 {
		require.Contains(t, body, `<tr data-id="`+sim.ID(i)+`"`)
	}
	require.Contains(t, body, `<meta http-equiv="refresh" content="2">`)
	require.Contains(t, body, `<span class="badge left">left</span>`)
	require.Contains(t, body, `<a href="?node=node-2">`)
	require.NotContains(t, body, `id="keys"`, "no keys until a node is selected")
	require.NotContains(t, body, "<script")

	body = read(t, get(t, h, "/?node=node-2"))
	require.Contains(t, body, `<tr data-id="node-2" class="selected">`)
	require.Contains(t, body, `<section id="keys">`)
	require.Contains(t, body, "Keys of node-2")
	require.Contains(t, body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;")
	require.NotContains(t, body, "<script")

	body = read(t, get(t, h, "/?node=nope"))
	require.Contains(t, body, "No node nope is known.")

	body = read(t, get(t, status.New(c.Nodes[0], status.Options{Refresh: -1}), "/"))
	require.NotContains(t, body, `http-equiv="refresh"`)
}

// TestRouting: other paths are not found, other methods refused, and
// the handler works under http.StripPrefix.
func TestRouting(t *testing.T) {
	c := cluster(t)
	h := status.New(c.Nodes[0], status.Options{Clock: c.Net})
	require.Equal(t, http.StatusNotFound, get(t, h, "/favicon.ico").StatusCode)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader("x")))
	require.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	require.Equal(t, "GET, HEAD", rec.Header().Get("Allow"))

	mux := http.NewServeMux()
	mux.Handle("/status/", http.StripPrefix("/status", h))
	require.Equal(t, http.StatusOK, get(t, mux, "/status/?format=json").StatusCode)
	require.Equal(t, http.StatusOK, get(t, http.StripPrefix("/status", h), "/status").StatusCode)
}

// TestClosedNode: the page of a closed node still renders.
func TestClosedNode(t *testing.T) {
	c := cluster(t)
	require.NoError(t, c.Nodes[1].Close())
	rep := decode[status.Report](t, get(t, status.New(c.Nodes[1], status.Options{}), "/?format=json"))
	require.Equal(t, "node-1", rep.ID)
	require.Len(t, rep.Members, 4)
}

func read(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}
