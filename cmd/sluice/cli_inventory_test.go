package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/demo"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/backend/metrics"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// isolateInventory points every file sluice and the SDK read or write at
// temporary folders, so that tests never touch the user's.
func isolateInventory(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, v := range []string{"XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"} {
		t.Setenv(v, t.TempDir())
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(home, ".aws", "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, ".aws", "credentials"))
	for _, v := range []string{"AWS_PROFILE", "AWS_REGION", "AWS_ENDPOINT_URL", "SLUICE_DATA_DIR"} {
		t.Setenv(v, "")
	}
	return home
}

// inventoryEngine starts an engine holding the demo's resources.
func inventoryEngine(t *testing.T) (*enginetest.Engine, inventorytest.Demo) {
	t.Helper()
	isolateInventory(t)
	e := enginetest.Start(t)
	return e, inventorytest.Setup(t, e)
}

// invSluice runs a command line; with an engine, against it through the
// local profile.
func invSluice(t *testing.T, e *enginetest.Engine, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	root := newRootCmd(buildInfo{Version: "test"})
	if e != nil {
		args = append(args, "--profile", "local", "--endpoint-url", e.URL)
	}
	var out, errOut bytes.Buffer
	root.SetArgs(args)
	root.SetIn(strings.NewReader(""))
	root.SetOut(&out)
	root.SetErr(&errOut)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err = root.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

func invMustRun(t *testing.T, e *enginetest.Engine, args ...string) string {
	t.Helper()
	out, errOut, err := invSluice(t, e, args...)
	if err != nil {
		t.Fatalf("sluice %s: %v\nstderr: %s", strings.Join(args, " "), err, errOut)
	}
	return out
}

func invJSON[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return v
}

// invJSONLines decodes one object a line, and fails on anything else.
func invJSONLines[T any](t *testing.T, s string) []T {
	t.Helper()
	var out []T
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "{") {
			t.Fatalf("jsonl line is not an object: %q", line)
		}
		out = append(out, invJSON[T](t, line))
	}
	return out
}

func TestStreamsCommand(t *testing.T) {
	e, d := inventoryEngine(t)
	inventorytest.Stream(t, e, "audit", 2)

	streams := invJSON[[]inventory.Stream](t, invMustRun(t, e, "streams", "-o", "json"))
	if len(streams) != 2 || streams[0].Name != "audit" || streams[1].Name != demo.StreamName {
		t.Fatalf("streams %+v", streams)
	}
	if o := streams[1]; o.ARN != d.StreamARN || o.OpenShards != 4 || o.ClosedShards != 0 || o.Mode != "PROVISIONED" || o.RetentionHours != 24 {
		t.Errorf("orders: %+v", o)
	}
	lines := invJSONLines[inventory.Stream](t, invMustRun(t, e, "streams", "-o", "jsonl"))
	if len(lines) != 2 || lines[1].OpenShards != 4 {
		t.Errorf("jsonl: %+v", lines)
	}
	out, errOut, err := invSluice(t, e, "streams")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"NAME", "RETENTION", "orders", "ACTIVE", "24h"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if errOut != "" {
		t.Errorf("stderr %q, want nothing", errOut)
	}
}

func TestShardsCommand(t *testing.T) {
	e, _ := inventoryEngine(t)
	shards := invJSON[[]inventory.Shard](t, invMustRun(t, e, "shards", demo.StreamName, "-o", "json"))
	total := 0.0
	for _, s := range shards {
		total += s.KeyspaceShare
		if !s.Open || s.HashStart == "" || s.StartSequence == "" {
			t.Errorf("shard %+v", s)
		}
	}
	if len(shards) != 4 || total < 0.999999 || total > 1.000001 {
		t.Fatalf("%d shards holding %v of the key space", len(shards), total)
	}
	out := invMustRun(t, e, "shards", demo.StreamName)
	for _, want := range []string{"SHARD", "HASH RANGE", "shardId-000000000003", "0.7500–1.0000", "25.00%", "open"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if _, _, err := invSluice(t, e, "shards", "missing"); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("a missing stream: %v", err)
	}
	if strings.Contains(out, "REC/MIN") {
		t.Errorf("the load without --load:\n%s", out)
	}
	// --load: the engine publishes shard-level metrics; what was just
	// written shows in the loads, and every open shard has one.
	for i := range 10 {
		if _, err := e.Kinesis().PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: aws.String(demo.StreamName),
			PartitionKey: aws.String(fmt.Sprint(i)), Data: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	loaded := invJSON[[]struct {
		ID   string             `json:"id"`
		Load *metrics.ShardLoad `json:"load"`
	}](t, invMustRun(t, e, "shards", demo.StreamName, "--load", "-o", "json"))
	written := 0.0
	for _, s := range loaded {
		if s.Load == nil {
			t.Fatalf("shard %s has no load", s.ID)
		}
		written += s.Load.RecordsPerMinute
	}
	if written == 0 {
		t.Errorf("the writes show in no shard's load: %+v", loaded)
	}
	if out := invMustRun(t, e, "shards", demo.StreamName, "--load"); !strings.Contains(out, "REC/MIN") || !strings.Contains(out, "ITER AGE") {
		t.Errorf("--load table:\n%s", out)
	}
}

func TestPipelinesCommand(t *testing.T) {
	e, d := inventoryEngine(t)
	pipelines := invJSON[[]backend.Pipeline](t, invMustRun(t, e, "pipelines", "-o", "json"))
	if len(pipelines) != 1 {
		t.Fatalf("pipelines %+v", pipelines)
	}
	p := pipelines[0]
	if p.Consumer != demo.PipeName || p.StreamARN != d.StreamARN || p.DLQURL != d.DLQURL ||
		p.Archive.String() != demo.ArchiveURL+"/" || p.Archive.From != "tag" || p.Target.URL != inventorytest.APIURL {
		t.Errorf("pipeline %+v", p)
	}
	out := invMustRun(t, e, "pipelines")
	for _, want := range []string{"CONSUMER", demo.PipeName, demo.DLQName, "s3://orders-archive/ (tag)", "http " + inventorytest.APIURL} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestMetricsCommand(t *testing.T) {
	e, _ := inventoryEngine(t)
	ctx := context.Background()
	// A stream of its own: the demo's pipe would read the orders stream.
	inventorytest.Stream(t, e, "clicks", 1)
	var entries []ktypes.PutRecordsRequestEntry
	for i := range 25 {
		entries = append(entries, ktypes.PutRecordsRequestEntry{Data: []byte("{}"), PartitionKey: aws.String(fmt.Sprint(i))})
	}
	if _, err := e.Kinesis().PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("clicks"), Records: entries}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.SQS().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(invQueueURL(t, e, demo.BusDLQName)), MessageBody: aws.String("x")}); err != nil {
		t.Fatal(err)
	}

	type row struct {
		Resource string `json:"resource"`
		Name     string `json:"name"`
		Stat     string `json:"stat"`
		Period   int    `json:"period"`
		Points   []struct {
			Time  time.Time `json:"time"`
			Value float64   `json:"value"`
		} `json:"points"`
	}
	sum := func(rows []row, name string) float64 {
		total := 0.0
		for _, r := range rows {
			if r.Name == name {
				for _, p := range r.Points {
					total += p.Value
				}
			}
		}
		return total
	}
	for _, ref := range []string{"stream/clicks", "clicks", "arn:aws:kinesis:us-east-1:000000000000:stream/clicks"} {
		rows := invJSON[[]row](t, invMustRun(t, e, "metrics", ref, "--since", "15m", "-o", "json"))
		if len(rows) != 7 || rows[0].Resource != "stream/clicks" || rows[0].Period != 60 {
			t.Fatalf("%s: %+v", ref, rows)
		}
		if v := sum(rows, "IncomingRecords"); v != 25 {
			t.Errorf("%s: IncomingRecords %v, want 25", ref, v)
		}
	}
	// A bare name that is no stream is tried as a queue, then a pipe.
	queue := invJSONLines[row](t, invMustRun(t, e, "metrics", demo.BusDLQName, "--since", "15m", "-o", "jsonl"))
	if len(queue) != 6 || queue[0].Resource != "queue/"+demo.BusDLQName || sum(queue, "NumberOfMessagesSent") != 1 {
		t.Errorf("queue metrics: %+v", queue)
	}
	pipe := invJSON[[]row](t, invMustRun(t, e, "metrics", demo.PipeName, "-o", "json"))
	if len(pipe) != 8 || pipe[0].Resource != "pipe/"+demo.PipeName {
		t.Errorf("pipe metrics: %+v", pipe)
	}

	out := invMustRun(t, e, "metrics", "stream/clicks", "--since", "15m")
	for _, want := range []string{"stream/clicks", "60 s periods", "METRIC", "TREND", "IncomingRecords", "█", "no data"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"metrics", "nothing-here"}, "no stream, queue or pipe"},
		{[]string{"metrics", "not a name!"}, "no stream, queue or pipe"},
		{[]string{"metrics", "table/x"}, "want stream/NAME"},
		{[]string{"metrics", "shard/clicks"}, "shard/STREAM/SHARD"},
		{[]string{"metrics", "clicks", "--since", "-1h"}, "--since"},
	} {
		if _, _, err := invSluice(t, e, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want an error saying %q", tc.args, err, tc.want)
		}
	}
}

