package dlq

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/views/common"
)

// TestAutoRefreshReloadsTheListButNeverBrowsesAgain: a browse raises
// receive counts, so the timer's reload must not repeat it.
func TestAutoRefreshReloadsTheListButNeverBrowsesAgain(t *testing.T) {
	sc := newScene(t, 2)
	m := New(newCommon(sc.s, 120, 30, true))
	drive(t, m, m.Init())
	sc.fail(2)
	_, cmd := m.Update(common.AutoRefreshMsg{})
	drive(t, m, cmd)
	if rows := m.list.Rows(); len(rows) != 1 || rows[0].Cells[1] != "3" {
		t.Fatalf("after the auto refresh the list shows %+v, want depth 3", rows)
	}

	press(t, m, "enter")
	counted := m.byID
	_, cmd = m.Update(common.AutoRefreshMsg{})
	drive(t, m, cmd)
	for id, msg := range m.byID {
		if counted[id].ReceiveCount != msg.ReceiveCount {
			t.Fatalf("message %s received again by the auto refresh", id)
		}
	}
	if v, h := sc.counts(sc.queueURL); v != 3 || h != 0 {
		t.Fatalf("%d visible, %d in flight after the auto refresh", v, h)
	}
	// One browse, then this receive: a count of 2 each, not 3.
	got, err := sc.e.SQS().ReceiveMessage(sc.ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(sc.queueURL), MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount}})
	if err != nil || len(got.Messages) != 3 {
		t.Fatalf("receive: %d messages, %v", len(got.Messages), err)
	}
	for _, msg := range got.Messages {
		if n := msg.Attributes["ApproximateReceiveCount"]; n != "2" {
			t.Errorf("message %s received %s times, want 2", aws.ToString(msg.MessageId), n)
		}
	}
}
