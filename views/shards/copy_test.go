package shards

import (
	"strings"
	"testing"

	"github.com/sluicehq/sluice/backend/decode"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/viewtest"
)

// y on a text record that holds an OSC 52 sequence, an 8-bit CSI and a
// bidi override copies them escaped, as the screen shows them, and says
// so: pasted raw into a terminal, they would act there.
func TestCopyTextRecordEscapesControls(t *testing.T) {
	m := newModel(t, nil, 100, 30, true)
	attachFake(m, "orders", "")
	recs := fixed(1)
	recs[0].Data = []byte("deploy log: \x1b]52;c;aGk=\x07 done \u009b2J and \u202etxt.exe\nnext line\tend")
	if k := recs[0].Payload().Kind; k != decode.Text {
		t.Fatalf("record classified %v, want text: the test would test nothing", k)
	}
	feed(m, recs)
	m.Update(viewtest.Key("enter"))
	_, cmd := m.Update(viewtest.Key("y"))
	cp, _ := cmd().(common.CopyMsg)
	want := `deploy log: \x1b]52;c;aGk=\x07 done \u009b2J and \u202etxt.exe` + "\nnext line\tend"
	if cp.Text != want {
		t.Fatalf("copied %q\nwant   %q", cp.Text, want)
	}
	if strings.ContainsAny(cp.Text, "\x1b\x07\u009b\u202e") || cp.Note == "" {
		t.Fatalf("copy %+v", cp)
	}
}

// A record with nothing to escape is copied as it is, with no note.
func TestCopyPlainTextRecordIsExact(t *testing.T) {
	m := newModel(t, nil, 100, 30, true)
	attachFake(m, "orders", "")
	recs := fixed(1)
	recs[0].Data = []byte("plain text, héllo\nsecond line")
	feed(m, recs)
	m.Update(viewtest.Key("enter"))
	_, cmd := m.Update(viewtest.Key("y"))
	cp, _ := cmd().(common.CopyMsg)
	if cp.Text != string(recs[0].Data) || cp.Note != "" {
		t.Fatalf("copy %+v", cp)
	}
}

// A JSON record keeps its value: the controls in its strings are written
// as \uXXXX, which decode to the same characters.
func TestCopyJSONRecordEscapesControlsInStrings(t *testing.T) {
	m := newModel(t, nil, 100, 30, true)
	attachFake(m, "orders", "")
	recs := fixed(1)
	recs[0].Data = []byte("{\"note\":\"a\u009bb\u202ec\u200bd\"}")
	feed(m, recs)
	m.Update(viewtest.Key("enter"))
	_, cmd := m.Update(viewtest.Key("y"))
	cp, _ := cmd().(common.CopyMsg)
	if !strings.Contains(cp.Text, `"note": "a\u009bb\u202ec\u200bd"`) || cp.Note == "" {
		t.Fatalf("copy %+v", cp)
	}
}
