package inventory_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/backend/demo"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
)

func TestListQueuesPagesThroughEveryQueue(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	var want []string
	for i := range 120 {
		url, _ := inventorytest.Queue(t, e, fmt.Sprintf("q-%03d", i), nil)
		want = append(want, url)
	}
	pager := inventory.ListQueues(s, inventory.PageSize(50))
	var got []string
	pages := 0
	for pager.More() {
		page, err := pager.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, page...)
	}
	if pages != 3 {
		t.Errorf("%d pages of 50 for 120 queues, want 3", pages)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("listed %d queues, want %d: %v", len(got), len(want), got)
	}
}

func TestDescribeQueueReadsAttributesRedriveAndTags(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	_, dlqARN := inventorytest.Queue(t, e, "jobs-dlq", nil)
	url, arn := inventorytest.Queue(t, e, "jobs", map[string]string{"team": "payments"},
		"VisibilityTimeout", "45", "MessageRetentionPeriod", "86400",
		"RedrivePolicy", `{"deadLetterTargetArn":"`+dlqARN+`","maxReceiveCount":5}`)
	for i := range 3 {
		if _, err := e.SQS().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(fmt.Sprint(i))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.SQS().ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 1}); err != nil {
		t.Fatal(err)
	}
	q, err := inventory.DescribeQueue(ctx, s, url)
	if err != nil {
		t.Fatal(err)
	}
	if q.Name != "jobs" || q.URL != url || q.ARN != arn || q.FIFO || q.Visible != 2 || q.NotVisible != 1 ||
		q.VisibilityTimeout != 45 || q.RetentionSeconds != 86400 || q.Tags["team"] != "payments" || q.Created.IsZero() {
		t.Errorf("queue: %+v", q)
	}
	if q.RedrivePolicy == nil || *q.RedrivePolicy != (inventory.Redrive{DeadLetterTargetARN: dlqARN, MaxReceiveCount: 5}) {
		t.Errorf("redrive policy: %+v", q.RedrivePolicy)
	}
	fifoURL, _ := inventorytest.Queue(t, e, "jobs.fifo", nil, "FifoQueue", "true")
	if f, err := inventory.DescribeQueue(ctx, s, fifoURL); err != nil || !f.FIFO {
		t.Errorf("FIFO queue: %+v, %v", f, err)
	}
	sources, err := inventory.SourceQueues(s, mustURL(t, s, "jobs-dlq")).All(ctx)
	if err != nil || !slices.Equal(sources, []string{url}) {
		t.Errorf("source queues of jobs-dlq: %v, %v", sources, err)
	}
}

func mustURL(t *testing.T, s interface{ SQS() *sqs.Client }, name string) string {
	t.Helper()
	out, err := s.SQS().GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.QueueUrl)
}

func TestQueueNameFromURLARNOrName(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:4577/000000000000/orders-dlq":               "orders-dlq",
		"https://sqs.eu-west-1.amazonaws.com/123456789012/jobs.fifo/": "jobs.fifo",
		"arn:aws:sqs:us-east-1:123456789012:orders-dlq":               "orders-dlq",
		"orders-dlq": "orders-dlq",
	} {
		if got := inventory.QueueName(in); got != want {
			t.Errorf("QueueName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDLQsFindsEveryKindOfSource(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	d := inventorytest.Setup(t, e)
	_, plainARN := inventorytest.Queue(t, e, "plain-dlq", nil)
	_, srcARN := inventorytest.Queue(t, e, "jobs", nil, "RedrivePolicy", `{"deadLetterTargetArn":"`+plainARN+`","maxReceiveCount":"3"}`)
	inventorytest.Queue(t, e, "archive-only", map[string]string{inventory.ArchiveTag: "s3://orders-archive/manual"})
	inventorytest.Queue(t, e, "not-a-dlq", nil)
	_, fnDLQARN := inventorytest.Queue(t, e, "fn-dlq", nil)
	if _, err := e.Lambda().CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("orders-fn"), EventSourceArn: aws.String(d.StreamARN), StartingPosition: ltypes.EventSourcePositionLatest,
		DestinationConfig: &ltypes.DestinationConfig{OnFailure: &ltypes.OnFailure{Destination: aws.String(fnDLQARN)}},
	}); err != nil {
		t.Fatal(err)
	}

	l := inventory.ListDLQs(ctx, s, nil)
	dlqs := l.DLQs
	if len(l.Failures) != 0 {
		t.Errorf("failures %v, want none", l.Failures)
	}
	var names []string
	byName := map[string]inventory.DLQ{}
	for _, q := range dlqs {
		names = append(names, q.Queue.Name)
		byName[q.Queue.Name] = q
	}
	if want := []string{"archive-only", "fn-dlq", demo.BusDLQName, demo.DLQName, "plain-dlq"}; !slices.Equal(names, want) {
		t.Fatalf("DLQs %v, want %v", names, want)
	}
	check := func(name string, want []inventory.Source, archived bool) {
		t.Helper()
		q := byName[name]
		if !slices.Equal(q.Sources, want) || q.Archived != archived {
			t.Errorf("%s: sources %+v archived %v, want %+v %v", name, q.Sources, q.Archived, want, archived)
		}
		if len(q.Notes) != 0 || q.Failure != nil {
			t.Errorf("%s: notes %q, failure %v, want none", name, q.Notes, q.Failure)
		}
	}
	check(demo.DLQName, []inventory.Source{{Kind: inventory.SourcePipe, Name: demo.PipeName, ARN: d.PipeARN,
		Stream: d.StreamARN, MaxRecordAgeSeconds: 600}}, true)
	check("plain-dlq", []inventory.Source{{Kind: inventory.SourceSQS, Name: "jobs", ARN: srcARN}}, false)
	check(demo.BusDLQName, []inventory.Source{{Kind: inventory.SourceRule, Name: demo.BusName + "/" + demo.RuleName,
		ARN: "arn:aws:events:us-east-1:000000000000:rule/" + demo.BusName + "/" + demo.RuleName}}, false)
	check("archive-only", []inventory.Source{}, true)
	check("fn-dlq", []inventory.Source{{Kind: inventory.SourceLambda, Name: "orders-fn",
		ARN: "arn:aws:lambda:us-east-1:000000000000:function:orders-fn", Stream: d.StreamARN, MaxRecordAgeSeconds: -1}}, false)
	if q := byName[demo.DLQName].Queue; q.URL != d.DLQURL || q.ARN != d.DLQARN {
		t.Errorf("orders-dlq described as %+v", q)
	}
}

