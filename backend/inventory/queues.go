package inventory

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/backend"
)

// Queue is an SQS queue with the attributes an operator reads.
type Queue struct {
	Name       string `json:"name"`
	URL        string `json:"url"`
	ARN        string `json:"arn"`
	FIFO       bool   `json:"fifo"`
	Visible    int    `json:"visible"`
	NotVisible int    `json:"notVisible"`
	Delayed    int    `json:"delayed"`
	// VisibilityTimeout and RetentionSeconds are in seconds.
	VisibilityTimeout int               `json:"visibilityTimeout"`
	RetentionSeconds  int               `json:"retentionSeconds"`
	RedrivePolicy     *Redrive          `json:"redrivePolicy,omitempty"`
	RedriveAllow      string            `json:"redriveAllowPolicy,omitempty"`
	Created           time.Time         `json:"created,omitzero"`
	Tags              map[string]string `json:"tags,omitempty"`
}

// Redrive is a queue's RedrivePolicy: where its failed messages go.
type Redrive struct {
	DeadLetterTargetARN string `json:"deadLetterTargetArn"`
	MaxReceiveCount     int    `json:"maxReceiveCount"`
}

// ListQueues pages through the queue URLs. SQS pages only when asked for
// a page size, so one is always sent: without it the answer stops at
// 1,000 queues.
func ListQueues(s *backend.Session, opts ...Option) *backend.Pager[string] {
	limit := pageSize(opts, 1000, 1000)
	return backend.NewPager(func(ctx context.Context, token *string) ([]string, *string, error) {
		out, err := s.SQS().ListQueues(ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(limit), NextToken: token})
		if err != nil {
			return nil, nil, fmt.Errorf("list queues: %w", s.Explain(err))
		}
		return out.QueueUrls, out.NextToken, nil
	})
}

// SourceQueues pages through the URLs of the queues whose RedrivePolicy
// names the queue at dlqURL.
func SourceQueues(s *backend.Session, dlqURL string, opts ...Option) *backend.Pager[string] {
	limit := pageSize(opts, 1000, 1000)
	return backend.NewPager(func(ctx context.Context, token *string) ([]string, *string, error) {
		out, err := s.SQS().ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{
			QueueUrl: aws.String(dlqURL), MaxResults: aws.Int32(limit), NextToken: token,
		})
		if err != nil {
			return nil, nil, fmt.Errorf("list source queues of %s: %w", QueueName(dlqURL), s.Explain(err))
		}
		return out.QueueUrls, out.NextToken, nil
	})
}

// DescribeQueue reads a queue's attributes and tags.
func DescribeQueue(ctx context.Context, s *backend.Session, queueURL string) (Queue, error) {
	q, err := queueAttributes(ctx, s, queueURL)
	if err != nil {
		return Queue{}, err
	}
	if q.Tags, err = QueueTags(ctx, s, queueURL); err != nil {
		return Queue{}, err
	}
	return q, nil
}

// queueAttributes reads a queue's attributes, without its tags.
func queueAttributes(ctx context.Context, s *backend.Session, queueURL string) (Queue, error) {
	out, err := s.SQS().GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(queueURL), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll},
	})
	if err != nil {
		return Queue{}, fmt.Errorf("describe queue %s: %w", QueueName(queueURL), s.Explain(err))
	}
	return queueOf(queueURL, out.Attributes)
}

// QueueTags reads a queue's tags.
func QueueTags(ctx context.Context, s *backend.Session, queueURL string) (map[string]string, error) {
	out, err := s.SQS().ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(queueURL)})
	if err != nil {
		return nil, fmt.Errorf("tags of queue %s: %w", QueueName(queueURL), s.Explain(err))
	}
	return out.Tags, nil
}

