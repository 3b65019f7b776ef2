package transporttest_test

import (
	"os"
	"os/exec"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/scuttlebutt-go/scuttlebutt/transport"
	"github.com/scuttlebutt-go/scuttlebutt/transport/transporttest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fakeSuite runs the suite over the fake network with the given bug.
func fakeSuite(bug string, timeout time.Duration) transporttest.Suite {
	network := newFakeNetwork()
	return transporttest.Suite{
		New:      func(*testing.T) transport.Transport { return network.newFake(bug) },
		Reliable: true,
		Timeout:  timeout,
	}
}

// TestFake: a correct transport passes every case.
func TestFake(t *testing.T) {
	transporttest.Run(t, fakeSuite("", 0))
}

// brokenEnv names the bug a child process runs the suite with.
const brokenEnv = "TRANSPORTTEST_BUG"

// TestBrokenChild runs only in a child process started by TestBroken.
func TestBrokenChild(t *testing.T) {
	bug := os.Getenv(brokenEnv)
	if bug == "" {
		t.Skip("run by TestBroken")
	}
	// A short timeout: the broken cases fail by waiting in vain.
	transporttest.Run(t, fakeSuite(bug, 500*time.Millisecond))
}

// TestBroken: each deliberately broken transport fails the case written for
// that rule. The suite runs in a child process because it fails.
func TestBroken(t *testing.T) {
	if os.Getenv(brokenEnv) != "" {
		t.Skip("in the child")
	}
	tests := []struct {
		bug   string
		fails string // the case that must fail
	}{
		{"retain", "SendReceive"},
		{"no-mtu", "MTU"},
		{"send-after-close", "CloseUnstarted"},
		{"start-twice", "StartTwice"},
		{"leak", "NoLeaks"},
	}
	for _, tt := range tests {
		t.Run(tt.bug, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenChild$/^"+tt.fails+"$", "-test.count=1")
			cmd.Env = append(os.Environ(), brokenEnv+"="+tt.bug)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "the suite passed a transport with bug %q:\n%s", tt.bug, out)
			failed := regexp.MustCompile(`(?m)^\s*--- FAIL: TestBrokenChild/` + tt.fails + `\b`)
			assert.Regexp(t, failed, string(out))
		})
	}
}
