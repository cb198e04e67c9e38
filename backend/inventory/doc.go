// Package inventory discovers what a profile can operate: streams and
// their shards, queues and which of them are dead-letter queues, pipes,
// Lambda event source mappings, buckets, and the pipelines that chain
// them (consumer → stream → DLQ → archive → replay target).
//
// Every listing pages through the whole answer: lists that AWS pages come
// back as a backend.Pager, so that a caller shows the first page at once;
// the others are read to their end before they return.
package inventory
