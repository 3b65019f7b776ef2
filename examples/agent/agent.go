package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/metrics"
	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/status"
	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/faulty"
)

// run starts the agent, waits until ctx is done, then leaves and closes.
func run(ctx context.Context, o options, out io.Writer) error {
	a, err := start(o, out)
	if err != nil {
		return err
	}
	<-ctx.Done()
	return a.shutdown()
}

// agent is a running node and its HTTP server.
type agent struct {
	o      options
	node   *scuttlebutt.Node
	tr     transport.Transport
	faults interface{ Stats() faulty.Stats } // nil without -loss, -delay, -jitter
	log    *slog.Logger
	srv    *http.Server
	ln     net.Listener  // nil without -http
	served chan struct{} // closed when the HTTP server returned
}

// start builds the node, publishes the -set keys, joins the seeds and
// serves HTTP.
func start(o options, out io.Writer) (*agent, error) {
	log := slog.New(slog.NewJSONHandler(out, &slog.HandlerOptions{Level: o.logLevel}))
	cdc, err := newCodec(o.codec)
	if err != nil {
		return nil, err
	}
	tr, faults, err := newTransport(o)
	if err != nil {
		return nil, err
	}
	if o.id == "" {
		o.id = defaultID(tr.LocalAddr())
	}
	a := &agent{o: o, tr: tr, faults: faults, log: log}
	b := scuttlebutt.NewBuilder(o.id).
		Transport(tr). // the node owns it from here on, also when Build fails
		AdvertiseAddr(o.advertise).
		Codec(cdc).
		GossipInterval(o.interval).
		Fanout(o.fanout).
		MTU(o.mtu).
		Label(o.label).
		RemoveAfter(o.removeAfter).
		Logger(log.With("component", "node")).
		Subscriber(scuttlebutt.EventSubscriberFunc(a.onEvent))
	if o.seed != 0 {
		b.Seed(o.seed)
	}
	a.node, err = b.Build()
	if err != nil {
		return nil, err
	}
	if err := a.setup(); err != nil {
		a.node.Close()
		return nil, err
	}
	attrs := []any{"id", a.node.ID(), "addr", a.node.Addr(), "generation", a.node.Generation(),
		"transport", o.transport, "codec", o.codec, "interval", o.interval.String(), "join", strings.Join(o.join, ",")}
	if a.ln != nil {
		attrs = append(attrs, "http", a.ln.Addr().String())
	}
	if o.loss > 0 || o.delay > 0 || o.jitter > 0 {
		attrs = append(attrs, "loss", o.loss, "delay", o.delay.String(), "jitter", o.jitter.String())
	}
	log.Info("started", attrs...)
	return a, nil
}

// setup publishes the keys, joins and starts the HTTP server.
func (a *agent) setup() error {
	for _, kv := range a.o.set {
		if err := a.node.UpdateLocal(kv.key, kv.value); err != nil {
			return fmt.Errorf("-set %s: %w", kv.key, err)
		}
	}
	if len(a.o.join) > 0 {
		if err := a.node.Join(a.o.join); err != nil {
			return fmt.Errorf("-join: %w", err)
		}
	}
	if a.o.http == "" {
		return nil
	}
	ln, err := net.Listen("tcp", a.o.http)
	if err != nil {
		return fmt.Errorf("-http: %w", err)
	}
	a.ln = ln
	a.srv = &http.Server{Handler: a.handler(), ReadHeaderTimeout: 5 * time.Second}
	a.served = make(chan struct{})
	go func() {
		defer close(a.served)
		if err := a.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("http server", "err", err)
		}
	}()
	return nil
}

// handler serves the status page at / and the metrics at /metrics, and,
// with -http-writes, PUT and DELETE /keys/{key}.
func (a *agent) handler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		metrics.NewCollector(a.node),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	mux := http.NewServeMux()
	mux.Handle("/", status.New(a.node, status.Options{}))
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	if a.o.httpWrites {
		mux.HandleFunc("PUT /keys/{key}", a.putKey)
		mux.HandleFunc("DELETE /keys/{key}", a.deleteKey)
	}
	return mux
}

// maxValue bounds a PUT body; the node refuses what would not fit a
// message anyway.
const maxValue = 1 << 16

func (a *agent) putKey(w http.ResponseWriter, r *http.Request) {
	value, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxValue))
	if err != nil {
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	a.write(w, a.node.UpdateLocal(r.PathValue("key"), string(value)))
}

func (a *agent) deleteKey(w http.ResponseWriter, r *http.Request) {
	a.write(w, a.node.DeleteLocal(r.PathValue("key")))
}

func (a *agent) write(w http.ResponseWriter, err error) {
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.Is(err, scuttlebutt.ErrClosed):
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
	default:
		http.Error(w, err.Error(), http.StatusBadRequest)
	}
}

// onEvent prints one event as a JSON line.
func (a *agent) onEvent(e scuttlebutt.Event) {
	attrs := []any{"kind", e.Kind.String(), "node", e.Node, "generation", e.Generation}
	if e.Kind == scuttlebutt.EventUpdate || e.Kind == scuttlebutt.EventDelete {
		attrs = append(attrs, "key", e.Key, "version", e.Version)
		if e.Kind == scuttlebutt.EventUpdate {
			attrs = append(attrs, "value", e.Value)
		}
	}
	a.log.Info("event", attrs...)
}

// shutdown leaves the cluster (waiting up to -leave-timeout for
// acknowledgements), stops the HTTP server and closes the node.
func (a *agent) shutdown() error {
	a.log.Info("leaving", "id", a.node.ID())
	ctx, cancel := context.WithTimeout(context.Background(), a.o.leaveTimeout)
	err := a.node.Leave(ctx)
	cancel()
	if err != nil {
		a.log.Warn("left without enough acknowledgements", "err", err)
	} else {
		a.log.Info("left", "id", a.node.ID())
	}
	if a.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if err := a.srv.Shutdown(ctx); err != nil {
			a.srv.Close()
		}
		cancel()
		<-a.served
	}
	err = a.node.Close()
	s := a.node.Stats()
	attrs := []any{"id", a.node.ID(), "rounds", s.Rounds, "messages_sent", s.MessagesSent, "messages_received", s.MessagesReceived}
	if a.faults != nil {
		attrs = append(attrs, "lost_on_purpose", a.faults.Stats().Lost)
	}
	a.log.Info("closed", attrs...)
	return err
}

// defaultID is the host name and the gossip port: "web-3-7946".
func defaultID(localAddr string) string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "agent"
	}
	if _, port, err := net.SplitHostPort(localAddr); err == nil {
		return host + "-" + port
	}
	return host
}
