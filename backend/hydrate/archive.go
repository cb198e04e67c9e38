package hydrate

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/dlq"
)

// writers archive the records of every message of a run, a fixed number
// at a time. There is one pool for the run, so that messages hydrated at
// once share it: each message opening as many writes as the run has
// workers put the square of the concurrency in flight, more than the
// connection pool keeps (on AWS each extra connection is a TLS
// handshake). Its goroutines live as long as the run, so that no write
// starts on a new goroutine's small stack and grows it.
type writers struct{ jobs chan func() }

// shared is what the messages of one run share: the writers and the
// stream's reads.
type shared struct {
	writers *writers
	reads   *shardReads
}

// WritesPerMessage is how many objects a run writes at once per message
// it hydrates at once: a message of a large batch (Pipes sends up to
// 10,000 records) then still writes several at a time when the others
// are waiting on the stream or the queue.
const WritesPerMessage = 4

// startRun starts what a run's messages share; stop waits for the
// writes handed out to finish.
func startRun(o Options) (*shared, func()) {
	w, stop := startWriters(WritesPerMessage * o.Concurrency)
	return &shared{writers: w, reads: newShardReads()}, stop
}

// startWriters starts n writers; stop waits for the jobs handed out to
// finish.
func startWriters(n int) (w *writers, stop func()) {
	w = &writers{jobs: make(chan func())}
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for job := range w.jobs {
				job()
			}
		})
	}
	return w, func() {
		close(w.jobs)
		wg.Wait()
	}
}

// archiveAll writes one object per record on the run's writers, each
// confirmed by its checksum or read back. keys[i] is record i's key once
// it is confirmed, "" when it is not; err is the first failure. After a
// failure no more records are started, but those in flight finish, so
// that what was written is confirmed and reported.
func archiveAll(ctx context.Context, s *backend.Session, o Options, w *writers, msg Received, f *dlq.Failure, records []ktypes.Record) (keys []string, err error) {
	keys = make([]string, len(records))
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return first != nil
	}
hand:
	for i, rec := range records {
		if failed() || ctx.Err() != nil {
			break
		}
		wg.Add(1)
		job := func() {
			defer wg.Done()
			key, err := archiveOne(ctx, s, o, msg, f, rec)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				first = cmp.Or(first, err)
				return
			}
			keys[i] = key
		}
		select {
		case w.jobs <- job:
		case <-ctx.Done():
			wg.Done()
			break hand
		}
	}
	wg.Wait()
	if first != nil {
		return keys, first
	}
	return keys, ctx.Err()
}

// archiveOne writes rec's event: the object counts once the store has
// confirmed its checksum (archive.PutConfirmed) or, on a store that
// echoes none, once what it returns holds the same record.
func archiveOne(ctx context.Context, s *backend.Session, o Options, msg Received, f *dlq.Failure, rec ktypes.Record) (string, error) {
	e := event(o, msg, f, rec)
	key, confirmed, err := archive.PutConfirmed(ctx, s, o.Archive, e)
	if err != nil || confirmed {
		return key, err
	}
	back, err := archive.Get(ctx, s, o.Archive.Bucket, key)
	if err != nil {
		return "", fmt.Errorf("verify %s: %w", key, err)
	}
	if err := sameRecord(e, back, rec.Data); err != nil {
		return "", fmt.Errorf("verify s3://%s/%s: %w", o.Archive.Bucket, key, err)
	}
	return key, nil
}

// event is the archive object of one record. KPL-aggregated records are
// kept as the Kinesis record, aggregated bytes and all, so that a replay to
// the stream is exact.
func event(o Options, msg Received, f *dlq.Failure, rec ktypes.Record) archive.Event {
	seq := aws.ToString(rec.SequenceNumber)
	e := archive.Event{
		ID:       archive.EventID(f.Batch.StreamARN, f.Batch.ShardID, seq),
		Consumer: f.Consumer,
		Record: archive.Record{
			StreamARN: f.Batch.StreamARN, ShardID: f.Batch.ShardID, SequenceNumber: seq,
			PartitionKey: aws.ToString(rec.PartitionKey), ArrivalTime: aws.ToTime(rec.ApproximateArrivalTimestamp).UTC(),
		},
		Failure: archive.Failure{
			Source: f.Source, Condition: f.Condition, ConsumerARN: f.ConsumerARN,
			DLQ: o.DLQ, MessageID: msg.ID, FailedAt: f.Timestamp,
		},
		HydratedAt: o.Now().UTC(),
	}
	e.Record.SetData(rec.Data)
	return e
}

// sameRecord compares what was read back with the event written and the
// record's bytes as the stream gave them.
func sameRecord(want, got archive.Event, data []byte) error {
	w, g := want.Record, got.Record
	if got.ID != want.ID || g.SequenceNumber != w.SequenceNumber || g.ShardID != w.ShardID ||
		g.StreamARN != w.StreamARN || g.PartitionKey != w.PartitionKey {
		return fmt.Errorf("read back event %s at %s, want %s at %s", got.ID, g.SequenceNumber, want.ID, w.SequenceNumber)
	}
	gotData, err := g.Bytes()
	if err != nil {
		return fmt.Errorf("read back data: %w", err)
	}
	if !bytes.Equal(gotData, data) {
		return fmt.Errorf("read back %d bytes of data that differ from the record's %d", len(gotData), len(data))
	}
	return nil
}
