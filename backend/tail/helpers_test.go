package tail_test

import (
	"context"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/tail"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// waitFor bounds every wait on a condition.
const waitFor = 30 * time.Second

type env struct {
	t       testing.TB
	s       *backend.Session
	e       *enginetest.Engine
	kinesis *kinesis.Client
}

func open(t testing.TB, opts ...enginetest.Option) *env {
	t.Helper()
	return openVia(t, nil, opts...)
}

// openVia is open with the session's HTTP calls going through wrap.
func openVia(t testing.TB, wrap func(http.RoundTripper) http.RoundTripper, opts ...enginetest.Option) *env {
	t.Helper()
	e := enginetest.Start(t, opts...)
	// A read cancelled by Close may leave a connection dialled but never
	// used, which the engine's shutdown waits 5 s for: close it first.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	var rt http.RoundTripper = readOnlyBodies{tr}
	if wrap != nil {
		rt = wrap(rt)
	}
	s := backendtest.OpenOn(t, e, backend.Env{HTTPClient: &http.Client{Transport: rt}})
	return &env{t: t, s: s, e: e, kinesis: e.Kinesis()}
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*waitFor)
	t.Cleanup(cancel)
	return ctx
}

func (v *env) createStream(name string, shards int32) {
	v.t.Helper()
	_, err := v.kinesis.CreateStream(context.Background(), &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)})
	if err != nil {
		v.t.Fatalf("create stream %s: %v", name, err)
	}
}

// put is a record to write; the engine fills in Shard and Seq.
type put struct {
	Key, Data, Hash string
	Shard, Seq      string
}

// put writes records in order, one PutRecords per 500, and returns them
// with their shard and sequence number.
func (v *env) put(stream string, records ...put) []put {
	v.t.Helper()
	for start := 0; start < len(records); start += 500 {
		chunk := records[start:min(len(records), start+500)]
		entries := make([]types.PutRecordsRequestEntry, len(chunk))
		for i, r := range chunk {
			entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(r.Key), Data: []byte(r.Data)}
			if r.Hash != "" {
				entries[i].ExplicitHashKey = aws.String(r.Hash)
			}
		}
		out, err := v.kinesis.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
		if err != nil {
			v.t.Fatalf("put records: %v", err)
		}
		for i, res := range out.Records {
			if res.ErrorCode != nil {
				v.t.Fatalf("put record %d: %s %s", start+i, aws.ToString(res.ErrorCode), aws.ToString(res.ErrorMessage))
			}
			chunk[i].Shard, chunk[i].Seq = aws.ToString(res.ShardId), aws.ToString(res.SequenceNumber)
		}
	}
	return records
}

// numbered is n records over keys partition keys, with data "<prefix>-<i>".
func numbered(prefix string, n, keys int) []put {
	out := make([]put, n)
	for i := range out {
		out[i] = put{Key: fmt.Sprintf("key-%d", i%keys), Data: fmt.Sprintf("%s-%d", prefix, i)}
	}
	return out
}

func start(t testing.TB, s *backend.Session, o tail.Options) *tail.Tail {
	t.Helper()
	tl, err := tail.Start(ctxT(t), s, o)
	if err != nil {
		t.Fatalf("start tail: %v", err)
	}
	t.Cleanup(tl.Close)
	return tl
}

// fast are the options of most tests: the whole stream from TRIM_HORIZON,
// at the highest allowed pace, stopping once caught up.
func fast(stream string) tail.Options {
	o := tail.NewOptions(stream)
	o.From = tail.Position{Kind: tail.TrimHorizon}
	o.ReadsPerSecond = tail.MaxReadsPerSecond
	o.UntilCaughtUp = true
	return o
}

