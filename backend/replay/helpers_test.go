package replay

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

func TestMain(m *testing.M) {
	enginetest.RunChildIfAsked()
	runReplayChildIfAsked()
	os.Exit(m.Run())
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// openArchive starts an engine with an empty archive bucket.
func openArchive(t testing.TB) (*backend.Session, *enginetest.Engine, backend.ArchiveLocation) {
	t.Helper()
	s, e := backendtest.Open(t)
	loc := backend.ArchiveLocation{Bucket: "archive", Prefix: "failed/"}
	_, err := s.S3().CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String(loc.Bucket)})
	must(t, err)
	return s, e, loc
}

const testStreamARN = "arn:aws:kinesis:us-east-1:000000000000:stream/orders"

// newEvent builds the event of record seq of consumer, holding data.
func newEvent(consumer, pk string, at time.Time, seq int, data []byte) archive.Event {
	e := archive.Event{
		ID: archive.EventID(testStreamARN, "shardId-000000000000", fmt.Sprint(seq)), Consumer: consumer,
		Record: archive.Record{StreamARN: testStreamARN, ShardID: "shardId-000000000000", SequenceNumber: fmt.Sprint(seq),
			PartitionKey: pk, ArrivalTime: at.UTC().Truncate(time.Millisecond)},
		Failure:    archive.Failure{Source: "pipe", Condition: "RetryAttemptsExhausted", FailedAt: at.Add(time.Minute)},
		HydratedAt: at.Add(2 * time.Minute),
	}
	e.Record.SetData(data)
	return e
}

// archiveEvents writes n events of consumer, ten seconds apart from start,
// with a few writers at once, and returns them by id.
func archiveEvents(t testing.TB, s *backend.Session, loc backend.ArchiveLocation, consumer string, start time.Time, n int) map[string]archive.Event {
	t.Helper()
	events := make([]archive.Event, n)
	for i := range events {
		events[i] = newEvent(consumer, fmt.Sprintf("customer-%d", i%37), start.Add(time.Duration(i)*10*time.Second), i,
			fmt.Appendf(nil, `{"order":%d,"note":"<&>"}`, i))
	}
	var wg sync.WaitGroup
	next := make(chan archive.Event)
	errs := make(chan error, n)
	for range 16 {
		wg.Go(func() {
			for e := range next {
				if _, err := archive.Put(context.Background(), s, loc, e); err != nil {
					errs <- err
				}
			}
		})
	}
	for _, e := range events {
		next <- e
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	byID := make(map[string]archive.Event, n)
	for _, e := range events {
		byID[e.ID] = e
	}
	return byID
}

// listAll lists every event of consumer, waiting or replayed.
func listAll(t testing.TB, s *backend.Session, loc backend.ArchiveLocation, consumer string, replayed bool) []archive.Object {
	t.Helper()
	objs, err := archive.List(s, loc, archive.Query{Consumer: consumer, Replayed: replayed}).All(ctxT(t))
	must(t, err)
	return objs
}

// request is one call an HTTP target saw.
type request struct {
	path, key, contentType string
	body                   []byte
	status                 int
}

// target is an HTTP replay target on 127.0.0.1 that records every call.
// fail decides, from the call's number (from 1), which calls answer 500.
type target struct {
	*httptest.Server
	fail func(n int) bool
	// onAccept, when set, is called for each accepted call before it is
	// answered, and may delay the answer.
	onAccept func(path string, accepted int)

	mu       sync.Mutex
	calls    int
	requests []request
	accepted map[string]int // by path
}

func newTarget(t testing.TB, fail func(n int) bool) *target {
	tg := &target{fail: fail, accepted: map[string]int{}}
	tg.Server = httptest.NewServer(http.HandlerFunc(tg.serve))
	t.Cleanup(tg.Close)
	return tg
}

func (tg *target) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	tg.mu.Lock()
	tg.calls++
	status := http.StatusOK
	if tg.fail != nil && tg.fail(tg.calls) {
		status = http.StatusInternalServerError
	}
	tg.requests = append(tg.requests, request{path: r.URL.Path, key: r.Header.Get("Idempotency-Key"),
		contentType: r.Header.Get("Content-Type"), body: body, status: status})
	var accepted int
	if status == http.StatusOK {
		tg.accepted[r.URL.Path]++
		accepted = tg.accepted[r.URL.Path]
	}
	onAccept := tg.onAccept
	tg.mu.Unlock()
	// Before the answer, which onAccept may hold back: a kill it triggers
	// then finds this event accepted but not answered, in flight.
	if status == http.StatusOK && onAccept != nil {
		onAccept(r.URL.Path, accepted)
	}
	w.WriteHeader(status)
}

func (tg *target) setOnAccept(f func(path string, accepted int)) {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	tg.onAccept = f
}

func (tg *target) seen() []request {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return append([]request(nil), tg.requests...)
}

func httpTarget(url string) backend.Target { return backend.Target{Kind: backend.TargetHTTP, URL: url} }

// openEngine starts an engine and opens a session on it.
func openEngine(t testing.TB) (*backend.Session, *enginetest.Engine) { return backendtest.Open(t) }

// receive takes n messages off a queue, with their attributes, and
// deletes them.
func receive(t testing.TB, c *sqs.Client, url string, n int) []sqstypes.Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var got []sqstypes.Message
	for len(got) < n && time.Now().Before(deadline) {
		out, err := c.ReceiveMessage(ctxT(t), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
			MessageAttributeNames:       []string{"All"},
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		})
		must(t, err)
		for _, m := range out.Messages {
			got = append(got, m)
			_, err := c.DeleteMessage(ctxT(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
			must(t, err)
		}
	}
	if len(got) != n {
		t.Fatalf("received %d messages, want %d", len(got), n)
	}
	return got
}

// noMore checks that a queue holds nothing more.
func noMore(t testing.TB, c *sqs.Client, url string) {
	t.Helper()
	out, err := c.ReceiveMessage(ctxT(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
	must(t, err)
	if len(out.Messages) != 0 {
		t.Fatalf("%d more messages: %s", len(out.Messages), aws.ToString(out.Messages[0].Body))
	}
}

func attr(m sqstypes.Message, name string) string {
	if a, ok := m.MessageAttributes[name]; ok {
		return aws.ToString(a.StringValue)
	}
	return ""
}

func isUTF8(b []byte) bool { return utf8.Valid(b) }

func jsonEqual(t testing.TB, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return reflect.DeepEqual(va, vb)
}

// newStatusServer answers every call with status().
func newStatusServer(t testing.TB, status func() int) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if s := status(); s >= 300 && s < 400 {
			w.Header().Set("Location", "/elsewhere")
			w.WriteHeader(s)
		} else {
			http.Error(w, http.StatusText(s), s)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// newHangServer never answers until the test ends.
func newHangServer(t testing.TB) *httptest.Server {
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(stop); srv.Close() })
	return srv
}

// keyedServer answers each call with status(its Idempotency-Key).
type keyedServer struct {
	*httptest.Server
	mu sync.Mutex
	n  int
}

func newKeyedServer(t testing.TB, status func(key string) int) *keyedServer {
	ks := &keyedServer{}
	ks.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		ks.mu.Lock()
		ks.n++
		ks.mu.Unlock()
		w.WriteHeader(status(r.Header.Get("Idempotency-Key")))
	}))
	t.Cleanup(ks.Close)
	return ks
}

func (ks *keyedServer) calls() int {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	return ks.n
}
