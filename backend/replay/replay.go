// Package replay sends archived events back to a pipeline's target — the
// source Kinesis stream, an SQS queue, an EventBridge bus or an HTTP
// endpoint — one at a time or in bulk, and marks each replayed once the
// target has accepted it.
//
// Every replay carries the event's id, so that a target can drop a
// duplicate:
//
//   - HTTP: the exact bytes are POSTed with the header Idempotency-Key: <id>
//     (Content-Type application/json when the data is JSON, else
//     application/octet-stream).
//   - SQS: the message attribute sluice-event-id = <id>; on a FIFO queue the
//     id is also the MessageDeduplicationId and the partition key the
//     MessageGroupId. The body is the data as text when SQS can carry it,
//     else its base64, with the attribute sluice-encoding = base64.
//   - EventBridge: the event's detail is a JSON object holding
//     "sluiceEventId": <id> as its first field. When the data is a JSON
//     object, the detail is that object with the field added; when the data
//     is an EventBridge event itself, its own detail and detail-type are
//     used; otherwise the detail is {"sluiceEventId": <id>, "data": …} with
//     the data as JSON, text, or base64 (then "dataEncoding": "base64").
//     The source is always "sluice.replay", so rules can tell replays apart.
//   - Kinesis: the exact bytes under the original partition key. A Kinesis
//     record has no attributes, so the id does not travel; consumers that
//     deduplicate by content see the same bytes.
//
// A bulk replay is resumable by construction: an event is marked replayed
// (in a batch manifest, archive/marks.go) only after the target accepted
// it, so a crash or Ctrl-C part-way loses nothing and repeats at most the
// events that were in flight plus the attempts not yet in a written
// manifest (at most Options.MarkBatch); running the same replay again picks up the events
// not yet marked.
package replay

// Status is what became of one event.
type Status string

const (
	// Accepted: the target took the event.
	Accepted Status = "accepted"
	// Failed: the target could not take it now (throttled, 5xx, a
	// timeout, no connection); it was retried and may succeed later.
	Failed Status = "failed"
	// Rejected: the target refused it (a 4xx, a validation error); it was
	// not retried.
	Rejected Status = "rejected"
	// Skipped: the event had been replayed already.
	Skipped Status = "skipped"
	// DryRun: the event would have been sent.
	DryRun Status = "dry-run"
)

// Result is what happened to one event.
type Result struct {
	ID           string `json:"id"`
	Key          string `json:"key,omitempty"`
	PartitionKey string `json:"partitionKey,omitempty"`
	// Size is the length of the record's data in bytes.
	Size   int    `json:"size"`
	Target string `json:"target"`
	Status Status `json:"status"`
	// Detail is the target's answer: an HTTP status, a message or sequence
	// number, or the error.
	Detail string `json:"detail,omitempty"`
	// Code is the short form of the answer: an HTTP status ("503"), an AWS
	// error code, or "timeout".
	Code     string `json:"code,omitempty"`
	Attempts int    `json:"attempts"`
	// Marked is the key of the event's replayed record once it is marked:
	// its entry in a manifest (<manifest key>#<id>), or a _replayed/ copy
	// a mark by hand or an earlier version wrote.
	Marked string `json:"marked,omitempty"`
	// Copied: the event was accepted by a copy into another profile,
	// which marks nothing in the source archive.
	Copied bool `json:"copied,omitempty"`
	// seq is the event's place in the run's listing.
	seq int
}

// Done reports whether nothing is left to do for the event.
func (r Result) Done() bool {
	switch r.Status {
	case Accepted:
		return r.Marked != "" || r.Copied
	case Skipped, DryRun:
		return true
	}
	return false
}
