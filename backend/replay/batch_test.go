package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
)

// batchedBulk replays n archived events of consumer to tgt through the
// proxy, and checks that they went in batch calls of op, each within
// most entries (counted by entryField in the request), never one by one
// with single, and fewer calls than events.
func batchedBulk(t *testing.T, s *backend.Session, p *faultproxy.Proxy, loc backend.ArchiveLocation, consumer string, tgt backend.Target,
	n int, service, op, single, entryField string, most int) map[string]archive.Event {
	t.Helper()
	events := archiveEvents(t, s, loc, consumer, start, n)
	sum, err := Bulk(ctxT(t), s, Plan{Archive: loc, Target: tgt, Query: archive.Query{Consumer: consumer}}, Options{Concurrency: 4})
	if err != nil || sum.Sent != n || sum.Failed != 0 {
		t.Fatalf("%+v %v", sum, err)
	}
	calls := p.Seen(func(r faultproxy.Request) bool { return r.Service == service && r.Operation == op })
	if len(calls) == 0 || len(calls) >= n || p.Count(service, single) != 0 {
		t.Fatalf("%d %s calls and %d %s for %d events", len(calls), op, p.Count(service, single), single, n)
	}
	for _, c := range calls {
		if k := bytes.Count(c.Body, []byte(`"`+entryField+`"`)); k > most {
			t.Fatalf("a %s call of %d entries, most %d", op, k, most)
		}
	}
	if left := listAll(t, s, loc, consumer, false); len(left) != 0 {
		t.Fatalf("%d originals left", len(left))
	}
	if marked := listAll(t, s, loc, consumer, true); len(marked) != n {
		t.Fatalf("%d marked, want %d", len(marked), n)
	}
	return events
}

func TestBulkToKinesisPutsRecordsInBatches(t *testing.T) {
	s, p, loc := openFaulty(t)
	kc := s.Kinesis()
	_, err := kc.CreateStream(ctxT(t), &kinesis.CreateStreamInput{StreamName: aws.String("again"), ShardCount: aws.Int32(1)})
	must(t, err)
	sum, err := kc.DescribeStreamSummary(ctxT(t), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("again")})
	must(t, err)
	tgt, err := backend.ParseTarget(aws.ToString(sum.StreamDescriptionSummary.StreamARN))
	must(t, err)
	const n = 120
	events := batchedBulk(t, s, p, loc, "orders", tgt, n, "kinesis", "PutRecords", "PutRecord", "PartitionKey", 500)

	it, err := kc.GetShardIterator(ctxT(t), &kinesis.GetShardIteratorInput{StreamName: aws.String("again"),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
	must(t, err)
	out, err := kc.GetRecords(ctxT(t), &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(1000)})
	must(t, err)
	want := map[string]int{}
	for _, e := range events {
		data, _ := e.Record.Bytes()
		want[e.Record.PartitionKey+" "+string(data)]++
	}
	for _, r := range out.Records {
		want[aws.ToString(r.PartitionKey)+" "+string(r.Data)]--
	}
	for rec, left := range want {
		if left != 0 {
			t.Fatalf("%q: %d more in the archive than in the stream", rec, left)
		}
	}
	if len(out.Records) != n {
		t.Fatalf("%d records, want %d", len(out.Records), n)
	}
}

