package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"text/tabwriter"

	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/backend/replay"
)

// planScreen is how many rows of a dry run's table share one width
// decision: the table is flushed each time, so that a plan of a million
// events is written as it is read, never held.
const planScreen = 50

// planStream writes a dry run's plan row by row as the replay reads the
// events (in the order they are read, not the listing's): memory stays
// flat whatever the plan's length. -o jsonl writes one Result a line; -o
// json one document, the Summary with its "planned" list, written as it
// grows; -o table one table, aligned a screen at a time.
type planStream struct {
	out output

	mu    sync.Mutex
	tw    *tabwriter.Writer
	rows  int
	wrote bool
	err   error
}

func newPlanStream(out output) *planStream {
	p := &planStream{out: out}
	switch out.format {
	case "table":
		p.tw = tabwriter.NewWriter(out.w, 0, 4, 2, ' ', 0)
		p.writeRow(func(c column[replay.Result]) string { return c.header })
	case "json":
		p.keep(fmt.Fprint(out.w, "{\n  \"planned\": ["))
	}
	return p
}

// add writes one planned event.
func (p *planStream) add(r replay.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return
	}
	switch p.out.format {
	case "jsonl":
		p.err = writeJSON(p.out.w, r, false)
	case "json":
		var buf bytes.Buffer
		if p.wrote {
			buf.WriteString(",")
		}
		buf.WriteString("\n    ")
		b, err := json.Marshal(r)
		if err != nil {
			p.err = err
			return
		}
		buf.Write(b)
		p.err = writeJSONText(p.out.w, buf.Bytes())
	default:
		p.writeRow(func(c column[replay.Result]) string { return c.cell(r) })
		if p.rows++; p.rows%planScreen == 0 {
			p.err = p.tw.Flush()
		}
	}
	p.wrote = true
}

// writeRow writes one table row, the last column (the key, which other
// commands take) never cut.
func (p *planStream) writeRow(cell func(column[replay.Result]) string) {
	last := len(replayPlanColumns) - 1
	for i, c := range replayPlanColumns {
		if i < last {
			fmt.Fprint(p.tw, inert.LineCut(cell(c), maxCell), "\t")
		} else {
			fmt.Fprintln(p.tw, inert.Line(cell(c)))
		}
	}
}

func (p *planStream) keep(_ int, err error) {
	if p.err == nil {
		p.err = err
	}
}

// finish ends the plan: the table's last rows, or the JSON document with
// the summary's other fields.
func (p *planStream) finish(sum replay.Summary) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return p.err
	}
	switch p.out.format {
	case "table":
		return p.tw.Flush()
	case "json":
		sum.Planned = nil
		rest, err := json.MarshalIndent(sum, "  ", "  ")
		if err != nil {
			return err
		}
		closing := "]"
		if p.wrote {
			closing = "\n  ]"
		}
		// rest is {…}: its fields follow the list in the same object.
		body := append([]byte(closing+",\n  "), bytes.TrimSpace(rest[1:])...)
		return writeJSONText(p.out.w, append(body, '\n'))
	}
	return nil
}
