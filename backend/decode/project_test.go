package decode

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func project(t *testing.T, expr string, p Payload) Projection {
	t.Helper()
	f, err := CompileFilter(expr)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Project(context.Background(), p, Meta{PartitionKey: "pk-7"})
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return got
}

func values(p Projection) string {
	var s []string
	for _, v := range p.Values {
		s = append(s, string(v))
	}
	return strings.Join(s, " ")
}

func TestProjectShowsWhatTheExpressionYields(t *testing.T) {
	order := Decode([]byte(`{"detail":{"orderId":"o-1","amount":250},"items":[{"sku":"a"},{"sku":"b"}],"id":12345678901234567890123}`))
	small := Decode([]byte(`{"detail":{"orderId":"o-2","amount":50}}`))
	text := Decode([]byte("ERROR declined"))
	tests := []struct {
		name, expr string
		p          Payload
		whole      bool
		values     string // "" with whole false: hidden
	}{
		{"a field projects", `.detail.orderId`, order, false, `"o-1"`},
		{"select keeps the record whole", `select(.detail.amount > 100)`, order, true, ""},
		{"select drops", `select(.detail.amount > 100)`, small, false, ""},
		{"identity is the record", `.`, order, true, ""},
		{"a comparison shows its answer, as jq prints it", `.detail.amount > 100`, small, false, `false`},
		{"null is a value", `.missing`, order, false, `null`},
		{"several outputs", `.items[].sku`, order, false, `"a" "b"`},
		{"empty hides", `empty`, order, false, ""},
		{"select then project", `select(.detail.amount > 100) | .detail.orderId`, order, false, `"o-1"`},
		{"an equal copy is a projection", `{detail}`, small, false, `{"detail":{"amount":50,"orderId":"o-2"}}`},
		{"big integers keep their digits", `.id`, order, false, `12345678901234567890123`},
		{"variables", `$partitionKey`, order, false, `"pk-7"`},
		{"text selected whole", `select(startswith("ERROR"))`, text, true, ""},
		{"text projected", `.[0:5]`, text, false, `"ERROR"`},
		{"halt ends without error", `1, halt, 2`, order, false, `1`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := project(t, tc.expr, tc.p)
			if got.Whole != tc.whole || values(got) != tc.values {
				t.Fatalf("whole %v values %q, want whole %v values %q", got.Whole, values(got), tc.whole, tc.values)
			}
			if got.Hidden() != (!tc.whole && tc.values == "") {
				t.Fatalf("hidden %v", got.Hidden())
			}
		})
	}
}

func TestProjectBoundsTheOutputsAndReportsErrors(t *testing.T) {
	got := project(t, `range(1000)`, Decode([]byte(`{}`)))
	if len(got.Values) != MaxOutputs || !got.Truncated {
		t.Fatalf("%d values, truncated %v", len(got.Values), got.Truncated)
	}
	f, err := CompileFilter(`.a.b`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Project(context.Background(), Decode([]byte("just text")), Meta{}); err == nil {
		t.Fatal("indexing a string did not fail")
	}
}

// FuzzProject: whatever the payload and the expression, a projection
// that is neither hidden nor whole holds valid JSON values, at most
// MaxOutputs.
func FuzzProject(f *testing.F) {
	for _, s := range [][2]string{{`{"a":[1,2]}`, `.a[]`}, {"text", `.`}, {"\xff\x00", `length`}, {`{"a":"\u001b[2J"}`, `.a`}, {`[1,2]`, `select(length > 1)`}} {
		f.Add([]byte(s[0]), s[1])
	}
	f.Fuzz(func(t *testing.T, data []byte, expr string) {
		flt, err := CompileFilter(expr)
		if err != nil {
			return
		}
		// An expression that loops for ever is ended by its context.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		p, err := flt.Project(ctx, Decode(data), Meta{})
		if err != nil {
			return
		}
		if p.Whole && len(p.Values) > 0 || len(p.Values) > MaxOutputs {
			t.Fatalf("%+v", p)
		}
		for _, v := range p.Values {
			if !json.Valid(v) {
				t.Fatalf("%s yields invalid JSON %q", expr, v)
			}
		}
	})
}

func ExampleFilter_Project() {
	f, _ := CompileFilter(`.detail.orderId`)
	p, _ := f.Project(context.Background(), Decode([]byte(`{"detail":{"orderId":"o-1"}}`)), Meta{})
	fmt.Println(string(p.Values[0]))
	// Output: "o-1"
}
