package e2e

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/demo"
)

// What a hostile producer puts in a record: an escape sequence (clear
// the screen), an 8-bit CSI (C1), a right-to-left override with its pop
// (bidi) and a zero-width space, and how the screen and the clipboard
// must show them: as text.
const (
	hostileKey  = "hostile-pk"
	hostileData = "note \x1b[2J c1 \u009b31m bidi \u202eevil\u202c zw a\u200bb end"
	hostileText = `note \x1b[2J c1 \u009b31m bidi \u202eevil\u202c zw a\u200bb end`
)

// rawHostile are the runes and sequences of hostileData that must never
// reach the terminal or the clipboard as they are.
var rawHostile = []string{"\x1b[2J", "\u009b", "\u202e", "\u202c", "\u200b"}

// TestHostileRecordIsInertOnScreenAndInTheClipboard: zero-width
// characters reached the screen as they were (two names looked the
// same), and y copied a record's raw bytes, which act on the terminal the
// copy is pasted into. Here a record holding an escape sequence, a C1
// control, bidi overrides and a zero-width space is put into the demo's
// orders stream while it is tailed (through a jq select on its key, the
// demo writing 200 records a second beside it): the row and the detail
// show each as an escape, no frame and no byte written to the terminal
// holds one raw, and y sets the terminal's clipboard (OSC 52) to the
// text as shown.
func TestHostileRecordIsInertOnScreenAndInTheClipboard(t *testing.T) {
	e := engine(t)
	demoReady(t, e)
	s := session(t, e, false)
	a := start(t, s, config.File{}, 160, 48, rawHostile...)
	a.waitText(shortWait, "Streams", "local")

	a.command("tail " + demo.StreamName)
	a.waitFor("the tail of orders", shortWait, func(s string) bool {
		return strings.HasPrefix(bodyHeader(s), demo.StreamName+" · all shards · from latest")
	})
	a.press("J")
	a.tm.Type(`select($partitionKey == "` + hostileKey + `")`)
	a.press("enter")
	a.waitFor("the jq filter on", shortWait, func(s string) bool { return strings.Contains(bodyHeader(s), "jq") })

	// The tail reads from LATEST: put the record until it shows.
	from := len(a.raw)
	ctx := context.Background()
	var last time.Time
	a.waitFor("the hostile record's row, inert", shortWait, func(s string) bool {
		if _, ok := lineWith(s, hostileKey, `note \x1b[2J c1 \u009b31m`); ok {
			return true
		}
		if time.Since(last) > 300*time.Millisecond {
			last = time.Now()
			if _, err := e.Kinesis().PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(demo.StreamName),
				PartitionKey: aws.String(hostileKey), Data: []byte(hostileData)}); err != nil {
				t.Errorf("put: %v", err)
			}
		}
		return false
	})
	a.press("enter")
	a.waitText(shortWait, hostileText, "partition key")

	a.press("y")
	a.waitFor("the copy in the terminal's clipboard", shortWait, func(s string) bool {
		return strings.Contains(s, "copied record") && len(a.term.clipboard) > 0
	})
	if got := a.term.clipboard[len(a.term.clipboard)-1]; got != hostileText {
		t.Errorf("the clipboard holds %q, want the text as shown, %q", got, hostileText)
	}
	if !strings.Contains(a.screen(), "control characters escaped") {
		t.Errorf("the status does not say the copy is not the exact bytes:\n%s", line(a.screen(), -2))
	}
	written := a.raw[from:]
	for _, seq := range rawHostile {
		if bytes.Contains(written, []byte(seq)) {
			t.Errorf("the program wrote %q to the terminal", seq)
		}
	}
	a.press("esc", "esc", "esc")
	a.quit()
	a.badFrames()
}
