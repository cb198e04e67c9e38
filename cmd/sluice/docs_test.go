package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckedInDocsMatchTheCommands: docs/commands/*.md and docs/config.md
// are what `sluice docs` writes from the cobra tree and the config type
// today. A flag or command changed without `go run ./cmd/sluice docs docs`
// fails here.
func TestCheckedInDocsMatchTheCommands(t *testing.T) {
	out := t.TempDir()
	root := newRootCmd(buildInfo{})
	root.SetOut(&bytes.Buffer{})
	root.SetArgs([]string{"docs", out})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	want := readTree(t, out)
	got := readTree(t, filepath.Join("..", "..", "docs"))
	for name, body := range want {
		if got[name] != body {
			t.Errorf("docs/%s differs from what `go run ./cmd/sluice docs docs` writes", name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok && (strings.HasPrefix(name, "commands/") || name == "config.md") {
			t.Errorf("docs/%s is not generated from any command: remove it", name)
		}
	}
	if len(want) < 30 {
		t.Fatalf("generated only %d pages", len(want))
	}
}

// TestManPages: `sluice man DIR` writes a page per command, and `sluice
// man` prints sluice(1).
func TestManPages(t *testing.T) {
	dir := t.TempDir()
	root := newRootCmd(buildInfo{Version: "v1.4.0"})
	root.SetArgs([]string{"man", dir})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"sluice.1", "sluice-tail.1", "sluice-dlq-redrive.1", "sluice-replay.1"} {
		b, err := os.ReadFile(filepath.Join(dir, page))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(`.TH "SLUICE" "1"`)) || !bytes.Contains(b, []byte("sluice v1.4.0")) {
			t.Fatalf("%s is no man page of this version:\n%.300s", page, b)
		}
	}
	var out bytes.Buffer
	root = newRootCmd(buildInfo{Version: "v1.4.0"})
	root.SetOut(&out)
	root.SetArgs([]string{"man"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), ".SH NAME\nsluice - Operate event pipelines") {
		t.Fatalf("sluice man:\n%.400s", out.String())
	}
}

func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
