package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
)

// options are the command-line flags.
type options struct {
	id, bind, advertise string
	join                []string
	set                 []keyValue
	transport, codec    string
	interval            time.Duration
	fanout, mtu         int
	removeAfter         time.Duration
	http                string
	httpWrites          bool
	loss                float64
	delay, jitter       time.Duration
	seed                uint64
	leaveTimeout        time.Duration
	logLevel            slog.Level
	tlsCert, tlsKey     string
	tlsCA               string
	label               string
	keyFile             string
	encryption          string
}

type keyValue struct{ key, value string }

// keyValues is a repeatable -set flag.
type keyValues struct{ kvs *[]keyValue }

func (k keyValues) String() string {
	if k.kvs == nil {
		return ""
	}
	var parts []string
	for _, kv := range *k.kvs {
		parts = append(parts, kv.key+"="+kv.value)
	}
	return strings.Join(parts, ",")
}

func (k keyValues) Set(s string) error {
	key, value, ok := strings.Cut(s, "=")
	if !ok || key == "" {
		return errors.New("want key=value")
	}
	*k.kvs = append(*k.kvs, keyValue{key, value})
	return nil
}

// addrList is a repeatable, comma-separated -join flag.
type addrList struct{ addrs *[]string }

func (a addrList) String() string {
	if a.addrs == nil {
		return ""
	}
	return strings.Join(*a.addrs, ",")
}

func (a addrList) Set(s string) error {
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*a.addrs = append(*a.addrs, part)
		}
	}
	return nil
}

// parseFlags parses args; errors and -h go to errOut.
func parseFlags(args []string, errOut io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("agent", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.StringVar(&o.id, "id", "", "node ID (default: the host name and the bind port)")
	fs.StringVar(&o.bind, "bind", "127.0.0.1:7946", "address to gossip on")
	fs.StringVar(&o.advertise, "advertise", "", "address peers send to (default: derived from -bind)")
	fs.Var(addrList{&o.join}, "join", "seed addresses, comma-separated; repeatable")
	fs.Var(keyValues{&o.set}, "set", "a key=value of this node's state; repeatable")
	fs.StringVar(&o.transport, "transport", "udp", "udp, tcp or quic")
	fs.StringVar(&o.codec, "codec", "binary", "binary, msgpack or json")
	fs.DurationVar(&o.interval, "interval", 500*time.Millisecond, "gossip interval")
	fs.IntVar(&o.fanout, "fanout", 3, "peers per gossip round")
	fs.IntVar(&o.mtu, "mtu", 0, "datagram size limit in bytes (default: the transport's)")
	fs.DurationVar(&o.removeAfter, "remove-after", 2*time.Minute, "how long a suspected or departed node is kept")
	fs.StringVar(&o.http, "http", "", "serve the status page and /metrics on this address")
	fs.BoolVar(&o.httpWrites, "http-writes", false, "serve PUT and DELETE /keys/{key}")
	fs.Float64Var(&o.loss, "loss", 0, "fraction of the datagrams sent to lose")
	fs.DurationVar(&o.delay, "delay", 0, "delay added to every datagram sent")
	fs.DurationVar(&o.jitter, "jitter", 0, "random extra delay, up to this much")
	fs.Uint64Var(&o.seed, "seed", 0, "seed of the random choices (default: from the clock)")
	fs.DurationVar(&o.leaveTimeout, "leave-timeout", 3*time.Second, "how long Leave waits on shutdown")
	fs.TextVar(&o.logLevel, "log-level", slog.LevelInfo, "debug, info, warn or error")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "PEM certificate for -transport quic")
	fs.StringVar(&o.tlsKey, "tls-key", "", "PEM private key for -transport quic")
	fs.StringVar(&o.tlsCA, "tls-ca", "", "PEM CA certificates peers must chain to, for -transport quic")
	fs.StringVar(&o.label, "label", "", "cluster label: messages of another label are dropped")
	fs.StringVar(&o.keyFile, "key-file", "", "file of base64 AES keys, one a line, the first primary: seal every message (udp, tcp)")
	fs.StringVar(&o.encryption, "encryption", "require", "with -key-file: require, accept-plaintext or send-plaintext")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected arguments: %q", fs.Args())
		fmt.Fprintln(errOut, err)
		fs.Usage()
		return o, err
	}
	return o, nil
}
