package kinesis

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"time"
)

// epochMs is a timestamp in milliseconds that encodes as the JSON
// protocols' epoch seconds with a fraction, e.g. 1700000000.123.
type epochMs int64

func (t epochMs) MarshalJSON() ([]byte, error) { return appendEpoch(nil, int64(t)), nil }

func appendEpoch(dst []byte, ms int64) []byte {
	if ms < 0 {
		ms = 0
	}
	dst = strconv.AppendInt(dst, ms/1000, 10)
	frac := ms % 1000
	return append(dst, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
}

// epochInput is a timestamp in a request: epoch seconds, possibly with a
// fraction or an exponent.
type epochInput struct {
	ms  int64
	set bool
}

func (t *epochInput) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	// json.Number would take a string of digits too; AWS takes only a
	// number here.
	if len(b) > 0 && b[0] == '"' {
		return &json.UnmarshalTypeError{Value: "string", Type: reflect.TypeFor[time.Time]()}
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e14 {
		return &json.UnmarshalTypeError{Value: "number " + string(n), Type: reflect.TypeFor[time.Time]()}
	}
	t.ms, t.set = int64(math.Round(f*1000)), true
	return nil
}

func (t epochInput) time() time.Time { return time.UnixMilli(t.ms) }
