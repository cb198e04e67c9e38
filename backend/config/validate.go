package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

var hexColour = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// namedColours are the colours a profile may name instead of a hex value.
var namedColours = map[string]bool{
	"red": true, "green": true, "yellow": true, "blue": true,
	"magenta": true, "cyan": true, "white": true, "orange": true, "gray": true,
}

// validate checks what YAML types cannot, naming the line of the bad value.
func (f File) validate(root *yaml.Node) error {
	seen := map[string]bool{}
	for i, p := range f.Profiles {
		at := func(field string) string { return lineOf(root, "profiles", i, field) }
		switch {
		case p.Name == "":
			return fmt.Errorf("%sprofile %d has no name", at(""), i+1)
		case seen[p.Name]:
			return fmt.Errorf("%sprofile %q is defined twice", at("name"), p.Name)
		case p.Color != "" && !hexColour.MatchString(p.Color) && !namedColours[strings.ToLower(p.Color)]:
			return fmt.Errorf("%sprofile %q: colour %q is not #rgb, #rrggbb or a colour name", at("color"), p.Name, p.Color)
		}
		if p.Endpoint != "" {
			if err := checkURL(p.Endpoint); err != nil {
				return fmt.Errorf("%sprofile %q: endpoint: %w", at("endpoint"), p.Name, err)
			}
		}
		seen[p.Name] = true
	}
	for i, p := range f.Pipelines {
		at := func(field string) string { return lineOf(root, "pipelines", i, field) }
		if p.Consumer == "" && p.Pipe == "" {
			return fmt.Errorf("%spipeline %d names neither a consumer nor a pipe", at(""), i+1)
		}
		if p.Archive != "" {
			if _, _, err := ParseS3URL(p.Archive); err != nil {
				return fmt.Errorf("%spipeline %d: archive: %w", at("archive"), i+1, err)
			}
		}
		if p.ReplayTarget != "" && !strings.HasPrefix(p.ReplayTarget, "arn:") {
			if err := checkURL(p.ReplayTarget); err != nil {
				return fmt.Errorf("%spipeline %d: replay_target is neither an ARN nor a URL: %w", at("replay_target"), i+1, err)
			}
		}
	}
	if f.Tail.ReadsPerSecond < 0 || f.Tail.ReadsPerSecond > 5 {
		return fmt.Errorf("%stail.reads_per_second %v: want 0 (default) to 5, the shard's read limit", lineOf(root, "tail", -1, "reads_per_second"), f.Tail.ReadsPerSecond)
	}
	if err := f.Deadline.validate(root); err != nil {
		return err
	}
	if f.Tail.Buffer < 0 {
		return fmt.Errorf("%stail.buffer %d: want a positive number of records", lineOf(root, "tail", -1, "buffer"), f.Tail.Buffer)
	}
	return f.Budget.validate(root)
}

// validate checks the budget's numbers and API names; which services
// exist is the backend's to say when it builds the budget.
func (b Budget) validate(root *yaml.Node) error {
	at := func(field string) string { return lineOf(root, "budget", -1, field) }
	if b.Scale < 0 {
		return fmt.Errorf("%sbudget.scale %v: want a positive factor (1 is the default rates)", at("scale"), b.Scale)
	}
	if b.LocalScale < 0 {
		return fmt.Errorf("%sbudget.local_scale %v: want a positive factor", at("local_scale"), b.LocalScale)
	}
	for api, rate := range b.APIs {
		service, op, ok := strings.Cut(api, ".")
		if !ok || service == "" || op == "" {
			return fmt.Errorf("%sbudget.apis: %q is not Service.Operation (Kinesis.ListShards, SQS.*)", at("apis"), api)
		}
		if rate <= 0 {
			return fmt.Errorf("%sbudget.apis.%s %v: want calls a second above 0", at("apis"), api, rate)
		}
	}
	return nil
}

func (d Deadline) validate(root *yaml.Node) error {
	warn, err := ParseDuration(d.Warn)
	if err == nil && warn < 0 {
		err = fmt.Errorf("%q is negative", d.Warn)
	}
	if err != nil {
		return fmt.Errorf("%sdeadline.warn: %w", lineOf(root, "deadline", -1, "warn"), err)
	}
	critical, err := ParseDuration(d.Critical)
	if err == nil && critical < 0 {
		err = fmt.Errorf("%q is negative", d.Critical)
	}
	if err != nil {
		return fmt.Errorf("%sdeadline.critical: %w", lineOf(root, "deadline", -1, "critical"), err)
	}
	if warn > 0 && critical > 0 && critical > warn {
		return fmt.Errorf("%sdeadline.critical %s is further off than deadline.warn %s: want critical ≤ warn", lineOf(root, "deadline", -1, "critical"), d.Critical, d.Warn)
	}
	return nil
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	return nil
}

// ParseS3URL splits s3://bucket/prefix. The prefix has no leading slash and,
// when not empty, ends with one.
func ParseS3URL(s string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(s, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%q is not an s3://bucket/prefix URL", s)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%q names no bucket", s)
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return bucket, prefix, nil
}

// lineOf finds the line of root[section][index][field] ("line N: "), or of
// the nearest node that exists; index < 0 means section is a mapping.
func lineOf(root *yaml.Node, section string, index int, field string) string {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	if n = child(n, section); n == nil {
		return fmt.Sprintf("line %d: ", line)
	}
	line = n.Line
	if index >= 0 {
		if n.Kind != yaml.SequenceNode || index >= len(n.Content) {
			return fmt.Sprintf("line %d: ", line)
		}
		n = n.Content[index]
		line = n.Line
	}
	if field != "" {
		if v := child(n, field); v != nil {
			line = v.Line
		}
	}
	return fmt.Sprintf("line %d: ", line)
}

func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
