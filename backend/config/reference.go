package config

import (
	"fmt"
	"reflect"
	"strings"
)

// Key documents one key of config.yaml for the configuration reference
// (docs/config.md). A test holds Reference to exactly the keys of File,
// so that a key added to the type without a line here fails.
type Key struct {
	// Path is the key as written in YAML; "[]." steps into each item of
	// a list.
	Path    string
	Type    string
	Default string
	Doc     string
}

// Reference is every key of the config file, in the file's order.
func Reference() []Key {
	return []Key{
		{"default_profile", "string", "local", "Profile a command opens when neither --profile nor AWS_PROFILE names one (the UI first tries the profile used last). A name that no longer exists is passed over with a note, and local is opened."},
		{"profiles", "list", "", "Named places to operate. An entry with the name of an AWS profile decorates it (colour, read-only); another name adds a profile of its own."},
		{"profiles[].name", "string", "(required)", "The profile's name, as --profile and the profile picker show it. Unique."},
		{"profiles[].aws_profile", "string", "the name", "The AWS shared-config profile whose credentials it uses."},
		{"profiles[].region", "string", "the AWS profile's", "Region to operate in."},
		{"profiles[].endpoint", "http(s) URL", "", "Sends every service to this URL (LocalStack, another engine)."},
		{"profiles[].color", "#rgb, #rrggbb or a name", "", "Colour of the profile in the status bar, so that prod is seen to be prod. Names: red, green, yellow, blue, magenta, cyan, white, orange, gray."},
		{"profiles[].readonly", "bool", "false", "Refuse every write on this profile, in the UI and the commands alike."},
		{"pipelines", "list", "", "Declares pipelines, or overrides what discovery found for them: consumer → stream → DLQ → archive → replay target."},
		{"pipelines[].consumer", "string", "the pipe's name", "The consumer (pipe or function); archive keys start with it. Either consumer or pipe is required."},
		{"pipelines[].stream", "string", "discovered", "The Kinesis stream the consumer reads."},
		{"pipelines[].pipe", "string", "", "The EventBridge Pipe, when the consumer is one."},
		{"pipelines[].dlq", "string", "discovered", "The SQS dead-letter queue its failures reach (name or URL)."},
		{"pipelines[].archive", "s3://bucket[/prefix/]", "a sluice:archive tag", "Where its failed events are archived: the bucket, or a prefix that does not name the consumer."},
		{"pipelines[].replay_target", "ARN or http(s) URL", "the pipe's target", "Where replay sends events: a Kinesis stream, SQS queue or event bus ARN, or an HTTP endpoint."},
		{"keys", "map of action to list of keys", "", "Rebinds actions: scope.action (as ? in the UI lists them) to the keys that trigger it, e.g. dlq.purge: [\"ctrl+x\"]."},
		{"theme", "string", "", "Reserved: read and kept, not used yet; the UI follows the terminal's background."},
		{"tail", "map", "", "Tunes live tails, in the UI and `sluice tail`."},
		{"tail.reads_per_second", "number, 0 to 5", "1", "GetRecords calls a second per shard (shared with the stream's production consumers); 0 means the default. --rate overrides it."},
		{"tail.buffer", "integer", "10000", "Records a tail keeps; 0 means the default."},
		{"budget", "map", "", "Tunes the client-side limit on AWS calls (per account, region and API; defaults about half of AWS's published limits, see `sluice calls --budget`)."},
		{"budget.scale", "number", "1", "Multiplies every default rate; 0 means 1. --budget-scale overrides it."},
		{"budget.local_scale", "number", "100", "Multiplies the local profile's rates on top of scale: the bundled engine is shared with no one; 0 means the default."},
		{"budget.apis", "map of API to calls a second", "", "Sets named APIs' rates: \"Kinesis.ListShards\": 5, or \"SQS.*\" for a service's APIs not named otherwise."},
		{"deadline", "map", "", "Thresholds of the data-loss countdown of Kinesis DLQs (the DEADLINE column, the status-bar warning)."},
		{"deadline.warn", "duration (90m, 6h, 2d)", "6h", "A deadline nearer than this is shown as a warning and raises the status bar's warning on every tab."},
		{"deadline.critical", "duration (90m, 6h, 2d)", "1h", "A deadline nearer than this is shown in red."},
	}
}

// KeyPaths lists the YAML paths of t's fields, as Reference writes them.
func KeyPaths(t reflect.Type) []string {
	var paths []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			path := prefix + name
			paths = append(paths, path)
			switch ft := f.Type; {
			case ft.Kind() == reflect.Struct:
				walk(ft, path+".")
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
				walk(ft.Elem(), path+"[].")
			}
		}
	}
	walk(t, "")
	return paths
}

// ReferenceMarkdown is docs/config.md.
func ReferenceMarkdown() string {
	var b strings.Builder
	b.WriteString(`# Configuration reference

<!-- Generated by "sluice docs --dir docs"; do not edit. A test fails when
it and the config type disagree. -->

sluice reads ` + "`$XDG_CONFIG_HOME/sluice/config.yaml`" + ` (else
` + "`~/.config/sluice/config.yaml`" + `, or ` + "`--config FILE`" + `). Every key is optional;
an invalid file is an error naming its line. An example is in the
[README](../README.md#profiles-and-the-config-file).

| key | type | default | what it does |
|---|---|---|---|
`)
	for _, k := range Reference() {
		def := k.Default
		if def == "" {
			def = "–"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", k.Path, k.Type, def, strings.ReplaceAll(k.Doc, "|", `\|`))
	}
	return b.String()
}
