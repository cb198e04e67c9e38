package cloudwatch

import (
	"time"
)

// Answers are built as a small ordered tree that each protocol encodes
// (encode_*.go), so that an operation builds its answer once.
//
// Values are string, float64, int64, bool, time.Time, obj, []obj,
// []string, []float64, []time.Time and floatMap.
type obj []field

type field struct {
	name string
	v    any
}

// floatMap is a map of strings to doubles (Datapoint.ExtendedStatistics),
// in the order it was built.
type floatMap []floatEntry

type floatEntry struct {
	key string
	v   float64
}

func (o obj) with(name string, v any) obj { return append(o, field{name, v}) }

// epochSeconds is a timestamp as the CBOR and JSON protocols send it: epoch
// seconds with millisecond precision.
func epochSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1e3 }
