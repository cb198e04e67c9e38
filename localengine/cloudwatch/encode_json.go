package cloudwatch

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

func encodeJSON(o obj) []byte {
	return jsonValue(make([]byte, 0, 256), o)
}

func jsonString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always encodes
	return append(b, q...)
}

// jsonFloat writes a double; JSON has no NaN or infinities, so they go as
// the strings the AWS JSON protocols use.
func jsonFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

func jsonTime(b []byte, t time.Time) []byte {
	return strconv.AppendFloat(b, epochSeconds(t), 'f', -1, 64)
}

func jsonValue(b []byte, v any) []byte {
	switch t := v.(type) {
	case obj:
		b = append(b, '{')
		for i, f := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonString(b, f.name)
			b = append(b, ':')
			b = jsonValue(b, f.v)
		}
		b = append(b, '}')
	case []obj:
		b = append(b, '[')
		for i, x := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonValue(b, x)
		}
		b = append(b, ']')
	case []string:
		b = append(b, '[')
		for i, x := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonString(b, x)
		}
		b = append(b, ']')
	case []float64:
		b = append(b, '[')
		for i, x := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonFloat(b, x)
		}
		b = append(b, ']')
	case []time.Time:
		b = append(b, '[')
		for i, x := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonTime(b, x)
		}
		b = append(b, ']')
	case floatMap:
		b = append(b, '{')
		for i, e := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonString(b, e.key)
			b = append(b, ':')
			b = jsonFloat(b, e.v)
		}
		b = append(b, '}')
	case string:
		b = jsonString(b, t)
	case float64:
		b = jsonFloat(b, t)
	case int64:
		b = strconv.AppendInt(b, t, 10)
	case bool:
		b = strconv.AppendBool(b, t)
	case time.Time:
		b = jsonTime(b, t)
	default:
		panic(fmt.Sprintf("cloudwatch: no JSON encoding for %T", v))
	}
	return b
}
