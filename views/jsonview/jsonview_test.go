package jsonview

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/sluicehq/sluice/backend/decode"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/views/theme"
	"github.com/sluicehq/sluice/views/viewtest"
)

var meta = []Field{
	{"shard", "shardId-000000000001"},
	{"sequence", "49590338271490256608559692538361571095921575989136588818"},
	{"key", "order-42"},
	{"arrival", "2025-03-14T09:26:53Z"},
	{"size", "161 B"},
}

const orderJSON = `{"id":"ord-42","amount":12.50,"qty":3,"paid":true,"refund":null,"items":[{"sku":"A-1","n":1},{"sku":"B-2","n":2}],"tags":[],"note":"fragile \u00e9 \"handle\""}`

func pane(t testing.TB, dark bool, w, h int) Model {
	pal := theme.Dark()
	if !dark {
		pal = theme.Light()
	}
	st := theme.New(pal, false)
	km := keymap.Default()
	m := New(&st, &km.List)
	m.SetSize(w, h)
	return m
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func kpl() []byte {
	return decode.Aggregate([]decode.UserRecord{
		{PartitionKey: "order-1", Data: []byte(`{"id":1,"ok":true}`)},
		{PartitionKey: "order-2", ExplicitHashKey: "170141183460469231731687303715884105728", Data: []byte("plain text line")},
		{PartitionKey: "order-3", Data: []byte{0, 1, 2, 3, 0xff}},
	})
}

// check renders the pane and compares it with the golden file, after
// checking it is exactly w × h and holds no ESC beyond the styles'.
func check(t *testing.T, m Model, w, h int) {
	t.Helper()
	plain := viewtest.CheckView(t, m.View(), w, h)
	if strings.ContainsAny(plain, "\x1b\x07\x9b") {
		t.Fatalf("raw control characters in view: %q", plain)
	}
	golden.RequireEqual(t, []byte(plain))
}

func TestGolden(t *testing.T) {
	cases := []struct {
		name string
		data []byte
	}{
		{"JSON", []byte(orderJSON)},
		{"Text", []byte("line one\n\tindented with a tab\nline three is quite a bit longer than the width of the narrow pane so it is cut\n")},
		{"Binary", append([]byte{0x00, 0x01, 0x02, 0xfe, 0xff}, []byte("\x00\x00binary\x01\x02 payload with bytes")...)},
		{"Gzip", gz([]byte(orderJSON))},
		{"KPL", kpl()},
		{"Escapes", []byte("{\"msg\":\"\\u001b[2J\",\"evil\":\"\u202egnp.exe\",\"c1\":\"\u009b31m\"}")},
		{"EscapeText", []byte("clipboard \x1b]52;c;aGVsbG8=\x07 and clear \x1b[2J\x1b[H done")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			viewtest.EachSize(t, viewtest.GoldenSizes(), func(t *testing.T, w, h int) {
				m := pane(t, true, w, h)
				md := append([]Field(nil), meta...)
				if c.name == "EscapeText" {
					md[2] = Field{"key", "key\x1b]52;c;ZXZpbA==\x07\x1b[31m"}
				}
				m.SetContent("record "+c.name, decode.Decode(c.data), md)
				check(t, m, w, h)
			})
		})
	}
}

func TestJSONColoured(t *testing.T) {
	m := pane(t, true, 80, 24)
	m.SetContent("r", decode.Decode([]byte(orderJSON)), nil)
	v := m.View()
	st := theme.New(theme.Dark(), false)
	for _, want := range []string{st.JSONKey.Render(`"amount"`), st.JSONNumber.Render("12.50"), st.JSONString.Render(`"ord-42"`), st.JSONLiteral.Render("true"), st.JSONLiteral.Render("null")} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q", want)
		}
	}
	if got := m.Text(); !strings.Contains(got, "\"amount\": 12.50,\n") || !strings.HasPrefix(got, "{\n  \"id\": \"ord-42\"") {
		t.Errorf("Text is not the pretty JSON in its order: %q", got)
	}
}

func TestIndentMatchesPretty(t *testing.T) {
	for _, s := range []string{orderJSON, `[]`, `{}`, `[1,[2,[3,{}]],{"a":[]}]`, ` { "a" : "b\\\"c" , "d":[ ] } `} {
		p := decode.Decode([]byte(s))
		if got, want := Indent(bytes.TrimSpace(p.Body)), p.Pretty(); got != want {
			t.Errorf("Indent(%s)=\n%s\nwant\n%s", s, got, want)
		}
	}
}

