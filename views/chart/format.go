package chart

import (
	"math"
	"strconv"
	"time"
)

// Format writes v in its unit, short: 1.2k, 3.4M for counts; 512B,
// 1.5KiB for bytes; 850ms, 12s, 3m20s, 2h05m, 3d4h for durations.
func Format(v float64, unit string) string {
	if IsMissing(v) {
		return "–"
	}
	switch unit {
	case "Bytes":
		return Bytes(v)
	case "Milliseconds":
		return Duration(time.Duration(v * float64(time.Millisecond)))
	case "Seconds":
		return Duration(time.Duration(v * float64(time.Second)))
	}
	return Count(v)
}

// Count writes a count with a k, M, G or T suffix past a thousand.
func Count(v float64) string {
	neg := v < 0
	v = math.Abs(v)
	var s string
	switch {
	case v < 1000:
		if v == math.Trunc(v) {
			s = strconv.FormatFloat(v, 'f', 0, 64)
		} else if v < 10 {
			s = strconv.FormatFloat(v, 'f', 1, 64)
		} else {
			s = strconv.FormatFloat(v, 'f', 0, 64)
		}
	default:
		s = scaled(v, 1000, []string{"k", "M", "G", "T", "P"})
	}
	if neg {
		return "-" + s
	}
	return s
}

// Bytes writes a size in B, KiB, MiB, GiB or TiB.
func Bytes(v float64) string {
	if v < 1024 {
		return strconv.FormatFloat(math.Round(v), 'f', 0, 64) + "B"
	}
	return scaled(v, 1024, []string{"KiB", "MiB", "GiB", "TiB", "PiB"})
}

// scaled divides v by base until it is under base, with one decimal
// under ten.
func scaled(v, base float64, suffixes []string) string {
	i := -1
	for v >= base && i < len(suffixes)-1 {
		v /= base
		i++
	}
	// 999.96k would round to "1000k": carry it to the next suffix.
	if math.Round(v) >= base && i < len(suffixes)-1 {
		v /= base
		i++
	}
	if r := math.Round(v*10) / 10; r < 10 {
		return strconv.FormatFloat(r, 'f', 1, 64) + suffixes[i]
	}
	return strconv.FormatFloat(math.Round(v), 'f', 0, 64) + suffixes[i]
}

// Duration writes d with at most two units: 850ms, 1.2s, 12s, 3m20s,
// 2h05m, 3d04h.
func Duration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	case d < 10*time.Second:
		return strconv.FormatFloat(math.Floor(d.Seconds()*10)/10, 'f', 1, 64) + "s"
	case d < time.Minute:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	case d < time.Hour:
		m, s := int64(d/time.Minute), int64(d%time.Minute/time.Second)
		if s == 0 {
			return strconv.FormatInt(m, 10) + "m"
		}
		return strconv.FormatInt(m, 10) + "m" + two(s) + "s"
	case d < 24*time.Hour:
		h, m := int64(d/time.Hour), int64(d%time.Hour/time.Minute)
		if m == 0 {
			return strconv.FormatInt(h, 10) + "h"
		}
		return strconv.FormatInt(h, 10) + "h" + two(m) + "m"
	}
	days, h := int64(d/(24*time.Hour)), int64(d%(24*time.Hour)/time.Hour)
	if h == 0 {
		return strconv.FormatInt(days, 10) + "d"
	}
	return strconv.FormatInt(days, 10) + "d" + two(h) + "h"
}

func two(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}
