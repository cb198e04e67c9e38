package hydrate

import (
	"bytes"
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"golang.org/x/sync/errgroup"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/dlq"
)

// archiveAll writes one object per record, o.Concurrency at a time, each
// confirmed by its checksum or read back. keys[i] is record i's key once
// it is confirmed, "" when it is not; err is the first failure. After a
// failure no more records are started, but those in flight finish, so
// that what was written is confirmed and reported.
func archiveAll(ctx context.Context, s *backend.Session, o Options, msg Received, f *dlq.Failure, records []ktypes.Record) (keys []string, err error) {
	keys = make([]string, len(records))
	// failed ends when a write fails (or ctx ends); the writes themselves
	// use ctx.
	g, failed := errgroup.WithContext(ctx)
	g.SetLimit(o.Concurrency)
	for i, rec := range records {
		if failed.Err() != nil {
			break
		}
		g.Go(func() error {
			key, err := archiveOne(ctx, s, o, msg, f, rec)
			if err != nil {
				return err
			}
			keys[i] = key
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return keys, err
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
