package tests

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/scuttlebutt-go/scuttlebutt"

// interfaces are the packages the layers meet at.
var interfaces = map[string]bool{
	module + "/codec":     true,
	module + "/transport": true,
	module + "/store":     true,
	module + "/detector":  true,
}

// goList returns each package of the module with its non-test dependencies
// that belong to the module.
func goList(t *testing.T) map[string][]string {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Deps " "}}`, module+"/...").CombinedOutput()
	require.NoError(t, err, string(out))
	pkgs := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		var own []string
		for _, d := range fields[1:] {
			if strings.HasPrefix(d, module+"/") {
				own = append(own, d)
			}
		}
		pkgs[fields[0]] = own
	}
	return pkgs
}

// layer returns the interface package that pkg belongs to when pkg is an
// implementation package (transport/udp, codec/binary, ...) or an internal
// package of one layer (transport/internal/frame, ...), and "" otherwise.
// Test-suite packages (transport/transporttest, ...) are no implementation.
func layer(pkg string) string {
	parts := strings.Split(strings.TrimPrefix(pkg, module+"/"), "/")
	iface := module + "/" + parts[0]
	switch {
	case !interfaces[iface] || len(parts) < 2:
		return ""
	case parts[1] == "internal" && len(parts) >= 3:
		return iface
	case len(parts) == 2 && parts[1] != "internal" && !strings.HasSuffix(parts[1], "test"):
		return iface
	}
	return ""
}

// allowedDep reports whether pkg, an implementation or internal package of
// layer iface, may import dep of this module: only iface itself and the
// packages under iface/internal/.
func allowedDep(iface, dep string) bool {
	return dep == iface || strings.HasPrefix(dep, iface+"/internal/")
}

// TestDepsImplementationsImportOnlyTheirInterface keeps the shape of DESIGN.md:
// an implementation package (transport/udp, codec/binary, ...) depends on its
// own interface package, and on the shared code under that interface's
// internal/ (transport/internal/...), and nothing else of this module; never
// on scuttlebutt/ and never on another implementation. The internal packages
// are held to the same rule. The protocol core depends on the interface
// packages only.
func TestDepsImplementationsImportOnlyTheirInterface(t *testing.T) {
	pkgs := goList(t)
	checked := 0
	for pkg, deps := range pkgs {
		iface := layer(pkg)
		if iface == "" {
			continue
		}
		checked++
		for _, d := range deps {
			require.True(t, allowedDep(iface, d), "%s must import only %s and %s/internal/..., not %s", pkg, iface, iface, d)
		}
	}
	require.GreaterOrEqual(t, checked, 6, "expected to check the implementation packages")

	core := module + "/scuttlebutt/internal/core"
	require.Contains(t, pkgs, core)
	for _, d := range pkgs[core] {
		require.True(t, interfaces[d], "the protocol core must depend only on the interfaces, not %s", d)
	}
}

// TestDepsRule checks the rule itself, so that loosening it for internal
// packages lets nothing else through.
func TestDepsRule(t *testing.T) {
	tr := module + "/transport"
	for _, tt := range []struct {
		pkg, dep string
		ok       bool
	}{
		{tr + "/tcp", tr, true},
		{tr + "/tcp", tr + "/internal/frame", true},
		{tr + "/quic", tr + "/internal/peerq", true},
		{tr + "/internal/conncfg", tr, true},
		{tr + "/internal/peerq", tr + "/internal/frame", true},
		{tr + "/tcp", tr + "/udp", false},
		{tr + "/tcp", tr + "/addr", false},
		{tr + "/tcp", tr + "/transporttest", false},
		{tr + "/tcp", tr + "/internalfoo", false},
		{tr + "/tcp", module + "/codec", false},
		{tr + "/tcp", module + "/codec/internal/x", false},
		{tr + "/tcp", module + "/scuttlebutt", false},
		{tr + "/tcp", module + "/scuttlebutt/internal/core", false},
		{tr + "/internal/frame", tr + "/tcp", false},
		{tr + "/internal/frame", module + "/store", false},
		{module + "/codec/binary", tr + "/internal/frame", false},
		{module + "/codec/binary", module + "/codec/internal/x", true},
	} {
		iface := layer(tt.pkg)
		require.NotEmpty(t, iface, "%s is an implementation or internal package", tt.pkg)
		require.Equal(t, tt.ok, allowedDep(iface, tt.dep), "%s importing %s", tt.pkg, tt.dep)
	}
	for _, pkg := range []string{tr, tr + "/transporttest", tr + "/internal", module + "/scuttlebutt", module + "/tests"} {
		require.Empty(t, layer(pkg), "%s is not held to the implementation rule", pkg)
	}
}
