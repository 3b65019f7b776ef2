package main

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/status"
	"github.com/scuttlebutt-go/scuttlebutt/transport/faulty"
	"github.com/scuttlebutt-go/scuttlebutt/transport/keyring"
	"github.com/scuttlebutt-go/scuttlebutt/transport/quic"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// syncBuffer collects an agent's output lines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// lines returns every JSON line written so far, decoded.
func (s *syncBuffer) lines(t *testing.T) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(s.b.Bytes()))
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), "every line is JSON: %s", sc.Text())
		out = append(out, m)
	}
	return out
}

func parse(t *testing.T, args ...string) options {
	t.Helper()
	o, err := parseFlags(args, io.Discard)
	require.NoError(t, err)
	return o
}

// startAgent starts an agent on loopback with an HTTP server on a free
// port; it is shut down at the end of the test unless the test does it.
func startAgent(t *testing.T, args ...string) (*agent, *syncBuffer) {
	t.Helper()
	out := &syncBuffer{}
	a, err := start(parse(t, append([]string{"-bind", "127.0.0.1:0", "-http", "127.0.0.1:0", "-interval", "50ms"}, args...)...), out)
	require.NoError(t, err)
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { a.shutdown() }) })
	return a, out
}

func (a *agent) url(path string) string { return "http://" + a.ln.Addr().String() + path }

func report(t *testing.T, a *agent) status.Report {
	t.Helper()
	resp, err := http.Get(a.url("/?format=json"))
	require.NoError(t, err)
	defer resp.Body.Close()
	var r status.Report
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&r))
	return r
}

// sees reports whether a's report shows node id alive with key=value.
func sees(t *testing.T, a *agent, id, key, value string) bool {
	for _, m := range report(t, a).Members {
		if m.ID == id {
			return m.Status == "alive" && m.Keys[key] == value
		}
	}
	return false
}

// TestAgents runs two agents over each transport: they meet, a key set
// over HTTP spreads, /metrics serves the collector, and one leaves the
// other's view gracefully.
func TestAgents(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"udp", nil},
		{"tcp", []string{"-transport", "tcp", "-codec", "msgpack"}},
		{"quic", append([]string{"-transport", "quic", "-codec", "json"}, tlsFlags(t)...)},
		{"faulty", []string{"-loss", "0.2", "-delay", "10ms", "-seed", "3"}},
		{"sealed", []string{"-key-file", keyFile(t, 1, 2), "-label", "prod"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, outA := startAgent(t, append([]string{"-id", "a", "-set", "role=api", "-http-writes"}, tc.args...)...)
			b, _ := startAgent(t, append([]string{"-id", "b", "-set", "role=db", "-join", a.node.Addr()}, tc.args...)...)
			require.Eventually(t, func() bool { return sees(t, a, "b", "role", "db") && sees(t, b, "a", "role", "api") },
				10*time.Second, 20*time.Millisecond, "the agents meet")

			req, _ := http.NewRequest(http.MethodPut, a.url("/keys/zone"), strings.NewReader("eu-1"))
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusNoContent, resp.StatusCode)
			require.Eventually(t, func() bool { return sees(t, b, "a", "zone", "eu-1") }, 10*time.Second, 20*time.Millisecond)

			req, _ = http.NewRequest(http.MethodPut, b.url("/keys/zone"), strings.NewReader("x"))
			resp, err = http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusNotFound, resp.StatusCode, "b has no -http-writes")

			resp, err = http.Get(b.url("/metrics"))
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.Contains(t, string(body), `scuttlebutt_members{status="alive"} 2`)
			require.Contains(t, string(body), "go_goroutines")

			require.NoError(t, b.shutdown())
			require.Eventually(t, func() bool {
				for _, m := range report(t, a).Members {
					if m.ID == "b" {
						return m.Status == "left"
					}
				}
				return false
			}, 10*time.Second, 20*time.Millisecond, "a sees b leave")
			_, isFaulty := a.tr.(interface{ Stats() faulty.Stats })
			require.Equal(t, tc.name == "faulty", isFaulty)

			// Events reach the log from the Node's delivery goroutine,
			// after the state the status page reads has changed.
			kinds := map[string]bool{}
			require.Eventually(t, func() bool {
				for _, l := range outA.lines(t) {
					if l["msg"] == "event" {
						kinds[l["kind"].(string)] = true
					}
				}
				return kinds["join"] && kinds["update"] && kinds["leave"]
			}, 10*time.Second, 20*time.Millisecond, "a printed the events: %v", kinds)
		})
	}
}

// keyFile writes a -key-file of 32-byte keys filled with the given bytes,
// the first the primary, and returns its name.
func keyFile(t *testing.T, fill ...byte) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("# test keys\n")
	for _, f := range fill {
		b.WriteString(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{f}, 32)) + "\n")
	}
	name := filepath.Join(t.TempDir(), "keys")
	require.NoError(t, os.WriteFile(name, []byte(b.String()), 0o600))
	return name
}

