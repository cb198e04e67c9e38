package table

import (
	"fmt"
	"testing"

	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/views/theme"
)

// benchRows are n rows of a name, a count and a size, in an order that
// is not the sort's.
func benchRows(n, from int) []Row {
	rows := make([]Row, n)
	for i := range rows {
		k := from + i
		rows[i] = Row{ID: fmt.Sprint(k), Cells: []string{fmt.Sprintf("stream-%05d", (k*7919)%n), fmt.Sprint((k * 104729) % 100000), "1.2k"},
			Sort: []Key{{}, {}, Num(float64(k % 977))}}
	}
	return rows
}

func benchTable(sort SortState) Model {
	st := theme.New(theme.Dark(), false)
	km := keymap.Default()
	m := New(&st, &km.List, []Column{{Title: "NAME", Width: 20}, {Title: "COUNT", Width: 8, Right: true}, {Title: "SIZE", Width: 8, Right: true}})
	m.SetSize(160, 48)
	m.SetSort(sort)
	return m
}

// BenchmarkRefreshSorted10k is a refresh of a 10,000-row list (SetRows,
// the cursor kept on its row), unsorted (the floor) and sorted by a
// numeric column read from the cell text.
func BenchmarkRefreshSorted10k(b *testing.B) {
	rows := benchRows(10000, 0)
	for _, bc := range []struct {
		name string
		sort SortState
	}{{"unsorted", SortState{}}, {"by-count-text", SortState{Column: "COUNT", Desc: true}}, {"by-size-key", SortState{Column: "SIZE"}}} {
		b.Run(bc.name, func(b *testing.B) {
			m := benchTable(bc.sort)
			m.SetRows(rows)
			m.SetCursor(5000)
			b.ReportAllocs()
			for b.Loop() {
				m.SetRows(rows)
			}
		})
	}
}

// BenchmarkAppendSortedTail is a tail's batch of 100 rows into a table
// of 10,000 (the oldest 100 dropped), unsorted (the floor: rows go at
// the end) and sorted (every row takes its place again).
func BenchmarkAppendSortedTail(b *testing.B) {
	for _, bc := range []struct {
		name string
		sort SortState
	}{{"unsorted", SortState{}}, {"sorted", SortState{Column: "COUNT"}}} {
		b.Run(bc.name, func(b *testing.B) {
			m := benchTable(bc.sort)
			m.SetRows(benchRows(10000, 0))
			next := 10000
			b.ReportAllocs()
			for b.Loop() {
				m.AppendRows(benchRows(100, next))
				m.DropFirst(100)
				next += 100
			}
		})
	}
}
