package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluicehq/sluice/backend/decode"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// tailEngine starts an engine with a 2-shard stream "orders" holding
// records, and points every file the CLI touches at temporary folders.
func tailEngine(t *testing.T, data ...[]byte) *enginetest.Engine {
	t.Helper()
	dir := t.TempDir()
	for _, v := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"} {
		t.Setenv(v, filepath.Join(dir, strings.ToLower(v)))
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "aws-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "aws-credentials"))
	for _, v := range []string{"AWS_PROFILE", "AWS_REGION", "AWS_ENDPOINT_URL", "SLUICE_DATA_DIR"} {
		t.Setenv(v, "")
	}
	e := enginetest.Start(t)
	// The CLI's session uses the default transport; a read cancelled by
	// Ctrl-C can leave it a connection the engine's shutdown waits for.
	t.Cleanup(http.DefaultTransport.(*http.Transport).CloseIdleConnections)
	c := e.Kinesis()
	ctx := context.Background()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	tailPut(t, e, data...)
	return e
}

func tailPut(t *testing.T, e *enginetest.Engine, data ...[]byte) {
	t.Helper()
	if len(data) == 0 {
		return
	}
	entries := make([]types.PutRecordsRequestEntry, len(data))
	for i, d := range data {
		entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("key-%d", i%5)), Data: d}
	}
	out, err := e.Kinesis().PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String("orders"), Records: entries})
	if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
		t.Fatalf("put: %v", err)
	}
}

func tailRun(t *testing.T, ctx context.Context, e *enginetest.Engine, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRootCmd(buildInfo{Version: "test"})
	// The test's own flags come after the default pace, so they win.
	root.SetArgs(append(append([]string{"tail", "--rate", "5"}, args...), "--profile", "local", "--endpoint-url", e.URL))
	root.SetOut(&out)
	root.SetErr(&errOut)
	err := root.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

func tailCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

type tailLine struct {
	ShardID        string          `json:"shardId"`
	SequenceNumber string          `json:"sequenceNumber"`
	SubSequence    *int            `json:"subSequence"`
	PartitionKey   string          `json:"partitionKey"`
	Arrival        time.Time       `json:"arrival"`
	Data           json.RawMessage `json:"data"`
	DataEncoding   string          `json:"dataEncoding"`
	Size           int             `json:"size"`
}

func TestTailJSONLines(t *testing.T) {
	agg := decode.Aggregate([]decode.UserRecord{{PartitionKey: "u1", Data: []byte(`{"user":1}`)}, {PartitionKey: "u2", Data: []byte("two")}})
	e := tailEngine(t, []byte(`{"n": 1}`), []byte("plain text"), []byte{0xff, 0xfe}, agg)
	stdout, stderr, err := tailRun(t, tailCtx(t), e, "orders", "--from", "trim-horizon", "--follow=false", "-o", "jsonl")
	if err != nil {
		t.Fatalf("%v; stderr %s", err, stderr)
	}
	byData := map[string]tailLine{}
	for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		var l tailLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if l.ShardID == "" || l.SequenceNumber == "" || l.Arrival.IsZero() {
			t.Fatalf("line %q", line)
		}
		byData[string(l.Data)+l.DataEncoding] = l
	}
	if len(byData) != 5 {
		t.Fatalf("%d records:\n%s", len(byData), stdout)
	}
	for data, want := range map[string]struct {
		key  string
		size int
		sub  int
	}{
		`{"n":1}`:      {"key-0", 8, -1},
		`"plain text"`: {"key-1", 10, -1},
		`"//4="base64`: {"key-2", 2, -1},
		`{"user":1}`:   {"u1", 10, 0},
		`"two"`:        {"u2", 3, 1},
	} {
		l, ok := byData[data]
		if !ok {
			t.Fatalf("no record with data %s in\n%s", data, stdout)
		}
		sub := -1
		if l.SubSequence != nil {
			sub = *l.SubSequence
		}
		if l.PartitionKey != want.key || l.Size != want.size || sub != want.sub {
			t.Fatalf("record %s: %+v", data, l)
		}
	}
}

func TestTailJSONAndMax(t *testing.T) {
	var data [][]byte
	for i := range 10 {
		data = append(data, fmt.Appendf(nil, `{"n":%d}`, i))
	}
	e := tailEngine(t, data...)
	stdout, _, err := tailRun(t, tailCtx(t), e, "orders", "--from", "trim-horizon", "-o", "json", "--max", "3")
	if err != nil {
		t.Fatal(err)
	}
	var got []tailLine
	if err := json.Unmarshal([]byte(stdout), &got); err != nil || len(got) != 3 {
		t.Fatalf("want an array of 3 records, got %v:\n%s", err, stdout)
	}

	// Nothing to read: an empty array.
	stdout, _, err = tailRun(t, tailCtx(t), e, "orders", "--from", "latest", "--follow=false", "-o", "json")
	if err != nil || stdout != "[]\n" {
		t.Fatalf("%q, %v", stdout, err)
	}
}

