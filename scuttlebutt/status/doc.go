// Package status serves a Node's view of its cluster over HTTP: an HTML
// page for people and the same data as JSON for programs.
//
//	http.Handle("/", status.New(node, status.Options{}))
//
// The page lists every node this node knows (ID, address, status,
// generation, last status change and key count) and reloads itself every
// Options.Refresh; clicking a node's ID shows its keys. It is one
// self-contained document: no script, no framework, no external asset.
//
// A request with "Accept: application/json", or with ?format=json, gets a
// Report instead: the same members with every key, and the node's Stats.
// ?node=ID selects one node (its keys on the page; its Member alone as
// JSON, or 404 when unknown).
//
// Keys and values come from remote nodes and are escaped on the page. The
// handler only reads; it changes nothing on the Node.
package status
