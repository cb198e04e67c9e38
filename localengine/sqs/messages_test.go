package sqs_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/localengine/enginetest"
)

func TestSendReceiveDelete(t *testing.T) {
	f := start(t)
	url := f.createQueue("orders", nil)
	sent := f.send(url, "hello")
	equal(t, "MD5OfMessageBody", aws.ToString(sent.MD5OfMessageBody), "5d41402abc4b2a76b9719d911017c592")

	msgs := f.receive(url, 10)
	if len(msgs) != 1 {
		t.Fatalf("got %d messages", len(msgs))
	}
	m := msgs[0]
	equal(t, "body", aws.ToString(m.Body), "hello")
	equal(t, "id", aws.ToString(m.MessageId), aws.ToString(sent.MessageId))
	equal(t, "receive count", m.Attributes["ApproximateReceiveCount"], "1")
	equal(t, "sender", m.Attributes["SenderId"], "000000000000")
	sentTS, err := strconv.ParseInt(m.Attributes["SentTimestamp"], 10, 64)
	if err != nil || sentTS <= 0 {
		t.Fatalf("SentTimestamp %q", m.Attributes["SentTimestamp"])
	}
	equal(t, "first receive", m.Attributes["ApproximateFirstReceiveTimestamp"] != "", true)
	equal(t, "counts", f.counts(url), [3]string{"0", "1", "0"})

	// In flight: nothing more to receive.
	equal(t, "second receive", len(f.receive(url, 10)), 0)
	f.deleteMsg(url, m)
	equal(t, "counts after delete", f.counts(url), [3]string{"0", "0", "0"})
	// Deleting again is harmless, as on AWS.
	f.deleteMsg(url, m)
}

