package dlq

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/sluicehq/sluice/backend"
)

// Export browses the queue as Browse does (every message released at
// once) and writes each message to w as one line of JSON, its body kept
// exactly, as it is received: only the receipt handles are held. It
// returns the browse, so that the caller can show its warning and
// release failures; the number written is result.Read.
func Export(ctx context.Context, s *backend.Session, queueURL string, w io.Writer, o BrowseOptions) (BrowseResult, error) {
	enc := exportEncoder(w)
	res, err := BrowseEach(ctx, s, queueURL, o, func(q Queue, m Message) error {
		return encodeExported(enc, q.Name, m)
	})
	if err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	return res, nil
}

// ExportKept writes the queue's kept browse (Kept) to w as Export does,
// receiving nothing: an export of what the operator browsed, as it was
// then. It returns the browse written, and false when the queue was not
// browsed in this session.
func ExportKept(s *backend.Session, queueURL string, w io.Writer) (BrowseResult, bool, error) {
	res, ok := Kept(s, queueURL)
	if !ok {
		return res, false, nil
	}
	return res, true, WriteExport(w, res)
}

// WriteExport writes a browse's messages to w as JSON Lines.
func WriteExport(w io.Writer, res BrowseResult) error {
	enc := exportEncoder(w)
	for _, m := range res.Messages {
		if err := encodeExported(enc, res.Queue.Name, m); err != nil {
			return err
		}
	}
	return nil
}

func exportEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	// Bodies are written as they are: no HTML escaping of <, > and &.
	enc.SetEscapeHTML(false)
	return enc
}

// encodeExported writes one message as a line of an export.
func encodeExported(enc *json.Encoder, queue string, m Message) error {
	m.ReceiptHandle = "" // a handle is for deletes in this session, not for a file
	if err := enc.Encode(m); err != nil {
		return fmt.Errorf("export %s: message %s: %w", queue, m.ID, err)
	}
	return nil
}

// ReadExport reads JSON Lines written by Export back into messages.
func ReadExport(r io.Reader) ([]Message, error) {
	dec := json.NewDecoder(r)
	var out []Message
	for dec.More() {
		var m Message
		if err := dec.Decode(&m); err != nil {
			return out, fmt.Errorf("read export: message %d: %w", len(out)+1, err)
		}
		out = append(out, m)
	}
	return out, nil
}
