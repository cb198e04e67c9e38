package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/replay"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// twoProfiles is production and a developer's engine: two engines, and a
// sluice config naming them prod (read-only), dev, and shared (dev's
// engine again, read-only).
type twoProfiles struct {
	prod, dev   *enginetest.Engine
	prodS, devS *backend.Session
	loc         backend.ArchiveLocation
	events      map[string]archive.Event // by id
	keys        []string
}

func newTwoProfiles(t *testing.T) *twoProfiles {
	t.Helper()
	isolateInventory(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	tp := &twoProfiles{prod: enginetest.Start(t), dev: enginetest.Start(t), loc: backend.ArchiveLocation{Bucket: "archive", Prefix: "failed/"}}
	tp.prodS = backendtest.OpenOn(t, tp.prod, backend.Env{})
	tp.devS = backendtest.OpenOn(t, tp.dev, backend.Env{})
	cfg := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "sluice", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o700); err != nil {
		t.Fatal(err)
	}
	invWriteFile(t, cfg, fmt.Sprintf(`profiles:
  - name: prod
    endpoint: %s
    region: %s
    readonly: true
  - name: dev
    endpoint: %s
    region: %s
  - name: shared
    endpoint: %s
    region: %s
    readonly: true
`, tp.prod.URL, tp.prod.Region, tp.dev.URL, tp.dev.Region, tp.dev.URL, tp.dev.Region))
	ctx := context.Background()
	if _, err := tp.prodS.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("archive")}); err != nil {
		t.Fatal(err)
	}
	tp.events = map[string]archive.Event{}
	now := time.Now().UTC()
	arn := "arn:aws:kinesis:us-east-1:111122223333:stream/orders"
	for i, c := range []struct {
		pk   string
		ago  time.Duration
		data []byte
	}{
		{"customer-1", 10 * time.Minute, []byte(`{"order":1}`)},
		{"customer-2", time.Hour, []byte(`{"order":2,"note":"<&>"}`)},
		{"evil\x1b[2J", 3 * time.Hour, []byte("\x1b]52;c;aGk=\x07 binary \xff")},
	} {
		ev := archive.Event{ID: archive.EventID(arn, "shardId-000000000000", fmt.Sprint(i)), Consumer: "orders-to-api",
			Record: archive.Record{StreamARN: arn, ShardID: "shardId-000000000000", SequenceNumber: fmt.Sprint(i),
				PartitionKey: c.pk, ArrivalTime: now.Add(-c.ago).Truncate(time.Millisecond)},
			Failure: archive.Failure{Source: "pipe", Condition: "RetryAttemptsExhausted", DLQ: "orders-dlq", FailedAt: now}}
		ev.Record.SetData(c.data)
		k, err := archive.Put(ctx, tp.prodS, tp.loc, ev)
		if err != nil {
			t.Fatal(err)
		}
		tp.events[ev.ID] = ev
		tp.keys = append(tp.keys, k)
	}
	return tp
}

// bucket is every object of a bucket with its ETag.
func bucket(t *testing.T, s *backend.Session, name string) map[string]string {
	t.Helper()
	state := map[string]string{}
	p := s3.NewListObjectsV2Paginator(s.S3(), &s3.ListObjectsV2Input{Bucket: aws.String(name)})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			state[aws.ToString(o.Key)] = aws.ToString(o.ETag)
		}
	}
	return state
}

// TestCrossProfileReplayCopiesWithIDsAndLeavesTheSourceUnchanged: the
// issue's test. Production's archived failures, read under --readonly,
// copied into a queue of the developer's engine named by its name there:
// every event lands with its id and its bytes, the output says per event
// and in the summary what happened, and production's bucket is, object
// for object, what it was. A read-only destination refuses the copy.
func TestCrossProfileReplayCopiesWithIDsAndLeavesTheSourceUnchanged(t *testing.T) {
	tp := newTwoProfiles(t)
	q, err := tp.devS.SQS().CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("debug")})
	if err != nil {
		t.Fatal(err)
	}
	before := bucket(t, tp.prodS, "archive")
	copyArgs := []string{"replay", "--profile", "prod", "--readonly", "--consumer", "orders-to-api", "--since", "1d",
		"--archive", "s3://archive/failed/", "--to-profile", "dev", "--to", "debug", "--yes"}

	out, errOut, err := invSluice(t, nil, append(copyArgs, "-o", "json")...)
	if err != nil {
		t.Fatalf("copy: %v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, "copied 3 events to dev, source archive unchanged") {
		t.Errorf("the summary line is missing:\n%s", errOut)
	}
	type copied struct {
		replay.Summary
		Results []replay.Result `json:"results"`
	}
	got := invJSON[copied](t, out)
	if got.CopiedTo != "dev" || got.Sent != 3 || len(got.Results) != 3 {
		t.Fatalf("output %+v", got)
	}
	for _, r := range got.Results {
		ev, ok := tp.events[r.ID]
		if !ok || r.Status != replay.Accepted || !r.Copied || r.Marked != "" || r.PartitionKey != ev.Record.PartitionKey {
			t.Errorf("result %+v", r)
		}
	}
	ids := map[string]bool{}
	msgs, err := tp.devS.SQS().ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl,
		MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs.Messages {
		id := aws.ToString(m.MessageAttributes[replay.AttrEventID].StringValue)
		ids[id] = true
		ev, ok := tp.events[id]
		if !ok {
			t.Fatalf("a message with id %q, not one of production's", id)
		}
		data, _ := ev.Record.Bytes()
		body := aws.ToString(m.Body)
		if m.MessageAttributes[replay.AttrEncoding].StringValue == nil && body != string(data) {
			t.Errorf("%s: body %q, want %q", id, body, data)
		}
	}
	if len(ids) != len(tp.events) {
		t.Errorf("the queue got ids %v, want the %d archived events'", ids, len(tp.events))
	}
	if after := bucket(t, tp.prodS, "archive"); !maps.Equal(after, before) {
		t.Errorf("the source archive changed:\nbefore %v\nafter  %v", before, after)
	}

	table := invMustRun(t, nil, copyArgs...)
	for _, ev := range tp.events {
		if !strings.Contains(table, ev.ID+"  copied") {
			t.Errorf("the table names no result for %s:\n%s", ev.ID, table)
		}
	}

	shared := slicesReplace(copyArgs, "dev", "shared")
	_, errOut, err = invSluice(t, nil, shared...)
	if err == nil || !strings.Contains(err.Error(), "read-only") || !strings.Contains(err.Error(), "copy") {
		t.Fatalf("a copy into the read-only profile shared: %v\n%s", err, errOut)
	}
	if after := bucket(t, tp.prodS, "archive"); !maps.Equal(after, before) {
		t.Errorf("the source archive changed:\nbefore %v\nafter  %v", before, after)
	}
}

