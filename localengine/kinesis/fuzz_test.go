package kinesis

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/wire"
)

func fuzzActions() []string {
	names := make([]string, 0, len(handlers)+1)
	for name := range handlers {
		names = append(names, name)
	}
	sort.Strings(names)
	return append(names, "NoSuchAction")
}

// FuzzHandleJSON feeds every action arbitrary bodies: the answer is always
// a value that encodes as JSON or an *awserr.Error, never a panic.
func FuzzHandleJSON(f *testing.F) {
	s, _ := newTestService(f)
	ctx := context.Background()
	mustCall := func(action, body string) any {
		out, err := s.HandleJSON(ctx, action, []byte(body))
		if err != nil {
			f.Fatalf("%s: %v", action, err)
		}
		return out
	}
	mustCall("CreateStream", `{"StreamName":"f","ShardCount":2}`)
	mustCall("PutRecords", `{"StreamName":"f","Records":[{"Data":"aGk=","PartitionKey":"a"},{"Data":"","PartitionKey":"b"}]}`)
	itOut, _ := json.Marshal(mustCall("GetShardIterator", `{"StreamName":"f","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}`))
	it := string(itOut[len(`{"ShardIterator":`) : len(itOut)-1])
	seq := formatSeq(1, 0, 1)

	actions := fuzzActions()
	seeds := []string{
		``, `{}`, `null`, `[]`, `{"StreamName":"f"}`, `{"StreamName":"f","Limit":1}`,
		`{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/f"}`,
		`{"StreamName":"g","ShardCount":3}`, `{"StreamName":"f","StreamModeDetails":{"StreamMode":"ON_DEMAND"}}`,
		`{"StreamName":"f","Data":"eA==","PartitionKey":"k","ExplicitHashKey":"5"}`,
		`{"StreamName":"f","Records":[{"Data":"eA==","PartitionKey":"k"}]}`,
		`{"StreamName":"f","ShardId":"shardId-000000000001","ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":"` + seq + `"}`,
		`{"StreamName":"f","ShardId":"0","ShardIteratorType":"AT_TIMESTAMP","Timestamp":1700000000.5}`,
		`{"ShardIterator":` + it + `,"Limit":5}`,
		`{"StreamName":"f","RetentionPeriodHours":48}`, `{"StreamName":"f","Tags":{"a":"b"}}`, `{"StreamName":"f","TagKeys":["a"]}`,
		`{"StreamName":"f","TargetShardCount":3,"ScalingType":"UNIFORM_SCALING"}`,
		`{"StreamName":"f","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"12345"}`,
		`{"StreamName":"f","ShardToMerge":"shardId-000000000000","AdjacentShardToMerge":"shardId-000000000001"}`,
		`{"StreamName":"f","ShardFilter":{"Type":"AT_TIMESTAMP","Timestamp":1.7e9}}`, `{"NextToken":"AAAA"}`,
	}
	for i := range actions {
		for _, body := range seeds {
			f.Add(uint8(i), []byte(body))
		}
	}
	f.Fuzz(func(t *testing.T, action uint8, body []byte) {
		name := actions[int(action)%len(actions)]
		out, err := s.HandleJSON(ctx, name, body)
		if err != nil {
			var ae *awserr.Error
			if !errors.As(err, &ae) {
				t.Fatalf("%s %q: error is not an AWS error: %v", name, body, err)
			}
			if ae.Code == "InternalFailure" {
				t.Fatalf("%s %q: internal failure: %v", name, body, err)
			}
			return
		}
		if raw, ok := out.(wire.RawJSON); ok {
			if !json.Valid(raw) {
				t.Fatalf("%s %q: invalid JSON answer %s", name, body, raw)
			}
			return
		}
		if _, err := json.Marshal(out); err != nil {
			t.Fatalf("%s %q: answer does not encode: %v", name, body, err)
		}
	})
}

func FuzzIteratorToken(f *testing.F) {
	s := &Service{macKey: bytes.Repeat([]byte{3}, 32), cfg: Config{Now: time.Now}}
	f.Add(s.sealIterator(iterator{region: "us-east-1", name: "s", uid: 1, shard: 2, pos: 3, issuedMs: 4}))
	f.Add("")
	f.Add("AAAAAAAAAAE=")
	f.Add(s.sealListStreamsToken("us-east-1", "x"))
	f.Fuzz(func(t *testing.T, tok string) {
		it, ok := s.openIterator(tok)
		if !ok {
			return
		}
		again, ok := s.openIterator(s.sealIterator(it))
		if !ok || again != it {
			t.Fatalf("%q: %+v does not survive a round trip", tok, it)
		}
		_, _ = s.openShardsPage(tok)
		_, _ = s.openListStreamsToken(tok, "us-east-1")
	})
}

func FuzzParseSequenceNumber(f *testing.F) {
	f.Add(formatSeq(1, 2, 3))
	f.Add(formatSeq(^uint64(0), maxShardIndex, ^uint64(0)))
	f.Add("49590338271490256608559692538361571095921575989136588898")
	f.Add("0")
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseSeq(s)
		if err != nil {
			return
		}
		if back := formatSeq(n.uid, n.shard, n.counter); back != s {
			t.Fatalf("%q parses as %+v which formats as %q", s, n, back)
		}
	})
}

func FuzzDecodePutRecords(f *testing.F) {
	f.Add([]byte(`{"StreamName":"s","Records":[{"Data":"aGk=","PartitionKey":"k\u00e9","ExplicitHashKey":"1"}]}`))
	f.Add([]byte(`{"Records":[{"Data":"A\/==","PartitionKey":"\ud83d\udd11"},null,{"x":[{"y":1e5}]}]}`))
	f.Add([]byte(`{"Records":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := decodePutRecords(body)
		if err != nil {
			var ae *awserr.Error
			if !errors.As(err, &ae) {
				t.Fatalf("error is not an AWS error: %v", err)
			}
			return
		}
		// An empty body is an empty request, as in wire.DecodeJSON.
		if len(bytes.TrimSpace(body)) > 0 && !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		if len(req.records) > maxPutRecordsEntries || req.count < len(req.records) {
			t.Fatalf("kept %d of %d entries", len(req.records), req.count)
		}
		total := 0
		for _, r := range req.records {
			total += len(r.data) + len(r.pk) + len(r.ehk)
		}
		if total > len(body) {
			t.Fatalf("decoded %d bytes from a %d-byte body", total, len(body))
		}
	})
}
