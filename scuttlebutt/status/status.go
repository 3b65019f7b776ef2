package status

import (
	"encoding/json"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
)

// Options configure a Handler. The zero value is usable.
type Options struct {
	// Refresh is how often the page reloads itself (default 2s; negative:
	// never). JSON responses are unaffected.
	Refresh time.Duration
	// Clock gives the time the page measures ages against and the Report's
	// Time (default: the wall clock). Pass the Node's clock when it is a
	// virtual one, such as a transport/mem Network.
	Clock interface{ Now() time.Time }
}

// Handler is an http.Handler serving one Node's status. It is safe for
// concurrent use.
type Handler struct {
	node    *scuttlebutt.Node
	refresh time.Duration
	clock   interface{ Now() time.Time }
}

var _ http.Handler = (*Handler)(nil)

// New returns a Handler for node.
func New(node *scuttlebutt.Node, opts Options) *Handler {
	h := &Handler{node: node, refresh: opts.Refresh, clock: opts.Clock}
	if h.refresh == 0 {
		h.refresh = 2 * time.Second
	}
	if h.clock == nil {
		h.clock = wallClock{}
	}
	return h
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// Report is the JSON document: this node's view of the cluster.
type Report struct {
	// ID, Addr and Generation are this node's.
	ID         string `json:"id"`
	Addr       string `json:"addr"`
	Generation uint64 `json:"generation"`
	// Time is when the report was made, on Options.Clock.
	Time time.Time `json:"time"`
	// Members holds every node known, this one included, sorted by ID.
	Members []Member `json:"members"`
	// Stats are this node's counters, under their Go field names (they
	// follow scuttlebutt.Stats as it grows).
	Stats scuttlebutt.Stats `json:"stats"`
}

// Member is what this node knows of one node.
type Member struct {
	ID         string `json:"id"`
	Addr       string `json:"addr"`
	Status     string `json:"status"`
	Generation uint64 `json:"generation"`
	// Since is when Status last changed; absent for the local node.
	Since time.Time `json:"since,omitzero"`
	// Version is the highest version of the node's state held.
	Version uint64 `json:"version"`
	// Self is set on the local node.
	Self bool `json:"self,omitempty"`
	// KeyCount is len(Keys).
	KeyCount int `json:"key_count"`
	// Keys holds the node's live keys.
	Keys map[string]string `json:"keys"`
}

// Report returns the current report.
func (h *Handler) Report() Report {
	r := Report{ID: h.node.ID(), Addr: h.node.Addr(), Generation: h.node.Generation(), Time: h.clock.Now(), Stats: h.node.Stats()}
	for _, s := range h.node.Snapshot() {
		r.Members = append(r.Members, member(s, s.ID == r.ID))
	}
	if r.Members == nil {
		r.Members = []Member{}
	}
	return r
}

func member(s scuttlebutt.NodeState, self bool) Member {
	return Member{ID: s.ID, Addr: s.Addr, Status: s.Status.String(), Generation: s.Generation, Since: s.Since,
		Version: s.Version, Self: self, KeyCount: len(s.Keys), Keys: s.Keys}
}

// ServeHTTP serves the page or the JSON report at the root of where the
// Handler is mounted ("/", or "" under http.StripPrefix); other paths are
// not found, and methods other than GET and HEAD are refused.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" && r.URL.Path != "" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	rep := h.Report()
	selected := r.URL.Query().Get("node")
	if wantsJSON(r) {
		h.serveJSON(w, rep, selected)
		return
	}
	h.servePage(w, rep, selected)
}

func (h *Handler) serveJSON(w http.ResponseWriter, rep Report, selected string) {
	var v any = rep
	if selected != "" {
		m, ok := find(rep.Members, selected)
		if !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "unknown node " + selected})
			return
		}
		v = m
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func find(ms []Member, id string) (Member, bool) {
	for _, m := range ms {
		if m.ID == id {
			return m, true
		}
	}
	return Member{}, false
}

// wantsJSON reports whether r asks for JSON: ?format=json, or an Accept
// header that names application/json before (or without) text/html.
func wantsJSON(r *http.Request) bool {
	switch r.URL.Query().Get("format") {
	case "json":
		return true
	case "html":
		return false
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "application/json":
			return true
		case "text/html":
			return false
		}
	}
	return false
}
