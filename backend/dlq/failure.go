// Package dlq browses dead-letter queues without side effects, parses what
// failed (Pipes and Lambda failures of a Kinesis source, or a full payload
// from an SQS source), and deletes, purges, redrives and exports messages.
package dlq

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/sluicehq/sluice/backend"
)

// Failure is a parsed Kinesis-source failure: it holds only the
// coordinates of the failed records, not the records.
type Failure struct {
	// Source is "pipe" or "lambda".
	Source string `json:"source"`
	// Condition is RetryAttemptsExhausted, RecordAgeExceeded, …
	Condition string `json:"condition"`
	// ConsumerARN is the pipe's or the function's ARN.
	ConsumerARN string `json:"consumerArn"`
	// Consumer is the pipe's or function's name.
	Consumer  string    `json:"consumer"`
	Version   string    `json:"version,omitempty"`
	Timestamp time.Time `json:"timestamp"`
	Batch     BatchInfo `json:"batch"`
	// Lambda only.
	RequestID              string `json:"requestId,omitempty"`
	ApproximateInvokeCount int    `json:"approximateInvokeCount,omitempty"`
	StatusCode             int    `json:"statusCode,omitempty"`
	FunctionError          string `json:"functionError,omitempty"`
}

// BatchInfo is KinesisBatchInfo: where the failed records are.
type BatchInfo struct {
	ShardID             string    `json:"shardId"`
	StartSequenceNumber string    `json:"startSequenceNumber"`
	EndSequenceNumber   string    `json:"endSequenceNumber"`
	FirstArrival        time.Time `json:"approximateArrivalOfFirstRecord"`
	LastArrival         time.Time `json:"approximateArrivalOfLastRecord"`
	BatchSize           int       `json:"batchSize"`
	StreamARN           string    `json:"streamArn"`
}

// Stream is the name of the stream the records are in.
func (b BatchInfo) Stream() string {
	a, err := backend.ParseARN(b.StreamARN)
	if err != nil {
		return b.StreamARN
	}
	return a.Name()
}

// wireFailure is both documented shapes of a DLQ message for a Kinesis
// source: Pipes' "context" and Lambda's "requestContext".
type wireFailure struct {
	Version   string `json:"version"`
	Timestamp string `json:"timestamp"`
	Context   *struct {
		PartnerResourceArn string `json:"partnerResourceArn"`
		Condition          string `json:"condition"`
	} `json:"context"`
	RequestContext *struct {
		RequestID              string `json:"requestId"`
		FunctionArn            string `json:"functionArn"`
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	ResponseContext *struct {
		StatusCode    int    `json:"statusCode"`
		FunctionError string `json:"functionError"`
	} `json:"responseContext"`
	Batch *struct {
		ShardID             string `json:"shardId"`
		StartSequenceNumber string `json:"startSequenceNumber"`
		EndSequenceNumber   string `json:"endSequenceNumber"`
		FirstArrival        string `json:"approximateArrivalOfFirstRecord"`
		LastArrival         string `json:"approximateArrivalOfLastRecord"`
		BatchSize           int    `json:"batchSize"`
		StreamArn           string `json:"streamArn"`
	} `json:"KinesisBatchInfo"`
}

// ParseFailure reads a DLQ message body. It returns nil and no error when
// the body is not a Kinesis-source failure (a payload from an SQS source),
// and an error when it looks like one but is malformed.
func ParseFailure(body string) (*Failure, error) {
	var w wireFailure
	if err := json.Unmarshal([]byte(body), &w); err != nil || w.Batch == nil {
		return nil, nil
	}
	b := w.Batch
	if b.ShardID == "" || b.StartSequenceNumber == "" || b.EndSequenceNumber == "" || b.StreamArn == "" {
		return nil, fmt.Errorf("KinesisBatchInfo lacks shardId, sequence numbers or streamArn")
	}
	if !isDecimal(b.StartSequenceNumber) || !isDecimal(b.EndSequenceNumber) {
		return nil, fmt.Errorf("KinesisBatchInfo sequence numbers %q..%q are not decimal", b.StartSequenceNumber, b.EndSequenceNumber)
	}
	f := &Failure{
		Version: w.Version, Timestamp: parseTime(w.Timestamp),
		Batch: BatchInfo{
			ShardID: b.ShardID, StartSequenceNumber: b.StartSequenceNumber, EndSequenceNumber: b.EndSequenceNumber,
			FirstArrival: parseTime(b.FirstArrival), LastArrival: parseTime(b.LastArrival),
			BatchSize: b.BatchSize, StreamARN: b.StreamArn,
		},
	}
	switch {
	case w.Context != nil:
		f.Source, f.Condition, f.ConsumerARN = "pipe", w.Context.Condition, w.Context.PartnerResourceArn
	case w.RequestContext != nil:
		rc := w.RequestContext
		f.Source, f.Condition, f.ConsumerARN = "lambda", rc.Condition, rc.FunctionArn
		f.RequestID, f.ApproximateInvokeCount = rc.RequestID, rc.ApproximateInvokeCount
		if w.ResponseContext != nil {
			f.StatusCode, f.FunctionError = w.ResponseContext.StatusCode, w.ResponseContext.FunctionError
		}
	default:
		return nil, fmt.Errorf("KinesisBatchInfo without a Pipes context or a Lambda requestContext")
	}
	if a, err := backend.ParseARN(f.ConsumerARN); err == nil {
		f.Consumer = a.Name()
	}
	return f, nil
}

func isDecimal(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
