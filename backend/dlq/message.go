package dlq

import (
	"encoding/base64"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Message is one DLQ message as a browse saw it.
type Message struct {
	ID            string `json:"id"`
	ReceiptHandle string `json:"receiptHandle,omitempty"`
	// Body is exactly what SQS returned; it is untrusted text.
	Body string `json:"body"`
	MD5  string `json:"md5,omitempty"`
	// ReceiveCount is ApproximateReceiveCount as SQS reported it on this
	// browse: the browse's own receive is included.
	ReceiveCount    int               `json:"receiveCount"`
	SentAt          time.Time         `json:"sentAt"`
	FirstReceivedAt time.Time         `json:"firstReceivedAt"`
	Attributes      map[string]string `json:"attributes,omitempty"`
	// MessageAttributes holds string and number values as they are, and
	// binary values as base64.
	MessageAttributes map[string]string `json:"messageAttributes,omitempty"`
	// Failure is the parsed Kinesis-source failure; nil for a payload.
	Failure *Failure `json:"failure,omitempty"`
	// ParseError says why a body that looked like a failure could not be
	// read as one.
	ParseError string `json:"parseError,omitempty"`
}

// IsPayload reports whether the message carries an event itself (a DLQ
// fed by an SQS queue) rather than the coordinates of failed records.
func (m Message) IsPayload() bool { return m.Failure == nil && m.ParseError == "" }

// SourceQueueARN is the queue an SQS redrive moved the message from, when
// SQS recorded it.
func (m Message) SourceQueueARN() string { return m.Attributes["DeadLetterQueueSourceArn"] }

func messageOf(m types.Message) Message {
	out := Message{
		ID:            aws.ToString(m.MessageId),
		ReceiptHandle: aws.ToString(m.ReceiptHandle),
		Body:          aws.ToString(m.Body),
		MD5:           aws.ToString(m.MD5OfBody),
	}
	if len(m.Attributes) > 0 {
		out.Attributes = make(map[string]string, len(m.Attributes))
		for k, v := range m.Attributes {
			out.Attributes[k] = v
		}
	}
	out.ReceiveCount, _ = strconv.Atoi(m.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)])
	out.SentAt = epochMillis(m.Attributes[string(types.MessageSystemAttributeNameSentTimestamp)])
	out.FirstReceivedAt = epochMillis(m.Attributes[string(types.MessageSystemAttributeNameApproximateFirstReceiveTimestamp)])
	if len(m.MessageAttributes) > 0 {
		out.MessageAttributes = make(map[string]string, len(m.MessageAttributes))
		for k, v := range m.MessageAttributes {
			if v.StringValue != nil {
				out.MessageAttributes[k] = *v.StringValue
			} else {
				out.MessageAttributes[k] = base64.StdEncoding.EncodeToString(v.BinaryValue)
			}
		}
	}
	f, err := ParseFailure(out.Body)
	if err != nil {
		out.ParseError = err.Error()
	}
	out.Failure = f
	return out
}

func epochMillis(s string) time.Time {
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil || ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
