package dlq

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/inventory"
)

// Queue is what a DLQ operation needs to know about a queue.
type Queue struct {
	URL  string `json:"url"`
	ARN  string `json:"arn"`
	Name string `json:"name"`
	FIFO bool   `json:"fifo,omitempty"`
	// Visible and InFlight are ApproximateNumberOfMessages and
	// ApproximateNumberOfMessagesNotVisible.
	Visible  int `json:"visible"`
	InFlight int `json:"inFlight"`
	Delayed  int `json:"delayed"`
	// RetentionSeconds is MessageRetentionPeriod: how long SQS keeps a
	// message after it was sent.
	RetentionSeconds int `json:"retentionSeconds,omitempty"`
	// ReceiveWait is ReceiveMessageWaitTimeSeconds: receives that do not
	// say otherwise long-poll this long.
	ReceiveWait int `json:"receiveWaitSeconds,omitempty"`
	// Redrive is the queue's own RedrivePolicy: receiving its messages
	// too often moves them into another queue.
	Redrive *RedrivePolicy `json:"redrivePolicy,omitempty"`
}

// RedrivePolicy is a queue's RedrivePolicy attribute.
type RedrivePolicy struct {
	DeadLetterTargetARN string `json:"deadLetterTargetArn"`
	MaxReceiveCount     int    `json:"maxReceiveCount"`
}

// DeadLetterQueue is the name of the queue messages are moved into.
func (r RedrivePolicy) DeadLetterQueue() string { return nameOfARN(r.DeadLetterTargetARN) }

// ParseRedrivePolicy reads a RedrivePolicy attribute. maxReceiveCount is a
// number in AWS's answers but a string in many a hand-written policy; both
// are read.
func ParseRedrivePolicy(s string) (*RedrivePolicy, error) {
	var w struct {
		Target string          `json:"deadLetterTargetArn"`
		Max    json.RawMessage `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(s), &w); err != nil {
		return nil, fmt.Errorf("RedrivePolicy %q: %w", s, err)
	}
	raw := strings.Trim(string(w.Max), `"`)
	n, err := strconv.Atoi(raw)
	if err != nil || w.Target == "" {
		return nil, fmt.Errorf("RedrivePolicy %q lacks deadLetterTargetArn or a numeric maxReceiveCount", s)
	}
	return &RedrivePolicy{DeadLetterTargetARN: w.Target, MaxReceiveCount: n}, nil
}

// ResolveQueue turns a queue's name, URL or ARN into its URL. It is
// inventory.QueueURL, the one resolver, named here for the DLQ commands.
func ResolveQueue(ctx context.Context, s *backend.Session, queue string) (string, error) {
	return inventory.QueueURL(ctx, s, queue)
}

// Describe reads a queue's ARN, message counts and redrive policy.
func Describe(ctx context.Context, s *backend.Session, queueURL string) (Queue, error) {
	out, err := s.SQS().GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(queueURL),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll},
	})
	if err != nil {
		return Queue{}, fmt.Errorf("queue %s: %w", NameOfURL(queueURL), s.Explain(err))
	}
	a := out.Attributes
	q := Queue{URL: queueURL, ARN: a["QueueArn"], Name: NameOfURL(queueURL), FIFO: a["FifoQueue"] == "true"}
	q.Visible, _ = strconv.Atoi(a["ApproximateNumberOfMessages"])
	q.InFlight, _ = strconv.Atoi(a["ApproximateNumberOfMessagesNotVisible"])
	q.Delayed, _ = strconv.Atoi(a["ApproximateNumberOfMessagesDelayed"])
	q.ReceiveWait, _ = strconv.Atoi(a["ReceiveMessageWaitTimeSeconds"])
	q.RetentionSeconds, _ = strconv.Atoi(a["MessageRetentionPeriod"])
	if p := a["RedrivePolicy"]; p != "" {
		if q.Redrive, err = ParseRedrivePolicy(p); err != nil {
			return q, fmt.Errorf("queue %s: %w", q.Name, err)
		}
	}
	return q, nil
}

// NameOfURL is a queue's name: the last element of its URL.
func NameOfURL(queueURL string) string {
	return queueURL[strings.LastIndexByte(queueURL, '/')+1:]
}

func nameOfARN(arn string) string {
	a, err := backend.ParseARN(arn)
	if err != nil {
		return arn
	}
	return a.Name()
}
