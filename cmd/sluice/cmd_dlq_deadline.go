package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/deadline"
	"github.com/sluicehq/sluice/backend/dlq"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/backend/inventory"
)

// dlqRow is a row of `dlq ls`: the DLQ as the inventory read it, and its
// data-loss deadline (a bound: a CLI run has browsed nothing).
type dlqRow struct {
	inventory.DLQ
	Deadline *deadline.Queue `json:"deadline,omitempty"`
	now      time.Time
}

// dlqRows pairs each DLQ with its deadline, reading the ages of the
// oldest messages in one CloudWatch call and each stream's retention
// once; it receives nothing.
func dlqRows(ctx context.Context, s *backend.Session, dlqs []inventory.DLQ) ([]dlqRow, backend.Failures) {
	now := time.Now()
	qs, fs := deadline.ForDLQs(ctx, s, dlqs, deadline.Options{ReadAges: true, Now: now})
	rows := make([]dlqRow, len(dlqs))
	for i, d := range dlqs {
		rows[i] = dlqRow{DLQ: d, now: now}
		if qs[i].Known() || qs[i].RecordsGone > 0 {
			rows[i].Deadline = &qs[i]
		}
	}
	return rows, fs
}

func dlqDeadlineCell(r dlqRow) string {
	if r.Deadline == nil {
		return "-"
	}
	return r.Deadline.Text(r.now)
}

// peekRow is a message of `dlq peek` with its deadline.
type peekRow struct {
	dlq.Message
	Deadline *deadline.Message `json:"deadline,omitempty"`
	now      time.Time
}

func peekDeadlineCell(r peekRow) string {
	if r.Deadline == nil {
		return "-"
	}
	return r.Deadline.Text(r.now)
}

// noteDeadlineFailures says on stderr what the countdown could not read
// (a stream deleted or denied, CloudWatch not served). The deadline is an
// extra beside the queue's contents, so that it changes no exit code:
// the deadline it leaves out or bounds more loosely says why in -o json.
func noteDeadlineFailures(w io.Writer, fs backend.Failures) {
	for _, f := range fs {
		fmt.Fprintln(w, "note: deadline: "+inert.Line(f.Error()))
	}
}
