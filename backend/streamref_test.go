package backend_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/backend/hydrate"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/tail"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// kinesaliteRefusal is what kinesalite 3.3.3 answers a call that names its
// stream by StreamARN only.
const kinesaliteRefusal = "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null"

// arnOnly matches a Kinesis request whose body has StreamARN and no
// StreamName.
func arnOnly(r faultproxy.Request) bool {
	var m map[string]any
	if json.Unmarshal(r.Body, &m) != nil {
		return false
	}
	_, arn := m["StreamARN"]
	_, name := m["StreamName"]
	return arn && !name
}

// byName matches a Kinesis request that names stream by StreamName, as it
// reached the engine.
func byName(stream string) func(faultproxy.Request) bool {
	return func(r faultproxy.Request) bool {
		var m map[string]any
		if r.Service != "kinesis" || json.Unmarshal(r.Body, &m) != nil {
			return false
		}
		return m["StreamName"] == stream
	}
}

// streamFixture is an engine with stream "orders" (2 shards) holding
// records, set up with the engine's own clients.
type streamFixture struct {
	e    *enginetest.Engine
	ctx  context.Context
	arn  string
	recs map[string][]ktypes.Record // by shard
	n    int
}

func newStreamFixture(t *testing.T) *streamFixture {
	t.Helper()
	_, e := backendtest.Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	f := &streamFixture{e: e, ctx: ctx, recs: map[string][]ktypes.Record{}}
	k := e.Kinesis()
	if _, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	sum, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	f.arn = aws.ToString(sum.StreamDescriptionSummary.StreamARN)
	for i := range 6 {
		out, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"),
			PartitionKey: aws.String(fmt.Sprintf("k%d", i)), Data: fmt.Appendf(nil, `{"n":%d}`, i)})
		if err != nil {
			t.Fatal(err)
		}
		shard := aws.ToString(out.ShardId)
		it, err := k.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("orders"), ShardId: out.ShardId,
			ShardIteratorType: ktypes.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: out.SequenceNumber})
		if err != nil {
			t.Fatal(err)
		}
		got, err := k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(1)})
		if err != nil || len(got.Records) != 1 {
			t.Fatalf("read back: %v", err)
		}
		f.recs[shard] = append(f.recs[shard], got.Records[0])
		f.n++
	}
	return f
}

// kinesalite opens a session through a proxy that refuses StreamARN as
// kinesalite does.
func (f *streamFixture) kinesalite(t *testing.T) (*backend.Session, *faultproxy.Proxy, *faultproxy.Rule) {
	t.Helper()
	p := faultproxy.Start(t, f.e.URL)
	rule := p.Add(&faultproxy.Rule{Service: "kinesis", Match: arnOnly,
		Fault: faultproxy.Fault{Status: 400, Code: "ValidationException", Message: kinesaliteRefusal}})
	return backendtest.OpenOn(t, f.e, backend.Env{Endpoint: p.URL}), p, rule
}

func (f *streamFixture) inventory(t *testing.T, s *backend.Session) {
	t.Helper()
	for _, id := range []string{"orders", f.arn} {
		st, err := inventory.DescribeStream(f.ctx, s, id)
		if err != nil {
			t.Fatalf("describe %s: %v", id, err)
		}
		if st.ARN != f.arn || st.OpenShards != 2 || st.ClosedShards != 0 {
			t.Fatalf("describe %s: %+v", id, st)
		}
	}
	shards, err := inventory.ListShards(f.ctx, s, f.arn)
	if err != nil || len(shards) != 2 {
		t.Fatalf("list shards by ARN: %d %v", len(shards), err)
	}
}

func (f *streamFixture) tail(t *testing.T, s *backend.Session) {
	t.Helper()
	o := tail.NewOptions(f.arn)
	o.From = tail.Position{Kind: tail.TrimHorizon}
	o.UntilCaughtUp, o.Unpaced = true, true
	tl, err := tail.Start(f.ctx, s, o)
	if err != nil {
		t.Fatalf("tail by ARN: %v", err)
	}
	defer tl.Close()
	n := 0
	for b := range tl.Records() {
		n += len(b.Records)
	}
	if err := tl.Err(); err != nil || n != f.n {
		t.Fatalf("tail by ARN from trim horizon: %d of %d records, %v", n, f.n, err)
	}
}

