// Package sqs is the engine's SQS service: the JSON 1.0 protocol of the
// current SDKs and the query protocol of older clients, decoded into the same
// inputs and answered by the same core.
//
// Messages live in the store (layout.go); memory holds only an index per
// queue, ordered by availability (index.go), rebuilt from the store's small
// per-message state records on start. Every acknowledged send, receive
// (visibility, receive count), visibility change and delete is committed
// before its answer.
//
// Behaviours where AWS leaves room, and what this engine does:
//   - Receipt handles name one receive. On a standard queue an older handle
//     still deletes its message while it exists; on a FIFO queue a handle
//     from before the message's latest receive has expired. Deleting a
//     message that is gone succeeds.
//   - A message past its queue's maxReceiveCount moves to the dead-letter
//     queue when a receive would deliver it, keeping its id, SentTimestamp,
//     receive count ("across all queues") and, in a standard queue, its
//     retention clock; its source queue's ARN is recorded for move tasks and
//     reported as DeadLetterQueueSourceArn.
//   - A message move task moves the messages that were in its source when
//     it started and are not in flight, in order, as fresh messages (receive
//     count and retention start again). Without DestinationArn each goes
//     back to its recorded source; a message without one fails the task.
//     After a restart, RUNNING tasks resume and CANCELLING ones end
//     CANCELLED.
//   - Expired messages are never delivered and are deleted by a sweeper
//     every second.
//   - Not implemented: ReceiveRequestAttemptId deduplication (the id is
//     validated, then ignored), the 60-second wait before a deleted queue's
//     name can be used again (QueueDeletedRecently), FIFO throughput limits,
//     and policy enforcement (Policy, AddPermission and RemovePermission are
//     stored only).
package sqs
