//go:build linux

package netns

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/status"
)

// namePrefix starts the name of every namespace the test creates; the
// test's process ID follows, so a later run can tell leftovers of a dead
// run from namespaces of a run still going.
const namePrefix = "sbnt"

const (
	gossipPort = 7946
	httpPort   = 8080
)

// labs counts the labs of this process, for unique names and subnets.
var labs atomic.Int32

// lab is a set of hosts, each a network namespace with one veth link to a
// bridge in a namespace of its own, on the subnet 10.213.N.0/24.
type lab struct {
	t      *testing.T
	name   string // prefix of this lab's namespace names
	bridge string // the bridge's namespace
	subnet string // "10.213.N"
	hosts  []*host
	client *http.Client // dials from the bridge's namespace
}

// host is one namespace and the agent running in it.
type host struct {
	lab  *lab
	i    int
	id   string
	ns   string
	ip   string
	veth string // the bridge's end of the host's link

	mu   sync.Mutex
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{} // closed when cmd has exited
}

// requireLab skips the test unless it can create namespaces.
func requireLab(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipping: creating network namespaces needs root (run: sudo go test ./tests/netns/)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("skipping: the ip command (iproute2) is not on PATH (apt-get install iproute2)")
	}
	probe := fmt.Sprintf("%s%d-probe", namePrefix, os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", probe).CombinedOutput(); err != nil {
		t.Skipf("skipping: ip netns add fails here (%v: %s)", err, strings.TrimSpace(string(out)))
	}
	_ = exec.Command("ip", "netns", "del", probe).Run()
}

// newLab creates n hosts; every agent argument list starts from base.
// Everything is removed when the test ends.
func newLab(t *testing.T, n int) *lab {
	t.Helper()
	requireLab(t)
	sweepLeftovers(t)
	k := labs.Add(1)
	l := &lab{t: t, name: fmt.Sprintf("%s%d-%d", namePrefix, os.Getpid(), k), subnet: fmt.Sprintf("10.213.%d", k%250)}
	l.bridge = l.name + "-br"
	l.addNamespace(l.bridge)
	l.ip(l.bridge, "link", "set", "lo", "up")
	l.ip(l.bridge, "link", "add", "br0", "type", "bridge")
	l.ip(l.bridge, "addr", "add", l.subnet+".254/24", "dev", "br0")
	l.ip(l.bridge, "link", "set", "br0", "up")
	for i := range n {
		h := &host{lab: l, i: i, id: fmt.Sprintf("h%d", i), ns: fmt.Sprintf("%s-h%d", l.name, i),
			ip: fmt.Sprintf("%s.%d", l.subnet, i+1), veth: fmt.Sprintf("v%d", i)}
		l.addNamespace(h.ns)
		l.ip(h.ns, "link", "set", "lo", "up")
		l.ip(l.bridge, "link", "add", h.veth, "type", "veth", "peer", "name", "eth0", "netns", h.ns)
		l.ip(l.bridge, "link", "set", h.veth, "master", "br0")
		l.ip(l.bridge, "link", "set", h.veth, "up")
		l.ip(h.ns, "addr", "add", h.ip+"/24", "dev", "eth0")
		l.ip(h.ns, "link", "set", "eth0", "up")
		l.hosts = append(l.hosts, h)
	}
	nsPath := filepath.Join("/var/run/netns", l.bridge)
	l.client = &http.Client{
		Timeout: 2 * time.Second,
		Transport: &http.Transport{
			DialContext:       dialFrom(nsPath),
			DisableKeepAlives: true, // a link taken down must not leave a stale connection
		},
	}
	t.Logf("lab %s: %d hosts on %s.0/24, bridge in namespace %s", l.name, n, l.subnet, l.bridge)
	return l
}

// addNamespace creates a namespace, removed (with its links) at cleanup.
func (l *lab) addNamespace(name string) {
	l.t.Helper()
	l.run("ip", "netns", "add", name)
	l.t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "del", name).CombinedOutput(); err != nil {
			l.t.Logf("removing namespace %s: %v: %s", name, err, out)
		}
	})
}

// ip runs "ip -n ns args...".
func (l *lab) ip(ns string, args ...string) {
	l.t.Helper()
	l.run("ip", append([]string{"-n", ns}, args...)...)
}

func (l *lab) run(name string, args ...string) {
	l.t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		l.t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
}

// sweepLeftovers removes namespaces of earlier runs whose test process is
// gone (killed before its cleanup ran), and ends the agents still in them.
func sweepLeftovers(t *testing.T) {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(out), "\n") {
		fields := strings.Fields(line) // "name (id: 3)"
		if len(fields) == 0 {
			continue
		}
		name := fields[0]
		rest, ok := strings.CutPrefix(name, namePrefix)
		if !ok {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid == os.Getpid() || processExists(pid) {
			continue
		}
		if pids, err := exec.Command("ip", "netns", "pids", name).Output(); err == nil {
			for _, p := range strings.Fields(string(pids)) {
				if n, err := strconv.Atoi(p); err == nil {
					_ = syscall.Kill(n, syscall.SIGKILL)
				}
			}
		}
		_ = exec.Command("ip", "netns", "del", name).Run()
		t.Logf("removed namespace %s left by process %d", name, pid)
	}
	// The agent binaries of such runs.
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), namePrefix+"*-agent-*"))
	for _, d := range dirs {
		pidText, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(d), namePrefix), "-")
		if pid, err := strconv.Atoi(pidText); err == nil && pid != os.Getpid() && !processExists(pid) {
			_ = os.RemoveAll(d)
		}
	}
}

