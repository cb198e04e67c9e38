package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sluicehq/sluice/backend/inert"
)

// tableSample is how many rows a streamed table holds to decide its
// column widths: a tall terminal's screen. Later rows are cut or padded
// to those widths, so that a table of a million rows holds a screen, not
// the listing.
const tableSample = 100

// defaultTableLimit is the --limit of a listing printed as a table when
// none is given: more is for a script, which asks for -o jsonl (no
// default limit) or --limit 0.
const defaultTableLimit = 1000

// rowWriter writes a listing as its rows arrive: JSON Lines a row at a
// time, JSON as an array written element by element, and a table whose
// column widths are decided on its first tableSample rows. Rows reach
// the output on Flush (called before the listing waits for more) and
// Close; cells from data are made inert.
type rowWriter[T any] struct {
	format string
	w      *bufio.Writer
	cols   []column[T]
	// fullLast keeps the last column whole: object keys are what other
	// commands take, so a table must show them uncut.
	fullLast bool

	n      int   // rows written or held
	held   []T   // a table's rows until its widths are decided
	widths []int // a table's column widths, once decided
	buf    bytes.Buffer
}

func newRowWriter[T any](o output, cols []column[T], fullLast bool) *rowWriter[T] {
	return &rowWriter[T]{format: o.format, w: bufio.NewWriterSize(o.w, 64<<10), cols: cols, fullLast: fullLast}
}

// newRowWriterSized is a rowWriter whose table widths are known before
// any row is read (widths[i] for column i, at least its header, at most
// maxCell; 0 for the header's): the table's first rows print at once
// instead of after a screen's sample, for a listing whose rows come
// slowly (described within the API budget).
func newRowWriterSized[T any](o output, cols []column[T], widths []int) *rowWriter[T] {
	rw := newRowWriter(o, cols, false)
	if o.format != "table" {
		return rw
	}
	rw.widths = make([]int, len(cols))
	headers := make([]string, len(cols))
	for i, c := range cols {
		rw.widths[i] = inert.Width(c.header)
		if i < len(widths) {
			rw.widths[i] = max(rw.widths[i], min(widths[i], maxCell))
		}
		headers[i] = c.header
	}
	rw.line(headers)
	return rw
}

// Rows is how many rows were written so far.
func (rw *rowWriter[T]) Rows() int { return rw.n }

// Row writes r (a table may hold it until its widths are decided).
// Write errors stick in the buffer and come out of Flush or Close.
func (rw *rowWriter[T]) Row(r T) error {
	rw.n++
	switch rw.format {
	case "jsonl":
		return writeJSON(rw.w, r, false)
	case "json":
		return rw.element(r)
	}
	if rw.widths == nil {
		rw.held = append(rw.held, r)
		if len(rw.held) < tableSample {
			return nil
		}
		rw.decide()
		return nil
	}
	rw.tableRow(r)
	return nil
}

// Flush sends what was written to the output.
func (rw *rowWriter[T]) Flush() error {
	if err := rw.w.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// Close ends the listing: a table decides its widths on what it holds,
// an array is closed (an empty listing is "[]"), and all is flushed.
func (rw *rowWriter[T]) Close() error {
	switch rw.format {
	case "json":
		if rw.n == 0 {
			rw.w.WriteString("[]\n")
		} else {
			rw.w.WriteString("\n]\n")
		}
	case "table":
		if rw.widths == nil {
			rw.decide()
		}
	}
	return rw.Flush()
}

// element writes one array element, indented as encoding/json indents
// the whole array, so that the streamed array reads as it always did.
func (rw *rowWriter[T]) element(r T) error {
	rw.buf.Reset()
	enc := json.NewEncoder(&rw.buf)
	enc.SetIndent("  ", "  ")
	if err := enc.Encode(r); err != nil {
		return err
	}
	if rw.n == 1 {
		rw.w.WriteString("[\n  ")
	} else {
		rw.w.WriteString(",\n  ")
	}
	return writeJSONText(rw.w, bytes.TrimSuffix(rw.buf.Bytes(), []byte("\n")))
}

// decide fixes the column widths on the header and the rows held (each
// at most maxCell), then writes the header and those rows.
func (rw *rowWriter[T]) decide() {
	rw.widths = make([]int, len(rw.cols))
	for i, c := range rw.cols {
		rw.widths[i] = inert.Width(c.header)
		for _, r := range rw.held {
			rw.widths[i] = max(rw.widths[i], inert.Width(inert.LineCut(c.cell(r), maxCell)))
		}
	}
	headers := make([]string, len(rw.cols))
	for i, c := range rw.cols {
		headers[i] = c.header
	}
	rw.line(headers)
	for _, r := range rw.held {
		rw.tableRow(r)
	}
	rw.held = nil
}

func (rw *rowWriter[T]) tableRow(r T) {
	cells := make([]string, len(rw.cols))
	last := len(rw.cols) - 1
	for i, c := range rw.cols {
		if i == last && rw.fullLast {
			cells[i] = inert.Line(c.cell(r))
		} else {
			cells[i] = inert.LineCut(c.cell(r), rw.widths[i])
		}
	}
	rw.line(cells)
}

// line writes inert cells, each but the last padded to its width, two
// spaces apart.
func (rw *rowWriter[T]) line(cells []string) {
	var b strings.Builder
	for i, cell := range cells {
		if i == len(cells)-1 {
			b.WriteString(cell)
			break
		}
		b.WriteString(inert.Pad(cell, rw.widths[i]))
		b.WriteString("  ")
	}
	b.WriteByte('\n')
	rw.w.WriteString(b.String())
}
