package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// completionEngine is an engine holding a pipeline's parts: streams,
// a DLQ and its source queue, an archive with events of two consumers,
// and a config naming the pipeline and a second profile.
func completionEngine(t *testing.T) (e *enginetest.Engine, configPath string) {
	t.Helper()
	e = dlqEngine(t)
	ctx := context.Background()
	for name, shards := range map[string]int32{"orders": 2, "payments": 1} {
		if _, err := e.Kinesis().CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}); err != nil {
			t.Fatal(err)
		}
	}
	_, dlqARN := dlqQueue(t, e, "orders-dlq", nil)
	_, srcARN := dlqQueue(t, e, "orders-src", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":"3"}`})
	inventorytest.Pipe(t, e, "orders-to-api", "arn:aws:kinesis:us-east-1:000000000000:stream/orders", srcARN, dlqARN, nil)
	if _, err := e.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("orders-archive")}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{
		"failed/orders-to-api/2026/12/07/19/c-42-1796670000000-3f2a.json",
		"failed/orders-to-api/2026/12/07/19/c-43-1796670001000-3f2b.json",
		"failed/retired-pipe/2026/11/01/08/c-1-1793520000000-aa01.json",
	} {
		if _, err := e.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("orders-archive"), Key: aws.String(key), Body: strings.NewReader("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	configPath = filepath.Join(t.TempDir(), "config.yaml")
	cfg := `profiles:
  - name: staging
    aws_profile: staging
    region: eu-west-1
pipelines:
  - consumer: orders-to-api
    stream: orders
    dlq: orders-dlq
    archive: s3://orders-archive/failed/
`
	if err := os.WriteFile(configPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return e, configPath
}

// completeLine runs the shell's completion request for a line (cobra's
// hidden __complete, which the scripts call) and returns the candidates
// and everything written to stderr.
func completeLine(t *testing.T, args ...string) (candidates []string, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRootCmd(buildInfo{Version: "test"})
	root.SetArgs(append([]string{"__complete"}, args...))
	root.SetOut(&out)
	root.SetErr(&errOut)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := root.ExecuteContext(ctx); err != nil {
		t.Fatalf("complete %q: %v", args, err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[len(lines)-1], ":") {
		t.Fatalf("complete %q: no directive in %q", args, out.String())
	}
	return lines[:len(lines)-1], errOut.String()
}

// TestCompletionOffersWhatTheAccountHolds: each kind of argument and
// flag value completes from the engine the line's profile names, where
// before `sluice tail <TAB>` offered file names.
func TestCompletionOffersWhatTheAccountHolds(t *testing.T) {
	e, cfg := completionEngine(t)
	on := []string{"--profile", "local", "--endpoint-url", e.URL, "--config", cfg}
	for _, tc := range []struct {
		name string
		line []string
		want []string
	}{
		{"streams", []string{"tail", ""}, []string{"orders", "payments"}},
		{"streams by prefix", []string{"tail", "pay"}, []string{"payments"}},
		{"stream of shards", []string{"shards", "o"}, []string{"orders"}},
		{"shard ids of the stream on the line", []string{"tail", "orders", "--shard", ""}, []string{"shardId-000000000000", "shardId-000000000001"}},
		{"DLQs, not their sources", []string{"dlq", "peek", ""}, []string{"orders-dlq"}},
		{"DLQ to hydrate", []string{"hydrate", "orders"}, []string{"orders-dlq"}},
		{"queues for metrics", []string{"metrics", "queue/"}, []string{"queue/orders-dlq", "queue/orders-src"}},
		{"consumers in the archive", []string{"replay", "--consumer", ""}, []string{"orders-to-api", "retired-pipe"}},
		{"archive folders", []string{"archive", "get", ""}, []string{"failed/"}},
		{"archive consumers' folders", []string{"archive", "get", "failed/"}, []string{"failed/orders-to-api/", "failed/retired-pipe/"}},
		{"archive keys", []string{"replay", "failed/orders-to-api/2026/12/07/19/c-42"}, []string{"failed/orders-to-api/2026/12/07/19/c-42-1796670000000-3f2a.json"}},
		{"archive bucket", []string{"archive", "rm", "s3://"}, []string{"s3://orders-archive/"}},
		{"keys in a named bucket", []string{"archive", "mark", "x", "s3://orders-archive/failed/r"}, []string{"s3://orders-archive/failed/retired-pipe/"}},
		{"profiles", []string{"streams", "--profile", ""}, []string{"local", "staging"}},
		{"profile to copy to", []string{"replay", "--to-profile", "st"}, []string{"staging"}},
		{"consumers to stop", []string{"consumers", "stop", ""}, []string{"orders-to-api"}},
		{"a stream's consumers", []string{"consumers", "ls", "--stream", "o"}, []string{"orders"}},
		{"a DLQ's sources", []string{"consumers", "ls", "--dlq", ""}, []string{"orders-dlq"}},
		{"output formats", []string{"dlq", "ls", "-o", ""}, []string{"table", "json", "jsonl"}},
		{"--from forms", []string{"tail", "orders", "--from", ""}, []string{"trim-horizon", "latest", "15m", "1h", "24h", "after:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			line := tc.line
			if tc.name != "profiles" && tc.name != "profile to copy to" {
				line = append(slices.Clone(on), line...)
			} else {
				line = append([]string{"--config", cfg}, line...)
			}
			got, stderr := completeLine(t, line...)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("%q offers %q, want %q (stderr %q)", tc.line, got, tc.want, stderr)
			}
		})
	}
	regions, _ := completeLine(t, "tail", "--region", "")
	if !slices.Contains(regions, "eu-west-1") || !slices.Contains(regions, "us-east-1") {
		t.Fatalf("--region offers %q", regions)
	}
}

// TestCompletionFailsQuietly: a profile that cannot be reached offers
// nothing and prints nothing but cobra's own directive note (which the
// scripts send to /dev/null); the local profile with no engine serving
// its data directory does not start one to complete a word.
func TestCompletionFailsQuietly(t *testing.T) {
	dlqEngine(t)
	data := filepath.Join(t.TempDir(), "data")
	for _, line := range [][]string{
		{"tail", "--profile", "local", "--endpoint-url", "http://127.0.0.1:1", ""},
		{"dlq", "peek", "--profile", "local", "--data", data, ""},
		{"tail", "--profile", "no-such-profile", ""},
	} {
		got, stderr := completeLine(t, line...)
		if len(got) != 0 {
			t.Errorf("%q offers %q", line, got)
		}
		if rest := strings.TrimSpace(strings.Replace(stderr, "Completion ended with directive: ShellCompDirectiveNoFileComp", "", 1)); rest != "" {
			t.Errorf("%q wrote %q to the terminal", line, rest)
		}
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Fatalf("completion touched the data directory (an engine was started): %v", err)
	}
}

// TestCompletionScripts: each shell's script calls back into sluice.
func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		var out bytes.Buffer
		root := newRootCmd(buildInfo{})
		root.SetOut(&out)
		root.SetArgs([]string{"completion", shell})
		if err := root.Execute(); err != nil {
			t.Fatalf("completion %s: %v", shell, err)
		}
		if !strings.Contains(out.String(), "__complete") {
			t.Fatalf("completion %s: no call back into sluice:\n%.300s", shell, out.String())
		}
	}
}
