package decode

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/itchyny/gojq"
)

// MaxOutputs bounds the values one record's projection keeps: `.items[]`
// over a huge array shows its first MaxOutputs items, not a screenful of
// one record.
const MaxOutputs = 100

// Projection is what a jq expression made of one record, read the way jq
// users expect: its outputs are what is shown. No output hides the record
// (`select(...)` filters); the record itself, once and unchanged (`.`,
// `select(...)`), shows the record as it is; anything else (`.detail.orderId`,
// `.items[]`, `.status == "failed"`) shows the values in its place.
type Projection struct {
	// Values are the outputs, each as compact JSON; nil when the record
	// is hidden or shown whole.
	Values [][]byte
	// Whole says the expression yielded the record itself.
	Whole bool
	// Truncated says more than MaxOutputs values came out.
	Truncated bool
}

// Hidden reports that the expression yielded nothing for the record.
func (p Projection) Hidden() bool { return !p.Whole && len(p.Values) == 0 }

// Project runs the expression on one record (its input and variables as
// in Match) and keeps its outputs. An expression that fails on the record
// returns the error (sanitise it before display: it may quote the
// payload); `halt` ends the outputs without an error.
func (f *Filter) Project(ctx context.Context, p Payload, meta Meta) (Projection, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	in := filterInput(p)
	iter := f.code.RunWithContext(ctx, in,
		meta.PartitionKey, meta.ShardID, meta.SequenceNumber, arrivalValue(meta.Arrival))
	var outs []any
	var out Projection
	for {
		v, ok := iter.Next()
		if !ok {
			break
		}
		if err, isErr := v.(error); isErr {
			var halt *gojq.HaltError
			if errors.As(err, &halt) && halt.Value() == nil {
				break
			}
			return Projection{}, fmt.Errorf("jq %q: %w", f.expr, err)
		}
		if len(outs) == MaxOutputs {
			out.Truncated = true
			break
		}
		outs = append(outs, v)
	}
	if len(outs) == 1 && sameValue(outs[0], in) {
		return Projection{Whole: true}, nil
	}
	for _, v := range outs {
		b, err := gojq.Marshal(v)
		if err != nil {
			return Projection{}, fmt.Errorf("jq %q: output: %w", f.expr, err)
		}
		out.Values = append(out.Values, b)
	}
	return out, nil
}

// sameValue reports whether out is in itself, as jq hands it back from
// `.` or `select`: the same map or slice (not an equal copy, which a
// projection such as `{a: .a}` may build), or an equal scalar.
func sameValue(out, in any) bool {
	switch in.(type) {
	case map[string]any, []any:
		ov, iv := reflect.ValueOf(out), reflect.ValueOf(in)
		return ov.Kind() == iv.Kind() && ov.Len() == iv.Len() && ov.UnsafePointer() == iv.UnsafePointer()
	case string:
		s, ok := out.(string)
		return ok && s == in
	}
	return false
}
