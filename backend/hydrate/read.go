package hydrate

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/dlq"
)

// span is what the stream still holds of a failure's records.
type span struct {
	records []ktypes.Record
	// gone says why records at the start of the range are no longer in
	// the stream (retention, a deleted shard or stream); "" when the first
	// record was found.
	gone string
	// short says why records at the end of the range were not found.
	short string
}

// maxEmptyReads bounds the empty answers in a row a read accepts while
// the shard says it is behind, so that a stream that misbehaves cannot
// keep a hydrate reading forever.
const maxEmptyReads = 1000

// readRange reads the records of b's shard from its start sequence number
// to its end, inclusive, comparing sequence numbers as integers. Through
// reads, what an earlier message's read of the shard holds is not read
// again (see shardReads); reads may be nil.
func readRange(ctx context.Context, s *backend.Session, reads *shardReads, b dlq.BatchInfo) (span, error) {
	start, ok1 := new(big.Int).SetString(b.StartSequenceNumber, 10)
	end, ok2 := new(big.Int).SetString(b.EndSequenceNumber, 10)
	if !ok1 || !ok2 {
		return span{}, fmt.Errorf("sequence numbers %q..%q are not decimal", b.StartSequenceNumber, b.EndSequenceNumber)
	}
	if start.Cmp(end) > 0 {
		return span{}, fmt.Errorf("start sequence number %s is after the end %s", b.StartSequenceNumber, b.EndSequenceNumber)
	}
	r := &rangeReader{s: s, b: b, start: start, end: end}
	if reads == nil {
		return r.read(ctx, nil)
	}
	sh := reads.shard(b.StreamARN, b.ShardID)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return r.read(ctx, sh)
}

type rangeReader struct {
	s          *backend.Session
	b          dlq.BatchInfo
	start, end *big.Int
	// last is the sequence number of the last record kept, to renew an
	// expired iterator after it.
	last string
}

// read reads the range; with sh, it starts from what sh holds and leaves
// its own read there for the next message.
func (r *rangeReader) read(ctx context.Context, sh *shardRead) (span, error) {
	var sp span
	limit := int32(1000)
	if r.b.BatchSize > 0 {
		limit = int32(min(r.b.BatchSize, maxGetRecords))
	}
	base := limit
	var iter *string
	// skip bounds the records before the range a resumed read passes
	// over before it asks for an iterator at the range's start instead.
	skip := 0
	if sh != nil {
		held, next, ok := sh.take(r.start, r.end)
		for _, rec := range held {
			sp.records = append(sp.records, rec)
			r.last = aws.ToString(rec.SequenceNumber)
		}
		if ok {
			return r.finish(sp), nil
		}
		iter, skip = next, int(limit)
		limit = sh.limit(limit)
	}
	var read []ktypes.Record
	defer func() {
		if sh != nil {
			sh.keep(read, iter)
		}
	}()
	if iter == nil {
		var gone string
		var err error
		if iter, gone, err = r.iterator(ctx); err != nil || gone != "" {
			sp.gone = gone
			return sp, err
		}
	}
	empty, skipped := 0, 0
	for {
		var out *kinesis.GetRecordsOutput
		err := withBackoff(ctx, func() error {
			var err error
			out, err = r.s.Kinesis().GetRecords(ctx, &kinesis.GetRecordsInput{
				ShardIterator: iter, Limit: aws.Int32(limit), StreamARN: aws.String(r.b.StreamARN),
			}, backend.WithoutThrottleRetries)
			return err
		})
		var expired *ktypes.ExpiredIteratorException
		if errors.As(err, &expired) {
			var gone string
			if iter, gone, err = r.iterator(ctx); err != nil || gone != "" {
				iter, sp.gone = nil, gone
				return sp, err
			}
			continue
		}
		if err != nil {
			iter = nil
			return sp, fmt.Errorf("read %s of %s: %w", r.b.ShardID, r.b.Stream(), r.s.Explain(err))
		}
		read, iter = out.Records, out.NextShardIterator
		done := false
		for _, rec := range out.Records {
			seq, ok := new(big.Int).SetString(aws.ToString(rec.SequenceNumber), 10)
			if !ok {
				iter = nil
				return sp, fmt.Errorf("read %s of %s: record sequence number %q is not decimal", r.b.ShardID, r.b.Stream(), aws.ToString(rec.SequenceNumber))
			}
			if seq.Cmp(r.end) > 0 {
				done = true
				break
			}
			if seq.Cmp(r.start) < 0 {
				skipped++
				continue
			}
			sp.records = append(sp.records, rec)
			r.last = aws.ToString(rec.SequenceNumber)
		}
		if done || r.last == r.b.EndSequenceNumber {
			break
		}
		if len(sp.records) == 0 && skip > 0 && skipped > skip {
			// The read resumed far before the range: open the shard at
			// its start instead of reading on to it.
			sh.gap()
			var gone string
			if iter, gone, err = r.iterator(ctx); err != nil || gone != "" {
				iter, sp.gone = nil, gone
				return sp, err
			}
			read, skip, limit = nil, 0, base
			continue
		}
		if out.NextShardIterator == nil {
			sp.short = fmt.Sprintf("%s is closed and ends before %s", r.b.ShardID, r.b.EndSequenceNumber)
			break
		}
		if len(out.Records) == 0 {
			if aws.ToInt64(out.MillisBehindLatest) == 0 {
				sp.short = fmt.Sprintf("%s holds no record up to %s", r.b.ShardID, r.b.EndSequenceNumber)
				break
			}
			if empty++; empty > maxEmptyReads {
				iter = nil
				return sp, fmt.Errorf("read %s of %s: %d empty reads in a row while behind the tip", r.b.ShardID, r.b.Stream(), empty)
			}
		} else {
			empty = 0
		}
	}
	return r.finish(sp), nil
}

