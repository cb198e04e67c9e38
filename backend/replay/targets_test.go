package replay

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
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
)

var at = time.Date(2026, 11, 27, 9, 5, 1, 0, time.UTC)

// payloads a replay must carry exactly: JSON, text, binary, bytes that
// look like terminal escapes, gzip.
var payloads = [][]byte{
	[]byte(`{"orderId":"o-1","amount":12.5,"note":"<b>&</b>"}`),
	[]byte("plain text é"),
	{0x00, 0xff, 0x10, 0x80},
	[]byte("\x1b]52;c;aGk=\x07"),
	{0x1f, 0x8b, 8, 0, 0, 0, 0, 0},
}

func TestKinesisTargetGetsTheOriginalKeyAndBytes(t *testing.T) {
	s, e := openEngine(t)
	kc := e.Kinesis()
	_, err := kc.CreateStream(ctxT(t), &kinesis.CreateStreamInput{StreamName: aws.String("orders-replayed"), ShardCount: aws.Int32(2)})
	must(t, err)
	sum, err := kc.DescribeStreamSummary(ctxT(t), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders-replayed")})
	must(t, err)
	tgt, err := backend.ParseTarget(aws.ToString(sum.StreamDescriptionSummary.StreamARN))
	must(t, err)

	want := map[string][]byte{}
	for i, data := range payloads {
		ev := newEvent("orders", "c/42 é-"+string(rune('a'+i)), at, i, data)
		res, err := Send(ctxT(t), s, tgt, ev)
		if err != nil || res.Status != Accepted || res.Attempts != 1 || !strings.HasPrefix(res.Detail, "shardId-") {
			t.Fatalf("send %q: %+v %v", data, res, err)
		}
		want[ev.Record.PartitionKey] = data
	}
	got := map[string][]byte{}
	shards, err := kc.ListShards(ctxT(t), &kinesis.ListShardsInput{StreamName: aws.String("orders-replayed")})
	must(t, err)
	for _, sh := range shards.Shards {
		it, err := kc.GetShardIterator(ctxT(t), &kinesis.GetShardIteratorInput{StreamName: aws.String("orders-replayed"),
			ShardId: sh.ShardId, ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
		must(t, err)
		out, err := kc.GetRecords(ctxT(t), &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		must(t, err)
		for _, r := range out.Records {
			got[aws.ToString(r.PartitionKey)] = r.Data
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d records in the stream, want %d", len(got), len(want))
	}
	for pk, data := range want {
		if !bytes.Equal(got[pk], data) {
			t.Errorf("%q: got %q, want %q", pk, got[pk], data)
		}
	}
}

func TestSQSTargetGetsTheBodyAndTheID(t *testing.T) {
	s, e := openEngine(t)
	qc := e.SQS()
	q, err := qc.CreateQueue(ctxT(t), &sqs.CreateQueueInput{QueueName: aws.String("replayed")})
	must(t, err)
	tgt, err := backend.ParseTarget("arn:aws:sqs:us-east-1:000000000000:replayed")
	must(t, err)
	sent := map[string][]byte{}
	for i, data := range payloads {
		ev := newEvent("orders", "pk", at, i, data)
		if _, err := Send(ctxT(t), s, tgt, ev); err != nil {
			t.Fatal(err)
		}
		sent[ev.ID] = data
	}
	for _, m := range receive(t, qc, aws.ToString(q.QueueUrl), len(payloads)) {
		id := attr(m, AttrEventID)
		data, ok := sent[id]
		if !ok {
			t.Fatalf("message with id %q", id)
		}
		body := []byte(aws.ToString(m.Body))
		if attr(m, AttrEncoding) == "base64" {
			if body, err = base64.StdEncoding.DecodeString(string(body)); err != nil {
				t.Fatal(err)
			}
		} else if bytes.ContainsAny(data, "\x00\x1b") || !isUTF8(data) {
			t.Errorf("%q sent as text", data)
		}
		if !bytes.Equal(body, data) {
			t.Errorf("body %q, want %q", body, data)
		}
	}

	// A FIFO queue: the partition key groups, the id deduplicates.
	fq, err := qc.CreateQueue(ctxT(t), &sqs.CreateQueueInput{QueueName: aws.String("replayed.fifo"),
		Attributes: map[string]string{"FifoQueue": "true"}})
	must(t, err)
	ftgt := backend.Target{Kind: backend.TargetSQS, ARN: "arn:aws:sqs:us-east-1:000000000000:replayed.fifo"}
	ev := newEvent("orders", "customer-7", at, 1, payloads[0])
	long := newEvent("orders", strings.Repeat("é", 100), at, 2, payloads[0])
	for range 2 { // the second send is a duplicate SQS drops
		if _, err := Send(ctxT(t), s, ftgt, ev); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Send(ctxT(t), s, ftgt, long); err != nil {
		t.Fatal(err)
	}
	msgs := receive(t, qc, aws.ToString(fq.QueueUrl), 2)
	groups := map[string]string{}
	for _, m := range msgs {
		groups[attr(m, AttrEventID)] = m.Attributes["MessageGroupId"]
		if m.Attributes["MessageDeduplicationId"] != attr(m, AttrEventID) {
			t.Errorf("dedup id %q, want the event id %q", m.Attributes["MessageDeduplicationId"], attr(m, AttrEventID))
		}
	}
	if groups[ev.ID] != "customer-7" || groups[long.ID] != messageGroupID(long.Record.PartitionKey) || len(groups[long.ID]) != 64 {
		t.Fatalf("groups %v", groups)
	}
	noMore(t, qc, aws.ToString(fq.QueueUrl))

	// A queue that does not exist is a rejection, not a retry.
	res, err := Send(ctxT(t), s, backend.Target{Kind: backend.TargetSQS, ARN: "arn:aws:sqs:us-east-1:000000000000:nope"}, ev)
	if err == nil || res.Status != Rejected || res.Attempts != 1 {
		t.Fatalf("missing queue: %+v %v", res, err)
	}
}

func TestEventBusTargetCarriesTheIDInTheDetail(t *testing.T) {
	s, e := openEngine(t)
	eb := e.EventBridge()
	bus, err := eb.CreateEventBus(ctxT(t), &eventbridge.CreateEventBusInput{Name: aws.String("replays")})
	must(t, err)
	q, err := e.SQS().CreateQueue(ctxT(t), &sqs.CreateQueueInput{QueueName: aws.String("from-bus")})
	must(t, err)
	_, err = eb.PutRule(ctxT(t), &eventbridge.PutRuleInput{Name: aws.String("replays"), EventBusName: aws.String("replays"),
		EventPattern: aws.String(`{"source":["sluice.replay"]}`)})
	must(t, err)
	_, err = eb.PutTargets(ctxT(t), &eventbridge.PutTargetsInput{Rule: aws.String("replays"), EventBusName: aws.String("replays"),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:from-bus")}}})
	must(t, err)
	tgt, err := backend.ParseTarget(aws.ToString(bus.EventBusArn))
	must(t, err)

	cases := []struct {
		data                 []byte
		detailType, wantJSON string
	}{
		{[]byte(`{"orderId":"o-1","note":"<&>"}`), BusDetailType, `{"sluiceEventId":"ID","orderId":"o-1","note":"<&>"}`},
		{[]byte(`{"version":"0","source":"com.shop","detail-type":"Order Placed","detail":{"orderId":"o-2"}}`), "Order Placed", `{"sluiceEventId":"ID","orderId":"o-2"}`},
		{[]byte("plain text"), BusDetailType, `{"sluiceEventId":"ID","data":"plain text"}`},
		{[]byte(`[1,2]`), BusDetailType, `{"sluiceEventId":"ID","data":[1,2]}`},
		{[]byte{0xff, 0}, BusDetailType, `{"sluiceEventId":"ID","data":"/wA=","dataEncoding":"base64"}`},
	}
	byID := map[string]int{}
	for i, c := range cases {
		ev := newEvent("orders", "pk", at, i, c.data)
		res, err := Send(ctxT(t), s, tgt, ev)
		if err != nil || !strings.HasPrefix(res.Detail, "event ") {
			t.Fatalf("%s: %+v %v", c.data, res, err)
		}
		byID[ev.ID] = i
	}
	for _, m := range receive(t, e.SQS(), aws.ToString(q.QueueUrl), len(cases)) {
		var env struct {
			Source     string          `json:"source"`
			DetailType string          `json:"detail-type"`
			Detail     json.RawMessage `json:"detail"`
		}
		must(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &env))
		var id struct {
			ID string `json:"sluiceEventId"`
		}
		must(t, json.Unmarshal(env.Detail, &id))
		i, ok := byID[id.ID]
		if !ok {
			t.Fatalf("event with id %q: %s", id.ID, aws.ToString(m.Body))
		}
		c := cases[i]
		want := strings.Replace(c.wantJSON, "ID", id.ID, 1)
		if env.Source != BusSource || env.DetailType != c.detailType || !jsonEqual(t, env.Detail, []byte(want)) {
			t.Errorf("case %d: source %s, detail-type %s, detail %s; want %s", i, env.Source, env.DetailType, env.Detail, want)
		}
	}
}

func TestHTTPTargetGetsTheIdempotencyKeyAndExactBody(t *testing.T) {
	s, _ := openEngine(t)
	tg := newTarget(t, nil)
	for i, data := range payloads {
		ev := newEvent("orders", "pk", at, i, data)
		res, err := Send(ctxT(t), s, httpTarget(tg.URL+"/orders"), ev)
		if err != nil || res.Status != Accepted || res.Detail != "HTTP 200 OK" || res.Size != len(data) {
			t.Fatalf("%+v %v", res, err)
		}
		seen := tg.seen()
		r := seen[len(seen)-1]
		if r.key != ev.ID || !bytes.Equal(r.body, data) || r.path != "/orders" {
			t.Errorf("target saw key %q body %q, want %q %q", r.key, r.body, ev.ID, data)
		}
		if wantJSON := i == 0; (r.contentType == "application/json") != wantJSON {
			t.Errorf("%q sent as %s", data, r.contentType)
		}
	}
}

func TestHTTPAnswersSortedIntoRetriesAndRejections(t *testing.T) {
	s, _ := openEngine(t)
	var status int
	srv := newStatusServer(t, func() int { return status })
	ev := newEvent("orders", "pk", at, 1, payloads[0])
	for _, c := range []struct {
		status   int
		want     Status
		attempts int
	}{
		{http.StatusAccepted, Accepted, 1},
		{http.StatusBadRequest, Rejected, 1},
		{http.StatusConflict, Rejected, 1},
		{http.StatusFound, Rejected, 1},
		{http.StatusTooManyRequests, Failed, 1 + DefaultRetries},
		{http.StatusServiceUnavailable, Failed, 1 + DefaultRetries},
	} {
		status = c.status
		snd, err := newSender(s, httpTarget(srv.URL), 1, time.Minute)
		must(t, err)
		res, _ := snd.deliver(ctxT(t), ev, retryPolicy{retries: DefaultRetries, base: time.Millisecond, cap: time.Millisecond})
		if res.Status != c.want || res.Attempts != c.attempts || !strings.Contains(res.Detail, http.StatusText(c.status)) {
			t.Errorf("HTTP %d: %+v, want %s after %d attempts", c.status, res, c.want, c.attempts)
		}
	}

	// No answer in time is a failure to retry.
	hang := newHangServer(t)
	snd, err := newSender(s, httpTarget(hang.URL), 1, 50*time.Millisecond)
	must(t, err)
	res, _ := snd.deliver(ctxT(t), ev, retryPolicy{retries: 1, base: time.Millisecond, cap: time.Millisecond})
	if res.Status != Failed || res.Attempts != 2 || !strings.Contains(res.Detail, "no answer") {
		t.Fatalf("timeout: %+v", res)
	}
}
