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

// TestImplementationsImportOnlyTheirInterface keeps the shape of DESIGN.md:
// an implementation package (transport/udp, codec/binary, ...) depends on its
// own interface package and nothing else of this module; never on
// scuttlebutt/ and never on another implementation. The protocol core
// depends on the interface packages only.
func TestImplementationsImportOnlyTheirInterface(t *testing.T) {
	pkgs := goList(t)
	checked := 0
	for pkg, deps := range pkgs {
		rel := strings.TrimPrefix(pkg, module+"/")
		parts := strings.Split(rel, "/")
		if len(parts) != 2 || !interfaces[module+"/"+parts[0]] || strings.HasSuffix(parts[1], "test") {
			continue
		}
		checked++
		for _, d := range deps {
			require.Equal(t, module+"/"+parts[0], d, "%s must import only its interface package, not %s", pkg, d)
		}
	}
	require.GreaterOrEqual(t, checked, 6, "expected to check the implementation packages")

	core := module + "/scuttlebutt/internal/core"
	require.Contains(t, pkgs, core)
	for _, d := range pkgs[core] {
		require.True(t, interfaces[d], "the protocol core must depend only on the interfaces, not %s", d)
	}
}
