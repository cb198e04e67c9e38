package archive

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/backend"
)

// TestExportImportRoundTripsByteForByte: events exported from one engine's
// archive, one of them stored with bytes that are not UTF-8, go through
// JSON Lines into another engine's archive under another prefix: the same
// keys below the prefix, the same bytes. A second import changes nothing;
// a different object under one of the keys is reported and kept.
func TestExportImportRoundTripsByteForByte(t *testing.T) {
	src, _, loc := openArchive(t)
	at := time.Now().Add(-time.Hour)
	keys := putAll(t, src, loc, []Event{event("orders", "c-1", at, 1), event("orders", "c-2", at.Add(time.Minute), 2)})
	odd := event("orders", "c-3", at.Add(2*time.Minute), 3)
	oddBody, err := odd.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// A writer other than sluice left a Latin-1 byte in a text field.
	oddBody = bytes.Replace(oddBody, []byte(`"RetryAttemptsExhausted"`), []byte("\"Retry\xe9\""), 1)
	oddKey := Key(loc.Prefix, odd.KeyParts())
	if _, err := src.S3().PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(loc.Bucket), Key: aws.String(oddKey), Body: bytes.NewReader(oddBody)}); err != nil {
		t.Fatal(err)
	}
	keys = append(keys, oddKey)

	var out bytes.Buffer
	n, err := Export(ctxT(t), src, loc, Query{Consumer: "orders"}, nil, func(l Line) error {
		b, err := json.Marshal(l)
		out.Write(append(b, '\n'))
		return err
	})
	if err != nil || n != 3 {
		t.Fatalf("export: %d %v", n, err)
	}
	if !strings.Contains(out.String(), `"bodyBase64"`) {
		t.Errorf("the non-UTF-8 object is not in base64:\n%s", out.String())
	}

	dst, dstEngine, _ := openArchive(t)
	to := backend.ArchiveLocation{Bucket: "archive", Prefix: "incident-42/"}
	importAll := func() map[ImportStatus]int {
		counts := map[ImportStatus]int{}
		for i, raw := range bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n")) {
			l, body, err := DecodeLine(raw)
			if err != nil {
				t.Fatalf("line %d: %v", i+1, err)
			}
			st, err := Import(ctxT(t), dst, to.Bucket, ImportKey(to, l), body)
			if err != nil {
				t.Fatal(err)
			}
			counts[st]++
		}
		return counts
	}
	if got := importAll(); got[Written] != 3 {
		t.Fatalf("first import: %v", got)
	}
	for _, k := range keys {
		want := readBack(t, src, loc.Bucket, k)
		got := readBack(t, dst, to.Bucket, to.Prefix+strings.TrimPrefix(k, loc.Prefix))
		if !bytes.Equal(got, want) {
			t.Errorf("%s: imported %q, want %q", k, got, want)
		}
	}
	if got := importAll(); got[Unchanged] != 3 {
		t.Fatalf("rerun: %v", got)
	}
	other := to.Prefix + strings.TrimPrefix(keys[0], loc.Prefix)
	if _, err := dst.S3().PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(to.Bucket), Key: aws.String(other), Body: strings.NewReader(`{"other":true}`)}); err != nil {
		t.Fatal(err)
	}
	if got := importAll(); got[Conflict] != 1 || got[Unchanged] != 2 {
		t.Fatalf("with a different object under one key: %v", got)
	}
	if got := readBack(t, dst, to.Bucket, other); string(got) != `{"other":true}` {
		t.Errorf("the different object was overwritten: %q", got)
	}
	ro := backendOpenReadOnly(t, dstEngine)
	if _, err := Import(ctxT(t), ro, to.Bucket, to.Prefix+"orders/x.json", []byte("{}")); !errors.Is(err, backend.ErrReadOnly) {
		t.Errorf("an import under read-only: %v", err)
	}
}

func readBack(t *testing.T, s *backend.Session, bucket, key string) []byte {
	t.Helper()
	b, err := readObject(ctxT(t), s, bucket, key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecodeLineRefusesWhatIsNotAnArchivedEvent: an import writes only
// archived events under their own keys.
func TestDecodeLineRefusesWhatIsNotAnArchivedEvent(t *testing.T) {
	e := event("orders", "c-1", time.Now(), 1)
	body, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	loc := backend.ArchiveLocation{Bucket: "b", Prefix: "failed/"}
	key := Key(loc.Prefix, e.KeyParts())
	good, _ := json.Marshal(NewLine(loc, key, body))
	if _, got, err := DecodeLine(good); err != nil || !bytes.Equal(got, body) {
		t.Fatalf("a good line: %v", err)
	}
	other := event("orders", "c-1", time.Now(), 2)
	for name, l := range map[string]Line{
		"a replayed copy":     NewLine(loc, ReplayedKey(loc.Prefix, key), body),
		"outside its prefix":  NewLine(loc, "elsewhere/"+strings.TrimPrefix(key, loc.Prefix), body),
		"another event's key": NewLine(loc, Key(loc.Prefix, other.KeyParts()), body),
		"a body not an event": NewLine(loc, key, []byte("hello")),
	} {
		b, _ := json.Marshal(l)
		if _, _, err := DecodeLine(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for _, raw := range []string{`{"key":1}`, `not json`, `{"bucket":"b","prefix":"","key":"k","body":"x","bodyBase64":"eA=="}`, `{"x":1}`} {
		if _, _, err := DecodeLine([]byte(raw)); err == nil {
			t.Errorf("%s: accepted", raw)
		}
	}
}

// FuzzDecodeLine: a line of an export file comes from anywhere; decoding
// never panics, and what it accepts is an event under its own key whose
// body decodes to that event.
func FuzzDecodeLine(f *testing.F) {
	e := event("orders", "c-1", time.Unix(1796665416, 0), 1)
	body, _ := e.Marshal()
	loc := backend.ArchiveLocation{Bucket: "b", Prefix: "failed/"}
	good, _ := json.Marshal(NewLine(loc, Key(loc.Prefix, e.KeyParts()), body))
	f.Add(good)
	f.Add([]byte(`{"bucket":"b","prefix":"","key":"k","bodyBase64":"/w=="}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		l, body, err := DecodeLine(raw)
		if err != nil {
			return
		}
		parts, replayed, perr := ParseKey(l.Prefix, l.Key)
		ev, uerr := Unmarshal(body)
		if perr != nil || replayed || uerr != nil || ev.ID != parts.ID {
			t.Fatalf("accepted %q: key %v replayed %v body %v", raw, perr, replayed, uerr)
		}
	})
}
