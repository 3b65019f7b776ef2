// Command agent runs one Scuttlebutt node as a process you can operate: it
// gossips over UDP, TCP or QUIC, prints every event as a JSON line, serves
// Prometheus metrics and a status page over HTTP, and leaves the cluster
// gracefully on SIGINT or SIGTERM (Leave, then Close).
//
//	go run ./examples/agent -bind 127.0.0.1:7946 -set role=api -http 127.0.0.1:8080
//	go run ./examples/agent -bind 127.0.0.1:7947 -join 127.0.0.1:7946 -set role=db -http 127.0.0.1:8081
//
// Then open http://127.0.0.1:8080/ for the status page (its JSON with
// ?format=json) and http://127.0.0.1:8080/metrics for the metrics.
//
// Flags:
//
//	-id ID             node ID (default: the host name and the bind port)
//	-bind ADDR         address to gossip on (default 127.0.0.1:7946; go-sockaddr templates work)
//	-advertise ADDR    address peers send to (default: derived from -bind; for a
//	                   wildcard host, a private address of this machine)
//	-join A,B          seed addresses, comma-separated; repeatable
//	-set K=V           a key of this node's state; repeatable
//	-transport NAME    udp, tcp or quic (default udp)
//	-codec NAME        binary, msgpack or json (default binary)
//	-interval D        gossip interval (default 500ms)
//	-fanout N          peers per round (default 3)
//	-mtu N             datagram size limit in bytes (default: the transport's)
//	-remove-after D    how long a suspected or departed node is kept (default 2m)
//	-http ADDR         serve / (status page and JSON) and /metrics here (default: none)
//	-http-writes       also serve PUT and DELETE /keys/{key} to change this node's keys
//	-loss P            lose this fraction of the datagrams sent (0 to 1)
//	-delay D           hold every datagram sent back this long
//	-jitter D          add a random delay of up to this much
//	-seed N            seed of the node's and the faults' random choices (default: from the clock)
//	-leave-timeout D   how long Leave waits for acknowledgements on shutdown (default 3s)
//	-log-level L       debug, info, warn or error (default info)
//	-tls-cert, -tls-key, -tls-ca FILE
//	                   PEM files for -transport quic: this node's certificate and key,
//	                   and the CA that every peer's certificate must chain to (mutual TLS)
//	-label NAME        cluster label: messages of another label (or none) are dropped
//	-key-file FILE     base64 AES keys (16, 24 or 32 bytes), one a line, the first the
//	                   primary: every message is sealed (udp, tcp; see transport/keyring)
//	-encryption MODE   with -key-file: require (default), accept-plaintext or
//	                   send-plaintext, the steps of turning encryption on in a running cluster
//
// Every line on standard output is one JSON object from log/slog: "started",
// one "event" per cluster event (kind, node, generation, and key, value and
// version for updates and deletes), "leaving", "left" and "closed".
//
// -loss, -delay and -jitter wrap the transport in transport/faulty, to try
// the cluster on a bad network.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "agent:", err)
		os.Exit(1)
	}
}
