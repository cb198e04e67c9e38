package e2e

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/sluicehq/sluice/backend/config"
)

// What a hostile producer writes: OSC 52 (set the clipboard) and CSI 2J
// (clear the screen), in the data and in the partition key.
const (
	osc52     = "\x1b]52;c;aGk=\x07"
	clear2J   = "\x1b[2J"
	evilData  = "hi " + osc52 + " there " + clear2J + " end"
	evilKey   = "pk" + clear2J
	inertData = `hi \x1b]52;c;aGk=\x07 there \x1b[2J end`
	inertKey  = `pk\x1b[2J`
)

// TestEscapeSequencesInRecordsStayInert tails a stream holding a record
// whose data and partition key carry escape sequences: the screen shows
// them as text, no frame the app draws holds them, and the bytes the
// program writes to the terminal never do.
func TestEscapeSequencesInRecordsStayInert(t *testing.T) {
	e := engine(t)
	ctx := context.Background()
	k := e.Kinesis()
	if _, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("escapes"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	s := session(t, e, false)
	a := start(t, s, config.File{}, 160, 48, "\x1b]52", clear2J)
	a.waitText(shortWait, "Streams", "escapes")

	a.command("tail escapes")
	a.waitFor("the tail of escapes", shortWait, func(s string) bool {
		return strings.HasPrefix(bodyHeader(s), "escapes · all shards · from latest") && strings.Contains(s, "running")
	})
	// The tail reads from LATEST: put the record until it shows (the
	// first may land before the shard's iterator was taken).
	from := len(a.raw)
	var last time.Time
	screen := a.waitFor("the record, inert", shortWait, func(s string) bool {
		if l, ok := lineWith(s, inertKey); ok && strings.Contains(l, "hi \\x1b]52") {
			return true
		}
		if time.Since(last) > 300*time.Millisecond {
			last = time.Now()
			if _, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("escapes"),
				PartitionKey: aws.String(evilKey), Data: []byte(evilData)}); err != nil {
				t.Errorf("put: %v", err)
			}
		}
		return false
	})
	if !strings.HasPrefix(line(screen, 0), " 1 Streams  2 Shards") || !strings.Contains(line(screen, -2), "local") {
		t.Fatalf("the frame is broken:\n%s", screen)
	}
	// The detail pane shows the whole payload and the key as text.
	a.press("enter")
	screen = a.waitText(shortWait, inertData, inertKey)

	written := a.raw[from:]
	for _, seq := range []string{"\x1b]52", clear2J, osc52} {
		if bytes.Contains(written, []byte(seq)) {
			t.Errorf("the program wrote %q to the terminal", seq)
		}
	}
	if slices.Contains(a.term.oscs, 52) {
		t.Error("the terminal received an OSC 52")
	}
	a.rec.mu.Lock()
	bad, frames := a.rec.bad, a.rec.frames
	a.rec.mu.Unlock()
	if len(bad) > 0 {
		t.Errorf("of %d frames: %s", frames, strings.Join(bad, "; "))
	}
	if !strings.HasPrefix(line(screen, 0), " 1 Streams  2 Shards") {
		t.Fatalf("the frame is broken:\n%s", screen)
	}

	a.press("esc", "esc")
	a.waitFor("the tail stopped", shortWait, func(s string) bool { return strings.HasPrefix(bodyHeader(s), "escapes · 1 shard,") })
	a.quit()
}