func processExists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}

// dialFrom returns a DialContext that opens its sockets in the network
// namespace at nsPath. The socket is made on a thread moved into that
// namespace for the purpose; the thread is never moved back, so it is
// locked for good and ends with its goroutine.
func dialFrom(nsPath string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		type result struct {
			c   net.Conn
			err error
		}
		ch := make(chan result, 1)
		go func() {
			runtime.LockOSThread() // no Unlock: the thread dies with this goroutine
			f, err := os.Open(nsPath)
			if err != nil {
				ch <- result{err: err}
				return
			}
			defer f.Close()
			if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
				ch <- result{err: fmt.Errorf("setns %s: %w", nsPath, err)}
				return
			}
			var d net.Dialer
			c, err := d.DialContext(ctx, network, addr)
			ch <- result{c, err}
		}()
		r := <-ch
		return r.c, r.err
	}
}

// seeds returns the gossip addresses of the first two hosts.
func (l *lab) seeds() string {
	return l.hosts[0].gossipAddr() + "," + l.hosts[1].gossipAddr()
}

func (h *host) gossipAddr() string { return net.JoinHostPort(h.ip, strconv.Itoa(gossipPort)) }

// start runs the agent in the host's namespace with extra arguments after
// the common ones.
func (h *host) start(bin string, extra ...string) {
	t := h.lab.t
	t.Helper()
	args := append([]string{"netns", "exec", h.ns, bin,
		"-id", h.id,
		"-bind", h.gossipAddr(),
		"-join", h.lab.seeds(),
		"-http", net.JoinHostPort(h.ip, strconv.Itoa(httpPort)),
		"-http-writes",
		"-set", "role=" + []string{"api", "db", "cache", "worker"}[h.i%4],
		"-leave-timeout", "1s",
	}, extra...)
	cmd := exec.Command("ip", args...)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	// Should the test process die before its cleanup (a -timeout panic),
	// the agent dies with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := startCmd(cmd); err != nil {
		t.Fatalf("starting the agent of %s: %v", h.id, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	h.mu.Lock()
	h.cmd, h.out, h.done = cmd, out, done
	h.mu.Unlock()
	t.Cleanup(func() { h.kill() })
}

// spawns carries commands to the spawner.
var (
	spawnOnce sync.Once
	spawns    = make(chan spawn)
)

type spawn struct {
	cmd  *exec.Cmd
	done chan error
}

// startCmd starts cmd from the spawner goroutine. Pdeathsig fires when the
// thread that started the child ends, not the process; the spawner is
// locked to its thread and never returns, so its thread lives as long as
// the test process (dialFrom's threads, in contrast, end early).
func startCmd(cmd *exec.Cmd) error {
	spawnOnce.Do(func() {
		go func() {
			runtime.LockOSThread()
			for s := range spawns {
				s.done <- s.cmd.Start()
			}
		}()
	})
	done := make(chan error, 1)
	spawns <- spawn{cmd, done}
	return <-done
}

// kill ends the agent with SIGKILL (ip netns exec runs it in its own
// process, so the signal goes to the agent itself) and waits for it.
func (h *host) kill() {
	h.mu.Lock()
	cmd, done := h.cmd, h.done
	h.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	<-done
}

// output returns the agent's output so far.
func (h *host) output() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.out == nil {
		return ""
	}
	return h.out.String()
}

// report fetches the host's status.
func (h *host) report() (status.Report, error) {
	var r status.Report
	resp, err := h.lab.client.Get("http://" + net.JoinHostPort(h.ip, strconv.Itoa(httpPort)) + "/?format=json")
	if err != nil {
		return r, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return r, fmt.Errorf("%s: %s", h.id, resp.Status)
	}
	err = json.NewDecoder(resp.Body).Decode(&r)
	return r, err
}

// put sets key=value on the host's agent through its HTTP endpoint.
func (h *host) put(key, value string) {
	t := h.lab.t
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, "http://"+net.JoinHostPort(h.ip, strconv.Itoa(httpPort))+"/keys/"+key, strings.NewReader(value))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := h.lab.client.Do(req)
	if err != nil {
		t.Fatalf("PUT %s on %s: %v", key, h.id, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("PUT %s on %s: %s", key, h.id, resp.Status)
	}
}

// setLink takes the host's link up or down, from the bridge's side.
func (h *host) setLink(up bool) {
	state := "down"
	if up {
		state = "up"
	}
	h.lab.ip(h.lab.bridge, "link", "set", h.veth, state)
}

// lockedBuffer is a bytes.Buffer safe for the writes of a process and
// the reads of the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
