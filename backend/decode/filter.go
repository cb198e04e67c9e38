package decode

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/itchyny/gojq"
)

// Meta is what is known about a record besides its payload; filters see it
// as jq variables.
type Meta struct {
	PartitionKey   string
	ShardID        string
	SequenceNumber string
	// Arrival is the approximate arrival time; zero when unknown.
	Arrival time.Time
}

// filterVariables names Meta's fields in jq, in the order Match passes them.
func filterVariables() []string {
	return []string{"$partitionKey", "$shardId", "$sequenceNumber", "$arrival"}
}

// Filter is a compiled jq expression that selects records. It is immutable
// and safe for concurrent use.
type Filter struct {
	expr string
	code *gojq.Code
}

// CompileFilter compiles a jq expression. The expression sees the payload
// as its input (see Match) and Meta as $partitionKey, $shardId,
// $sequenceNumber and $arrival. Environment variables are not visible to it
// ($ENV is empty), and input/inputs are not available.
func CompileFilter(expr string) (*Filter, error) {
	query, err := gojq.Parse(expr)
	if err != nil {
		var parseErr *gojq.ParseError
		if errors.As(err, &parseErr) {
			return nil, fmt.Errorf("jq filter %q: syntax error at offset %d: %w", expr, parseErr.Offset, err)
		}
		return nil, fmt.Errorf("jq filter %q: %w", expr, err)
	}
	code, err := gojq.Compile(query, gojq.WithVariables(filterVariables()))
	if err != nil {
		return nil, fmt.Errorf("jq filter %q: %w", expr, err)
	}
	return &Filter{expr: expr, code: code}, nil
}

// String is the expression as the user wrote it.
func (f *Filter) String() string {
	return f.expr
}

// Match runs the filter on one record. Its input is the decoded value for a
// JSON payload, the text as a string for text, and the base64 of the bytes
// for binary. The record matches when the expression yields a value that is
// neither false nor null; Match stops at the first such value, so
// `.items[] | .ok` costs only as much as the first ok item. An expression
// that fails on this record (say `.a.b` on a string) returns the error and
// no match; a long-running one is stopped by ctx. Error texts may quote the
// payload: sanitise them before display.
func (f *Filter) Match(ctx context.Context, p Payload, meta Meta) (bool, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	iter := f.code.RunWithContext(ctx, filterInput(p),
		meta.PartitionKey, meta.ShardID, meta.SequenceNumber, arrivalValue(meta.Arrival))
	for {
		v, ok := iter.Next()
		if !ok {
			return false, nil
		}
		if err, isErr := v.(error); isErr {
			var halt *gojq.HaltError
			if errors.As(err, &halt) && halt.Value() == nil {
				return false, nil // `halt`: stop without a match, not an error
			}
			return false, fmt.Errorf("jq filter %q: %w", f.expr, err)
		}
		if v != nil && v != false {
			return true, nil
		}
	}
}

// filterInput is the jq input for a payload. gojq v0.12.20 takes
// json.Number as a number type of its own (see gojq.TypeOf and
// gojq.ToFloat64) and compares and computes big integers exactly, so the
// value from UseNumber goes in as it is, without a conversion pass.
func filterInput(p Payload) any {
	switch p.Kind {
	case JSON:
		return p.JSON
	case Text:
		return string(p.Body)
	}
	return base64.StdEncoding.EncodeToString(p.Body)
}

// arrivalValue is $arrival: RFC 3339 in UTC to the second, the form jq's
// fromdate parses and that orders correctly as a string; null when unknown.
func arrivalValue(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}
