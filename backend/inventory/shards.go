package inventory

import (
	"context"
	"fmt"
	"math/big"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluicehq/sluice/backend"
)

// Shard is one shard with its place in the key space and in the
// resharding tree.
type Shard struct {
	ID               string   `json:"id"`
	ParentID         string   `json:"parentId,omitempty"`
	AdjacentParentID string   `json:"adjacentParentId,omitempty"`
	Children         []string `json:"children,omitempty"`
	// HashStart and HashEnd bound the shard's hash keys, in decimal.
	HashStart string `json:"hashStart"`
	HashEnd   string `json:"hashEnd"`
	// KeyspaceShare is the fraction of the 2^128 hash keys the shard holds.
	KeyspaceShare float64 `json:"keyspaceShare"`
	StartSequence string  `json:"startSequence"`
	// EndSequence is empty while the shard is open.
	EndSequence string `json:"endSequence,omitempty"`
	Open        bool   `json:"open"`
}

// keyspace is 2^128, the number of hash keys.
var keyspace = new(big.Int).Lsh(big.NewInt(1), 128)

// ListShards lists every shard of a stream (by name or ARN) that is
// within its retention, open and closed, with the children each parent
// split or merged into.
func ListShards(ctx context.Context, s *backend.Session, stream string, opts ...Option) ([]Shard, error) {
	limit := pageSize(opts, 1000, 10000)
	name, arn := streamID(stream)
	in := &kinesis.ListShardsInput{StreamName: name, StreamARN: arn, MaxResults: aws.Int32(limit)}
	var shards []Shard
	for {
		out, err := s.Kinesis().ListShards(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list shards of %s: %w", stream, s.Explain(err))
		}
		for _, sh := range out.Shards {
			shards = append(shards, shardOf(sh))
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		// A follow-up page names only the token; with the stream too,
		// Kinesis refuses it.
		in = &kinesis.ListShardsInput{NextToken: out.NextToken, MaxResults: aws.Int32(limit)}
		if arn != nil {
			// By ARN, the token alone would be resolved in the session's
			// region; the ARN is allowed beside it.
			in.StreamARN = arn
		}
	}
	linkChildren(shards)
	return shards, nil
}

func shardOf(sh types.Shard) Shard {
	out := Shard{
		ID:               aws.ToString(sh.ShardId),
		ParentID:         aws.ToString(sh.ParentShardId),
		AdjacentParentID: aws.ToString(sh.AdjacentParentShardId),
	}
	if r := sh.HashKeyRange; r != nil {
		out.HashStart, out.HashEnd = aws.ToString(r.StartingHashKey), aws.ToString(r.EndingHashKey)
		out.KeyspaceShare = share(out.HashStart, out.HashEnd)
	}
	if r := sh.SequenceNumberRange; r != nil {
		out.StartSequence, out.EndSequence = aws.ToString(r.StartingSequenceNumber), aws.ToString(r.EndingSequenceNumber)
	}
	out.Open = out.EndSequence == ""
	return out
}

// share is (end − start + 1) / 2^128, or 0 when the range does not parse.
func share(start, end string) float64 {
	lo, ok1 := new(big.Int).SetString(start, 10)
	hi, ok2 := new(big.Int).SetString(end, 10)
	if !ok1 || !ok2 || hi.Cmp(lo) < 0 {
		return 0
	}
	n := new(big.Int).Sub(hi, lo)
	n.Add(n, big.NewInt(1))
	f, _ := new(big.Rat).SetFrac(n, keyspace).Float64()
	return f
}

// linkChildren fills each shard's children from the others' parents.
func linkChildren(shards []Shard) {
	index := make(map[string]int, len(shards))
	for i, sh := range shards {
		index[sh.ID] = i
	}
	for _, sh := range shards {
		for _, p := range []string{sh.ParentID, sh.AdjacentParentID} {
			if i, ok := index[p]; ok && p != "" {
				shards[i].Children = append(shards[i].Children, sh.ID)
			}
		}
	}
}
