package archive

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// echoProxy stands between the client and the engine and rewrites the
// SHA-256 checksum that a PutObject answer confirms, as a store that
// echoes none, or a wrong one, would.
func echoProxy(t *testing.T, e *enginetest.Engine, rewrite func(echoed string) string) *backend.Session {
	t.Helper()
	target, err := url.Parse(e.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host // the request was signed for the proxy's host
		},
		ModifyResponse: func(resp *http.Response) error {
			if resp.Request.Method == http.MethodPut {
				const h = "X-Amz-Checksum-Sha256"
				if v := rewrite(resp.Header.Get(h)); v != "" {
					resp.Header.Set(h, v)
				} else {
					resp.Header.Del(h)
				}
			}
			return nil
		},
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	p := backend.Profile{Name: backend.LocalProfile, Kind: backend.KindLocal, Region: e.Region}
	s, err := backend.Open(context.Background(), p, backend.Env{
		Local:      func(context.Context) (string, error) { return srv.URL, nil },
		HTTPClient: enginetest.HTTPClient(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// operations lists the S3 operations a session made, in order.
func operations(s *backend.Session) []string {
	var ops []string
	for _, c := range s.Calls.Calls() {
		ops = append(ops, c.Operation)
	}
	return ops
}

func TestMarkTrustsAConfirmedChecksumWithoutReadingBack(t *testing.T) {
	s, _, loc := openArchive(t)
	key := put(t, s, loc, event("orders", "customer-1", time.Now(), 1))
	before := len(s.Calls.Calls())
	newKey, err := MarkReplayed(ctxT(t), s, loc, key, Replay{Target: "t", Result: "accepted"})
	if err != nil {
		t.Fatal(err)
	}
	ops := operations(s)[before:]
	if strings.Join(ops, " ") != "GetObject PutObject DeleteObject" {
		t.Fatalf("mark made %v; want the event read, its copy written and the original deleted", ops)
	}
	if got, err := Get(ctxT(t), s, loc.Bucket, newKey); err != nil || got.Replay == nil || got.Replay.Target != "t" {
		t.Fatalf("copy %+v %v", got, err)
	}
}

func TestMarkReadsBackWhenTheStoreConfirmsNoChecksum(t *testing.T) {
	_, e, loc := openArchive(t)
	s := echoProxy(t, e, func(string) string { return "" })
	key := put(t, s, loc, event("orders", "customer-1", time.Now(), 1))
	before := len(s.Calls.Calls())
	if _, err := MarkReplayed(ctxT(t), s, loc, key, Replay{Target: "t", Result: "accepted"}); err != nil {
		t.Fatal(err)
	}
	ops := operations(s)[before:]
	if strings.Join(ops, " ") != "GetObject PutObject GetObject DeleteObject" {
		t.Fatalf("mark made %v; want the copy read back before the original goes", ops)
	}
}

func TestMarkKeepsTheOriginalWhenTheStoreConfirmsOtherBytes(t *testing.T) {
	_, e, loc := openArchive(t)
	s := echoProxy(t, e, func(string) string { return "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" })
	key := put(t, s, loc, event("orders", "customer-1", time.Now(), 1))
	_, err := MarkReplayed(ctxT(t), s, loc, key, Replay{Target: "t", Result: "accepted"})
	if err == nil || !strings.Contains(err.Error(), "not the") {
		t.Fatalf("mark with a wrong confirmation: %v", err)
	}
	if !exists(t, s, loc.Bucket, key) {
		t.Fatal("the original was deleted though its copy was not confirmed")
	}
}

func TestMarkKeepsTheCopyOfAReplayThatHappened(t *testing.T) {
	s, _, loc := openArchive(t)
	e := event("orders", "customer-1", time.Now(), 1)
	key := put(t, s, loc, e)
	// A replay to the API wrote its copy, then stopped before the delete.
	sent := Replay{At: time.Now().UTC().Truncate(time.Millisecond), Target: "https://api", Result: "accepted"}
	copyKey, err := WriteReplayedCopy(ctxT(t), s, loc, key, e, sent)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := MarkReplayed(ctxT(t), s, loc, key, Replay{Target: "manual", Result: "marked by operator"}); err != nil || got != copyKey {
		t.Fatalf("mark: %s %v", got, err)
	}
	c, err := Get(ctxT(t), s, loc.Bucket, copyKey)
	if err != nil || c.Replay == nil || c.Replay.Target != "https://api" || c.Replay.Result != "accepted" {
		t.Fatalf("the copy now says %+v (%v); want the replay to https://api", c.Replay, err)
	}
	if exists(t, s, loc.Bucket, key) {
		t.Fatal("the original is still there")
	}
}

func TestMarkRefusesAForeignObjectWhereTheCopyGoes(t *testing.T) {
	s, _, loc := openArchive(t)
	key := put(t, s, loc, event("orders", "customer-1", time.Now(), 1))
	copyKey := ReplayedKey(loc.Prefix, key)
	if _, err := s.S3().PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(loc.Bucket), Key: aws.String(copyKey), Body: strings.NewReader("not an event")}); err != nil {
		t.Fatal(err)
	}
	_, err := MarkReplayed(ctxT(t), s, loc, key, Replay{Target: "manual"})
	if err == nil || !strings.Contains(err.Error(), "does not read back") {
		t.Fatalf("mark over a foreign object: %v", err)
	}
	if !exists(t, s, loc.Bucket, key) {
		t.Fatal("the original was deleted")
	}
}

// TestPutConfirmedTrustsTheEchoedChecksumOnly: a put is confirmed by the
// checksum the store echoes; a store that echoes none leaves it to the
// caller to read back, and one that echoes other bytes fails it.
func TestPutConfirmedTrustsTheEchoedChecksumOnly(t *testing.T) {
	_, e, loc := openArchive(t)
	for _, c := range []struct {
		name            string
		rewrite         func(string) string
		confirmed, fail bool
	}{
		{"echoed", func(v string) string { return v }, true, false},
		{"none", func(string) string { return "" }, false, false},
		{"other", func(string) string { return "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" }, false, true},
	} {
		s := echoProxy(t, e, c.rewrite)
		ev := event("orders", "customer-"+c.name, time.Now(), 1)
		before := len(s.Calls.Calls())
		key, confirmed, err := PutConfirmed(ctxT(t), s, loc, ev)
		if (err != nil) != c.fail || confirmed != c.confirmed {
			t.Fatalf("%s: confirmed %v, %v", c.name, confirmed, err)
		}
		if ops := operations(s)[before:]; strings.Join(ops, " ") != "PutObject" {
			t.Fatalf("%s: %v, want one PutObject", c.name, ops)
		}
		if !c.fail {
			if got, err := Get(ctxT(t), s, loc.Bucket, key); err != nil || got.ID != ev.ID {
				t.Fatalf("%s: %+v %v", c.name, got, err)
			}
		}
	}
}
