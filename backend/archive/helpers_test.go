package archive

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// openArchive starts an engine with an empty archive bucket.
func openArchive(t testing.TB) (*backend.Session, *enginetest.Engine, backend.ArchiveLocation) {
	t.Helper()
	s, e := backendtest.Open(t)
	loc := backend.ArchiveLocation{Bucket: "archive", Prefix: "failed/"}
	if _, err := s.S3().CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String(loc.Bucket)}); err != nil {
		t.Fatal(err)
	}
	return s, e, loc
}

// event builds an archived event of consumer, arriving at at.
func event(consumer, pk string, at time.Time, seq int) Event {
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/orders"
	e := Event{
		ID: EventID(arn, "shardId-000000000000", fmt.Sprint(seq)), Consumer: consumer,
		Record: Record{StreamARN: arn, ShardID: "shardId-000000000000", SequenceNumber: fmt.Sprint(seq),
			PartitionKey: pk, ArrivalTime: at.UTC().Truncate(time.Millisecond)},
		Failure:    Failure{Source: "pipe", Condition: "RetryAttemptsExhausted", FailedAt: at.Add(time.Minute)},
		HydratedAt: at.Add(2 * time.Minute),
	}
	e.Record.SetData(fmt.Appendf(nil, `{"seq":%d}`, seq))
	return e
}

func put(t testing.TB, s *backend.Session, loc backend.ArchiveLocation, e Event) string {
	t.Helper()
	k, err := Put(ctxT(t), s, loc, e)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// putAll writes events with a few writers at once.
func putAll(t testing.TB, s *backend.Session, loc backend.ArchiveLocation, events []Event) []string {
	t.Helper()
	keys := make([]string, len(events))
	var wg sync.WaitGroup
	errs := make(chan error, len(events))
	next := make(chan int)
	for range 16 {
		wg.Go(func() {
			for i := range next {
				k, err := Put(ctxT(t), s, loc, events[i])
				if err != nil {
					errs <- err
				}
				keys[i] = k
			}
		})
	}
	for i := range events {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return keys
}

func listAll(t testing.TB, p *backend.Pager[Object]) []Object {
	t.Helper()
	objs, err := p.All(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func keysOf(objs []Object) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.Key
	}
	return out
}

func exists(t testing.TB, s *backend.Session, bucket, key string) bool {
	t.Helper()
	_, err := readObject(ctxT(t), s, bucket, key)
	return err == nil
}

// listCallsSince counts the ListObjectsV2 calls made since the call log
// held total calls.
func listCallsSince(s *backend.Session, total int) int {
	calls := s.Calls.Calls()
	calls = calls[max(0, len(calls)-(s.Calls.Total()-total)):]
	n := 0
	for _, c := range calls {
		if c.Operation == "ListObjectsV2" {
			n++
		}
	}
	return n
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }

// backendOpenReadOnly opens a second, read-only session on the engine.
func backendOpenReadOnly(t testing.TB, e *enginetest.Engine) *backend.Session {
	return backendtest.OpenOn(t, e, backend.Env{ReadOnly: true})
}
