package inventory_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/demo"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
)

func TestListAndDescribePipes(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	d := inventorytest.Setup(t, e)
	_, targetARN := inventorytest.Queue(t, e, "sink", nil)
	for _, name := range []string{"p-1", "p-2", "p-3", "p-4"} {
		inventorytest.Pipe(t, e, name, d.StreamARN, targetARN, "", nil)
	}
	pager := inventory.ListPipes(s, inventory.PageSize(2))
	var names []string
	pages := 0
	for pager.More() {
		page, err := pager.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		names = append(names, page...)
	}
	slices.Sort(names)
	if want := []string{demo.PipeName, "p-1", "p-2", "p-3", "p-4"}; !slices.Equal(names, want) || pages != 3 {
		t.Fatalf("pipes %v in %d pages, want %v in 3", names, pages, want)
	}

	p, err := inventory.DescribePipe(ctx, s, demo.PipeName)
	if err != nil {
		t.Fatal(err)
	}
	want := inventory.Pipe{
		Name: demo.PipeName, ARN: d.PipeARN, State: p.State, Source: d.StreamARN, Target: d.DestARN,
		DLQARN: d.DLQARN, BatchSize: 10, MaximumRetryAttempts: 3, MaximumRecordAgeSeconds: 600, Bisect: true,
		StartingPosition: "TRIM_HORIZON", Tags: map[string]string{inventory.ArchiveTag: demo.ArchiveURL},
	}
	if p.State == "" || p.Name != want.Name || p.ARN != want.ARN || p.Source != want.Source || p.Target != want.Target ||
		p.DLQARN != want.DLQARN || p.BatchSize != 10 || p.MaximumRetryAttempts != 3 || p.MaximumRecordAgeSeconds != 600 ||
		!p.Bisect || p.StartingPosition != "TRIM_HORIZON" || p.Tags[inventory.ArchiveTag] != demo.ArchiveURL {
		t.Fatalf("pipe %+v, want %+v", p, want)
	}
}

func TestPipelinesAreDiscoveredFromPipes(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	d := inventorytest.Setup(t, e)

	disc, err := inventory.Discover(ctx, s, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(disc.Pipelines) != 1 {
		t.Fatalf("pipelines %+v, want the demo's one", disc.Pipelines)
	}
	want := backend.Pipeline{
		Consumer: demo.PipeName, ConsumerKind: "pipe", ConsumerARN: d.PipeARN,
		Stream: demo.StreamName, StreamARN: d.StreamARN,
		DLQ: demo.DLQName, DLQURL: d.DLQURL, DLQARN: d.DLQARN,
		Archive: backend.ArchiveLocation{Bucket: demo.BucketName, From: "tag"},
		Target:  backend.Target{Kind: backend.TargetHTTP, ARN: d.DestARN, URL: inventorytest.APIURL},
	}
	if got := disc.Pipelines[0]; got != want {
		t.Fatalf("pipeline\n got %+v\nwant %+v", got, want)
	}
	if len(disc.Failures) != 0 || len(disc.Notes) != 0 {
		t.Errorf("failures %v, notes %q: want none", disc.Failures, disc.Notes)
	}
	p, ok := inventory.PipelineForConsumer(disc.Pipelines, demo.PipeName)
	if !ok || p != want {
		t.Errorf("PipelineForConsumer: %+v %v", p, ok)
	}
	for _, ref := range []string{d.DLQURL, d.DLQARN, demo.DLQName} {
		if p, ok := inventory.PipelineForDLQ(ctx, s, disc.Pipelines, ref); !ok || p != want {
			t.Errorf("PipelineForDLQ(%s): %+v %v", ref, p, ok)
		}
	}
	if _, ok := inventory.PipelineForDLQ(ctx, s, disc.Pipelines, demo.BusDLQName); ok {
		t.Error("the bus DLQ belongs to no pipeline")
	}
}

func TestConfigOverridesAndAddsPipelines(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	d := inventorytest.Setup(t, e)
	jobsURL, jobsARN := inventorytest.Queue(t, e, "jobs-dlq", nil)
	replayARN := "arn:aws:kinesis:us-east-1:000000000000:stream/orders-replay"
	declared := []config.Pipeline{
		{Pipe: demo.PipeName, Consumer: "orders", Archive: "s3://elsewhere/orders", ReplayTarget: replayARN},
		{Consumer: "billing", Stream: demo.StreamName, DLQ: "jobs-dlq", ReplayTarget: "https://billing.example/replay"},
		{Pipe: "no-such-pipe", Stream: "no-such-stream"},
	}
	disc, err := inventory.Discover(ctx, s, declared, "s3://fallback/x")
	if err != nil {
		t.Fatal(err)
	}
	var consumers []string
	for _, p := range disc.Pipelines {
		consumers = append(consumers, p.Consumer)
	}
	if want := []string{"billing", "no-such-pipe", "orders"}; !slices.Equal(consumers, want) {
		t.Fatalf("consumers %v, want %v", consumers, want)
	}
	orders, _ := inventory.PipelineForConsumer(disc.Pipelines, "orders")
	wantOrders := backend.Pipeline{
		Consumer: "orders", ConsumerKind: "pipe", ConsumerARN: d.PipeARN,
		Stream: demo.StreamName, StreamARN: d.StreamARN,
		DLQ: demo.DLQName, DLQURL: d.DLQURL, DLQARN: d.DLQARN,
		Archive: backend.ArchiveLocation{Bucket: "elsewhere", Prefix: "orders/", From: "config"},
		Target:  backend.Target{Kind: backend.TargetKinesis, ARN: replayARN},
	}
	if orders != wantOrders {
		t.Errorf("overridden pipeline\n got %+v\nwant %+v", orders, wantOrders)
	}
	billing, _ := inventory.PipelineForConsumer(disc.Pipelines, "billing")
	wantBilling := backend.Pipeline{
		Consumer: "billing", ConsumerKind: "config",
		Stream: demo.StreamName, StreamARN: d.StreamARN,
		DLQ: "jobs-dlq", DLQURL: jobsURL, DLQARN: jobsARN,
		Archive: backend.ArchiveLocation{Bucket: "fallback", Prefix: "x/", From: "flag"},
		Target:  backend.Target{Kind: backend.TargetHTTP, URL: "https://billing.example/replay"},
	}
	if billing != wantBilling {
		t.Errorf("declared pipeline\n got %+v\nwant %+v", billing, wantBilling)
	}
	notes := strings.Join(disc.Notes, "\n")
	for _, want := range []string{"pipe no-such-pipe declared in the config does not exist", "stream no-such-stream does not exist"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q lack %q", notes, want)
		}
	}

	if _, err := inventory.Discover(ctx, s, nil, "bucket-without-scheme"); err == nil || !strings.Contains(err.Error(), "--archive") {
		t.Errorf("a bad --archive gave %v", err)
	}
}

