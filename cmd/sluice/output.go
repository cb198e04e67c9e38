package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/sluicehq/sluice/backend/inert"
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
		enc := json.NewEncoder(o.w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	case "jsonl":
		enc := json.NewEncoder(o.w)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
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
	enc := json.NewEncoder(o.w)
	if o.format == "json" {
		enc.SetIndent("", "  ")
	}
	return enc.Encode(v)
}