// TestAgentsApart: agents with another label, or without the key, never
// join a sealed, labelled agent; what they send is counted and dropped.
func TestAgentsApart(t *testing.T) {
	a, _ := startAgent(t, "-id", "a", "-key-file", keyFile(t, 1), "-label", "prod")
	wrongLabel, _ := startAgent(t, "-id", "l", "-key-file", keyFile(t, 1), "-label", "staging", "-join", a.node.Addr())
	noKey, _ := startAgent(t, "-id", "k", "-label", "prod", "-join", a.node.Addr())
	wrongKey, _ := startAgent(t, "-id", "w", "-key-file", keyFile(t, 9), "-label", "prod", "-join", a.node.Addr())
	require.Eventually(t, func() bool {
		return a.node.Stats().LabelDrops > 0 && a.node.Keyring() != nil
	}, 10*time.Second, 20*time.Millisecond, "a drops the other label's messages")
	sealed, ok := a.tr.(interface{ Stats() keyring.Stats })
	require.True(t, ok)
	require.Eventually(t, func() bool { s := sealed.Stats(); return s.Refused > 0 && s.Failed > 0 },
		10*time.Second, 20*time.Millisecond, "a drops plaintext and wrongly sealed messages")
	for _, x := range []*agent{a, wrongLabel, noKey, wrongKey} {
		require.Len(t, x.node.Members(), 1, "%s stays alone", x.node.ID())
	}
}

func TestKeyFileErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad")
	require.NoError(t, os.WriteFile(bad, []byte("not base64!\n"), 0o600))
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, []byte("# nothing\n"), 0o600))
	short := filepath.Join(dir, "short")
	require.NoError(t, os.WriteFile(short, []byte(base64.StdEncoding.EncodeToString([]byte("abc"))+"\n"), 0o600))
	for _, tc := range []struct{ args []string }{
		{[]string{"-key-file", bad}},
		{[]string{"-key-file", empty}},
		{[]string{"-key-file", short}},
		{[]string{"-key-file", filepath.Join(dir, "missing")}},
		{[]string{"-encryption", "sometimes", "-key-file", keyFile(t, 1)}},
		{[]string{"-key-file", keyFile(t, 1), "-transport", "quic"}},
	} {
		_, err := start(parse(t, append([]string{"-bind", "127.0.0.1:0"}, tc.args...)...), io.Discard)
		require.Error(t, err, "%v", tc.args)
		require.Contains(t, err.Error(), tc.args[0], "the error names the flag: %v", tc.args)
	}
}

// tlsFlags writes a throwaway certificate, its key and itself as the CA,
// and returns the -tls flags naming them.
func tlsFlags(t *testing.T) []string {
	cfg, err := quic.SelfSignedTLS()
	require.NoError(t, err)
	cert := cfg.Certificates[0]
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	require.NoError(t, err)
	dir := t.TempDir()
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]})
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, 0o600))
		return p
	}
	return []string{
		"-tls-cert", write("cert.pem", certPEM),
		"-tls-key", write("key.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key})),
		"-tls-ca", write("ca.pem", certPEM),
	}
}

// TestFlags checks the parsing and the errors that name the flag.
func TestFlags(t *testing.T) {
	o := parse(t, "-join", "a:1, b:2", "-join", "c:3", "-set", "role=api", "-set", "eq=a=b", "-log-level", "debug")
	require.Equal(t, []string{"a:1", "b:2", "c:3"}, o.join)
	require.Equal(t, []keyValue{{"role", "api"}, {"eq", "a=b"}}, o.set)
	require.Equal(t, "127.0.0.1:7946", o.bind)

	for _, args := range [][]string{{"-set", "novalue"}, {"-set", "=x"}, {"-interval", "soon"}, {"extra"}, {"-log-level", "loud"}} {
		_, err := parseFlags(args, io.Discard)
		require.Error(t, err, "%v", args)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-transport", "carrier-pigeon"}, "-transport"},
		{[]string{"-codec", "xml"}, "-codec"},
		{[]string{"-transport", "quic"}, "-tls-cert"},
		{[]string{"-loss", "2"}, "Loss"},
		{[]string{"-set", "_sb.x=1"}, "-set _sb.x"},
		{[]string{"-http", "127.0.0.1:-1"}, "-http"},
	} {
		_, err := start(parse(t, append([]string{"-bind", "127.0.0.1:0"}, tc.args...)...), io.Discard)
		require.ErrorContains(t, err, tc.want, "%v", tc.args)
	}
}

// TestSignal runs the real binary: SIGTERM makes it leave and close, and
// it exits 0.
func TestSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "agent")
	build := exec.Command("go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))

	a, _ := startAgent(t, "-id", "a")
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		var stdout syncBuffer
		cmd := exec.Command(bin, "-id", "b", "-bind", "127.0.0.1:0", "-interval", "50ms", "-join", a.node.Addr())
		cmd.Stdout = &stdout
		require.NoError(t, cmd.Start())
		require.Eventually(t, func() bool { return sees(t, a, "b", "", "") }, 10*time.Second, 20*time.Millisecond,
			"a sees b alive: b runs and handles signals")
		require.NoError(t, cmd.Process.Signal(sig))
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			require.NoError(t, err, "exit status after %v", sig)
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("no exit after %v", sig)
		}
		var msgs []string
		for _, l := range stdout.lines(t) {
			msgs = append(msgs, l["msg"].(string))
		}
		require.Subset(t, msgs, []string{"started", "leaving", "left", "closed"}, "after %v", sig)
		require.Eventually(t, func() bool {
			for _, m := range report(t, a).Members {
				if m.ID == "b" {
					return m.Status == "left"
				}
			}
			return true // already removed
		}, 10*time.Second, 20*time.Millisecond)
	}
}