func queueOf(queueURL string, attrs map[string]string) (Queue, error) {
	num := func(name string) int {
		n, _ := strconv.Atoi(attrs[name])
		return n
	}
	q := Queue{
		Name: QueueName(queueURL), URL: queueURL, ARN: attrs["QueueArn"],
		FIFO:    attrs["FifoQueue"] == "true",
		Visible: num("ApproximateNumberOfMessages"), NotVisible: num("ApproximateNumberOfMessagesNotVisible"),
		Delayed:           num("ApproximateNumberOfMessagesDelayed"),
		VisibilityTimeout: num("VisibilityTimeout"), RetentionSeconds: num("MessageRetentionPeriod"),
		RedriveAllow: attrs["RedriveAllowPolicy"],
	}
	if secs := num("CreatedTimestamp"); secs > 0 {
		q.Created = time.Unix(int64(secs), 0).UTC()
	}
	if raw := attrs["RedrivePolicy"]; raw != "" {
		r, err := parseRedrive(raw)
		if err != nil {
			return Queue{}, fmt.Errorf("queue %s: %w", q.Name, err)
		}
		q.RedrivePolicy = &r
	}
	return q, nil
}

// parseRedrive reads a RedrivePolicy. AWS writes maxReceiveCount as a
// number; some tools write it as a string, which SQS accepts too.
func parseRedrive(raw string) (Redrive, error) {
	var p struct {
		Target string          `json:"deadLetterTargetArn"`
		Max    json.RawMessage `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return Redrive{}, fmt.Errorf("RedrivePolicy %q: %w", raw, err)
	}
	n, err := strconv.Atoi(strings.Trim(string(p.Max), `"`))
	if err != nil && len(p.Max) > 0 {
		return Redrive{}, fmt.Errorf("RedrivePolicy %q: maxReceiveCount is not a number", raw)
	}
	return Redrive{DeadLetterTargetARN: p.Target, MaxReceiveCount: n}, nil
}

// QueueName is the name of a queue given by URL, ARN or name.
func QueueName(ref string) string {
	if strings.HasPrefix(ref, "arn:") {
		if a, err := backend.ParseARN(ref); err == nil {
			return a.Resource
		}
	}
	if u, err := url.Parse(ref); err == nil && u.Scheme != "" {
		path := strings.TrimRight(u.Path, "/")
		return path[strings.LastIndexByte(path, '/')+1:]
	}
	return ref
}

// QueueURL finds the URL of a queue given by URL, ARN or name: the one
// queue resolver of every command and view. An ARN's account is passed
// on, so that a queue of another account is found; an ARN of another
// service (an SNS topic named as a dead-letter target) is refused rather
// than looked up as a queue of the same name.
func QueueURL(ctx context.Context, s *backend.Session, ref string) (string, error) {
	if strings.HasPrefix(ref, "https://") || strings.HasPrefix(ref, "http://") {
		return ref, nil
	}
	in := &sqs.GetQueueUrlInput{QueueName: aws.String(QueueName(ref))}
	if a, err := backend.ParseARN(ref); err == nil {
		if a.Service != "sqs" {
			return "", fmt.Errorf("%s is not an SQS queue ARN", ref)
		}
		if a.Account != "" {
			in.QueueOwnerAWSAccountId = aws.String(a.Account)
		}
	}
	out, err := s.SQS().GetQueueUrl(ctx, in)
	if err != nil {
		return "", fmt.Errorf("find queue %s: %w", QueueName(ref), s.Explain(err))
	}
	return aws.ToString(out.QueueUrl), nil
}

// QueueARN reads the ARN of the queue at queueURL.
func QueueARN(ctx context.Context, s *backend.Session, queueURL string) (string, error) {
	out, err := s.SQS().GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(queueURL), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn},
	})
	if err != nil {
		return "", fmt.Errorf("ARN of queue %s: %w", QueueName(queueURL), s.Explain(err))
	}
	return out.Attributes["QueueArn"], nil
}

// QueueResource names a queue in a Failure's Resource.
func QueueResource(ref string) string { return "queue " + QueueName(ref) }

// isQueueMissing reports an answer meaning the queue does not exist.
func isQueueMissing(err error) bool {
	return backend.IsCode(err, "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")
}
