package status

import (
	"html/template"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
)

// pageData is what the page template renders.
type pageData struct {
	Report
	// RefreshSeconds is the meta refresh period; 0 for none.
	RefreshSeconds int
	// Counts holds the members by status, in the order shown.
	Counts []statusCount
	// Selected is the node whose keys are shown, if any; Missing is the
	// selected ID when no node has it.
	Selected *selectedNode
	Missing  string
}

type statusCount struct {
	Status string
	N      int
}

type selectedNode struct {
	ID   string
	Keys []keyValue
}

type keyValue struct{ Key, Value string }

func (h *Handler) servePage(w http.ResponseWriter, rep Report, selected string) {
	d := pageData{Report: rep}
	if h.refresh > 0 {
		d.RefreshSeconds = int(math.Ceil(h.refresh.Seconds()))
	}
	counts := map[string]int{}
	for _, m := range rep.Members {
		counts[m.Status]++
	}
	for _, s := range []scuttlebutt.Status{scuttlebutt.StatusAlive, scuttlebutt.StatusSuspect, scuttlebutt.StatusLeft} {
		d.Counts = append(d.Counts, statusCount{Status: s.String(), N: counts[s.String()]})
	}
	if selected != "" {
		if m, ok := find(rep.Members, selected); ok {
			sel := &selectedNode{ID: m.ID}
			for k, v := range m.Keys {
				sel.Keys = append(sel.Keys, keyValue{k, v})
			}
			slices.SortFunc(sel.Keys, func(a, b keyValue) int {
				if a.Key < b.Key {
					return -1
				}
				return 1
			})
			d.Selected = sel
		} else {
			d.Missing = selected
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := page.Execute(w, d); err != nil {
		// The header is gone; all that is left is to stop writing.
		return
	}
}

// age formats how long ago t was, relative to now: "12s", "3m4s", "2h5m".
func age(now, t time.Time) string {
	d := now.Sub(t)
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < time.Hour:
		return d.Truncate(time.Second).String()
	default:
		return d.Truncate(time.Minute).String()
	}
}

var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"age":   age,
	"clock": func(t time.Time) string { return t.Format("15:04:05") },
}).Parse(pageHTML))

const pageHTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{{- if .RefreshSeconds}}
<meta http-equiv="refresh" content="{{.RefreshSeconds}}">
{{- end}}
<title>{{.ID}} · scuttlebutt</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; background: #fff; }
h1 { font-size: 1.3em; margin: 0 0 .2em; }
h2 { font-size: 1.1em; margin: 1.2em 0 .4em; }
.meta { color: #555; margin: 0 0 1em; }
table { border-collapse: collapse; }
th, td { text-align: left; padding: .3em .8em; border-bottom: 1px solid #e3e3e3; }
th { background: #f4f4f4; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.mono, .mono { font-family: ui-monospace, monospace; }
tr.selected td { background: #fff8dc; }
a { color: #0645ad; text-decoration: none; }
a:hover { text-decoration: underline; }
.badge { display: inline-block; padding: 0 .5em; border-radius: .8em; font-size: .9em; }
.alive { background: #dff3e0; color: #1b5e20; }
.suspect { background: #fde2e1; color: #b71c1c; }
.left { background: #e8e8e8; color: #555; }
footer { color: #777; margin-top: 1.5em; font-size: .9em; }
</style>
</head>
<body>
<h1>{{.ID}}</h1>
<p class="meta"><span class="mono">{{.Addr}}</span> · generation <span class="mono">{{.Generation}}</span> ·
{{range $i, $c := .Counts}}{{if $i}}, {{end}}<span id="count-{{$c.Status}}">{{$c.N}}</span> {{$c.Status}}{{end}} ·
{{.Stats.Rounds}} rounds, {{.Stats.MessagesSent}} messages sent, {{.Stats.MessagesReceived}} received</p>
<table id="members">
<thead><tr><th>ID</th><th>Address</th><th>Status</th><th>Generation</th><th>Last change</th><th>Keys</th></tr></thead>
<tbody>
{{- $now := .Time}}{{$sel := ""}}{{with .Selected}}{{$sel = .ID}}{{end}}
{{- range .Members}}
<tr data-id="{{.ID}}"{{if eq .ID $sel}} class="selected"{{end}}>
<td class="id"><a href="?node={{.ID}}">{{.ID}}</a>{{if .Self}} <small>(this node)</small>{{end}}</td>
<td class="mono">{{.Addr}}</td>
<td class="status"><span class="badge {{.Status}}">{{.Status}}</span></td>
<td class="mono num">{{.Generation}}</td>
<td>{{if .Since.IsZero}}—{{else}}{{clock .Since}} ({{age $now .Since}} ago){{end}}</td>
<td class="num"><a href="?node={{.ID}}">{{.KeyCount}}</a></td>
</tr>
{{- end}}
</tbody>
</table>
{{- with .Selected}}
<section id="keys">
<h2>Keys of {{.ID}} <small><a href="?">close</a></small></h2>
{{- if .Keys}}
<table>
<thead><tr><th>Key</th><th>Value</th></tr></thead>
<tbody>
{{- range .Keys}}
<tr><td class="mono">{{.Key}}</td><td class="mono">{{.Value}}</td></tr>
{{- end}}
</tbody>
</table>
{{- else}}
<p>No keys.</p>
{{- end}}
</section>
{{- end}}
{{- if .Missing}}
<p id="keys">No node {{.Missing}} is known.</p>
{{- end}}
<footer>As of {{clock .Time}}{{if .RefreshSeconds}}, reloading every {{.RefreshSeconds}}s{{end}} · <a href="?format=json">JSON</a></footer>
</body>
</html>
`
