package metrics

import (
	"testing"
	"time"
)

func TestPeriodKeepsSeriesShortAndRound(t *testing.T) {
	for _, tc := range []struct {
		rangeDur time.Duration
		want     int32
	}{
		{0, 60},
		{time.Minute, 60},
		{15 * time.Minute, 60},
		{time.Hour, 60},
		{3 * time.Hour, 60},
		{24 * time.Hour, 60},
		{25 * time.Hour, 120},
		{48 * time.Hour, 120},
		{7 * 24 * time.Hour, 600},
		{30 * 24 * time.Hour, 1800},
		{60 * 24 * time.Hour, 3600},
		{90 * 24 * time.Hour, 7200},
		{365 * 24 * time.Hour, 43200},
		{3 * 365 * 24 * time.Hour, 86400},
		{10 * 365 * 24 * time.Hour, 3 * 86400},
	} {
		got := Period(tc.rangeDur)
		if got != tc.want {
			t.Errorf("Period(%v) = %d, want %d", tc.rangeDur, got, tc.want)
		}
		if got%60 != 0 {
			t.Errorf("Period(%v) = %d is not whole minutes", tc.rangeDur, got)
		}
		if points := int64(tc.rangeDur/time.Second) / int64(got); points > maxPoints {
			t.Errorf("Period(%v) = %d gives %d points", tc.rangeDur, got, points)
		}
	}
}

func TestPeriodForOldDataFollowsCloudWatchRetention(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	for _, tc := range []struct {
		age  time.Duration
		want int32
	}{
		{time.Hour, 60},
		{14 * day, 60},
		{16 * day, 300},
		{70 * day, 3600},
	} {
		start := now.Add(-tc.age)
		if got := periodFor(start, start.Add(time.Hour), now); got != tc.want {
			t.Errorf("an hour of data %v old: period %d, want %d", tc.age, got, tc.want)
		}
	}
}