// finish says what of the range the records read do not hold.
func (r *rangeReader) finish(sp span) span {
	if len(sp.records) == 0 {
		sp.gone = fmt.Sprintf("%s holds no record from %s on", r.b.ShardID, r.b.StartSequenceNumber)
		sp.short = ""
	} else if first := aws.ToString(sp.records[0].SequenceNumber); first != r.b.StartSequenceNumber {
		sp.gone = fmt.Sprintf("the oldest record left in %s is %s, after the failure's first %s", r.b.ShardID, first, r.b.StartSequenceNumber)
	}
	return sp
}

// iterator opens the shard at the range's start, or after the last record
// kept when an iterator expired. gone is set when the stream no longer
// holds the start.
func (r *rangeReader) iterator(ctx context.Context) (iter *string, gone string, err error) {
	in := &kinesis.GetShardIteratorInput{
		StreamARN: aws.String(r.b.StreamARN), ShardId: aws.String(r.b.ShardID),
		ShardIteratorType: ktypes.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String(r.b.StartSequenceNumber),
	}
	if r.last != "" {
		in.ShardIteratorType, in.StartingSequenceNumber = ktypes.ShardIteratorTypeAfterSequenceNumber, aws.String(r.last)
	}
	var out *kinesis.GetShardIteratorOutput
	err = withBackoff(ctx, func() error {
		var err error
		out, err = r.s.Kinesis().GetShardIterator(ctx, in, backend.WithoutThrottleRetries)
		return err
	})
	var notFound *ktypes.ResourceNotFoundException
	var invalid *ktypes.InvalidArgumentException
	switch {
	case err == nil:
		return out.ShardIterator, "", nil
	case errors.As(err, &notFound):
		// A closed shard past retention is dropped from the stream; so is
		// everything of a deleted stream.
		if _, derr := r.s.Kinesis().DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String(r.b.StreamARN)}); errors.As(derr, &notFound) {
			return nil, fmt.Sprintf("stream %s no longer exists", r.b.Stream()), nil
		}
		return nil, fmt.Sprintf("%s is no longer in stream %s", r.b.ShardID, r.b.Stream()), nil
	case errors.As(err, &invalid) && mentionsSequenceNumber(aws.ToString(invalid.Message)):
		// AWS answers so for a sequence number the stream has trimmed.
		return nil, "Kinesis: " + aws.ToString(invalid.Message), nil
	}
	return nil, "", fmt.Errorf("open %s of %s at %s: %w", r.b.ShardID, r.b.Stream(), aws.ToString(in.StartingSequenceNumber), r.s.Explain(err))
}

func mentionsSequenceNumber(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "sequencenumber") || strings.Contains(m, "sequence number")
}

// retentionHours asks the stream's retention, for the sentence that says
// records are past it; 0 when it cannot be known.
func retentionHours(ctx context.Context, s *backend.Session, streamARN string) int32 {
	out, err := s.Kinesis().DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String(streamARN)})
	if err != nil || out.StreamDescriptionSummary == nil {
		return 0
	}
	return aws.ToInt32(out.StreamDescriptionSummary.RetentionPeriodHours)
}