func TestMessageAttributesAndChecksums(t *testing.T) {
	f := start(t)
	url := f.createQueue("attrs", nil)
	attrs := map[string]types.MessageAttributeValue{
		"timestamp": {DataType: aws.String("Number"), StringValue: aws.String("1493147359900")},
		"blob":      {DataType: aws.String("Binary.gz"), BinaryValue: []byte{0, 1, 2, 255}},
		"meta.kind": {DataType: aws.String("String"), StringValue: aws.String("order")},
	}
	out, err := f.c.SendMessage(f.ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"),
		MessageAttributes: attrs,
		MessageSystemAttributes: map[string]types.MessageSystemAttributeValue{
			"AWSTraceHeader": {DataType: aws.String("String"), StringValue: aws.String("Root=1-5759e988-bd862e3fe1be46a994272793")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(aws.ToString(out.MD5OfMessageAttributes)) != 32 || len(aws.ToString(out.MD5OfMessageSystemAttributes)) != 32 {
		t.Fatalf("missing attribute digests: %+v", out)
	}

	// Only the timestamp: the digest is AWS's for that single attribute.
	msgs := f.receive(url, 1, func(in *sqs.ReceiveMessageInput) {
		in.MessageAttributeNames = []string{"timestamp"}
		in.VisibilityTimeout = 1
	})
	m := msgs[0]
	if len(m.MessageAttributes) != 1 {
		t.Fatalf("attributes: %v", m.MessageAttributes)
	}
	equal(t, "MD5OfMessageAttributes", aws.ToString(m.MD5OfMessageAttributes), "235c5c510d26fb653d073faed50ae77c")
	equal(t, "trace header", m.Attributes["AWSTraceHeader"], "Root=1-5759e988-bd862e3fe1be46a994272793")

	f.e.Clock.Advance(2 * time.Second)
	msgs = f.receive(url, 1)
	m = msgs[0]
	equal(t, "all attributes", len(m.MessageAttributes), 3)
	equal(t, "digest of all", aws.ToString(m.MD5OfMessageAttributes), aws.ToString(out.MD5OfMessageAttributes))
	equalSlices(t, "binary", m.MessageAttributes["blob"].BinaryValue, []byte{0, 1, 2, 255})
	equal(t, "binary type", aws.ToString(m.MessageAttributes["blob"].DataType), "Binary.gz")
	equal(t, "receive count", m.Attributes["ApproximateReceiveCount"], "2")

	// Prefix selection.
	f.e.Clock.Advance(31 * time.Second)
	msgs = f.receive(url, 1, func(in *sqs.ReceiveMessageInput) {
		in.MessageAttributeNames = []string{"meta.*", "timestamp"}
		in.MessageSystemAttributeNames = []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount}
	})
	equal(t, "prefix-selected", len(msgs[0].MessageAttributes), 2)
	equal(t, "one system attribute", len(msgs[0].Attributes), 1)
}

func TestSendValidation(t *testing.T) {
	f := start(t)
	url := f.createQueue("v", map[string]string{"MaximumMessageSize": "1024"})
	send := func(in *sqs.SendMessageInput) error {
		in.QueueUrl = aws.String(url)
		if in.MessageBody == nil {
			in.MessageBody = aws.String("ok")
		}
		_, err := f.c.SendMessage(f.ctx, in)
		return err
	}
	wantType[*types.InvalidMessageContents](t, send(&sqs.SendMessageInput{MessageBody: aws.String("bad\x01char")}))
	wantCode(t, send(&sqs.SendMessageInput{MessageBody: aws.String(strings.Repeat("a", 1025))}), "InvalidParameterValue")
	wantCode(t, send(&sqs.SendMessageInput{DelaySeconds: 901}), "InvalidParameterValue")
	wantCode(t, send(&sqs.SendMessageInput{MessageDeduplicationId: aws.String("d")}), "InvalidParameterValue")
	wantCode(t, send(&sqs.SendMessageInput{MessageAttributes: map[string]types.MessageAttributeValue{
		"AWS.reserved": {DataType: aws.String("String"), StringValue: aws.String("v")}}}), "InvalidParameterValue")
	wantCode(t, send(&sqs.SendMessageInput{MessageAttributes: map[string]types.MessageAttributeValue{
		"n": {DataType: aws.String("Number"), StringValue: aws.String("12abc")}}}), "InvalidParameterValue")
	wantCode(t, send(&sqs.SendMessageInput{MessageAttributes: map[string]types.MessageAttributeValue{
		"n": {DataType: aws.String("Float"), StringValue: aws.String("1")}}}), "InvalidParameterValue")
	wantCode(t, send(&sqs.SendMessageInput{MessageAttributes: map[string]types.MessageAttributeValue{
		"n": {DataType: aws.String("String"), StringValue: aws.String("")}}}), "InvalidParameterValue")
	many := map[string]types.MessageAttributeValue{}
	for i := 0; i < 11; i++ {
		many["a"+strconv.Itoa(i)] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String("v")}
	}
	wantCode(t, send(&sqs.SendMessageInput{MessageAttributes: many}), "InvalidParameterValue")
	// Attributes count towards the size limit.
	wantCode(t, send(&sqs.SendMessageInput{MessageBody: aws.String(strings.Repeat("a", 1000)), MessageAttributes: map[string]types.MessageAttributeValue{
		"pad": {DataType: aws.String("String"), StringValue: aws.String(strings.Repeat("b", 100))}}}), "InvalidParameterValue")

	// Valid characters across the allowed ranges pass and round-trip.
	body := "tab\tnl\ncr\r \u00e9 \ud7ff \ue000 \ufffd \U0001F600"
	if err := send(&sqs.SendMessageInput{MessageBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
	equal(t, "round trip", aws.ToString(f.receive(url, 1)[0].Body), body)

	_, err := f.c.SendMessage(f.ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url + "-nope"), MessageBody: aws.String("x")})
	qe := wantType[*types.QueueDoesNotExist](t, err)
	equal(t, "legacy code", qe.ErrorCode(), "AWS.SimpleQueueService.NonExistentQueue")
}

func TestVisibilityTimeoutAndReceiveCount(t *testing.T) {
	f := start(t)
	url := f.createQueue("vis", map[string]string{"VisibilityTimeout": "10"})
	f.send(url, "m")
	first := f.receive(url, 1)[0]
	equal(t, "hidden", len(f.receive(url, 1)), 0)
	f.e.Clock.Advance(11 * time.Second)
	second := f.receive(url, 1)[0]
	equal(t, "count", second.Attributes["ApproximateReceiveCount"], "2")
	equal(t, "first receive kept", second.Attributes["ApproximateFirstReceiveTimestamp"], first.Attributes["ApproximateFirstReceiveTimestamp"])
	if aws.ToString(first.ReceiptHandle) == aws.ToString(second.ReceiptHandle) {
		t.Fatal("receipt handles must differ per receive")
	}

	// ChangeMessageVisibility: to 0 makes it visible at once.
	if _, err := f.c.ChangeMessageVisibility(f.ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url),
		ReceiptHandle: second.ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	third := f.receive(url, 1)[0]
	equal(t, "count", third.Attributes["ApproximateReceiveCount"], "3")
	// The old handle no longer changes visibility.
	_, err := f.c.ChangeMessageVisibility(f.ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url),
		ReceiptHandle: second.ReceiptHandle, VisibilityTimeout: 100})
	wantCode(t, err, "InvalidParameterValue")
	// Extend, and it stays hidden past the queue's timeout.
	if _, err := f.c.ChangeMessageVisibility(f.ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url),
		ReceiptHandle: third.ReceiptHandle, VisibilityTimeout: 100}); err != nil {
		t.Fatal(err)
	}
	f.e.Clock.Advance(50 * time.Second)
	equal(t, "still hidden", len(f.receive(url, 1)), 0)
	f.e.Clock.Advance(51 * time.Second)
	// Not in flight any more.
	_, err = f.c.ChangeMessageVisibility(f.ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url),
		ReceiptHandle: third.ReceiptHandle, VisibilityTimeout: 5})
	wantType[*types.MessageNotInflight](t, err)
	// A stale handle still deletes the message on a standard queue.
	f.deleteMsg(url, first)
	equal(t, "deleted", f.counts(url), [3]string{"0", "0", "0"})

	_, err = f.c.DeleteMessage(f.ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String("garbage")})
	rh := wantType[*types.ReceiptHandleIsInvalid](t, err)
	equal(t, "code", rh.ErrorCode(), "ReceiptHandleIsInvalid")

	// Receive with an explicit visibility timeout of zero leaves it visible.
	f.send(url, "again")
	_, err = f.c.ReceiveMessage(f.ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 11})
	wantCode(t, err, "InvalidParameterValue")
	_, err = f.c.ReceiveMessage(f.ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 21})
	wantCode(t, err, "InvalidParameterValue")
	_, err = f.c.ReceiveMessage(f.ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), VisibilityTimeout: 43201})
	wantCode(t, err, "InvalidParameterValue")
}

