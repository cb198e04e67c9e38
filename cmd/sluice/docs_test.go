package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
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

// markdownLink is [text](target) outside code; targets with a scheme are
// not the repository's.
var markdownLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestRepositoryLinksResolve: every relative link in README.md,
// CONTRIBUTING.md, CHANGELOG.md, BENCHMARKS.md and docs/*.md names a file
// of the repository (and, with #anchor, a heading of it). The README
// once sent readers to a design document outside it.
func TestRepositoryLinksResolve(t *testing.T) {
	repo := filepath.Join("..", "..")
	files := []string{"README.md", "CONTRIBUTING.md", "CHANGELOG.md", "BENCHMARKS.md"}
	docs, _ := filepath.Glob(filepath.Join(repo, "docs", "*.md"))
	cmds, _ := filepath.Glob(filepath.Join(repo, "docs", "commands", "*.md"))
	for _, d := range append(docs, cmds...) {
		rel, _ := filepath.Rel(repo, d)
		files = append(files, rel)
	}
	checked := 0
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(repo, f))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		text := stripCodeBlocks(string(b))
		for _, m := range markdownLink.FindAllStringSubmatch(text, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			checked++
			path, anchor, _ := strings.Cut(target, "#")
			file := filepath.Join(repo, filepath.Dir(f), path)
			if path == "" {
				file = filepath.Join(repo, f)
			}
			rel, err := filepath.Rel(repo, file)
			if err != nil || strings.HasPrefix(rel, "..") {
				t.Errorf("%s links outside the repository: %s", f, target)
				continue
			}
			body, err := os.ReadFile(file)
			if err != nil {
				if fi, statErr := os.Stat(file); statErr == nil && fi.IsDir() && anchor == "" {
					continue
				}
				t.Errorf("%s links to %s, which does not exist", f, target)
				continue
			}
			if anchor != "" && strings.HasSuffix(file, ".md") && !slices.Contains(anchors(string(body)), anchor) {
				t.Errorf("%s links to %s, which has no heading #%s", f, path, anchor)
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d links checked", checked)
	}
}

func stripCodeBlocks(s string) string {
	var out []string
	inCode := false
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inCode = !inCode
			continue
		}
		if !inCode {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// anchors are the GitHub anchors of a document's headings.
func anchors(doc string) []string {
	var out []string
	for _, line := range strings.Split(stripCodeBlocks(doc), "\n") {
		if !strings.HasPrefix(line, "#") {
			continue
		}
		title := strings.ToLower(strings.TrimSpace(strings.TrimLeft(line, "#")))
		var b strings.Builder
		for _, r := range title {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
				b.WriteRune(r)
			}
		}
		out = append(out, b.String())
	}
	return out
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