// slicesReplace is args with every old replaced by new.
func slicesReplace(args []string, old, new string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if a == old {
			out[i] = new
		}
	}
	return out
}

// TestArchiveExportImportMovesAnIncidentBetweenProfiles: production's
// events exported as JSON Lines and imported into the developer's engine
// land under the same keys with the same bytes; a rerun writes nothing
// new; a file with a bad line is refused naming the line, writing
// nothing, unless --skip-bad; the read-only profile refuses the import.
func TestArchiveExportImportMovesAnIncidentBetweenProfiles(t *testing.T) {
	tp := newTwoProfiles(t)
	if _, err := tp.devS.S3().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("archive")}); err != nil {
		t.Fatal(err)
	}
	before := bucket(t, tp.prodS, "archive")
	out, errOut, err := invSluice(t, nil, "archive", "export", "--profile", "prod", "--readonly", "--consumer", "orders-to-api",
		"--archive", "s3://archive/failed/")
	if err != nil {
		t.Fatalf("export: %v\n%s", err, errOut)
	}
	if n := strings.Count(out, "\n"); n != 3 || !strings.Contains(errOut, "exported 3 events") {
		t.Fatalf("export wrote %d lines:\n%s\n%s", n, out, errOut)
	}
	file := filepath.Join(t.TempDir(), "incident.jsonl")
	invWriteFile(t, file, out)

	imp := []string{"archive", "import", file, "--profile", "dev", "--yes", "-o", "jsonl"}
	rows := invJSONLines[importRow](t, invMustRun(t, nil, imp...))
	if len(rows) != 3 {
		t.Fatalf("rows %+v", rows)
	}
	for _, r := range rows {
		if r.Status != "written" {
			t.Errorf("first import: %+v", r)
		}
	}
	if got := bucket(t, tp.devS, "archive"); !maps.Equal(got, before) {
		t.Errorf("dev's archive is not production's, key for key and ETag for ETag:\nprod %v\ndev  %v", before, got)
	}
	for _, r := range invJSONLines[importRow](t, invMustRun(t, nil, imp...)) {
		if r.Status != "unchanged" {
			t.Errorf("rerun: %+v", r)
		}
	}

	lines := strings.SplitAfter(out, "\n")
	badFile := filepath.Join(t.TempDir(), "bad.jsonl")
	invWriteFile(t, badFile, lines[0]+"{\"key\":\"not an event\"}\n"+lines[1])
	_, errOut, err = invSluice(t, nil, "archive", "import", badFile, "--profile", "dev", "--prefix", "moved/", "--yes")
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "nothing imported") {
		t.Fatalf("a bad line: %v\n%s", err, errOut)
	}
	if got := bucket(t, tp.devS, "archive"); len(got) != 3 {
		t.Errorf("the refused import wrote: %v", got)
	}
	_, errOut, err = invSluice(t, nil, "archive", "import", badFile, "--profile", "dev", "--prefix", "moved/", "--yes", "--skip-bad")
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(errOut, "2 written") {
		t.Fatalf("--skip-bad: %v\n%s", err, errOut)
	}
	moved := 0
	for k := range bucket(t, tp.devS, "archive") {
		if strings.HasPrefix(k, "moved/orders-to-api/") {
			moved++
		}
	}
	if moved != 2 {
		t.Errorf("%d events under moved/, want the 2 good lines", moved)
	}

	_, _, err = invSluice(t, nil, "archive", "import", file, "--profile", "shared", "--bucket", "archive", "--prefix", "other/", "--yes")
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("an import into the read-only profile: %v", err)
	}
	if after := bucket(t, tp.prodS, "archive"); !maps.Equal(after, before) {
		t.Errorf("the export changed the source archive")
	}
}