// drain reads every batch until the tail ends.
func drain(t testing.TB, tl *tail.Tail) []tail.Record {
	t.Helper()
	var out []tail.Record
	deadline := time.After(waitFor)
	for {
		select {
		case b, ok := <-tl.Records():
			if !ok {
				if err := tl.Err(); err != nil {
					t.Fatalf("tail ended with %v", err)
				}
				return out
			}
			checkBatch(t, b)
			out = append(out, b.Records...)
		case <-deadline:
			t.Fatalf("tail did not end within %v; %d records read; stats %+v", waitFor, len(out), tl.Stats())
		}
	}
}

// collect reads until n records came.
func collect(t testing.TB, tl *tail.Tail, n int) []tail.Record {
	t.Helper()
	var out []tail.Record
	deadline := time.After(waitFor)
	for len(out) < n {
		select {
		case b, ok := <-tl.Records():
			if !ok {
				t.Fatalf("tail ended after %d of %d records: %v", len(out), n, tl.Err())
			}
			checkBatch(t, b)
			out = append(out, b.Records...)
		case <-deadline:
			t.Fatalf("only %d of %d records within %v; stats %+v", len(out), n, waitFor, tl.Stats())
		}
	}
	return out
}

func checkBatch(t testing.TB, b tail.Batch) {
	t.Helper()
	if len(b.Records) == 0 {
		t.Fatalf("empty batch from %s", b.Shard)
	}
	for _, r := range b.Records {
		if r.ShardID != b.Shard {
			t.Fatalf("record of %s in a batch of %s", r.ShardID, b.Shard)
		}
	}
}

// eventually waits for cond.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, waitFor)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func seqLess(a, b string) bool {
	x, ok1 := new(big.Int).SetString(a, 10)
	y, ok2 := new(big.Int).SetString(b, 10)
	if !ok1 || !ok2 {
		panic("bad sequence number " + a + " / " + b)
	}
	return x.Cmp(y) < 0
}

func datas(records []tail.Record) []string {
	out := make([]string, len(records))
	for i, r := range records {
		out[i] = string(r.Data)
	}
	return out
}

// checkExactlyOnce checks that got holds each record of want once, that
// each shard's records come in sequence order, and returns got by data.
func checkExactlyOnce(t testing.TB, got []tail.Record, want []put) map[string]tail.Record {
	t.Helper()
	byData := map[string]tail.Record{}
	for _, r := range got {
		if prev, dup := byData[string(r.Data)]; dup {
			t.Fatalf("%q read twice: %s/%s and %s/%s", r.Data, prev.ShardID, prev.SequenceNumber, r.ShardID, r.SequenceNumber)
		}
		byData[string(r.Data)] = r
	}
	for _, w := range want {
		r, ok := byData[w.Data]
		if !ok {
			t.Fatalf("%q (%s %s) never read; read %d of %d", w.Data, w.Shard, w.Seq, len(got), len(want))
		}
		if w.Seq != "" && (r.SequenceNumber != w.Seq || r.ShardID != w.Shard) {
			t.Fatalf("%q read as %s/%s, put as %s/%s", w.Data, r.ShardID, r.SequenceNumber, w.Shard, w.Seq)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("read %d records, want %d", len(got), len(want))
	}
	last := map[string]string{}
	for _, r := range got {
		if prev, ok := last[r.ShardID]; ok && !seqLess(prev, r.SequenceNumber) {
			t.Fatalf("shard %s: %s after %s", r.ShardID, r.SequenceNumber, prev)
		}
		last[r.ShardID] = r.SequenceNumber
	}
	return byData
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// readOnlyBodies is enginetest.HTTPClient's work-around for a race between
// smithy-go and net/http (see there), on a transport the test can close.
type readOnlyBodies struct{ base http.RoundTripper }

func (r readOnlyBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		clone := *req
		clone.Body = struct{ io.ReadCloser }{req.Body}
		req = &clone
	}
	return r.base.RoundTrip(req)
}

type (
	kinesisSplit = kinesis.SplitShardInput
	kinesisMerge = kinesis.MergeShardsInput
)
