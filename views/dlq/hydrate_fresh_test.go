package dlq

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/viewtest"
)

// TestHydrateFindsTheArchiveOfAPipeCreatedSinceTheList: h looks up where
// the events go through the session's inventory, but not in a read made
// before h was pressed: a pipe created (with its archive tag) after the
// list was read names the archive, where the list's read, however
// fresh, knew no pipe for the queue.
func TestHydrateFindsTheArchiveOfAPipeCreatedSinceTheList(t *testing.T) {
	sc := newScene(t, 1)
	// The DLQ says nothing of an archive: only its pipe's tag will.
	if _, err := sc.e.SQS().UntagQueue(sc.ctx, &sqs.UntagQueueInput{QueueUrl: aws.String(sc.queueURL), TagKeys: []string{inventory.ArchiveTag}}); err != nil {
		t.Fatal(err)
	}
	at := time.Now()
	env := &common.Env{Session: sc.s, Inventory: inventory.New(sc.s, func() time.Time { return at })}
	m := New(viewtest.NewCommon(env, 120, 30, true))
	drive(t, m, m.Init())
	// Untagged, in no pipeline yet, the queue is opened by name.
	_, cmd := m.Update(common.OpenMsg{Tab: common.DLQTab, Target: "orders-dlq"})
	drive(t, m, cmd)
	if m.level != levelBrowse || len(m.msgs.Rows()) != 1 {
		t.Fatalf("open orders-dlq: level %v, %d messages", m.level, len(m.msgs.Rows()))
	}

	attrs, err := sc.e.SQS().GetQueueAttributes(sc.ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(sc.queueURL),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	_, sinkARN := inventorytest.Queue(t, sc.e, "sink", nil)
	inventorytest.Pipe(t, sc.e, "orders-to-api", streamARN, sinkARN, attrs.Attributes["QueueArn"],
		map[string]string{inventory.ArchiveTag: "s3://archive/failed/"})

	out := press(t, m, "h")
	cs := viewtest.Of[common.ConfirmRequest](out)
	if len(cs) != 1 || !strings.Contains(strings.Join(cs[0].Lines, "\n"), "s3://archive/failed/") {
		t.Fatalf("h after the pipe was created: confirmations %+v, statuses %+v", cs, viewtest.Of[common.StatusMsg](out))
	}
}
