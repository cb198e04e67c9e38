package dlq_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/dlq"
)

// exportBodies are bodies whose bytes an export must keep: JSON, HTML
// characters, C1 controls and bidi overrides (SQS refuses C0 controls but
// takes these), escapes written out as text, line breaks, astral runes
// and base64.
var exportBodies = []string{
	`{"order":1,"note":"<b>&amp;</b>"}`,
	"\u009b2J\u009b31mred\u202egnp.exe",
	`\u001b[2J \x1b]52;c;aGk=\x07 "quoted" \\ backslashes`,
	"line one\r\nline two\n\ttabbed",
	"emoji 🦫 and U+FFFD \uFFFD and private \uE000",
	"3q2+7wABAgP/",
	" ",
}

func TestExportRoundTripsBodies(t *testing.T) {
	s, e := backendtest.Open(t)
	url, _ := createQueue(t, e, "exported", nil)
	ids := send(t, e, url, exportBodies)

	var out bytes.Buffer
	res, err := dlq.Export(testCtx(t), s, url, &out, dlq.BrowseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Written as they came, not kept: the result counts them.
	if res.Read != len(exportBodies) || len(res.Messages) != 0 || res.Released != len(exportBodies) {
		t.Fatalf("%d messages read, %d kept, %d released", res.Read, len(res.Messages), res.Released)
	}
	if lines := strings.Count(out.String(), "\n"); lines != len(exportBodies) {
		t.Fatalf("%d lines, want one a message:\n%s", lines, out.String())
	}
	back, err := dlq.ReadExport(&out)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]dlq.Message{}
	for _, m := range back {
		byID[m.ID] = m
		if m.ReceiptHandle != "" {
			t.Errorf("message %s exported with its receipt handle", m.ID)
		}
		if m.ReceiveCount != 1 || m.SentAt.IsZero() || m.MessageAttributes["bin"] != "AAH/" {
			t.Errorf("message %s lost its details: %+v", m.ID, m)
		}
	}
	for i, id := range ids {
		if got := byID[id].Body; got != exportBodies[i] {
			t.Errorf("body %d: got %q, want %q", i, got, exportBodies[i])
		}
	}
	if v, inFlight := count(t, e, url); v != len(exportBodies) || inFlight != 0 {
		t.Fatalf("after export: %d visible, %d in flight", v, inFlight)
	}
}

func TestReadExportRejectsGarbage(t *testing.T) {
	if _, err := dlq.ReadExport(strings.NewReader(`{"id":"a","body":"x"}` + "\n{oops\n")); err == nil || !strings.Contains(err.Error(), "message 2") {
		t.Fatalf("err %v", err)
	}
}

func FuzzReadExport(f *testing.F) {
	f.Add(`{"id":"a","body":"x","receiveCount":1}` + "\n")
	f.Add(`{"id":"b","body":"{\"KinesisBatchInfo\":{}}","failure":{"batch":{}}}`)
	f.Fuzz(func(t *testing.T, in string) {
		msgs, err := dlq.ReadExport(strings.NewReader(in))
		if err != nil {
			return
		}
		// What was read writes back and reads again the same.
		var buf bytes.Buffer
		for _, m := range msgs {
			if err := writeJSONLine(&buf, m); err != nil {
				t.Fatal(err)
			}
		}
		again, err := dlq.ReadExport(&buf)
		if err != nil || len(again) != len(msgs) {
			t.Fatalf("re-read: %d of %d, %v", len(again), len(msgs), err)
		}
		for i := range msgs {
			if again[i].Body != msgs[i].Body || again[i].ID != msgs[i].ID {
				t.Fatalf("message %d changed: %q → %q", i, msgs[i].Body, again[i].Body)
			}
		}
	})
}
