package inventory

import (
	"encoding/json"
	"math/big"
	"testing"
)

// FuzzParseRedrive feeds RedrivePolicy attributes, which any tool can
// set: never a panic, and what parses reads back the same once written
// as SQS writes it.
func FuzzParseRedrive(f *testing.F) {
	f.Add(`{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:dlq","maxReceiveCount":5}`)
	f.Add(`{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:dlq","maxReceiveCount":"5"}`)
	f.Add(`{"maxReceiveCount":1e3}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, raw string) {
		r, err := parseRedrive(raw)
		if err != nil {
			return
		}
		b, err := json.Marshal(map[string]any{"deadLetterTargetArn": r.DeadLetterTargetARN, "maxReceiveCount": r.MaxReceiveCount})
		if err != nil {
			t.Fatal(err)
		}
		again, err := parseRedrive(string(b))
		if err != nil || again != r {
			t.Fatalf("%s parsed as %+v, written as %s, read back as %+v, %v", raw, r, b, again, err)
		}
	})
}

func TestParseRedrive(t *testing.T) {
	for raw, want := range map[string]Redrive{
		`{"deadLetterTargetArn":"arn:a","maxReceiveCount":5}`:   {DeadLetterTargetARN: "arn:a", MaxReceiveCount: 5},
		`{"deadLetterTargetArn":"arn:a","maxReceiveCount":"7"}`: {DeadLetterTargetARN: "arn:a", MaxReceiveCount: 7},
		`{"deadLetterTargetArn":"arn:a"}`:                       {DeadLetterTargetARN: "arn:a"},
	} {
		if got, err := parseRedrive(raw); err != nil || got != want {
			t.Errorf("parseRedrive(%s) = %+v, %v; want %+v", raw, got, err, want)
		}
	}
	for _, raw := range []string{`not json`, `{"maxReceiveCount":"five"}`, `{"maxReceiveCount":true}`} {
		if _, err := parseRedrive(raw); err == nil {
			t.Errorf("parseRedrive(%s) accepted", raw)
		}
	}
}

// FuzzShare feeds hash ranges as ListShards answers them: the share is
// always within [0, 1].
func FuzzShare(f *testing.F) {
	f.Add("0", "340282366920938463463374607431768211455")
	f.Add("170141183460469231731687303715884105728", "1")
	f.Add("x", "-1")
	f.Fuzz(func(t *testing.T, start, end string) {
		v := share(start, end)
		lo, ok1 := new(big.Int).SetString(start, 10)
		hi, ok2 := new(big.Int).SetString(end, 10)
		if v < 0 || (ok1 && ok2 && lo.Sign() >= 0 && hi.Cmp(keyspace) < 0 && v > 1) {
			t.Fatalf("share(%s, %s) = %v", start, end, v)
		}
	})
}

func TestShareOfTheWholeKeySpaceIsOne(t *testing.T) {
	if got := share("0", "340282366920938463463374607431768211455"); got != 1 {
		t.Fatalf("whole key space: %v", got)
	}
	if got := share("0", "170141183460469231731687303715884105727"); got != 0.5 {
		t.Fatalf("half the key space: %v", got)
	}
}