func TestBatches(t *testing.T) {
	f := start(t)
	url := f.createQueue("batch", nil)
	var entries []types.SendMessageBatchRequestEntry
	for i := 0; i < 10; i++ {
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String("e" + strconv.Itoa(i)),
			MessageBody: aws.String("body " + strconv.Itoa(i))})
	}
	entries[3].MessageBody = aws.String("bad\x00")
	entries[4].DelaySeconds = 5
	out, err := f.c.SendMessageBatch(f.ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "successful", len(out.Successful), 9)
	equal(t, "failed", len(out.Failed), 1)
	equal(t, "failed id", aws.ToString(out.Failed[0].Id), "e3")
	equal(t, "failed code", aws.ToString(out.Failed[0].Code), "InvalidMessageContents")
	equal(t, "sender fault", out.Failed[0].SenderFault, true)
	equal(t, "counts", f.counts(url), [3]string{"8", "0", "1"})

	msgs := f.receive(url, 10)
	equal(t, "received", len(msgs), 8)
	equal(t, "order", aws.ToString(msgs[0].Body), "body 0")

	var dels []types.DeleteMessageBatchRequestEntry
	var vis []types.ChangeMessageVisibilityBatchRequestEntry
	for i, m := range msgs {
		if i < 4 {
			dels = append(dels, types.DeleteMessageBatchRequestEntry{Id: aws.String("d" + strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
		} else {
			vis = append(vis, types.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String("v" + strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0})
		}
	}
	dels = append(dels, types.DeleteMessageBatchRequestEntry{Id: aws.String("bad"), ReceiptHandle: aws.String("nope")})
	dout, err := f.c.DeleteMessageBatch(f.ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: dels})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "deleted", len(dout.Successful), 4)
	equal(t, "delete failure", aws.ToString(dout.Failed[0].Code), "ReceiptHandleIsInvalid")
	vout, err := f.c.ChangeMessageVisibilityBatch(f.ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(url), Entries: vis})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "visibility changed", len(vout.Successful), 4)
	equal(t, "counts", f.counts(url), [3]string{"4", "0", "1"})

	// Batch-level errors.
	_, err = f.c.SendMessageBatch(f.ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: append(entries, types.SendMessageBatchRequestEntry{Id: aws.String("x"), MessageBody: aws.String("x")})})
	wantType[*types.TooManyEntriesInBatchRequest](t, err)
	_, err = f.c.SendMessageBatch(f.ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{}})
	wantType[*types.EmptyBatchRequest](t, err)
	_, err = f.c.SendMessageBatch(f.ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String("1")}, {Id: aws.String("a"), MessageBody: aws.String("2")}}})
	wantType[*types.BatchEntryIdsNotDistinct](t, err)
	_, err = f.c.SendMessageBatch(f.ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("bad id!"), MessageBody: aws.String("1")}}})
	wantType[*types.InvalidBatchEntryId](t, err)
	big := strings.Repeat("x", 300*1024)
	var bigEntries []types.SendMessageBatchRequestEntry
	for i := 0; i < 4; i++ {
		bigEntries = append(bigEntries, types.SendMessageBatchRequestEntry{Id: aws.String("b" + strconv.Itoa(i)), MessageBody: aws.String(big)})
	}
	_, err = f.c.SendMessageBatch(f.ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: bigEntries})
	wantType[*types.BatchRequestTooLong](t, err)
	_, err = f.c.DeleteMessageBatch(f.ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.DeleteMessageBatchRequestEntry{}})
	wantType[*types.EmptyBatchRequest](t, err)
}

