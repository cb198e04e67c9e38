package sqs_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

func TestFifoOrderAndGroupLocking(t *testing.T) {
	f := start(t)
	url := f.createQueue("orders.fifo", map[string]string{"FifoQueue": "true", "VisibilityTimeout": "30"})
	var seqs []string
	for i := 0; i < 4; i++ {
		out := f.sendFifo(url, "a"+strconv.Itoa(i), "A", "da"+strconv.Itoa(i))
		seqs = append(seqs, aws.ToString(out.SequenceNumber))
	}
	for i := 0; i < 2; i++ {
		f.sendFifo(url, "b"+strconv.Itoa(i), "B", "db"+strconv.Itoa(i))
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] <= seqs[i-1] || len(seqs[i]) != len(seqs[i-1]) {
			t.Fatalf("sequence numbers do not grow: %v", seqs)
		}
	}

	// Group A first (its head is oldest), in order, then B's.
	first := f.receive(url, 3)
	equalSlices(t, "first receive", bodies(first), []string{"a0", "a1", "a2"})
	equal(t, "group attribute", first[0].Attributes["MessageGroupId"], "A")
	equal(t, "dedup attribute", first[0].Attributes["MessageDeduplicationId"], "da0")
	equal(t, "sequence attribute", first[0].Attributes["SequenceNumber"], seqs[0])
	// A is locked while a0-a2 are in flight: only B is served.
	equalSlices(t, "group A locked", bodies(f.receive(url, 10)), []string{"b0", "b1"})
	equal(t, "all locked", len(f.receive(url, 10)), 0)

	// Deleting a0 and a1 still leaves a2 in flight: A stays locked.
	f.deleteMsg(url, first[0])
	f.deleteMsg(url, first[1])
	equal(t, "still locked", len(f.receive(url, 10)), 0)
	f.deleteMsg(url, first[2])
	equalSlices(t, "unlocked", bodies(f.receive(url, 10)), []string{"a3"})

	// When visibility expires, the group's messages come back first, in order.
	f.e.Clock.Advance(31 * time.Second)
	again := f.receive(url, 10)
	equalSlices(t, "redelivery", bodies(again), []string{"a3", "b0", "b1"})
	equal(t, "receive count", again[0].Attributes["ApproximateReceiveCount"], "2")

	// A handle from before the latest receive has expired on a FIFO queue.
	f.e.Clock.Advance(31 * time.Second)
	latest := f.receive(url, 1)
	equalSlices(t, "latest", bodies(latest), []string{"a3"})
	_, err := f.c.DeleteMessage(f.ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: again[0].ReceiptHandle})
	wantCode(t, err, "InvalidParameterValue")
	f.deleteMsg(url, latest[0])
}

func TestFifoDeduplication(t *testing.T) {
	f := start(t)
	url := f.createQueue("dedup.fifo", map[string]string{"FifoQueue": "true"})
	one := f.sendFifo(url, "first", "g", "same")
	two := f.sendFifo(url, "second", "g", "same")
	equal(t, "duplicate keeps the id", aws.ToString(two.MessageId), aws.ToString(one.MessageId))
	equal(t, "duplicate keeps the sequence", aws.ToString(two.SequenceNumber), aws.ToString(one.SequenceNumber))
	equal(t, "one message", f.counts(url)[0], "1")
	// Deleted or not, the id stays taken for five minutes.
	f.deleteMsg(url, f.receive(url, 1)[0])
	f.e.Clock.Advance(4 * time.Minute)
	f.sendFifo(url, "third", "g", "same")
	equal(t, "still deduplicated", f.counts(url)[0], "0")
	f.e.Clock.Advance(61 * time.Second)
	f.sendFifo(url, "fourth", "g", "same")
	equalSlices(t, "window over", bodies(f.receive(url, 10)), []string{"fourth"})

	// Content-based deduplication hashes the body.
	cbd := f.createQueue("cbd.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	a := f.sendFifo(cbd, "payload", "g1", "")
	b := f.sendFifo(cbd, "payload", "g2", "")
	equal(t, "content duplicate", aws.ToString(b.MessageId), aws.ToString(a.MessageId))
	f.sendFifo(cbd, "other payload", "g1", "")
	equal(t, "two messages", f.counts(cbd)[0], "2")

	// Deduplication per message group.
	mg := f.createQueue("mg.fifo", map[string]string{"FifoQueue": "true", "DeduplicationScope": "messageGroup"})
	x := f.sendFifo(mg, "x", "g1", "d")
	y := f.sendFifo(mg, "y", "g2", "d")
	if aws.ToString(x.MessageId) == aws.ToString(y.MessageId) {
		t.Fatal("different groups must not deduplicate with messageGroup scope")
	}

	// FIFO rules.
	_, err := f.c.SendMessage(f.ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"), MessageDeduplicationId: aws.String("z")})
	wantCode(t, err, "MissingParameter")
	_, err = f.c.SendMessage(f.ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"), MessageGroupId: aws.String("g")})
	wantCode(t, err, "InvalidParameterValue")
	_, err = f.c.SendMessage(f.ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"),
		MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("n"), DelaySeconds: 3})
	wantCode(t, err, "InvalidParameterValue")

	// Batches deduplicate too, inside one batch as well.
	out, err := f.c.SendMessageBatch(f.ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(cbd), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("1"), MessageBody: aws.String("batch"), MessageGroupId: aws.String("g")},
		{Id: aws.String("2"), MessageBody: aws.String("batch"), MessageGroupId: aws.String("g")},
		{Id: aws.String("3"), MessageBody: aws.String("nogroup")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "batch successes", len(out.Successful), 2)
	equal(t, "batch dedup", aws.ToString(out.Successful[0].MessageId), aws.ToString(out.Successful[1].MessageId))
	equal(t, "batch failure", aws.ToString(out.Failed[0].Code), "MissingParameter")
}

func TestFifoQueueDelay(t *testing.T) {
	f := start(t)
	url := f.createQueue("slow.fifo", map[string]string{"FifoQueue": "true", "DelaySeconds": "10", "ContentBasedDeduplication": "true"})
	f.sendFifo(url, "1", "g", "")
	f.sendFifo(url, "2", "g", "")
	equal(t, "delayed", f.counts(url), [3]string{"0", "0", "2"})
	equal(t, "nothing yet", len(f.receive(url, 10)), 0)
	f.e.Clock.Advance(11 * time.Second)
	equalSlices(t, "in order", bodies(f.receive(url, 10)), []string{"1", "2"})
}