func invQueueURL(t *testing.T, e *enginetest.Engine, name string) string {
	t.Helper()
	out, err := e.SQS().GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.QueueUrl)
}

func TestCallsCommandReadsALogCallsFile(t *testing.T) {
	e, _ := inventoryEngine(t)
	log := filepath.Join(t.TempDir(), "calls.jsonl")
	invMustRun(t, e, "streams", "--log-calls", log)
	if _, _, err := invSluice(t, e, "shards", "nope", "--log-calls", log); err == nil {
		t.Fatal("shards of a missing stream succeeded") // the failure is logged too
	}

	calls := invJSON[[]backend.Call](t, invMustRun(t, nil, "calls", log, "-o", "json"))
	var ops []string
	for _, c := range calls {
		ops = append(ops, c.Service+"."+c.Operation)
		if c.Profile != "local" || c.Time.IsZero() {
			t.Errorf("call %+v", c)
		}
	}
	for _, want := range []string{"Kinesis.ListStreams", "Kinesis.DescribeStreamSummary", "Kinesis.ListShards"} {
		if !slices.Contains(ops, want) {
			t.Errorf("calls %v lack %s", ops, want)
		}
	}
	failed := invJSONLines[backend.Call](t, invMustRun(t, nil, "calls", log, "--failed", "-o", "jsonl"))
	var missing []backend.Call
	for _, c := range failed {
		if c.Result == "ok" {
			t.Errorf("--failed shows %+v", c)
		}
		if c.Operation == "ListShards" {
			missing = append(missing, c)
		}
	}
	if len(missing) != 1 || missing[0].Result != "ResourceNotFoundException" || missing[0].Resource != "nope" {
		t.Errorf("failed calls: %+v", failed)
	}
	out := invMustRun(t, nil, "calls", log)
	for _, want := range []string{"OPERATION", "RESULT", "ListStreams", "ResourceNotFoundException", "nope"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	// A broken line: what came before is shown, and the error says so.
	broken := filepath.Join(t.TempDir(), "broken.jsonl")
	content, _ := os.ReadFile(log)
	if err := os.WriteFile(broken, append(content, "not json\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := invSluice(t, nil, "calls", broken, "-o", "jsonl")
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("after %d calls", len(calls))) {
		t.Errorf("broken file: %v", err)
	}
	if n := strings.Count(out, "\n"); n != len(calls) {
		t.Errorf("broken file: %d calls shown, want the %d before the break", n, len(calls))
	}
	if _, _, err := invSluice(t, nil, "calls", filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("a missing file gave no error")
	}
}

func TestProfilesCommand(t *testing.T) {
	home := isolateInventory(t)
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	invWriteFile(t, filepath.Join(home, ".aws", "config"), `[default]
region = eu-west-1

[profile prod]
sso_session = corp
sso_account_id = 123456789012
region = us-east-1
`)
	invWriteFile(t, filepath.Join(home, ".aws", "credentials"), "[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = do-not-print\n")
	cfgPath := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "sluice", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(cfgPath), 0o700); err != nil {
		t.Fatal(err)
	}
	invWriteFile(t, cfgPath, `profiles:
  - name: prod
    readonly: true
    color: red
  - name: stack
    endpoint: http://localhost:4566
    region: us-west-2
`)

	type row struct {
		Name, Kind, Region, Endpoint, Source, Renew string
		ReadOnly, Default                           bool
	}
	rows := invJSON[[]row](t, invMustRun(t, nil, "profiles", "-o", "json"))
	byName := map[string]row{}
	var names []string
	for _, r := range rows {
		byName[r.Name] = r
		names = append(names, r.Name)
	}
	if want := []string{"local", "default", "prod", "stack"}; !slices.Equal(names, want) {
		t.Fatalf("profiles %v, want %v", names, want)
	}
	if p := byName["prod"]; p.Kind != "sso" || !p.ReadOnly || p.Region != "us-east-1" || p.Renew != "aws sso login --profile prod" || p.Default {
		t.Errorf("prod: %+v", p)
	}
	if p := byName["stack"]; p.Endpoint != "http://localhost:4566" || p.Region != "us-west-2" || p.Source != "sluice config" {
		t.Errorf("stack: %+v", p)
	}
	if !byName["local"].Default {
		t.Errorf("without AWS_PROFILE or a default_profile, local is the default: %+v", rows)
	}

	t.Setenv("AWS_PROFILE", "prod")
	lines := invJSONLines[row](t, invMustRun(t, nil, "profiles", "-o", "jsonl"))
	for _, r := range lines {
		if r.Default != (r.Name == "prod") {
			t.Errorf("with AWS_PROFILE=prod: %+v", r)
		}
	}
	out := invMustRun(t, nil, "profiles")
	if strings.Contains(out, "do-not-print") || strings.Contains(out, "AKIDEXAMPLE") {
		t.Fatalf("credentials printed:\n%s", out)
	}
	var prodLine string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, " prod ") {
			prodLine = l
		}
	}
	if !strings.HasPrefix(prodLine, "*") || !strings.Contains(prodLine, "yes") {
		t.Errorf("prod is not marked default and read-only:\n%s", out)
	}
	// A default that does not exist marks none, and says why.
	t.Setenv("AWS_PROFILE", "gone")
	out, errOut, err := invSluice(t, nil, "profiles")
	if err != nil || strings.Contains(out, "*") || !strings.Contains(errOut, `no profile "gone"`) {
		t.Errorf("unknown default: %v\n%s\n%s", err, out, errOut)
	}
}

func invWriteFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestBadOutputFormatIsAClearError(t *testing.T) {
	e, _ := inventoryEngine(t)
	log := filepath.Join(t.TempDir(), "calls.jsonl")
	invWriteFile(t, log, "")
	for _, args := range [][]string{
		{"streams", "-o", "yaml"},
		{"shards", demo.StreamName, "-o", "yaml"},
		{"pipelines", "-o", "yaml"},
		{"metrics", demo.StreamName, "-o", "yaml"},
	} {
		if _, _, err := invSluice(t, e, args...); err == nil || !strings.Contains(err.Error(), `-o "yaml": want table, json or jsonl`) {
			t.Errorf("%v: %v", args, err)
		}
	}
	for _, args := range [][]string{{"profiles", "-o", "yaml"}, {"calls", log, "-o", "yaml"}} {
		if _, _, err := invSluice(t, nil, args...); err == nil || !strings.Contains(err.Error(), `-o "yaml": want table, json or jsonl`) {
			t.Errorf("%v: %v", args, err)
		}
	}
}
