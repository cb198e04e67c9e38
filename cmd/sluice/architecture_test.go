package main

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/sluicehq/sluice"

// TestPackageDependencyRules holds the code to the rules that
// docs/architecture.md states: the engine and the backend meet only over
// the wire, the UI reaches AWS only through the backend, and views never
// import the root model. It reads every package's direct imports (not
// tests') with go list.
func TestPackageDependencyRules(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	under := func(pkg, dir string) bool {
		return pkg == module+"/"+dir || strings.HasPrefix(pkg, module+"/"+dir+"/")
	}
	// Test helpers start an engine for backend tests: they are the one
	// place where both sides are in one process on purpose.
	engineHelpers := map[string]bool{
		module + "/backend/backendtest":             true,
		module + "/backend/inventory/inventorytest": true,
	}
	// Who may name AWS SDK packages: the backend, the engine's test
	// client, and cmd/sluice's metrics command (its resolver still names
	// SDK types; the one exception, to move into backend/metrics).
	sdkUsers := func(pkg string) bool {
		return under(pkg, "backend") || pkg == module+"/localengine/enginetest" || pkg == module+"/cmd/sluice"
	}
	packages := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, imports := fields[0], fields[1:]
		packages++
		for _, imp := range imports {
			switch {
			case under(pkg, "localengine") && strings.HasPrefix(imp, module+"/") && !under(imp, "localengine") && !under(imp, "internal"):
				t.Errorf("%s imports %s: the engine stands alone (only internal/ is shared)", pkg, imp)
			case under(pkg, "backend") && !engineHelpers[pkg] && (under(imp, "localengine") || under(imp, "tui") || under(imp, "views") || under(imp, "keymap")):
				t.Errorf("%s imports %s: the backend reaches the engine over the wire only, and knows no UI", pkg, imp)
			case (under(pkg, "tui") || under(pkg, "views") || under(pkg, "keymap")) && (under(imp, "localengine") || strings.HasPrefix(imp, "github.com/aws/aws-sdk-go-v2")):
				t.Errorf("%s imports %s: the UI calls the backend, never AWS or the engine", pkg, imp)
			case under(pkg, "views") && under(imp, "tui"):
				t.Errorf("%s imports %s: views never import the root model", pkg, imp)
			case strings.HasPrefix(imp, "github.com/aws/aws-sdk-go-v2/service/") && !sdkUsers(pkg):
				t.Errorf("%s imports %s: only the backend talks to AWS", pkg, imp)
			}
		}
	}
	if packages < 40 {
		t.Fatalf("go list named only %d packages", packages)
	}
}