// TestBulkToSQSSendsBatchesWithResultsPerEntry: batches of at most 10; an
// event SQS cannot take is rejected alone while its batch-mates go; a
// batch throttled past the SDK's own retries is sent again, and every
// event arrives once.
func TestBulkToSQSSendsBatchesWithResultsPerEntry(t *testing.T) {
	s, p, loc := openFaulty(t)
	q, err := s.SQS().CreateQueue(ctxT(t), &sqs.CreateQueueInput{QueueName: aws.String("again")})
	must(t, err)
	tgt := backend.Target{Kind: backend.TargetSQS, URL: aws.ToString(q.QueueUrl)}
	throttled := p.Add(&faultproxy.Rule{Service: "sqs", Operation: "SendMessageBatch", Times: 3, Fault: faultproxy.Throttled()})
	const n = 45
	events := batchedBulk(t, s, p, loc, "orders", tgt, n, "sqs", "SendMessageBatch", "SendMessage", "MessageBody", 10)
	if throttled.Fired() != 3 {
		t.Fatalf("throttled %d times", throttled.Fired())
	}
	seen := map[string]int{}
	for _, m := range receive(t, s.SQS(), aws.ToString(q.QueueUrl), n) {
		id := attr(m, AttrEventID)
		seen[id]++
		data, _ := events[id].Record.Bytes()
		if aws.ToString(m.Body) != string(data) {
			t.Fatalf("%s: body %q, want %q", id, aws.ToString(m.Body), data)
		}
	}
	if len(seen) != n {
		t.Fatalf("%d distinct events received, want %d", len(seen), n)
	}
	noMore(t, s.SQS(), aws.ToString(q.QueueUrl))

	// An empty record beside good ones: rejected alone.
	empty := newEvent("empty", "k", start, 900, nil)
	_, err = archive.Put(ctxT(t), s, loc, empty)
	must(t, err)
	good := archiveEvents(t, s, loc, "empty", start.Add(time.Minute), 4)
	sum, err := Bulk(ctxT(t), s, Plan{Archive: loc, Target: tgt, Query: archive.Query{Consumer: "empty"}}, Options{Concurrency: 1})
	if err != nil || sum.Sent != len(good) || sum.Failed != 1 || sum.Failures[0].ID != empty.ID || sum.Failures[0].Status != Rejected {
		t.Fatalf("%+v %v", sum, err)
	}
	receive(t, s.SQS(), aws.ToString(q.QueueUrl), len(good))
}

func TestBulkToAnEventBusPutsEventsInBatches(t *testing.T) {
	s, p, loc := openFaulty(t)
	eb := s.EventBridge()
	bus, err := eb.CreateEventBus(ctxT(t), &eventbridge.CreateEventBusInput{Name: aws.String("replays")})
	must(t, err)
	q, err := s.SQS().CreateQueue(ctxT(t), &sqs.CreateQueueInput{QueueName: aws.String("from-bus")})
	must(t, err)
	_, err = eb.PutRule(ctxT(t), &eventbridge.PutRuleInput{Name: aws.String("replays"), EventBusName: aws.String("replays"),
		EventPattern: aws.String(`{"source":["sluice.replay"]}`)})
	must(t, err)
	_, err = eb.PutTargets(ctxT(t), &eventbridge.PutTargetsInput{Rule: aws.String("replays"), EventBusName: aws.String("replays"),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:from-bus")}}})
	must(t, err)
	tgt, err := backend.ParseTarget(aws.ToString(bus.EventBusArn))
	must(t, err)
	const n = 35
	events := batchedBulk(t, s, p, loc, "orders", tgt, n, "events", "PutEvents", "", "DetailType", 10)
	seen := map[string]bool{}
	for _, m := range receive(t, s.SQS(), aws.ToString(q.QueueUrl), n) {
		var env struct {
			Detail struct {
				ID string `json:"sluiceEventId"`
			} `json:"detail"`
		}
		must(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &env))
		if _, ok := events[env.Detail.ID]; !ok || seen[env.Detail.ID] {
			t.Fatalf("event %q unknown or twice", env.Detail.ID)
		}
		seen[env.Detail.ID] = true
	}
}

func TestBatchLimits(t *testing.T) {
	for kind, want := range map[backend.TargetKind]int{backend.TargetKinesis: 500, backend.TargetSQS: 10, backend.TargetEventBus: 10, backend.TargetHTTP: 1} {
		if got := limitsOf(kind).entries; got != want {
			t.Errorf("%s: %d entries a call, want %d", kind, got, want)
		}
	}
	// Big events close a batch by size before its count.
	in, out := make(chan loadedEvent), make(chan []loadedEvent)
	go batchEvents(backend.TargetSQS, limitsOf(backend.TargetSQS), in, out)
	go func() {
		for i := range 6 {
			in <- loadedEvent{e: newEvent("c", "k", start, i, []byte(fmt.Sprintf("%q", strings.Repeat("x", 90<<10))))}
		}
		close(in)
	}()
	total := 0
	for b := range out {
		size := 0
		for _, ev := range b {
			size += entrySize(backend.TargetSQS, ev)
		}
		if size > 256<<10 {
			t.Fatalf("a batch of %d bytes", size)
		}
		total += len(b)
	}
	if total != 6 {
		t.Fatalf("%d events batched, want 6", total)
	}
}
