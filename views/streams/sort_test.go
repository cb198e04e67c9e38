package streams

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/table"
	"github.com/sluicehq/sluice/views/viewtest"
)

// shown is the stream names in the order the table shows them.
func (d *driver) shown() []string {
	var out []string
	for _, r := range d.m.table.Visible() {
		out = append(out, r.ID)
	}
	return out
}

// TestSortingKeepsTheCursorOnTheSameRow: sorted by retention, longest
// first, with the cursor on alpha; two streams' retention grows on the
// engine, the refresh moves alpha from the top to the bottom, and the
// cursor goes with it. The sort itself survives the refresh.
func TestSortingKeepsTheCursorOnTheSameRow(t *testing.T) {
	s, e := world(t)
	d := loaded(t, s)
	d.Press(">", ">", ">", ">", ">", "s") // NAME, MODE, STATUS, SHARDS, RETAIN; then descending
	if got := d.m.table.Sort(); got != (table.SortState{Column: "RETAIN", Desc: true}) {
		t.Fatalf("sort %+v", got)
	}
	// Every stream keeps 24h: equal keys keep the listing's order.
	if got := d.shown(); !slices.Equal(got, []string{"alpha", "beta", "gamma"}) {
		t.Fatalf("before: %v", got)
	}
	d.Press("g")
	if d.selected() != "alpha" {
		t.Fatalf("cursor on %q", d.selected())
	}
	ctx := context.Background()
	for name, hours := range map[string]int32{"gamma": 72, "beta": 48} {
		if _, err := e.Kinesis().IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{
			StreamName: aws.String(name), RetentionPeriodHours: aws.Int32(hours)}); err != nil {
			t.Fatal(err)
		}
	}
	d.Send(common.RefreshMsg{})
	if got := d.shown(); !slices.Equal(got, []string{"gamma", "beta", "alpha"}) {
		t.Fatalf("after the refresh: %v (cells %q)", got, d.cells("gamma"))
	}
	if d.selected() != "alpha" || d.m.table.Cursor() != 2 {
		t.Errorf("cursor on %q at %d, want alpha at 2", d.selected(), d.m.table.Cursor())
	}
	header := strings.Split(ansi.Strip(d.m.View()), "\n")
	// The column is six wide: the mark takes the title's last cell.
	if !slices.ContainsFunc(header, func(l string) bool { return strings.Contains(l, "RETAI▼") }) {
		t.Errorf("no RETAI▼ in the header:\n%s", strings.Join(header, "\n"))
	}
	// Flipping keeps the cursor on alpha, now first.
	d.Press("s")
	if d.selected() != "alpha" || d.m.table.Cursor() != 0 {
		t.Errorf("after flip: cursor on %q at %d", d.selected(), d.m.table.Cursor())
	}
}

// TestGoldenStreamsSortedByRecords: the newest minute's records sort the
// sparkline column, busiest first; the stream whose metrics failed and
// the one not yet measured go last.
func TestGoldenStreamsSortedByRecords(t *testing.T) {
	m := fed(t, 120, 12, true)
	m.table.SetSort(table.SortState{Column: "RECORDS/MIN", Desc: true})
	viewtest.Golden(t, m.View(), 120, 12)
}
