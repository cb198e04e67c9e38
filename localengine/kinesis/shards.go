package kinesis

import (
	"context"

	"github.com/sluicehq/sluice/localengine/wire"
)

type filterKind byte

const (
	filterNone filterKind = iota
	filterAfterShardID
	filterAtTrimHorizon
	filterFromTrimHorizon
	filterAtLatest
	filterAtTimestamp
	filterFromTimestamp
)

var filterNames = []string{"AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP", "FROM_TIMESTAMP"}

type shardFilter struct {
	kind  filterKind
	tsMs  int64
	after uint64 // for AFTER_SHARD_ID
}

// match reports whether ListShards lists sh under the filter. Shards past
// retention are never listed.
func (f shardFilter) match(m *streamMeta, sh *shardMeta, nowMs int64) bool {
	if m.expired(sh, nowMs) {
		return false
	}
	openAt := func(t int64) bool { return sh.CreatedMs <= t && (!sh.closed() || sh.ClosedMs >= t) }
	trimHorizon := max(m.cutoff(nowMs), m.CreatedMs)
	switch f.kind {
	case filterAfterShardID:
		return sh.Index > f.after
	case filterAtTrimHorizon:
		return openAt(trimHorizon)
	case filterAtLatest:
		return !sh.closed()
	case filterAtTimestamp:
		return openAt(max(f.tsMs, m.CreatedMs))
	case filterFromTimestamp:
		return !sh.closed() || sh.ClosedMs >= max(f.tsMs, trimHorizon)
	}
	return true
}

const defaultListShards = 1000

func (s *Service) listShards(ctx context.Context, body []byte) (any, error) {
	var in struct {
		streamIDInput
		NextToken               *string
		ExclusiveStartShardId   *string
		MaxResults              *int64
		StreamCreationTimestamp *epochInput
		ShardFilter             *struct {
			Type      *string
			ShardId   *string
			Timestamp *epochInput
		}
	}
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	in.check(&v)
	v.lengthBetween(in.NextToken, "nextToken", 1, 1048576)
	v.lengthBetween(in.ExclusiveStartShardId, "exclusiveStartShardId", 1, 128)
	v.pattern(in.ExclusiveStartShardId, "exclusiveStartShardId", shardIDPattern, streamNameOK)
	v.rangeBetween(in.MaxResults, "maxResults", 1, 10000)
	if f := in.ShardFilter; f != nil {
		v.required(f.Type != nil, "shardFilter.type")
		v.enum(f.Type, "shardFilter.type", filterNames...)
		v.lengthBetween(f.ShardId, "shardFilter.shardId", 1, 128)
		v.pattern(f.ShardId, "shardFilter.shardId", shardIDPattern, streamNameOK)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	limit := defaultListShards
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	now := s.nowMs()

	var m *streamMeta
	var page shardsPage
	if in.NextToken != nil {
		switch {
		case in.StreamName != nil:
			return nil, invalidArgument("NextToken and StreamName cannot be provided together.")
		case in.ExclusiveStartShardId != nil:
			return nil, invalidArgument("NextToken and ExclusiveStartShardId cannot be provided together.")
		case in.StreamCreationTimestamp != nil && in.StreamCreationTimestamp.set:
			return nil, invalidArgument("NextToken and StreamCreationTimestamp cannot be provided together.")
		}
		var ok bool
		if page, ok = s.openShardsPage(*in.NextToken); !ok {
			return nil, invalidArgument("Invalid NextToken.")
		}
		if now-page.issuedMs > nextTokenTTL.Milliseconds() {
			return nil, expiredNextToken()
		}
		if page.region != wire.Region(ctx) {
			return nil, invalidArgument("Invalid NextToken.")
		}
		if in.StreamARN != nil {
			ref, err := in.resolve(ctx)
			if err != nil {
				return nil, err
			}
			if ref.name != page.name {
				return nil, invalidArgument("NextToken and StreamARN name different streams.")
			}
		}
		var err error
		if m, err = s.viewStream(streamRef{region: page.region, name: page.name}); err != nil {
			return nil, err
		}
		if m.UID != page.uid {
			return nil, streamNotFound(page.name)
		}
	} else {
		if in.StreamName == nil && in.StreamARN == nil {
			return nil, invalidArgument("Either NextToken or StreamName should be provided.")
		}
		ref, err := in.resolve(ctx)
		if err != nil {
			return nil, err
		}
		filter, err := parseShardFilter(in.ShardFilter)
		if err != nil {
			return nil, err
		}
		if m, err = s.viewStream(ref); err != nil {
			return nil, err
		}
		if m.creating(now) {
			return nil, notActive(m.Name, statusCreating)
		}
		if t := in.StreamCreationTimestamp; t != nil && t.set && t.ms != m.CreatedMs {
			return nil, streamNotFound(ref.name)
		}
		page = shardsPage{region: m.Region, name: m.Name, uid: m.UID, createdMs: m.CreatedMs, filter: filter}
		if in.ExclusiveStartShardId != nil {
			page.from = startAfter(m, *in.ExclusiveStartShardId)
		}
	}

	out := struct {
		Shards    []shardOut `json:"Shards"`
		NextToken *string    `json:"NextToken,omitempty"`
	}{Shards: []shardOut{}}
	for _, sh := range m.Shards {
		if sh.Index < page.from || !page.filter.match(m, sh, now) {
			continue
		}
		if len(out.Shards) == limit {
			next := page
			next.from = sh.Index
			next.issuedMs = now
			tok := s.sealShardsPage(next)
			out.NextToken = &tok
			break
		}
		out.Shards = append(out.Shards, m.shardOut(sh))
	}
	return out, nil
}

// startAfter is the lowest shard index that comes after the shard named
// by id, as ExclusiveStartShardId asks.
func startAfter(m *streamMeta, id string) uint64 {
	if idx, ok := parseShardID(id); ok {
		return idx + 1
	}
	for _, sh := range m.Shards {
		if afterShard(sh, id) {
			return sh.Index
		}
	}
	return m.NextShard
}

func parseShardFilter(f *struct {
	Type      *string
	ShardId   *string
	Timestamp *epochInput
}) (shardFilter, error) {
	if f == nil {
		return shardFilter{}, nil
	}
	var out shardFilter
	for i, name := range filterNames {
		if *f.Type == name {
			out.kind = filterKind(i + 1)
		}
	}
	hasTS := f.Timestamp != nil && f.Timestamp.set
	switch out.kind {
	case filterAfterShardID:
		if f.ShardId == nil {
			return out, invalidArgument("ShardId must be specified when ShardFilter type is AFTER_SHARD_ID.")
		}
		out.after = startAfter(&streamMeta{NextShard: maxShardIndex + 1}, *f.ShardId) - 1
	case filterAtTimestamp, filterFromTimestamp:
		if !hasTS {
			return out, invalidArgument("Timestamp must be specified when ShardFilter type is %s.", *f.Type)
		}
		out.tsMs = f.Timestamp.ms
	}
	if f.ShardId != nil && out.kind != filterAfterShardID {
		return out, invalidArgument("ShardId can only be specified when ShardFilter type is AFTER_SHARD_ID.")
	}
	if hasTS && out.kind != filterAtTimestamp && out.kind != filterFromTimestamp {
		return out, invalidArgument("Timestamp can only be specified when ShardFilter type is AT_TIMESTAMP or FROM_TIMESTAMP.")
	}
	return out, nil
}
