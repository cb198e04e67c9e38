package metrics

import "time"

// maxPoints is the most datapoints a series gets: GetMetricStatistics'
// limit, and more than any chart in a terminal can show.
const maxPoints = 1440

// periods are the round periods to choose from, in seconds. AWS keeps
// standard-resolution metrics at one minute at best, so none is shorter.
var periods = []int32{60, 120, 300, 600, 900, 1800, 3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400}

// Period chooses the period, in seconds, for a range: the shortest round
// one that keeps a series within 1,440 points (a minute up to a day's
// range; whole days beyond a few years).
func Period(rangeDur time.Duration) int32 {
	secs := int64(rangeDur / time.Second)
	for _, p := range periods {
		if ceilDiv(secs, int64(p)) <= maxPoints {
			return p
		}
	}
	days := ceilDiv(ceilDiv(secs, maxPoints), 86400)
	return int32(min(days*86400, 1<<31-86400))
}

// periodFor is Period, raised to what CloudWatch still keeps for data as
// old as start: one-minute points for 15 days, five-minute for 63, then
// hourly.
func periodFor(start, end, now time.Time) int32 {
	p := Period(end.Sub(start))
	age := now.Sub(start)
	switch {
	case age > 63*24*time.Hour && p < 3600:
		p = 3600
	case age > 15*24*time.Hour && p < 300:
		p = 300
	}
	return p
}

func ceilDiv(a, b int64) int64 {
	if a <= 0 {
		return 0
	}
	return (a + b - 1) / b
}
