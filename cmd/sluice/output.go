package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/internal/jsonstr"
)

// output prints results as a table for people, or JSON / JSON Lines for
// scripts.
type output struct {
	format string
	w      io.Writer
}

func newOutput(format string, w io.Writer) (output, error) {
	switch format {
	case "table", "json", "jsonl":
		return output{format: format, w: w}, nil
	}
	return output{}, fmt.Errorf("-o %q: want table, json or jsonl", format)
}

// column is one table column: a header and how to read a row's cell.
type column[T any] struct {
	header string
	cell   func(T) string
}

// maxCell keeps a table row readable when a value is huge.
const maxCell = 80

// printRows prints rows in the chosen format. Table cells come from data
// and are made inert before they reach the terminal.
func printRows[T any](o output, rows []T, cols []column[T]) error {
	switch o.format {
	case "json":
		if rows == nil {
			rows = []T{}
		}
		return writeJSON(o.w, rows, true)
	case "jsonl":
		for _, r := range rows {
			if err := writeJSON(o.w, r, false); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(o.w, 0, 4, 2, ' ', 0)
	for i, c := range cols {
		if i > 0 {
			fmt.Fprint(tw, "\t")
		}
		fmt.Fprint(tw, c.header)
	}
	fmt.Fprintln(tw)
	for _, r := range rows {
		for i, c := range cols {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, inert.LineCut(c.cell(r), maxCell))
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// printOne prints one value: JSON for every format but table, where fn
// writes it for people.
func printOne(o output, v any, table func(io.Writer) error) error {
	if o.format == "table" {
		return table(o.w)
	}
	return writeJSON(o.w, v, o.format == "json")
}

// writeJSON writes v as one JSON text and a newline, indented or on one
// line. Every JSON the CLI prints goes through it (or through jsonstr's
// own encoders): encoding/json leaves C1 controls, bidi and zero-width
// characters of the data raw, and these reach the terminal of whoever
// runs a command without a pipe.
func writeJSON(w io.Writer, v any, indent bool) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return err
	}
	return writeJSONText(w, buf.Bytes())
}

// writeJSONText writes b, a JSON text someone else encoded, with the
// runes a terminal acts on escaped.
func writeJSONText(w io.Writer, b []byte) error {
	_, err := w.Write(jsonstr.EscapeUnsafe(nil, b))
	return err
}

// jsonTextWriter passes each Write, one whole JSON text as
// json.Encoder writes it, through writeJSONText: for encoders that write
// to stdout on their own, such as dlq export's.
type jsonTextWriter struct{ w io.Writer }

func (j jsonTextWriter) Write(p []byte) (int, error) {
	if err := writeJSONText(j.w, p); err != nil {
		return 0, err
	}
	return len(p), nil
}
