package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRun runs the demo on loopback: every step spreads, the rotation
// loses no message, the late node is kept out.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out, 4, 50*time.Millisecond))
	for _, want := range []string{"step=installed reached all 4 nodes", "step=rotated reached all 4 nodes",
		"rotated with no message lost", "a node with only the old key tried to join"} {
		require.True(t, strings.Contains(out.String(), want), "%q in:\n%s", want, out.String())
	}
}