func TestDelays(t *testing.T) {
	f := start(t)
	url := f.createQueue("delay", map[string]string{"DelaySeconds": "30"})
	f.send(url, "queue-delay")
	if _, err := f.c.SendMessage(f.ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("own-delay"), DelaySeconds: 5}); err != nil {
		t.Fatal(err)
	}
	equal(t, "counts", f.counts(url), [3]string{"0", "0", "2"})
	equal(t, "nothing yet", len(f.receive(url, 10)), 0)
	f.e.Clock.Advance(6 * time.Second)
	equalSlices(t, "per-message delay", bodies(f.receive(url, 10)), []string{"own-delay"})
	f.e.Clock.Advance(25 * time.Second)
	equalSlices(t, "queue delay", bodies(f.receive(url, 10)), []string{"queue-delay"})
}

func TestRetentionExpiry(t *testing.T) {
	f := start(t)
	url := f.createQueue("ret", map[string]string{"MessageRetentionPeriod": "60"})
	f.send(url, "old")
	f.receive(url, 1, func(in *sqs.ReceiveMessageInput) { in.VisibilityTimeout = 1 })
	f.e.Clock.Advance(30 * time.Second)
	f.send(url, "new")
	f.e.Clock.Advance(31 * time.Second)
	equalSlices(t, "only the young one", bodies(f.receive(url, 10)), []string{"new"})
	equal(t, "counts", f.counts(url), [3]string{"0", "1", "0"})
	f.e.Clock.Advance(60 * time.Second)
	equal(t, "all expired", f.counts(url), [3]string{"0", "0", "0"})
}

func TestLongPollWakesOnSend(t *testing.T) {
	f := start(t)
	url := f.createQueue("poll", nil)
	got := make(chan []types.Message, 1)
	errs := make(chan error, 1)
	go func() {
		out, err := f.c.ReceiveMessage(f.ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20})
		if err != nil {
			errs <- err
			return
		}
		got <- out.Messages
	}()
	// Give the poll a moment to start waiting; the assertion is on what it
	// returns, not on time.
	time.Sleep(100 * time.Millisecond)
	f.send(url, "wake up")
	select {
	case msgs := <-got:
		equalSlices(t, "long poll", bodies(msgs), []string{"wake up"})
	case err := <-errs:
		t.Fatal(err)
	case <-f.ctx.Done():
		t.Fatal("long poll never returned")
	}

	// The queue's ReceiveMessageWaitTimeSeconds applies when the request
	// names none; a poll on an empty queue ends with no messages.
	short := f.createQueue("short", map[string]string{"ReceiveMessageWaitTimeSeconds": "1"})
	equal(t, "empty poll", len(f.receive(short, 1)), 0)
}

func TestLongPollEndsWithEngine(t *testing.T) {
	r := openRaw(t, t.TempDir(), enginetest.NewClock())
	ctx := testCtx(t)
	out, err := r.client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q")})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := r.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: out.QueueUrl, WaitTimeSeconds: 20})
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	r.shutdown(t)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("poll ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("long poll outlived the engine")
	}
}

func TestConcurrentProducersAndConsumers(t *testing.T) {
	f := start(t)
	url := f.createQueue("busy", map[string]string{"VisibilityTimeout": "300"})
	const producers, each = 4, 50
	errs := make(chan error, 16)
	for p := 0; p < producers; p++ {
		go func(p int) {
			for i := 0; i < each; i++ {
				_, err := f.c.SendMessage(f.ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url),
					MessageBody: aws.String(strconv.Itoa(p) + "-" + strconv.Itoa(i))})
				if err != nil {
					errs <- err
					return
				}
			}
		}(p)
	}
	seen := make(chan string, producers*each*2)
	done := make(chan struct{})
	for c := 0; c < 4; c++ {
		go func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				out, err := f.c.ReceiveMessage(f.ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
				if err != nil {
					errs <- err
					return
				}
				for _, m := range out.Messages {
					seen <- aws.ToString(m.Body)
					if _, err := f.c.DeleteMessage(f.ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	got := map[string]bool{}
	for len(got) < producers*each {
		select {
		case b := <-seen:
			if got[b] {
				t.Fatalf("%s delivered twice", b)
			}
			got[b] = true
		case err := <-errs:
			t.Fatal(err)
		case <-f.ctx.Done():
			t.Fatalf("only %d of %d messages arrived", len(got), producers*each)
		}
	}
	close(done)
	eventually(t, "queue drained", func() bool { return f.counts(url) == [3]string{"0", "0", "0"} })
}
