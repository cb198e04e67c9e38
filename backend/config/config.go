// Package config reads sluice's config file: profiles, pipelines, key
// overrides and the theme. An invalid file is an error that names the file
// and the line, never a panic.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// File is the whole config file.
type File struct {
	// DefaultProfile is used when neither --profile nor AWS_PROFILE names one.
	DefaultProfile string     `yaml:"default_profile"`
	Profiles       []Profile  `yaml:"profiles"`
	Pipelines      []Pipeline `yaml:"pipelines"`
	// Keys rebinds actions: action name to the keys that trigger it.
	Keys  map[string][]string `yaml:"keys"`
	Theme string              `yaml:"theme"`
	// Tail tunes live tails.
	Tail Tail `yaml:"tail"`
	// Deadline colours the data-loss countdown of Kinesis DLQs.
	Deadline Deadline `yaml:"deadline"`
	// Budget tunes the client-side limit on AWS calls.
	Budget Budget `yaml:"budget"`
}

// Budget tunes the client-side limiter every AWS call passes: the
// default rates (backend.DefaultLimits) scaled, and per-API overrides.
type Budget struct {
	// Scale multiplies every default rate; 0 means 1.
	Scale float64 `yaml:"scale"`
	// LocalScale multiplies the rates of the local profile, on top of
	// Scale; 0 means the generous default (the engine is on this
	// machine and shared with no one).
	LocalScale float64 `yaml:"local_scale"`
	// APIs sets the calls a second of named APIs: "Kinesis.ListShards",
	// or "SQS.*" for a service's APIs not named otherwise.
	APIs map[string]float64 `yaml:"apis"`
}

// Profile adds a named place to operate, or decorates an AWS profile of the
// same name with a colour and a read-only flag.
type Profile struct {
	Name       string `yaml:"name"`
	AWSProfile string `yaml:"aws_profile"`
	Region     string `yaml:"region"`
	// Endpoint points every service at one URL (LocalStack, another engine).
	Endpoint string `yaml:"endpoint"`
	Color    string `yaml:"color"`
	ReadOnly bool   `yaml:"readonly"`
}

// Pipeline declares, or overrides what discovery found for, the chain
// consumer → stream → DLQ → archive → replay target.
type Pipeline struct {
	Consumer string `yaml:"consumer"`
	Stream   string `yaml:"stream"`
	Pipe     string `yaml:"pipe"`
	DLQ      string `yaml:"dlq"`
	// Archive is s3://bucket/prefix.
	Archive string `yaml:"archive"`
	// ReplayTarget is an ARN (Kinesis stream, SQS queue, event bus) or an
	// http(s) URL.
	ReplayTarget string `yaml:"replay_target"`
}

// Tail tunes live tails: how often each shard is read and how many records
// are kept.
type Tail struct {
	ReadsPerSecond float64 `yaml:"reads_per_second"`
	Buffer         int     `yaml:"buffer"`
}

// Deadline holds the thresholds of the data-loss countdown, as durations
// ("6h", "90m", "2d"): a deadline nearer than Warn is shown as a warning
// and raises the status bar's warning; nearer than Critical, in red.
type Deadline struct {
	Warn     string `yaml:"warn"`
	Critical string `yaml:"critical"`
}

// Durations are the thresholds, 0 for one not set. The file was
// validated, so they parse.
func (d Deadline) Durations() (warn, critical time.Duration) {
	warn, _ = ParseDuration(d.Warn)
	critical, _ = ParseDuration(d.Critical)
	return warn, critical
}

// ParseDuration reads a Go duration ("90m", "6h") or a whole number of
// days ("2d"); "" is 0.
func ParseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 90m, 6h or 2d", s)
	}
	return d, nil
}

// DefaultPath is $XDG_CONFIG_HOME/sluice/config.yaml, else
// ~/.config/sluice/config.yaml.
func DefaultPath() (string, error) {
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "sluice", "config.yaml"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", errors.New("cannot find the config directory: set XDG_CONFIG_HOME or --config")
	}
	return filepath.Join(home, ".config", "sluice", "config.yaml"), nil
}

// Load reads path. A missing file is an empty config, since sluice needs
// none to run.
func Load(path string) (File, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return File{}, nil
	}
	if err != nil {
		return File{}, fmt.Errorf("config %s: %w", path, err)
	}
	f, err := Parse(b)
	if err != nil {
		return File{}, fmt.Errorf("config %s: %w", path, err)
	}
	return f, nil
}

// Parse decodes and validates a config file's content. Unknown fields are
// errors, so that a typo is not silently ignored. Errors name the line
// (and column where known) and the field as the file spells it.
func Parse(b []byte) (File, error) {
	var f File
	if len(bytes.TrimSpace(b)) == 0 {
		return f, nil
	}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return File{}, locateSyntaxError(b, err)
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	if doc.Kind == 0 || doc.Kind == yaml.DocumentNode {
		// Comments or markers only: an empty config.
		return f, nil
	}
	if err := checkShape(doc, reflect.TypeFor[File](), ""); err != nil {
		return File{}, err
	}
	// The shape is checked, so what can still fail here is what yaml
	// checks beyond types, such as a key given twice.
	if err := root.Decode(&f); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			// "line 2: mapping key "theme" already defined at line 1",
			// without the "yaml: unmarshal errors:" heading.
			return File{}, errors.New(strings.Join(te.Errors, "; "))
		}
		return File{}, err
	}
	if err := f.validate(&root); err != nil {
		return File{}, err
	}
	return f, nil
}