func TestTailFilterAndTable(t *testing.T) {
	e := tailEngine(t, []byte(`{"n":1,"status":"FAILED"}`), []byte(`{"n":2,"status":"OK"}`), []byte("evil \x1b]52;c;aGk=\x07 text"))
	stdout, _, err := tailRun(t, tailCtx(t), e, "orders", "--from", "trim-horizon", "--follow=false", "--jq", `select(.status == "FAILED")`, "-o", "jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(stdout, "\n") != 1 || !strings.Contains(stdout, `"data":{"n":1,"status":"FAILED"}`) || strings.Contains(stdout, "projected") {
		t.Fatalf("filtered:\n%s", stdout)
	}

	// A projection prints what the expression yields, one line a value,
	// with the record's coordinates; the text record yields nothing (.n?
	// of a string is empty) and is skipped.
	stdout, _, err = tailRun(t, tailCtx(t), e, "orders", "--from", "trim-horizon", "--follow=false", "--jq", `.n?, .status?`, "-o", "jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		var got struct {
			ShardID   string          `json:"shardId"`
			Data      json.RawMessage `json:"data"`
			Projected bool            `json:"projected"`
		}
		if err := json.Unmarshal([]byte(line), &got); err != nil || !got.Projected || got.ShardID == "" {
			t.Fatalf("projected line %q: %v", line, err)
		}
		values = append(values, string(got.Data))
	}
	slices.Sort(values)
	if !slices.Equal(values, []string{`"FAILED"`, `"OK"`, "1", "2"}) {
		t.Fatalf("projected values %q:\n%s", values, stdout)
	}
	stdout, _, err = tailRun(t, tailCtx(t), e, "orders", "--from", "trim-horizon", "--follow=false", "--jq", `.status?`)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n"); len(lines) != 3 || !strings.Contains(stdout, `  "FAILED"`) || !strings.Contains(stdout, `  "OK"`) || strings.Contains(stdout, `"n":`) {
		t.Fatalf("projected table:\n%s", stdout)
	}

	stdout, _, err = tailRun(t, tailCtx(t), e, "orders", "--from", "trim-horizon", "--follow=false")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "TIME") || !strings.Contains(lines[0], "PREVIEW") {
		t.Fatalf("table:\n%s", stdout)
	}
	if strings.ContainsAny(stdout, "\x1b\x07") || !strings.Contains(stdout, `evil \x1b]52;c;aGk=\x07 text`) {
		t.Fatalf("escape sequences not made inert:\n%q", stdout)
	}
	if !strings.Contains(stdout, `{"n":2,"status":"OK"}`) {
		t.Fatalf("no JSON preview:\n%s", stdout)
	}
}

// TestTailFollowsUntilInterrupted: with --follow, new records are printed
// as they come, and cancelling (what Ctrl-C does) ends the command cleanly
// with everything printed so far flushed.
func TestTailFollowsUntilInterrupted(t *testing.T) {
	e := tailEngine(t)
	ctx, cancel := context.WithCancel(tailCtx(t))
	done := make(chan error, 1)
	out := &syncBuffer{}
	go func() {
		root := newRootCmd(buildInfo{Version: "test"})
		root.SetArgs([]string{"tail", "orders", "--from", "trim-horizon", "-o", "jsonl", "--rate", "5", "--profile", "local", "--endpoint-url", e.URL})
		root.SetOut(out)
		root.SetErr(out)
		done <- root.ExecuteContext(ctx)
	}()
	tailPut(t, e, []byte("one"), []byte("two"))
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(out.String(), "\n") < 2 {
		select {
		case err := <-done:
			t.Fatalf("tail ended early: %v\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("records not printed:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("interrupted tail: %v", err)
	}
	if !strings.Contains(out.String(), `"data":"one"`) || !strings.Contains(out.String(), `"data":"two"`) {
		t.Fatalf("output:\n%s", out.String())
	}
}

func TestTailRejectsBadFlags(t *testing.T) {
	e := tailEngine(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"orders", "--from", "yesterday"}, "--from"},
		{[]string{"orders", "--jq", ".a |"}, "--jq"},
		{[]string{"orders", "--rate", "6"}, "--rate 6"},
		{[]string{"orders", "--max", "-1"}, "--max"},
		{[]string{"orders", "-o", "xml"}, "-o"},
		{[]string{"nope", "--follow=false"}, "nope"},
		{[]string{"orders", "--shard", "shardId-000000000007"}, "not in the stream"},
	} {
		_, _, err := tailRun(t, tailCtx(t), e, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one about %s", tc.args, err, tc.want)
		}
	}
}
