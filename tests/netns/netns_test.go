//go:build linux

package netns

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/scuttlebutt-go/scuttlebutt/scuttlebutt/status"
)

// hosts is the number of hosts (namespaces) in each lab.
const hosts = 5

// interval is the agents' gossip interval.
const interval = "100ms"

// deadline bounds every wait: suspicion in a small cluster takes a few
// seconds; the margin is for a loaded 2-core machine.
const deadline = 60 * time.Second

var (
	buildOnce sync.Once
	binDir    string
	bin       string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// agentBinary builds examples/agent once per test process.
func agentBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", fmt.Sprintf("%s%d-agent-", namePrefix, os.Getpid()))
		if buildErr != nil {
			return
		}
		bin = filepath.Join(binDir, "agent")
		cmd := exec.Command("go", "build", "-o", bin, "github.com/scuttlebutt-go/scuttlebutt/examples/agent")
		var out lockedBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if buildErr = startCmd(cmd); buildErr == nil {
			buildErr = cmd.Wait()
		}
		if buildErr != nil {
			buildErr = fmt.Errorf("go build examples/agent: %v: %s", buildErr, out.String())
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return bin
}

// startAll creates a lab and starts one agent per host.
func startAll(t *testing.T, extra ...string) *lab {
	t.Helper()
	l := newLab(t, hosts)
	b := agentBinary(t)
	for _, h := range l.hosts {
		h.start(b, append([]string{"-interval", interval}, extra...)...)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, h := range l.hosts {
				t.Logf("--- output of %s (last 3,000 bytes):\n%s", h.id, tail(h.output(), 3000))
			}
		}
	})
	return l
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// waitFor polls cond every 200ms until it holds, and fails the test with
// cond's last explanation at the deadline. It returns the time waited.
func waitFor(t *testing.T, what string, cond func() (bool, string)) time.Duration {
	t.Helper()
	start := time.Now()
	why := ""
	for time.Since(start) < deadline {
		var ok bool
		if ok, why = cond(); ok {
			d := time.Since(start).Round(10 * time.Millisecond)
			t.Logf("%s: after %v", what, d)
			return d
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: not after %v: %s", what, deadline, why)
	return 0
}

// everyOther checks check(report of h, member m about target) for every
// host h but the skipped ones; it explains the first failure.
func (l *lab) everyOther(skip []int, check func(h *host, r status.Report) (bool, string)) (bool, string) {
	for _, h := range l.hosts {
		if contains(skip, h.i) {
			continue
		}
		r, err := h.report()
		if err != nil {
			return false, err.Error()
		}
		if ok, why := check(h, r); !ok {
			return false, h.id + ": " + why
		}
	}
	return true, ""
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func member(r status.Report, id string) (status.Member, bool) {
	for _, m := range r.Members {
		if m.ID == id {
			return m, true
		}
	}
	return status.Member{}, false
}

// allAlive: h's report shows every host alive with its role.
func (l *lab) allAlive(h *host, r status.Report) (bool, string) {
	for _, o := range l.hosts {
		m, ok := member(r, o.id)
		switch {
		case !ok:
			return false, "does not know " + o.id
		case m.Status != "alive":
			return false, fmt.Sprintf("sees %s %s", o.id, m.Status)
		case m.Keys["role"] == "":
			return false, "has no role of " + o.id
		}
	}
	return true, ""
}

// hasStatus: h's report shows target with status st (and, if gen is not
// zero, a generation of at least gen).
func hasStatus(target, st string, gen uint64) func(h *host, r status.Report) (bool, string) {
	return func(h *host, r status.Report) (bool, string) {
		m, ok := member(r, target)
		switch {
		case !ok:
			return false, "does not know " + target
		case m.Status != st:
			return false, fmt.Sprintf("sees %s %s, not %s", target, m.Status, st)
		case m.Generation < gen:
			return false, fmt.Sprintf("sees %s at generation %d, not %d or above", target, m.Generation, gen)
		}
		return true, ""
	}
}

// hasKey: h's report shows target's key with value.
func hasKey(target, key, value string) func(h *host, r status.Report) (bool, string) {
	return func(h *host, r status.Report) (bool, string) {
		m, ok := member(r, target)
		if !ok {
			return false, "does not know " + target
		}
		if got := m.Keys[key]; got != value {
			return false, fmt.Sprintf("sees %s's %s as %q, not %q", target, key, got, value)
		}
		return true, ""
	}
}

// TestRealHosts runs five agents in five namespaces: they join, an update
// spreads, a host cut off is suspected and comes back, and a host killed
// with SIGKILL is suspected and replaced by its restart.
func TestRealHosts(t *testing.T) {
	l := startAll(t)
	waitFor(t, "every host sees every host alive", func() (bool, string) { return l.everyOther(nil, l.allAlive) })

	l.hosts[3].put("color", "blue")
	waitFor(t, "h3's update reached every host", func() (bool, string) { return l.everyOther(nil, hasKey("h3", "color", "blue")) })

	cut := l.hosts[2]
	cut.setLink(false)
	waitFor(t, "every other host suspects h2, cut off", func() (bool, string) {
		return l.everyOther([]int{2}, hasStatus("h2", "suspect", 0))
	})
	cut.setLink(true)
	waitFor(t, "every host sees every host alive again, h2's link back", func() (bool, string) {
		return l.everyOther(nil, l.allAlive)
	})
	cut.put("color", "green")
	waitFor(t, "h2's update after the cut reached every host", func() (bool, string) {
		return l.everyOther(nil, hasKey("h2", "color", "green"))
	})

	killed := l.hosts[4]
	r, err := l.hosts[0].report()
	if err != nil {
		t.Fatal(err)
	}
	old, _ := member(r, killed.id)
	killed.mu.Lock()
	proc := killed.cmd.Process
	killed.mu.Unlock()
	if err := proc.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "every other host suspects h4, killed", func() (bool, string) {
		return l.everyOther([]int{4}, hasStatus("h4", "suspect", 0))
	})
	killed.start(agentBinary(t), "-interval", interval, "-set", "restarted=yes")
	waitFor(t, "h4's restart replaced it everywhere", func() (bool, string) {
		ok, why := l.everyOther(nil, hasStatus("h4", "alive", old.Generation+1))
		if !ok {
			return ok, why
		}
		return l.everyOther(nil, hasKey("h4", "restarted", "yes"))
	})
	if !strings.Contains(killed.output(), `"kind":"join"`) {
		t.Errorf("the restarted h4 printed no join event:\n%s", tail(killed.output(), 2000))
	}
}

// TestLossyNetwork runs five agents that each lose a fifth of the datagrams
// they send and delay the rest by 50ms: the cluster still converges, and an
// update still reaches every host.
func TestLossyNetwork(t *testing.T) {
	l := startAll(t, "-loss", "0.2", "-delay", "50ms")
	waitFor(t, "every host sees every host alive, with loss and delay", func() (bool, string) { return l.everyOther(nil, l.allAlive) })
	l.hosts[1].put("color", "red")
	waitFor(t, "h1's update reached every host, with loss and delay", func() (bool, string) {
		return l.everyOther(nil, hasKey("h1", "color", "red"))
	})
	for _, h := range l.hosts {
		if !strings.Contains(h.output(), `"loss":0.2`) {
			t.Errorf("%s did not start with -loss 0.2", h.id)
		}
	}
}
