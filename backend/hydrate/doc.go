// Package hydrate turns metadata-only DLQ messages of a Kinesis source back
// into their records: it reads the records a failure points at from the
// stream, writes each as one archive object, reads every object back, and
// only then deletes the DLQ message. A message it cannot finish stays in
// the queue; hydrating it again writes the same keys.
package hydrate
