package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

type rwRow struct {
	Name string `json:"name"`
	Note string `json:"note"`
	Key  string `json:"key"`
}

var rwColumns = []column[rwRow]{
	{"NAME", func(r rwRow) string { return r.Name }},
	{"NOTE", func(r rwRow) string { return r.Note }},
	{"KEY", func(r rwRow) string { return r.Key }},
}

func rwRows(n int) []rwRow {
	rows := make([]rwRow, n)
	for i := range rows {
		rows[i] = rwRow{Name: fmt.Sprintf("n%d", i), Note: "ok", Key: fmt.Sprintf("k/%d", i)}
	}
	return rows
}

func writeAll(t *testing.T, format string, rows []rwRow) string {
	t.Helper()
	var buf bytes.Buffer
	rw := newRowWriter(output{format: format, w: &buf}, rwColumns, true)
	for _, r := range rows {
		if err := rw.Row(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := rw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// Widths come from the first tableSample rows; a later, wider cell is cut
// to its column with an ellipsis (and made inert), the last column stays
// whole, and every row keeps the columns aligned.
func TestRowWriterTableWidthsFromTheSample(t *testing.T) {
	rows := rwRows(tableSample + 20)
	rows[tableSample+5].Note = "a much longer note\x1b[2J than the sample had"
	rows[tableSample+6].Key = "k/" + strings.Repeat("x", 200)
	lines := strings.Split(strings.TrimSuffix(writeAll(t, "table", rows), "\n"), "\n")
	if len(lines) != 1+len(rows) {
		t.Fatalf("%d lines, want %d", len(lines), 1+len(rows))
	}
	// Every cell here is one column a rune.
	keyAt := strings.Index(lines[0], "KEY")
	for i, l := range lines[1:] {
		if !strings.HasPrefix(string([]rune(l)[keyAt:]), "k/") {
			t.Fatalf("row %d not aligned under KEY:\n%s\n%s", i, lines[0], l)
		}
	}
	if got := lines[1+tableSample+5]; !strings.Contains(got, "  a m…  ") || strings.Contains(got, "\x1b") {
		t.Errorf("wide late cell not cut to its column: %q", got)
	}
	if got := lines[1+tableSample+6]; !strings.HasSuffix(got, strings.Repeat("x", 200)) {
		t.Errorf("last column cut: %q", got)
	}
}

// The streamed JSON array is the array encoding/json writes at once, and
// an empty listing is [].
func TestRowWriterJSONIsTheWholeArray(t *testing.T) {
	for _, n := range []int{0, 1, 3} {
		rows := rwRows(n)
		if n > 0 {
			rows[0].Note = "<&> \u202e"
		}
		var want bytes.Buffer
		if err := writeJSON(&want, append([]rwRow{}, rows...), true); err != nil {
			t.Fatal(err)
		}
		got := writeAll(t, "json", rows)
		if got != want.String() {
			t.Errorf("%d rows:\n%s\nwant\n%s", n, got, want.String())
		}
		var back []rwRow
		if err := json.Unmarshal([]byte(got), &back); err != nil || len(back) != n {
			t.Errorf("%d rows: %v", n, err)
		}
	}
}
