package decode

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestFilterMatch(t *testing.T) {
	order := Decode([]byte(`{"type":"order","id":12345678901234567890123,"total":12.50,"items":[{"sku":"a","qty":1},{"sku":"b","qty":9}],"note":null}`))
	text := Decode([]byte("ERROR payment declined for customer 42\nstack trace"))
	binary := Decode([]byte{0, 1, 2, 0xff})
	meta := Meta{
		PartitionKey:   "customer-42",
		ShardID:        "shardId-000000000001",
		SequenceNumber: "49590338271490256608559692538361571095921575989136588898",
		Arrival:        time.Date(2024, 5, 1, 12, 30, 15, 250e6, time.FixedZone("CEST", 2*3600)),
	}
	tests := []struct {
		name string
		expr string
		p    Payload
		want bool
	}{
		{"JSON field equality", `.type == "order"`, order, true},
		{"JSON field mismatch", `.type == "refund"`, order, false},
		{"JSON missing field is null", `.missing`, order, false},
		{"JSON null field", `.note`, order, false},
		{"JSON any item", `.items[] | .qty > 5`, order, true},
		{"JSON select", `.items[] | select(.sku == "b")`, order, true},
		{"JSON select none", `.items[] | select(.sku == "z")`, order, false},
		{"big integer keeps precision", `.id == 12345678901234567890123`, order, true},
		{"big integer off by one", `.id == 12345678901234567890124`, order, false},
		{"big integer as string", `(.id | tostring) == "12345678901234567890123"`, order, true},
		{"decimal arithmetic", `.total * 2 == 25`, order, true},
		{"identity on an object", `.`, order, true},
		{"text input is a string", `type == "string" and startswith("ERROR")`, text, true},
		{"text regex", `test("declined for customer [0-9]+")`, text, true},
		{"text no match", `test("timeout")`, text, false},
		{"binary input is base64", `. == "` + base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 0xff}) + `"`, binary, true},
		{"binary decodes with @base64d", `@base64d | length > 0`, binary, true},
		{"partition key variable", `$partitionKey == "customer-42"`, order, true},
		{"shard variable", `$shardId | endswith("0001")`, order, true},
		{"sequence number variable", `$sequenceNumber | startswith("4959")`, order, true},
		{"arrival is RFC 3339 UTC", `$arrival == "2024-05-01T10:30:15Z"`, order, true},
		{"arrival parses with fromdate", `($arrival | fromdate) == 1714559415`, order, true},
		{"arrival compares as a string", `$arrival > "2024-05-01T10:00:00Z"`, order, true},
		{"variables and payload together", `.type == "order" and $partitionKey == "customer-42"`, order, true},
		{"empty yields nothing", `empty`, order, false},
		{"false then true matches", `false, null, 1`, order, true},
		{"halt stops without a match", `halt`, order, false},
		{"no environment", `$ENV | length == 0`, order, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := CompileFilter(tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.Match(context.Background(), tc.p, meta)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Match(%s) = %v, want %v", tc.expr, got, tc.want)
			}
		})
	}
}

func TestFilterUnknownArrivalIsNull(t *testing.T) {
	f, err := CompileFilter(`$arrival == null`)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := f.Match(context.Background(), Decode([]byte(`{}`)), Meta{}); !ok || err != nil {
		t.Errorf("Match = %v, %v; want $arrival null for a zero time", ok, err)
	}
}

func TestFilterStopsAtFirstMatch(t *testing.T) {
	// An endless generator matches at once instead of running forever.
	f, err := CompileFilter(`repeat(1)`)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := f.Match(context.Background(), Decode([]byte(`{}`)), Meta{}); !ok || err != nil {
		t.Errorf("Match = %v, %v", ok, err)
	}
}

func TestFilterStoppedByContext(t *testing.T) {
	f, err := CompileFilter(`repeat(null)`) // never yields a truthy value
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = f.Match(ctx, Decode([]byte(`{}`)), Meta{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Match of an endless filter returned %v, want the context's deadline", err)
	}
}

func TestFilterRuntimeError(t *testing.T) {
	f, err := CompileFilter(`.a.b`)
	if err != nil {
		t.Fatal(err)
	}
	ok, err := f.Match(context.Background(), Decode([]byte("plain text")), Meta{})
	if ok || err == nil {
		t.Fatalf("Match = %v, %v; want an error indexing a string", ok, err)
	}
	if !strings.Contains(err.Error(), `".a.b"`) {
		t.Errorf("error %q does not name the filter", err)
	}
}

func TestCompileFilterErrors(t *testing.T) {
	tests := []struct{ expr, mention string }{
		{`.a[`, "syntax error"},
		{`.a | `, "syntax error"},
		{`{"a": }`, "syntax error"},
		{`nosuchfunction(1)`, "function not defined"},
		{`$nosuchvariable`, "variable not defined"},
		{``, "missing query"},
	}
	for _, tc := range tests {
		_, err := CompileFilter(tc.expr)
		if err == nil {
			t.Errorf("CompileFilter(%q) succeeded", tc.expr)
			continue
		}
		if !strings.Contains(err.Error(), tc.mention) || !strings.Contains(err.Error(), fmt.Sprintf("jq filter %q", tc.expr)) {
			t.Errorf("CompileFilter(%q) error %q should name the expression and mention %q", tc.expr, err, tc.mention)
		}
	}
}

func TestFilterString(t *testing.T) {
	f, err := CompileFilter(`.a == 1`)
	if err != nil {
		t.Fatal(err)
	}
	if f.String() != `.a == 1` {
		t.Errorf("String() = %q", f.String())
	}
}