// TestEventSourceMappingsOfStreams: the mappings read from Kinesis
// streams are listed with their settings; an SQS-fed one is not.
func TestEventSourceMappingsOfStreams(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	streamARN := inventorytest.Stream(t, e, "orders", 1)
	_, qARN := inventorytest.Queue(t, e, "jobs", nil)
	for _, in := range []*lambda.CreateEventSourceMappingInput{
		{FunctionName: aws.String("fn"), EventSourceArn: aws.String(streamARN), StartingPosition: ltypes.EventSourcePositionTrimHorizon,
			BatchSize: aws.Int32(7), MaximumBatchingWindowInSeconds: aws.Int32(3), BisectBatchOnFunctionError: aws.Bool(true)},
		{FunctionName: aws.String("fn"), EventSourceArn: aws.String(qARN)},
	} {
		if _, err := e.Lambda().CreateEventSourceMapping(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	esms, err := inventory.EventSourceMappings(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(esms) != 1 {
		t.Fatalf("mappings %+v, want the stream's one", esms)
	}
	m := esms[0]
	if m.Function != "fn" || m.StreamARN != streamARN || m.BatchSize != 7 || m.BatchWindowSeconds != 3 || !m.Bisect ||
		m.MaximumRetryAttempts != -1 || m.MaximumRecordAgeSeconds != -1 || m.StartingPosition != "TRIM_HORIZON" || m.StateReason != "User action" {
		t.Fatalf("mapping %+v", m)
	}
	got, err := inventory.GetEventSourceMapping(ctx, s, m.UUID)
	if err != nil {
		t.Fatal(err)
	}
	got.State, m.State = "", "" // it may have settled between the two reads
	if got != m {
		t.Fatalf("Get %+v\nList %+v", got, m)
	}
}

func TestListBuckets(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	inventorytest.Setup(t, e)
	for _, name := range []string{"a-first", "z-last"} {
		if _, err := e.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	list := inventory.ListBuckets(ctx, s, inventory.PageSize(1))
	if err := list.Failures.Err(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range list.Buckets {
		names = append(names, b.Name)
		if b.Created.IsZero() {
			t.Errorf("bucket %s has no creation time", b.Name)
		}
	}
	if want := []string{"a-first", demo.BucketName, "z-last"}; !slices.Equal(names, want) {
		t.Fatalf("buckets %v, want %v", names, want)
	}
	calls := 0
	for _, c := range s.Calls.Calls() {
		if c.Operation == "ListBuckets" {
			calls++
		}
	}
	if calls < 3 {
		t.Errorf("%d ListBuckets calls for 3 buckets in pages of 1, want 3 or more", calls)
	}
}

// A page that fails keeps the pages before it, with the failure beside
// them, named and classified.
func TestListBucketsKeepsWhatItReadBeforeAFailure(t *testing.T) {
	_, e := backendtest.Open(t)
	ctx := context.Background()
	for _, name := range []string{"a-first", "b-second", "c-third"} {
		if _, err := e.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	p := faultproxy.Start(t, e.URL)
	p.Add(&faultproxy.Rule{Service: "s3", Match: func(r faultproxy.Request) bool { return r.Query.Get("continuation-token") != "" },
		Times: 1, Fault: faultproxy.Fault{Status: 403, Code: "AccessDenied", Message: "Access Denied"}})
	s := backendtest.OpenOn(t, e, backend.Env{Endpoint: p.URL})
	list := inventory.ListBuckets(ctx, s, inventory.PageSize(1))
	if len(list.Buckets) != 1 || list.Buckets[0].Name != "a-first" {
		t.Fatalf("buckets %+v, want the first page's", list.Buckets)
	}
	if len(list.Failures) != 1 || list.Failures[0].Kind != backend.FailDenied || list.Failures[0].Service != "s3" {
		t.Fatalf("failures %+v, want one s3 denied", list.Failures)
	}
}