func TestArchiveForQueuePrecedence(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	d := inventorytest.Setup(t, e)
	// A second pipeline whose DLQ has no tag, but whose pipe has.
	_, sinkARN := inventorytest.Queue(t, e, "sink", nil)
	quietURL, quietARN := inventorytest.Queue(t, e, "quiet-dlq", nil)
	inventorytest.Pipe(t, e, "quiet", d.StreamARN, sinkARN, quietARN, map[string]string{inventory.ArchiveTag: "s3://pipe-tagged/quiet"})
	// A DLQ that nothing names an archive for.
	bareURL, bareARN := inventorytest.Queue(t, e, "bare-dlq", nil)
	inventorytest.Pipe(t, e, "bare", d.StreamARN, sinkARN, bareARN, nil)
	badURL, _ := inventorytest.Queue(t, e, "bad-dlq", map[string]string{inventory.ArchiveTag: "orders-archive"})

	declared := []config.Pipeline{{Pipe: demo.PipeName, Archive: "s3://from-config/p"}}
	for _, tc := range []struct {
		name     string
		declared []config.Pipeline
		queue    string
		flag     string
		want     backend.ArchiveLocation
		err      string
	}{
		{"config beats the tags", declared, d.DLQURL, "s3://flag/f", backend.ArchiveLocation{Bucket: "from-config", Prefix: "p/", From: "config"}, ""},
		{"the DLQ's tag", nil, d.DLQURL, "s3://flag/f", backend.ArchiveLocation{Bucket: demo.BucketName, From: "tag"}, ""},
		{"by name too", nil, demo.DLQName, "", backend.ArchiveLocation{Bucket: demo.BucketName, From: "tag"}, ""},
		{"the pipe's tag", declared, quietURL, "s3://flag/f", backend.ArchiveLocation{Bucket: "pipe-tagged", Prefix: "quiet/", From: "tag"}, ""},
		{"the pipe's tag without config", nil, quietURL, "", backend.ArchiveLocation{Bucket: "pipe-tagged", Prefix: "quiet/", From: "tag"}, ""},
		{"the flag", nil, bareURL, "s3://flag/f", backend.ArchiveLocation{Bucket: "flag", Prefix: "f/", From: "flag"}, ""},
		{"nothing", nil, bareURL, "", backend.ArchiveLocation{}, "--archive s3://BUCKET/PREFIX"},
		{"a bad tag", nil, badURL, "s3://flag/f", backend.ArchiveLocation{}, "not an s3://bucket/prefix URL"},
		{"a bad flag", nil, bareURL, "flag", backend.ArchiveLocation{}, "--archive"},
		{"no such queue", nil, "missing-dlq", "s3://flag/f", backend.ArchiveLocation{}, "missing-dlq"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := inventory.ArchiveForQueue(ctx, s, tc.declared, tc.queue, tc.flag)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %+v, %v; want an error saying %q", got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
	_, err := inventory.ArchiveForQueue(ctx, s, nil, bareURL, "")
	if !errors.Is(err, inventory.ErrNoArchive) {
		t.Errorf("no archive: %v does not wrap ErrNoArchive", err)
	}
	// The queue's own tag counts for a queue in no pipeline.
	if _, err := e.SQS().TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(bareURL),
		Tags: map[string]string{inventory.ArchiveTag: "s3://bare/"}}); err != nil {
		t.Fatal(err)
	}
	got, err := inventory.ArchiveForQueue(ctx, s, declared, bareURL, "s3://flag/f")
	if want := (backend.ArchiveLocation{Bucket: "bare", From: "tag"}); err != nil || got != want {
		t.Errorf("tagged queue with a config present: %+v, %v; want %+v", got, err, want)
	}
}
