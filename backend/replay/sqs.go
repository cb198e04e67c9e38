package replay

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
)

// Message attributes a replayed SQS message carries.
const (
	AttrEventID  = "sluice-event-id"
	AttrEncoding = "sluice-encoding"
)

type sqsQueue struct {
	url  string
	fifo bool
}

// sendSQSBatch sends the events at idx with one SendMessageBatch call:
// each event's data as the message body, with the event id as an
// attribute; on a FIFO queue the partition key is the group and the id
// the deduplication id. Each entry has its own result.
func (x *sender) sendSQSBatch(ctx context.Context, evs []archive.Event, data [][]byte, idx []int) []outcome {
	q, err := x.sqsQueue(ctx)
	if err != nil {
		return allOutcome(len(idx), x.awsOutcome(ctx, err))
	}
	outs := make([]outcome, len(idx))
	entries := make([]types.SendMessageBatchRequestEntry, 0, len(idx))
	slot := map[string]int{} // entry id → place in idx
	for j, i := range idx {
		if len(data[i]) == 0 {
			outs[j] = outcome{status: Rejected, detail: "the record's data is empty, and SQS takes no empty message"}
			continue
		}
		e := evs[i]
		body, encoded := sqsBody(data[i])
		entry := types.SendMessageBatchRequestEntry{
			Id: aws.String(strconv.Itoa(j)), MessageBody: aws.String(body),
			MessageAttributes: map[string]types.MessageAttributeValue{
				AttrEventID: {DataType: aws.String("String"), StringValue: aws.String(e.ID)},
			},
		}
		if encoded {
			entry.MessageAttributes[AttrEncoding] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String("base64")}
		}
		if q.fifo {
			entry.MessageGroupId = aws.String(messageGroupID(e.Record.PartitionKey))
			entry.MessageDeduplicationId = aws.String(e.ID)
		}
		slot[*entry.Id] = j
		entries = append(entries, entry)
	}
	if len(entries) == 0 {
		return outs
	}
	out, err := x.s.SQS().SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.url), Entries: entries})
	if err != nil {
		o := x.awsOutcome(ctx, err)
		for _, j := range slot {
			outs[j] = o
		}
		return outs
	}
	answered := map[int]bool{}
	for _, ok := range out.Successful {
		if j, known := slot[aws.ToString(ok.Id)]; known {
			outs[j], answered[j] = outcome{status: Accepted, detail: "message " + aws.ToString(ok.MessageId)}, true
		}
	}
	for _, f := range out.Failed {
		j, known := slot[aws.ToString(f.Id)]
		if !known {
			continue
		}
		code := aws.ToString(f.Code)
		o := outcome{status: Failed, detail: code + ": " + aws.ToString(f.Message), code: code}
		if f.SenderFault {
			o.status = Rejected // the entry itself is wrong: sending it again changes nothing
		}
		outs[j], answered[j] = o, true
	}
	for _, j := range slot {
		if !answered[j] {
			outs[j] = outcome{status: Failed, detail: "the queue gave no result for the message", code: "NoResult"}
		}
	}
	return outs
}

// sqsQueue finds the queue's URL once: from the target's URL, else from
// its ARN with GetQueueUrl (naming the owner, for a queue of another
// account). A failure is not kept, so the next event tries again.
func (x *sender) sqsQueue(ctx context.Context) (sqsQueue, error) {
	x.queueMu.Lock()
	defer x.queueMu.Unlock()
	if x.queue != nil {
		return *x.queue, nil
	}
	var q sqsQueue
	if x.t.URL != "" {
		u, err := url.Parse(x.t.URL)
		if err != nil {
			return q, err
		}
		q = sqsQueue{url: x.t.URL, fifo: strings.HasSuffix(path.Base(u.Path), ".fifo")}
	} else {
		arn, err := backend.ParseARN(x.t.ARN)
		if err != nil {
			return q, err
		}
		in := &sqs.GetQueueUrlInput{QueueName: aws.String(arn.Resource)}
		if arn.Account != "" {
			in.QueueOwnerAWSAccountId = aws.String(arn.Account)
		}
		out, err := x.s.SQS().GetQueueUrl(ctx, in)
		if err != nil {
			return q, err
		}
		q = sqsQueue{url: aws.ToString(out.QueueUrl), fifo: strings.HasSuffix(arn.Resource, ".fifo")}
	}
	x.queue = &q
	return q, nil
}

// sqsBody is the data as text when SQS can carry it (valid UTF-8 of the
// characters SQS allows), else its base64.
func sqsBody(data []byte) (body string, encoded bool) {
	if utf8.Valid(data) && !strings.ContainsFunc(string(data), notSQSChar) {
		return string(data), false
	}
	return base64.StdEncoding.EncodeToString(data), true
}

// notSQSChar reports a character SQS refuses in a message: it takes #x9,
// #xA, #xD, #x20–#xD7FF, #xE000–#xFFFD and #x10000–#x10FFFF.
func notSQSChar(r rune) bool {
	switch {
	case r == 0x9 || r == 0xA || r == 0xD:
		return false
	case r >= 0x20 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		return false
	}
	return true
}

// messageGroupID is the partition key when SQS takes it as a group id (1
// to 128 letters, digits and punctuation), else its SHA-256 in hex, so
// that events of one key still share one group.
func messageGroupID(pk string) string {
	ok := len(pk) >= 1 && len(pk) <= 128
	for i := 0; ok && i < len(pk); i++ {
		ok = pk[i] > 0x20 && pk[i] < 0x7f
	}
	if ok {
		return pk
	}
	sum := sha256.Sum256([]byte(pk))
	return hex.EncodeToString(sum[:])
}