func TestDeepNestingBounded(t *testing.T) {
	deep := strings.Repeat("[", 5000) + strings.Repeat("]", 5000)
	out := Indent([]byte(deep))
	if len(out) > 5000*2*(2*maxIndent+2) {
		t.Fatalf("indent of deep nesting is %d bytes", len(out))
	}
}

func TestScroll(t *testing.T) {
	var items []string
	for i := range 200 {
		items = append(items, fmt.Sprintf(`{"i":%d}`, i))
	}
	m := pane(t, true, 80, 24)
	m.SetContent("big", decode.Decode([]byte("["+strings.Join(items, ",")+"]")), meta)
	press := func(code rune, text string) {
		m, _ = m.Update(tea.KeyPressMsg{Code: code, Text: text})
	}
	press('j', "j")
	press('j', "j")
	if m.Offset() != 2 {
		t.Fatalf("offset %d after jj", m.Offset())
	}
	press('k', "k")
	if m.Offset() != 1 {
		t.Fatalf("offset %d after k", m.Offset())
	}
	press('G', "G")
	if m.Offset() != m.Lines()-m.bodyHeight() {
		t.Fatalf("offset %d after G, lines %d body %d", m.Offset(), m.Lines(), m.bodyHeight())
	}
	if !strings.Contains(ansi.Strip(m.View()), "]") {
		t.Fatal("end not shown after G")
	}
	press('g', "g")
	if m.Offset() != 0 {
		t.Fatal("g does not go to the top")
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyPgDown})
	if m.Offset() == 0 {
		t.Fatal("pgdown did not scroll")
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyPgUp})
	if m.Offset() != 0 {
		t.Fatal("pgup did not scroll back")
	}
	m, _ = m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if m.Offset() != 3 {
		t.Fatalf("wheel: offset %d", m.Offset())
	}
	m, _ = m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if m.Offset() != 0 {
		t.Fatalf("wheel up: offset %d", m.Offset())
	}
}

func bigJSON(n int) []byte {
	return []byte(`{"data":"` + strings.Repeat("x", n) + `"}`)
}

func TestHugeBounded(t *testing.T) {
	m := pane(t, true, 80, 24)
	// 3 MiB of JSON: laid out up to MaxPretty, the rest counted.
	items := strings.Repeat(`{"a":1},`, 3<<20/8)
	m.SetContent("huge", decode.Decode([]byte("["+items+`{"a":1}]`)), nil)
	v := ansi.Strip(m.View())
	if len(strings.Split(v, "\n")) != 24 {
		t.Fatal("bad height")
	}
	if len(m.Text()) > 4*MaxPretty {
		t.Fatalf("laid out %d bytes", len(m.Text()))
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: 'G', Text: "G"})
	if !strings.Contains(ansi.Strip(m.View()), "more bytes") {
		t.Fatal("no '… more bytes' at the end")
	}
	// 1 MiB single line string: one line, cut to the width.
	m.SetContent("line", decode.Decode(bigJSON(1<<20)), nil)
	for i, l := range strings.Split(ansi.Strip(m.View()), "\n") {
		if w := ansi.StringWidth(l); w != 80 {
			t.Fatalf("line %d width %d", i, w)
		}
	}
}

func BenchmarkView1MiBSingleLine(b *testing.B) {
	m := pane(b, true, 160, 48)
	m.SetContent("line", decode.Decode(bigJSON(1<<20)), meta)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = m.View()
	}
}

func BenchmarkView1MiBArrayOneLine(b *testing.B) {
	items := strings.Repeat(`{"id":12345,"name":"abcdef","ok":true},`, (1<<20)/40)
	m := pane(b, true, 160, 48)
	m.SetContent("array", decode.Decode([]byte("["+items+"null]")), meta)
	m, _ = m.Update(tea.KeyPressMsg{Code: 'G', Text: "G"})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = m.View()
	}
}

func BenchmarkSetContent1MiB(b *testing.B) {
	items := strings.Repeat(`{"id":12345,"name":"abcdef","ok":true},`, (1<<20)/40)
	p := decode.Decode([]byte("[" + items + "null]"))
	m := pane(b, true, 160, 48)
	b.ReportAllocs()
	for b.Loop() {
		m.SetContent("array", p, meta)
	}
}
