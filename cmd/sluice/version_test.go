package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// TestGoInstallReportsTheModuleVersion installs sluice the way a user
// does, `go install github.com/sluicehq/sluice/cmd/sluice@<version>`, with
// no ldflags, from a module proxy made here of this tree, and runs the
// binary: it names the module version, the revision and the commit time
// the pseudo-version carries, and `--version` prints what `version` does.
// Before, it printed "dev (commit dev, built dev)".
func TestGoInstallReportsTheModuleVersion(t *testing.T) {
	// A version of its own each run: the module cache keeps what it
	// downloaded under a version, and the tree changes between runs.
	stamp := time.Now().UTC()
	const rev = "0123456789ab"
	ver := "v0.0.0-" + stamp.Format("20060102150405") + "-" + rev
	proxy := t.TempDir()
	serveModule(t, proxy, ver)
	gobin := t.TempDir()
	modcache := goEnv(t, "GOMODCACHE")
	t.Cleanup(func() { removeFromModCache(modcache, ver) })

	install := exec.Command("go", "install", "github.com/sluicehq/sluice/cmd/sluice@"+ver)
	install.Dir = t.TempDir()
	// This module from the proxy made here; its dependencies from the
	// module cache, else the usual proxy.
	install.Env = append(os.Environ(), "GOBIN="+gobin, "GOPROXY=file://"+filepath.ToSlash(proxy)+","+goEnv(t, "GOPROXY"),
		"GOSUMDB=off", "GOFLAGS=-modcacherw", "GOTOOLCHAIN=local", "GOPRIVATE=", "GONOPROXY=")
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install: %v\n%s", err, out)
	}
	bin := filepath.Join(gobin, "sluice")

	var got buildInfo
	if err := json.Unmarshal(run(t, bin, "version", "-o", "json"), &got); err != nil {
		t.Fatal(err)
	}
	want := buildInfo{Version: ver, Commit: rev, Date: stamp.Format(time.RFC3339), Go: got.Go}
	if got != want || !strings.HasPrefix(got.Go, "go1.") {
		t.Fatalf("version -o json = %+v, want %+v", got, want)
	}
	line := string(run(t, bin, "version"))
	if wantLine := fmt.Sprintf("sluice %s (commit %s, built %s)\n", ver, rev, want.Date); line != wantLine {
		t.Fatalf("version = %q, want %q", line, wantLine)
	}
	if flag := string(run(t, bin, "--version")); flag != line {
		t.Fatalf("--version = %q, version = %q", flag, line)
	}
}

// TestBuildInfoOfAClone: `go build` in a clone records the revision, its
// time and whether the tree had changes; ldflags, when given, win.
func TestBuildInfoOfAClone(t *testing.T) {
	bi := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/sluicehq/sluice", Version: "(devel)"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "9a9d387abcdef0123456789abcdef0123456789a"},
			{Key: "vcs.time", Value: "2026-12-07T19:59:55Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	got := resolveBuild(buildInfo{Version: unset, Commit: unset, Date: unset}, bi)
	want := buildInfo{Version: "dev", Commit: "9a9d387abcde-dirty", Date: "2026-12-07T19:59:55Z", Go: "go1.26.8"}
	if got != want {
		t.Fatalf("clone build = %+v, want %+v", got, want)
	}
	stamped := resolveBuild(buildInfo{Version: "1.4.0", Commit: "abc1234", Date: "2026-12-01"}, bi)
	if stamped.Version != "1.4.0" || stamped.Commit != "abc1234" || stamped.Date != "2026-12-01" {
		t.Fatalf("ldflags lost: %+v", stamped)
	}
	release := resolveBuild(buildInfo{}, &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}})
	if release.Version != "v1.4.0" || release.Commit != "dev" || release.Date != "dev" {
		t.Fatalf("go install @v1.4.0 = %+v", release)
	}
}

func run(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		t.Fatalf("sluice %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// serveModule lays this tree out as version ver of the module in a
// file:// module proxy (the layout `go help goproxy` describes).
func serveModule(t *testing.T, proxy, ver string) {
	t.Helper()
	const mod = "github.com/sluicehq/sluice"
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(proxy, mod, "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			// Version control, release output, test data and other languages. trees
			// are not part of the module.
			switch d.Name() {
			case ".git", "dist", "node_modules", "testdata":
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(path, ".go") && d.Name() != "go.mod" && d.Name() != "go.sum" && d.Name() != "LICENSE" {
			return nil
		}
		if strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		w, err := zw.Create(mod + "@" + ver + "/" + filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatalf("module zip: %v", err)
	}
	info := fmt.Sprintf(`{"Version":%q}`, ver)
	for name, b := range map[string][]byte{"list": []byte(ver + "\n"), ver + ".info": []byte(info), ver + ".mod": gomod, ver + ".zip": zbuf.Bytes()} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// removeFromModCache drops what go install put in the module cache for
// this test's version.
func removeFromModCache(modcache, ver string) {
	os.RemoveAll(filepath.Join(modcache, "github.com/sluicehq/sluice@"+ver))
	matches, _ := filepath.Glob(filepath.Join(modcache, "cache/download/github.com/sluicehq/sluice/@v", ver+".*"))
	for _, m := range matches {
		os.Remove(m)
	}
}
