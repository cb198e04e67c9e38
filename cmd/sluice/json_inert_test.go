package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/internal/jsonstr"
)

// hostileText holds a NEL and an 8-bit CSI (C1 controls), a right-to-left
// override and a zero-width space: encoding/json writes all four raw.
const hostileText = "a\u0085b\u009b31mc\u202ed\u200be"

// assertNoRawControls fails when out holds a rune a terminal acts on, or
// one that hides or reorders text, other than the line breaks of the
// output itself.
func assertNoRawControls(t *testing.T, what, out string) {
	t.Helper()
	for i, r := range out {
		if (r < 0x20 && r != '\n') || r == 0x7f || jsonstr.Unsafe(r) {
			t.Fatalf("%s: raw %U at byte %d of\n%q", what, r, i, out)
		}
	}
}

func TestTailJSONEscapesControlsOfTheData(t *testing.T) {
	jsonData := `{"note":"` + hostileText + `"}`
	e := tailEngine(t, []byte(jsonData), []byte(hostileText))
	for _, format := range []string{"jsonl", "json"} {
		stdout, stderr, err := tailRun(t, tailCtx(t), e, "orders", "--from", "trim-horizon", "--follow=false", "-o", format)
		if err != nil {
			t.Fatalf("-o %s: %v; stderr %s", format, err, stderr)
		}
		assertNoRawControls(t, "tail -o "+format, stdout)
		var lines []tailLine
		if format == "json" {
			if err := json.Unmarshal([]byte(stdout), &lines); err != nil {
				t.Fatalf("-o json: %v\n%s", err, stdout)
			}
		} else {
			for _, l := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
				var tl tailLine
				if err := json.Unmarshal([]byte(l), &tl); err != nil {
					t.Fatalf("-o jsonl: %v\n%s", err, l)
				}
				lines = append(lines, tl)
			}
		}
		// The escapes decode to the record's own characters.
		seen := map[string]bool{}
		for _, l := range lines {
			var v any
			if err := json.Unmarshal(l.Data, &v); err != nil {
				t.Fatal(err)
			}
			switch v := v.(type) {
			case string:
				seen[v] = true
			case map[string]any:
				seen["note:"+v["note"].(string)] = true
			}
		}
		if !seen[hostileText] || !seen["note:"+hostileText] {
			t.Errorf("-o %s: data does not read back: %v", format, seen)
		}
	}
}

func TestArchiveJSONEscapesControlsOfTheEvent(t *testing.T) {
	sc := newArcScene(t)
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/orders"
	ev := archive.Event{ID: archive.EventID(arn, "shardId-000000000000", "99"), Consumer: "orders-to-api",
		Record: archive.Record{StreamARN: arn, ShardID: "shardId-000000000000", SequenceNumber: "99",
			PartitionKey: "pk-" + hostileText, ArrivalTime: time.Now().UTC().Truncate(time.Millisecond)},
		Failure: archive.Failure{Source: "pipe", Condition: "RetryAttemptsExhausted", MessageID: hostileText, DLQ: "orders-dlq", FailedAt: time.Now().UTC()}}
	ev.Record.SetData([]byte(`{"note":"` + hostileText + `"}`))
	key, err := archive.Put(context.Background(), sc.s, sc.loc, ev)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := ev.Marshal()
	var want any
	if err := json.Unmarshal(stored, &want); err != nil {
		t.Fatal(err)
	}
	if !strings.ContainsRune(string(stored), 0x9b) {
		t.Fatalf("the stored object does not hold the raw runes; the test tests nothing:\n%q", stored)
	}
	for _, format := range []string{"json", "jsonl"} {
		out := sc.mustRun(t, "archive", "get", "s3://archive/"+key, "-o", format)
		assertNoRawControls(t, "archive get -o "+format, out)
		var got any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("-o %s: %v\n%s", format, err, out)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("-o %s reads back as\n%v\nwant\n%v", format, got, want)
		}
	}
	// A listing goes through the CLI's one JSON writer.
	for _, format := range []string{"json", "jsonl"} {
		out := sc.mustRun(t, "archive", "ls", "--archive", arcArchive, "-o", format)
		assertNoRawControls(t, "archive ls -o "+format, out)
	}
}