// hydrateByARN hydrates a Pipes DLQ message naming the stream by arn, as
// AWS writes it, for the records of one shard.
func (f *streamFixture) hydrate(t *testing.T, s *backend.Session, arn string) (hydrate.Result, error) {
	t.Helper()
	q, s3c := f.e.SQS(), f.e.S3()
	name := fmt.Sprintf("dlq-%d", time.Now().UnixNano())
	qu, err := q.CreateQueue(f.ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.CreateBucket(f.ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	var shard string
	var recs []ktypes.Record
	for sh, r := range f.recs {
		if len(r) > len(recs) {
			shard, recs = sh, r
		}
	}
	first, last := recs[0], recs[len(recs)-1]
	body, _ := json.Marshal(map[string]any{
		"context":   map[string]any{"partnerResourceArn": "arn:aws:pipes:us-east-1:000000000000:pipe/orders-to-api", "condition": "RetryAttemptsExhausted"},
		"version":   "1.0",
		"timestamp": time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		"KinesisBatchInfo": map[string]any{
			"shardId": shard, "startSequenceNumber": aws.ToString(first.SequenceNumber), "endSequenceNumber": aws.ToString(last.SequenceNumber),
			"approximateArrivalOfFirstRecord": aws.ToTime(first.ApproximateArrivalTimestamp).UTC().Format("2006-01-02T15:04:05.000Z"),
			"approximateArrivalOfLastRecord":  aws.ToTime(last.ApproximateArrivalTimestamp).UTC().Format("2006-01-02T15:04:05.000Z"),
			"batchSize":                       len(recs), "streamArn": arn,
		},
	})
	if _, err := q.SendMessage(f.ctx, &sqs.SendMessageInput{QueueUrl: qu.QueueUrl, MessageBody: aws.String(string(body))}); err != nil {
		t.Fatal(err)
	}
	got, err := q.ReceiveMessage(f.ctx, &sqs.ReceiveMessageInput{QueueUrl: qu.QueueUrl, VisibilityTimeout: 300})
	if err != nil || len(got.Messages) != 1 {
		t.Fatalf("receive: %v", err)
	}
	m := got.Messages[0]
	r, err := hydrate.Message(f.ctx, s, hydrate.Options{Archive: backend.ArchiveLocation{Bucket: name}},
		hydrate.Received{QueueURL: aws.ToString(qu.QueueUrl), ID: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle), Body: aws.ToString(m.Body)})
	if err == nil && r.Events != len(recs) {
		t.Fatalf("hydrated %d events, want %d: %+v", r.Events, len(recs), r)
	}
	return r, err
}

// TestKinesisByARNOnAnEndpointThatRefusesIt: against an endpoint that
// answers a StreamARN as kinesalite does, inventory, a tail and a hydrate
// by ARN work, each session being refused once and naming the stream by
// name from then on.
func TestKinesisByARNOnAnEndpointThatRefusesIt(t *testing.T) {
	f := newStreamFixture(t)
	hydrateByARN := func(t *testing.T, s *backend.Session) {
		t.Helper()
		if r, err := f.hydrate(t, s, f.arn); err != nil || r.Outcome != hydrate.Hydrated {
			t.Fatalf("hydrate by ARN: %+v %v", r, err)
		}
	}
	for _, c := range []struct {
		name string
		run  func(*testing.T, *backend.Session)
	}{{"inventory", f.inventory}, {"tail", f.tail}, {"hydrate", hydrateByARN}} {
		t.Run(c.name, func(t *testing.T) {
			s, _, rule := f.kinesalite(t)
			c.run(t, s)
			if rule.Fired() != 1 {
				t.Fatalf("the endpoint refused %d requests by ARN; want 1 (learnt once per session)", rule.Fired())
			}
		})
	}
	t.Run("one session", func(t *testing.T) {
		s, p, rule := f.kinesalite(t)
		f.inventory(t, s)
		f.tail(t, s)
		hydrateByARN(t, s)
		if rule.Fired() != 1 {
			t.Fatalf("the endpoint refused %d requests by ARN; want 1 (learnt once per session)", rule.Fired())
		}
		if p.Count("kinesis", "GetShardIterator") == 0 {
			t.Fatal("no GetShardIterator went through the proxy")
		}
	})
}

// TestCrossAccountARNOnAnEndpointThatRefusesIt: on an endpoint that takes
// streams by name only, another account's ARN is refused with a clear
// error, never read as the caller's stream of the same name.
func TestCrossAccountARNOnAnEndpointThatRefusesIt(t *testing.T) {
	f := newStreamFixture(t)
	other := strings.Replace(f.arn, ":000000000000:", ":111111111111:", 1)
	if other == f.arn {
		t.Fatalf("stream ARN %s is not in account 000000000000", f.arn)
	}
	check := func(t *testing.T, what string, err error) {
		t.Helper()
		checkRefused(t, what, other, err)
	}
	readsByName := func(p *faultproxy.Proxy) int {
		return len(p.Seen(func(r faultproxy.Request) bool {
			return byName("orders")(r) && r.Operation != "DescribeStreamSummary"
		}))
	}

	t.Run("hydrate first", func(t *testing.T) {
		s, p, rule := f.kinesalite(t)
		r, err := f.hydrate(t, s, other)
		if r.Outcome != hydrate.Failed || r.Events != 0 {
			t.Fatalf("hydrate of another account's stream: %+v", r)
		}
		check(t, "hydrate", err)
		if n := readsByName(p); n != 0 {
			t.Fatalf("%d reads of the caller's own stream orders by name", n)
		}
		if rule.Fired() != 1 {
			t.Fatalf("refused %d times, want 1", rule.Fired())
		}
	})
	t.Run("after learning", func(t *testing.T) {
		s, p, rule := f.kinesalite(t)
		f.inventory(t, s)
		before := readsByName(p)
		_, err := inventory.DescribeStream(f.ctx, s, other)
		check(t, "describe", err)
		o := tail.NewOptions(other)
		o.From = tail.Position{Kind: tail.TrimHorizon}
		_, err = tail.Start(f.ctx, s, o)
		check(t, "tail", err)
		// Another region's stream is as far out of reach by name.
		elsewhere := strings.Replace(f.arn, ":us-east-1:", ":eu-west-1:", 1)
		_, err = inventory.ListShards(f.ctx, s, elsewhere)
		checkRefused(t, "list shards in eu-west-1", elsewhere, err)
		if n := readsByName(p) - before; n != 0 {
			t.Fatalf("%d calls on the caller's own stream orders by name", n)
		}
		if rule.Fired() != 1 {
			t.Fatalf("refused %d times, want 1", rule.Fired())
		}
	})
}

func checkRefused(t *testing.T, what, arn string, err error) {
	t.Helper()
	var refused *backend.StreamARNRefusedError
	if !errors.As(err, &refused) || refused.ARN != arn || refused.Account != "000000000000" || refused.Region != "us-east-1" {
		t.Fatalf("%s: want a StreamARNRefusedError for %s, got %v", what, arn, err)
	}
	a, _ := backend.ParseARN(arn)
	if msg := err.Error(); !strings.Contains(msg, a.Account+", region "+a.Region) || !strings.Contains(msg, "by name it would read another stream") {
		t.Fatalf("%s: unclear error %q", what, msg)
	}
}

// TestKinesisByARNUntouchedWhereAccepted: on an endpoint that accepts
// StreamARN, calls go as sent, and an input naming both is left alone.
func TestKinesisByARNUntouchedWhereAccepted(t *testing.T) {
	f := newStreamFixture(t)
	p := faultproxy.Start(t, f.e.URL)
	s := backendtest.OpenOn(t, f.e, backend.Env{Endpoint: p.URL})
	f.inventory(t, s)
	f.tail(t, s)
	if p.Count("kinesis", "ListShards") == 0 || len(p.Seen(arnOnly)) == 0 {
		t.Fatal("no call went by ARN")
	}
	if n := len(p.Seen(byName("orders"))); n != 1 {
		// The one DescribeStream("orders").
		t.Fatalf("%d calls by name, want 1", n)
	}
	// Both: sent as they are, even on an endpoint that refuses an ARN
	// alone.
	s2, p2, rule := f.kinesalite(t)
	_, err := s2.Kinesis().DescribeStreamSummary(f.ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders"), StreamARN: aws.String(f.arn)})
	if err != nil || rule.Fired() != 0 {
		t.Fatalf("both: %v, refused %d", err, rule.Fired())
	}
	var m map[string]any
	if seen := p2.Seen(nil); len(seen) != 1 || json.Unmarshal(seen[0].Body, &m) != nil || m["StreamARN"] != f.arn || m["StreamName"] != "orders" {
		t.Fatalf("sent %d requests, last %v", len(seen), m)
	}
}
