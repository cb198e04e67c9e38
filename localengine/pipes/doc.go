package pipes

// How a pipe runs (what AWS leaves open is decided here):
//
//   - Source: a Kinesis stream of the pipe's region, read through the
//     Kinesis service's own actions (ListShards, GetShardIterator,
//     GetRecords). One reader per shard; a child shard is read only once
//     its parents are read to their end, so a key's records keep their
//     order across a split or merge. An idle shard is polled every 500 ms;
//     one that answered a full page is read again at once.
//   - Starting position: TRIM_HORIZON, AT_TIMESTAMP, or LATEST, which is
//     taken as "records that arrived from when the pipe first ran", so that
//     records written while the engine was down are not skipped.
//   - Ordering: with ParallelizationFactor 1 a shard's batches go out one
//     after another, in shard order. With N > 1, the records read in one
//     round (up to N × BatchSize) are split by the hash of their partition
//     key into up to N lanes delivered concurrently; each key keeps its
//     order. The checkpoint moves once a whole round is handled.
//   - Checkpoints: per (pipe, shard), the last sequence number handled
//     (delivered, sent to the DLQ, or dropped), written durably after each
//     round; a restart resumes AFTER_SEQUENCE_NUMBER it. Only a round in
//     flight at a crash is delivered again.
//   - Retries: exponential backoff with full jitter, random(0, min(cap,
//     base·2^n)) before retry n, until MaximumRetryAttempts or
//     MaximumRecordAgeInSeconds (oldest record of the batch, checked
//     before every attempt), whichever comes first; then the batch's
//     metadata goes to the DLQ and the pipe moves on. When a target took a
//     first part of a batch (SQS, Kinesis and bus targets take events in
//     calls of 10 or 500), only the rest is retried.
//   - AUTOMATIC_BISECT: a failing batch of more than one record is split
//     in halves at once (the split is its retry); each half is delivered
//     in turn with a fresh retry budget, splitting again on failure, so a
//     poison record ends up alone and only it reaches the DLQ.
//   - Targets: an SQS queue (one message per event; a FIFO queue gets its
//     calls in order, a standard queue concurrently), a Kinesis stream (one
//     record per event, PartitionKey static or a JSON path), an event bus
//     (one event per record, source "Pipe <name>", detail-type "Event from
//     aws:kinesis" unless set), an API destination (the batch as one JSON
//     array per call; any status but 2xx fails, 429 counts as throttled).
//   - Not applied, hence refused at create/update: enrichment, filter
//     criteria, input templates. HttpParameters of an API-destination
//     target are kept and reported but not sent: the EventBridge service's
//     InvokeAPIDestination takes no per-call parameters.
