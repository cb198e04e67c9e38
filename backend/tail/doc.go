// Package tail reads a Kinesis stream as it is written: one shard, several,
// or the whole stream, from TRIM_HORIZON, LATEST, a timestamp or a sequence
// number, following resharding (a parent is read to its end before its
// children start, so that the order per partition key is kept).
//
// A tail stays inside the read budget it shares with production consumers:
// each shard is read at most ReadsPerSecond times a second (1 by default,
// Kinesis allows 5 per shard for all readers together), and a
// ProvisionedThroughputExceeded answer backs off with full jitter. Expired
// iterators are renewed after the last record read, so nothing is lost or
// read twice.
//
// Memory is bounded however long a tail runs: batches reach the caller
// through a channel of fixed capacity (a slow reader slows the shard
// readers, which block on it), and Recent keeps only the last Buffer
// records.
package tail
