package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/deadline"
	"github.com/sluicehq/sluice/backend/decode"
	"github.com/sluicehq/sluice/backend/dlq"
	"github.com/sluicehq/sluice/backend/inert"
)

// dlqPeekPrinter writes a peek's messages as the browse receives them:
// -o jsonl a line each, -o json the browse's object with its messages
// array written element by element, and the table a row each, followed
// by the full bodies of its first tableSample messages: those bodies are
// the one thing held until the end, so that a peek of thousands holds
// no more than a hundred. Each message carries its data-loss deadline,
// computed as it arrives (its stream's retention read once per stream);
// the queue's nearest closes the json object.
type dlqPeekPrinter struct {
	ctx     context.Context
	session *backend.Session
	now     time.Time
	// deadlines starts with the first message, which names the queue.
	deadlines *deadline.Running
	out       output
	w         *bufio.Writer
	rows      *rowWriter[peekRow]
	bodies    []dlq.Message
	// unshown counts the messages past tableSample, whose bodies the
	// table does not print.
	unshown int
	// n is how many messages were written.
	n   int
	buf bytes.Buffer
}

func newDLQPeekPrinter(ctx context.Context, s *backend.Session, out output) *dlqPeekPrinter {
	p := &dlqPeekPrinter{ctx: ctx, session: s, now: time.Now(), out: out, w: bufio.NewWriter(out.w)}
	if out.format == "table" {
		p.rows = newRowWriter(out, dlqPeekColumns, false)
	}
	return p
}

// message writes m, received from q, and flushes it.
func (p *dlqPeekPrinter) message(q dlq.Queue, m dlq.Message) error {
	p.n++
	if p.deadlines == nil {
		p.deadlines = deadline.NewRunning(q, deadline.NewStreams(p.session), p.now)
	}
	row := peekRow{Message: m, now: p.now}
	if d, ok := p.deadlines.Add(p.ctx, m); ok {
		row.Deadline = &d
	}
	switch p.out.format {
	case "jsonl":
		if err := writeJSON(p.w, row, false); err != nil {
			return err
		}
	case "json":
		if p.n == 1 {
			head, _, err := browseJSONParts(dlq.BrowseResult{Queue: q}, deadline.Queue{})
			if err != nil {
				return err
			}
			p.w.Write(head)
		}
		if err := p.element(row); err != nil {
			return err
		}
	default:
		if len(p.bodies) < tableSample {
			p.bodies = append(p.bodies, m)
		} else {
			p.unshown++
		}
		if err := p.rows.Row(row); err != nil {
			return err
		}
		return p.rows.Flush()
	}
	if err := p.w.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// element writes one message of the json array, indented as
// encoding/json indents the whole browse.
func (p *dlqPeekPrinter) element(m peekRow) error {
	p.buf.Reset()
	enc := json.NewEncoder(&p.buf)
	enc.SetIndent("    ", "  ")
	if err := enc.Encode(m); err != nil {
		return err
	}
	if p.n > 1 {
		p.w.WriteString(",")
	}
	p.w.WriteString("\n    ")
	return writeJSONText(p.w, bytes.TrimSuffix(p.buf.Bytes(), []byte("\n")))
}

// close ends the output once the browse is over: the rest of the json
// object (what the browse released, its warning), or the table and the
// bodies.
func (p *dlqPeekPrinter) close(res dlq.BrowseResult) error {
	switch p.out.format {
	case "json":
		head, tail, err := browseJSONParts(res, p.queueDeadline(res))
		if err != nil {
			return err
		}
		if p.n == 0 {
			p.w.Write(head)
		} else {
			p.w.WriteString("\n  ")
		}
		p.w.Write(tail)
	case "table":
		if err := p.rows.Close(); err != nil {
			return err
		}
		for _, m := range p.bodies {
			fmt.Fprintf(p.w, "\n── %s · received %s · sent %s ──\n", inert.Line(m.ID), dlqTimes(m.ReceiveCount), dlqTime(m.SentAt))
			if m.ParseError != "" {
				fmt.Fprintln(p.w, "not a readable failure: "+inert.Line(m.ParseError))
			}
			fmt.Fprintln(p.w, inert.Block(decode.Decode([]byte(m.Body)).Pretty()))
		}
		if p.unshown > 0 {
			fmt.Fprintf(p.w, "\n… %d more bodies not shown; -o jsonl has every message whole\n", p.unshown)
		}
	}
	if err := p.w.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// queueDeadline is the queue's nearest deadline over the messages
// written.
func (p *dlqPeekPrinter) queueDeadline(res dlq.BrowseResult) deadline.Queue {
	if p.deadlines == nil {
		return deadline.NewRunning(res.Queue, nil, p.now).Queue(res.At)
	}
	return p.deadlines.Queue(res.At)
}

// deadlineFailures names the streams whose retention could not be read.
func (p *dlqPeekPrinter) deadlineFailures() backend.Failures {
	if p.deadlines == nil {
		return nil
	}
	return p.deadlines.Failures()
}

// peekJSON is `dlq peek -o json`: the browse, each message with its
// deadline, and after them the queue's nearest.
type peekJSON struct {
	dlq.BrowseResult
	Deadline deadline.Queue `json:"deadline"`
}

// browseJSONParts splits the indented JSON of res and the queue's
// deadline q, without the messages, around its messages array: head ends
// with the array's "[", tail starts with its "]". The array's key is
// found at the top level's indentation, where no value of the queue can
// put it.
func browseJSONParts(res dlq.BrowseResult, q deadline.Queue) (head, tail []byte, err error) {
	res.Messages = []dlq.Message{}
	var b bytes.Buffer
	if err := writeJSON(&b, peekJSON{BrowseResult: res, Deadline: q}, true); err != nil {
		return nil, nil, err
	}
	key := []byte("\n  \"messages\": [")
	i := bytes.Index(b.Bytes(), key)
	if i < 0 {
		return nil, nil, errors.New("browse JSON has no messages array")
	}
	cut := i + len(key)
	return b.Bytes()[:cut], b.Bytes()[cut:], nil
}
