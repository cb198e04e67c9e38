package main

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sluicehq/sluice/backend/inert"
)

// fixedRows prints rows as they are read: a jsonl line or a table row
// each, the table's columns as wide as widths (or their header) says, so
// that rows printed before the rest is read still line up. -o json is
// one document, so it is written whole at the end.
type fixedRows[T any] struct {
	o      output
	cols   []column[T]
	widths []int
	header bool
	all    []T // -o json only
}

// newFixedRows writes to o; widths[i] is column i's width (0: its
// header's).
func newFixedRows[T any](o output, cols []column[T], widths []int) *fixedRows[T] {
	w := &fixedRows[T]{o: o, cols: cols, widths: make([]int, len(cols))}
	for i, c := range cols {
		w.widths[i] = utf8.RuneCountInString(c.header)
		if i < len(widths) {
			w.widths[i] = max(w.widths[i], min(widths[i], maxCell))
		}
	}
	return w
}

func (w *fixedRows[T]) write(rows []T) error {
	switch w.o.format {
	case "json":
		w.all = append(w.all, rows...)
		return nil
	case "jsonl":
		for _, r := range rows {
			if err := writeJSON(w.o.w, r, false); err != nil {
				return err
			}
		}
		return nil
	}
	if !w.header {
		w.header = true
		cells := make([]string, len(w.cols))
		for i, c := range w.cols {
			cells[i] = c.header
		}
		if err := w.line(cells); err != nil {
			return err
		}
	}
	for _, r := range rows {
		cells := make([]string, len(w.cols))
		for i, c := range w.cols {
			cells[i] = inert.LineCut(c.cell(r), maxCell)
		}
		if err := w.line(cells); err != nil {
			return err
		}
	}
	return nil
}

func (w *fixedRows[T]) line(cells []string) error {
	var b strings.Builder
	for i, c := range cells {
		if i > 0 {
			b.WriteString("  ")
		}
		b.WriteString(c)
		if i < len(cells)-1 {
			b.WriteString(strings.Repeat(" ", max(w.widths[i]-utf8.RuneCountInString(c), 0)))
		}
	}
	b.WriteByte('\n')
	_, err := fmt.Fprint(w.o.w, b.String())
	return err
}

// close ends the output: the table's header when there were no rows, or
// the json document.
func (w *fixedRows[T]) close() error {
	switch w.o.format {
	case "json":
		if w.all == nil {
			w.all = []T{}
		}
		return writeJSON(w.o.w, w.all, true)
	case "table":
		if !w.header {
			return w.write(nil)
		}
	}
	return nil
}
