package pipes

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzDispatch feeds arbitrary requests to the REST dispatcher: it must
// never panic, and must answer either a value that encodes as JSON or an
// error the client can decode.
func FuzzDispatch(f *testing.F) {
	const create = `{"RoleArn":"arn:aws:iam::000000000000:role/r","Source":"arn:aws:kinesis:us-east-1:000000000000:stream/s",
		"Target":"arn:aws:sqs:us-east-1:000000000000:q","SourceParameters":{"KinesisStreamParameters":{"StartingPosition":"TRIM_HORIZON",
		"BatchSize":10,"MaximumRetryAttempts":2,"DeadLetterConfig":{"Arn":"arn:aws:sqs:us-east-1:000000000000:dlq"}}},
		"TargetParameters":{"SqsQueueParameters":{"MessageGroupId":"$.data.g"}},"Tags":{"a":"b"}}`
	seeds := []struct{ method, path, query, body string }{
		{"POST", "/v1/pipes/p1", "", create},
		{"POST", "/v1/pipes/p2", "", `{"Source":"x","Target":"y","RoleArn":"z"}`},
		{"GET", "/v1/pipes/p1", "", ""},
		{"GET", "/v1/pipes", "NamePrefix=p&Limit=1&CurrentState=RUNNING", ""},
		{"GET", "/v1/pipes", "NextToken=cGlwZXMxOnAx", ""},
		{"PUT", "/v1/pipes/p1", "", `{"RoleArn":"arn:aws:iam::000000000000:role/r","SourceParameters":{"KinesisStreamParameters":{"BatchSize":5}},"TargetParameters":{"InputTemplate":""}}`},
		{"POST", "/v1/pipes/p1/stop", "", ""},
		{"POST", "/v1/pipes/p1/start", "", ""},
		{"DELETE", "/v1/pipes/p1", "", ""},
		{"POST", "/tags/arn%3Aaws%3Apipes%3Aus-east-1%3A000000000000%3Apipe%2Fp1", "", `{"tags":{"k":"v"}}`},
		{"DELETE", "/tags/arn:aws:pipes:us-east-1:000000000000:pipe/p1", "tagKeys=k&tagKeys=j", ""},
		{"GET", "/tags/arn:aws:pipes:us-east-1:000000000000:pipe/p1", "", ""},
		{"POST", "/v1/pipes/%zz", "", "{"},
		{"GET", "/v1/pipes", "Limit=99999999999999999999", "[]"},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.query, []byte(s.body))
	}
	h := newHarness(f, time.Millisecond, time.Millisecond)
	h.call(h.kin, "CreateStream", map[string]any{"StreamName": "s", "ShardCount": 1}, nil)
	f.Fuzz(func(t *testing.T, method, path, query string, body []byte) {
		out, err := h.svc.dispatch(h.ctx, method, path, query, body)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) {
				// Internal errors become InternalException; the fuzzer
				// must never reach one.
				t.Fatalf("%s %s: error %v (%T) is not a client error", method, path, err, err)
			}
			if ae.status < 400 || ae.status >= 500 || ae.code == "" {
				t.Fatalf("%s %s: error %+v", method, path, ae)
			}
			return
		}
		if _, err := json.Marshal(out); err != nil {
			t.Fatalf("%s %s: answer does not encode: %v", method, path, err)
		}
		h.pruneIfMany()
	})
}

// FuzzRecordEvent feeds arbitrary record contents (untrusted: anyone can
// write to the stream) to the event encoder and to the JSON paths of
// dynamic target parameters.
func FuzzRecordEvent(f *testing.F) {
	f.Add([]byte(`{"a":{"b":[1,"x",{"c":true}]}}`), "key", "$.data.a.b[2].c")
	f.Add([]byte("\xff\xfe"), "k\x00\"\u2028", "$.partitionKey")
	f.Add([]byte(`[1,2,3]`), "k", "$.data[1]")
	f.Add([]byte(`{"a":1e999}`), "k", "$.data.a")
	r := testRunner()
	f.Fuzz(func(t *testing.T, data []byte, key, path string) {
		rec := kinRecord{Seq: "1", ArrivalMs: 1700000000123, Data: data, PartitionKey: key}
		ev := r.event("shardId-000000000000", &rec)
		var decoded struct {
			PartitionKey string `json:"partitionKey"`
			Data         []byte `json:"data"`
		}
		if err := json.Unmarshal(ev, &decoded); err != nil {
			t.Fatalf("event %q is not JSON: %v", ev, err)
		}
		if string(decoded.Data) != string(data) {
			t.Fatalf("data did not survive: %q", decoded.Data)
		}
		if validUTF8(key) != decoded.PartitionKey {
			t.Fatalf("partition key %q came back as %q", key, decoded.PartitionKey)
		}
		_, _ = r.resolveParam("shardId-000000000000", &rec, path)
		if !json.Valid(r.batchJSON("shardId-000000000000", []kinRecord{rec, rec})) {
			t.Fatal("batch is not JSON")
		}
	})
}

// validUTF8 replaces each invalid byte with U+FFFD, as JSON encoders do.
func validUTF8(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteString("\ufffd")
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// pruneIfMany deletes pipes the fuzzer created once there are many, so
// that their runners do not pile up.
func (h *harness) pruneIfMany() {
	out, err := h.svc.dispatch(h.ctx, http.MethodGet, "/v1/pipes", "", nil)
	if err != nil {
		return
	}
	list := out.(listOutput)
	if len(list.Pipes) < 20 {
		return
	}
	for _, p := range list.Pipes {
		_, _ = h.svc.dispatch(h.ctx, http.MethodDelete, "/v1/pipes/"+p.Name, "", nil)
	}
}
