package pipes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/inproc"
)

// kinRecord is one record read from the source stream.
type kinRecord struct {
	Seq          string
	ArrivalMs    int64
	Data         []byte
	PartitionKey string
	// event is the record as the target receives it, encoded once.
	event []byte
}

type shardInfo struct {
	ShardId               string
	ParentShardId         *string
	AdjacentParentShardId *string
}

// maxShardPages bounds ListShards paging, so that a misbehaving answer
// cannot keep a runner paging forever.
const maxShardPages = 1000

// listShards lists every shard of the source stream, open and closed.
func (r *runner) listShards(ctx context.Context) ([]shardInfo, error) {
	var all []shardInfo
	in := map[string]any{"StreamARN": r.streamArn}
	for range maxShardPages {
		var out struct {
			Shards    []shardInfo
			NextToken *string
		}
		if err := inproc.Call(r.sourceCtx(ctx), r.s.cfg.Kinesis, "ListShards", in, &out); err != nil {
			return nil, fmt.Errorf("list shards of %s: %w", r.streamArn, err)
		}
		all = append(all, out.Shards...)
		if out.NextToken == nil || *out.NextToken == "" {
			return all, nil
		}
		in = map[string]any{"NextToken": *out.NextToken}
	}
	return all, nil
}

func (r *runner) sourceCtx(ctx context.Context) context.Context {
	return inproc.InRegion(ctx, r.streamRegion)
}

// shardIterator returns an iterator positioned after seq, or, for a shard
// the pipe never read, at the pipe's starting position. ok is false when
// the start lies in the future (AT_TIMESTAMP), so the caller waits.
func (r *runner) shardIterator(ctx context.Context, shard, after string) (string, bool, error) {
	in := map[string]any{"StreamARN": r.streamArn, "ShardId": shard}
	switch {
	case after != "":
		in["ShardIteratorType"] = "AFTER_SEQUENCE_NUMBER"
		in["StartingSequenceNumber"] = after
	case r.startPosition == posTrimHorizon:
		in["ShardIteratorType"] = posTrimHorizon
	default:
		// LATEST is read as "from when the pipe first ran", so that a
		// restart does not skip what arrived while the engine was down.
		ts := r.startMs
		if ts > r.s.nowMs() {
			return "", false, nil
		}
		in["ShardIteratorType"] = posAtTimestamp
		in["Timestamp"] = json.Number(string(appendEpoch(nil, ts)))
	}
	var out struct{ ShardIterator *string }
	if err := inproc.Call(r.sourceCtx(ctx), r.s.cfg.Kinesis, "GetShardIterator", in, &out); err != nil {
		return "", false, fmt.Errorf("shard iterator for %s: %w", shard, err)
	}
	if out.ShardIterator == nil {
		return "", false, fmt.Errorf("shard iterator for %s: empty answer", shard)
	}
	return *out.ShardIterator, true, nil
}

type recordsPage struct {
	records  []kinRecord
	next     string // "" once a closed shard is read to its end
	behindMs int64
}

// getRecords reads up to limit records.
func (r *runner) getRecords(ctx context.Context, iterator string, limit int) (recordsPage, error) {
	var out struct {
		Records []struct {
			SequenceNumber              string
			ApproximateArrivalTimestamp json.Number
			Data                        []byte
			PartitionKey                string
		}
		NextShardIterator  *string
		MillisBehindLatest int64
	}
	in := map[string]any{"ShardIterator": iterator, "Limit": limit}
	if err := inproc.Call(r.sourceCtx(ctx), r.s.cfg.Kinesis, "GetRecords", in, &out); err != nil {
		return recordsPage{}, err
	}
	page := recordsPage{records: make([]kinRecord, len(out.Records)), behindMs: out.MillisBehindLatest}
	for i, rec := range out.Records {
		page.records[i] = kinRecord{Seq: rec.SequenceNumber, ArrivalMs: epochMillis(rec.ApproximateArrivalTimestamp),
			Data: rec.Data, PartitionKey: rec.PartitionKey}
	}
	if out.NextShardIterator != nil {
		page.next = *out.NextShardIterator
	}
	return page, nil
}

func epochMillis(n json.Number) int64 {
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return int64(math.Round(f * 1000))
}

// errorCode is the AWS error code of err, "" for other errors.
func errorCode(err error) string {
	var ae *awserr.Error
	if errors.As(err, &ae) {
		return ae.Code
	}
	return ""
}
