package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseReadsEverySection(t *testing.T) {
	f, err := Parse([]byte(`
default_profile: prod
profiles:
  - name: prod
    aws_profile: prod-admin
    region: eu-west-1
    color: "#ff0000"
    readonly: true
  - name: stack
    endpoint: http://localhost:4566
pipelines:
  - consumer: orders-to-api
    stream: orders
    dlq: orders-dlq
    archive: s3://orders-archive/failed
    replay_target: https://api.example.com/orders
keys:
  quit: [q, ctrl+c]
theme: light
tail:
  reads_per_second: 2
  buffer: 5000
deadline:
  warn: 2d
  critical: 90m
`))
	if err != nil {
		t.Fatal(err)
	}
	if f.DefaultProfile != "prod" || len(f.Profiles) != 2 || !f.Profiles[0].ReadOnly || f.Profiles[1].Endpoint != "http://localhost:4566" {
		t.Errorf("profiles: %+v", f)
	}
	if p := f.Pipelines[0]; p.Archive != "s3://orders-archive/failed" || p.ReplayTarget == "" {
		t.Errorf("pipeline: %+v", p)
	}
	if len(f.Keys["quit"]) != 2 || f.Theme != "light" || f.Tail.Buffer != 5000 {
		t.Errorf("keys/theme/tail: %+v", f)
	}
	if warn, critical := f.Deadline.Durations(); warn != 48*time.Hour || critical != 90*time.Minute {
		t.Errorf("deadline: %s %s", warn, critical)
	}
}

func TestInvalidFilesNameTheLine(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"syntax", "theme: dark\nprofiles:\n  - name: a\n    region: \"x\n", "line 4"},
		{"unknown field", "profiles:\n  - name: a\n    colour: red\n", "line 3"},
		{"wrong type", "profiles:\n  - name: a\n    readonly: maybe\n", "line 3"},
		{"bad colour", "profiles:\n  - name: a\n    color: '#12'\n", "line 3"},
		{"duplicate", "profiles:\n  - name: a\n  - name: a\n", "line 3"},
		{"bad endpoint", "profiles:\n  - name: a\n    endpoint: localhost:4566\n", "line 3"},
		{"bad archive", "pipelines:\n  - consumer: c\n    archive: orders-archive\n", "line 3"},
		{"no consumer", "pipelines:\n  - stream: s\n", "line 2"},
		{"tail rate", "tail:\n  reads_per_second: 9\n", "line 2"},
		{"deadline warn", "theme: dark\ndeadline:\n  critical: 1h\n  warn: soon\n", "line 4: deadline.warn: \"soon\" is not a duration"},
		{"deadline days", "deadline:\n  critical: xd\n", "line 2: deadline.critical"},
		{"deadline order", "deadline:\n  warn: 1h\n  critical: 2h\n", "line 3: deadline.critical 2h is further off"},
		{"deadline negative", "deadline:\n  warn: -1h\n", "line 2: deadline.warn"},
		{"deadline unknown", "deadline:\n  warning: 1h\n", "line 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.yaml))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to name %q", err, c.want)
			}
		})
	}
}

func TestLoadMissingFileIsEmptyAndBadFileNamesThePath(t *testing.T) {
	dir := t.TempDir()
	f, err := Load(filepath.Join(dir, "none.yaml"))
	if err != nil || len(f.Profiles) != 0 {
		t.Fatalf("missing file: %+v, %v", f, err)
	}
	bad := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(bad, []byte("profiles: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("err = %v, want the path", err)
	}
}

func TestParseS3URL(t *testing.T) {
	for in, want := range map[string][2]string{
		"s3://b":      {"b", ""},
		"s3://b/":     {"b", ""},
		"s3://b/p":    {"b", "p/"},
		"s3://b/p/q/": {"b", "p/q/"},
	} {
		b, p, err := ParseS3URL(in)
		if err != nil || b != want[0] || p != want[1] {
			t.Errorf("%s = %q %q %v", in, b, p, err)
		}
	}
	for _, in := range []string{"b/p", "s3://", "s3:///p"} {
		if _, _, err := ParseS3URL(in); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("profiles:\n  - name: a\n"))
	f.Add([]byte("pipelines:\n  - consumer: c\n    archive: s3://b/p\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = Parse(b)
	})
}

// A list item indented one column less than its siblings is reported by
// yaml at the line where the list starts; the operator needs the line of
// the item itself.
func TestMisindentedListItemNamesItsOwnLine(t *testing.T) {
	for name, doc := range map[string]string{
		"less":    "default_profile: a\nprofiles:\n  - name: a\n    region: x\n  - name: b\n - name: c\n",
		"more":    "profiles:\n  - name: a\n    region: x\n  - name: b\n    readonly: true\n   - name: c\n",
		"no dash": "default_profile: a\nprofiles:\n  - name: a\n    region: x\n  - name: b\n  -name: c\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(doc))
			if err == nil || !strings.HasPrefix(err.Error(), "line 6") {
				t.Fatalf("err = %v, want it to start with line 6", err)
			}
		})
	}
}

// Errors name fields as the file spells them, never Go's type names.
func TestFieldErrorsUseTheFilesNames(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown in a profile", "theme: dark\nprofiles:\n  - name: a\n    colour: red\n",
			[]string{"unknown field `colour` in profiles[0] (line 4, column 5): known fields are name, aws_profile, region, endpoint, color, readonly"}},
		{"unknown at the top", "theme: dark\nprofile: a\n",
			[]string{"unknown field `profile` at the top level (line 2, column 1): known fields are default_profile, profiles, pipelines, keys, theme, tail"}},
		{"unknown in tail", "tail:\n  buffer: 5\n  rate: 2\n",
			[]string{"unknown field `rate` in tail (line 3, column 3)", "reads_per_second, buffer"}},
		{"wrong type", "profiles:\n  - name: a\n    readonly: maybe\n",
			[]string{"profiles[0].readonly (line 3, column 15): `maybe` is not true or false"}},
		{"list wanted", "profiles:\n  name: a\n",
			[]string{"profiles (line 2, column 3): want a list"}},
		{"number wanted", "tail:\n  buffer: lots\n",
			[]string{"tail.buffer (line 2, column 11): `lots` is not a whole number"}},
		{"keys", "keys:\n  quit: {a: b}\n",
			[]string{"keys.quit (line 2, column 9): want a list"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v\nwant it to hold %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "config.") || strings.Contains(err.Error(), "!!") {
				t.Errorf("err = %v names Go or YAML types", err)
			}
		})
	}
}

func TestCommentsOnlyIsEmptyAndDuplicateKeysNameBothLines(t *testing.T) {
	if f, err := Parse([]byte("# nothing yet\n")); err != nil || len(f.Profiles) != 0 {
		t.Errorf("comments only: %+v, %v", f, err)
	}
	_, err := Parse([]byte("theme: dark\ntheme: light\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "line 2: ") || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("duplicate key: %v", err)
	}
}
