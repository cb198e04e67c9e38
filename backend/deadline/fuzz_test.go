package deadline_test

import (
	"testing"
	"time"

	"github.com/sluicehq/sluice/backend/deadline"
	"github.com/sluicehq/sluice/backend/dlq"
)

// FuzzOfMessageBody: whatever a DLQ message's body holds (it is
// untrusted: any sender may write to the queue), its deadline is one of
// the two expiries or none, never a panic, and its cell is short text.
func FuzzOfMessageBody(f *testing.F) {
	f.Add(`{"context":{"partnerResourceArn":"arn:aws:pipes:us-east-1:000000000000:pipe/p","condition":"RetryAttemptsExhausted"},"version":"1.0","timestamp":"2026-12-07T10:00:00.000Z","KinesisBatchInfo":{"shardId":"shardId-000000000000","startSequenceNumber":"1","endSequenceNumber":"2","approximateArrivalOfFirstRecord":"2026-12-06T11:00:00.000Z","approximateArrivalOfLastRecord":"2026-12-06T11:00:00.000Z","batchSize":2,"streamArn":"arn:aws:kinesis:us-east-1:000000000000:stream/s"}}`, int64(24), int64(345600))
	f.Add(`{"requestContext":{"functionArn":"arn:aws:lambda:us-east-1:000000000000:function:f","condition":"RecordAgeExceeded"},"KinesisBatchInfo":{"shardId":"s","startSequenceNumber":"1","endSequenceNumber":"1","approximateArrivalOfFirstRecord":"9999-12-31T23:59:59Z","streamArn":"arn:aws:kinesis:us-east-1:0:stream/s"}}`, int64(8760), int64(60))
	f.Add(`{"KinesisBatchInfo":{"approximateArrivalOfFirstRecord":"0001-01-01T00:00:00Z"}}`, int64(-1), int64(0))
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body string, streamHours, queueSeconds int64) {
		failure, err := dlq.ParseFailure(body)
		if err != nil || failure == nil {
			return
		}
		m := dlq.Message{ID: "m", Body: body, SentAt: now.Add(-time.Hour), Failure: failure}
		stream, queue := time.Duration(streamHours)*time.Hour, time.Duration(queueSeconds)*time.Second
		d, ok := deadline.OfMessage(m, stream, queue, now)
		if !ok {
			return
		}
		if !d.At.Equal(d.RecordsExpire) && !d.At.Equal(d.MessageExpires) {
			t.Fatalf("deadline %s is neither expiry: %+v", d.At, d)
		}
		if !d.RecordsExpire.IsZero() && !d.MessageExpires.IsZero() && d.At.After(d.RecordsExpire) {
			t.Fatalf("deadline %s after the records expire: %+v", d.At, d)
		}
		if text := d.Text(now); len(text) == 0 || len(text) > 16 {
			t.Fatalf("cell %q", text)
		}
	})
}
