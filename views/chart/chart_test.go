package chart

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/sluicehq/sluice/views/theme"
	"github.com/sluicehq/sluice/views/viewtest"
)

func TestSparklineScalesToTheLargestAndKeepsGaps(t *testing.T) {
	got := Sparkline([]float64{0, 1, 2, 3, 4, 5, 6, 7, Missing, 7}, 10)
	if want := "▁▂▃▄▅▆▇█ █"; got != want {
		t.Fatalf("Sparkline = %q, want %q", got, want)
	}
}

func TestSparklineRightAlignsFewValuesAndMergesMany(t *testing.T) {
	if got := Sparkline([]float64{1, 2}, 5); got != "   ▅█" {
		t.Errorf("few = %q", got)
	}
	// Eight values into four cells keep each pair's largest.
	if got := Sparkline([]float64{0, 8, 0, 0, Missing, Missing, 4, 1}, 4); got != "█▁ ▅" {
		t.Errorf("many = %q", got)
	}
	if got := Sparkline(nil, 3); got != "   " {
		t.Errorf("none = %q", got)
	}
	if got := Sparkline([]float64{0, 0}, 2); got != "▁▁" {
		t.Errorf("zeros = %q", got)
	}
	if Sparkline([]float64{1}, 0) != "" {
		t.Error("zero width drew something")
	}
}

func TestSparklineIsAlwaysWidthCells(t *testing.T) {
	for n := range 130 {
		vals := make([]float64, n)
		for i := range vals {
			vals[i] = math.Sin(float64(i)) * 100
		}
		for _, w := range []int{1, 7, 12, 60} {
			if got := ansi.StringWidth(Sparkline(vals, w)); got != w {
				t.Fatalf("%d values in %d cells: %d wide", n, w, got)
			}
		}
	}
}

func TestResampleSpreadsPeriodsOverColumnsAndLeavesGaps(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	pts := []Point{{t0, 1}, {t0.Add(time.Minute), 5}, {t0.Add(3 * time.Minute), 2}}
	got := Resample(pts, t0, t0.Add(4*time.Minute), time.Minute, 8)
	want := []float64{1, 1, 5, 5, Missing, Missing, 2, 2}
	for i := range want {
		if !(got[i] == want[i] || IsMissing(got[i]) && IsMissing(want[i])) {
			t.Fatalf("Resample = %v, want %v", got, want)
		}
	}
	// Two periods in one column keep the larger.
	got = Resample(pts, t0, t0.Add(4*time.Minute), time.Minute, 2)
	if got[0] != 5 || got[1] != 2 {
		t.Fatalf("folded = %v", got)
	}
	// Points outside the range are left out.
	got = Resample([]Point{{t0.Add(-time.Hour), 9}}, t0, t0.Add(time.Minute), time.Minute, 3)
	for _, v := range got {
		if !IsMissing(v) {
			t.Fatalf("outside = %v", got)
		}
	}
}

func TestFormat(t *testing.T) {
	cases := []struct {
		v    float64
		unit string
		want string
	}{
		{0, "Count", "0"}, {7, "Count", "7"}, {2.5, "Count", "2.5"}, {999, "Count", "999"},
		{1000, "Count", "1.0k"}, {1234, "Count", "1.2k"}, {56789, "Count", "57k"}, {999999, "Count", "1.0M"},
		{3.2e9, "Count", "3.2G"}, {512, "Bytes", "512B"}, {1536, "Bytes", "1.5KiB"}, {5 << 20, "Bytes", "5.0MiB"},
		{850, "Milliseconds", "850ms"}, {1200, "Milliseconds", "1.2s"}, {42000, "Milliseconds", "42s"},
		{200000, "Milliseconds", "3m20s"}, {180000, "Milliseconds", "3m"}, {7500, "Seconds", "2h05m"},
		{3*86400 + 4*3600, "Seconds", "3d04h"}, {86400, "Seconds", "1d"}, {Missing, "Count", "–"},
	}
	for _, c := range cases {
		if got := Format(c.v, c.unit); got != c.want {
			t.Errorf("Format(%v, %s) = %q, want %q", c.v, c.unit, got, c.want)
		}
	}
}

// series is an hour of one-minute points with a gap and a spike.
func series() Series {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	s := Series{Label: "IncomingRecords · sum per minute", Unit: "Count", Start: t0, End: t0.Add(time.Hour), Step: time.Minute}
	for i := range 60 {
		if i >= 20 && i < 26 {
			continue // no data
		}
		v := 400 + 300*math.Sin(float64(i)/6)
		if i == 45 {
			v = 2400
		}
		s.Points = append(s.Points, Point{Time: t0.Add(time.Duration(i) * time.Minute), Value: math.Round(v)})
	}
	return s
}

func TestLineFitsExactlyEverySize(t *testing.T) {
	st := theme.New(theme.Dark(), false)
	for _, s := range []Series{series(), {Label: "empty"}, {Label: "failed", Err: "boom"}, {Label: "x", Points: []Point{{time.Unix(0, 0).UTC(), 3}}}} {
		for w := 1; w <= 90; w += 7 {
			for h := 1; h <= 14; h++ {
				viewtest.CheckView(t, Line(s, w, h, &st), w, h)
			}
		}
	}
}

func TestLineMarksTheScaleAndTheTimes(t *testing.T) {
	st := theme.New(theme.Dark(), false)
	v := ansi.Strip(Line(series(), 70, 10, &st))
	lines := strings.Split(v, "\n")
	if !strings.HasPrefix(lines[1], "2.4k┤") || !strings.HasPrefix(lines[7], "   0┤") {
		t.Errorf("y axis labels:\n%s", v)
	}
	if !strings.Contains(lines[9], "12:00") || !strings.HasSuffix(lines[9], "13:00") {
		t.Errorf("x axis times:\n%s", v)
	}
	if !strings.HasSuffix(lines[0], "now 281") {
		t.Errorf("title:\n%s", v)
	}
}

func TestLineLabelAndErrorAreInert(t *testing.T) {
	st := theme.New(theme.Dark(), false)
	s := series()
	s.Label = "evil \x1b]52;c;aGk=\x07 label"
	for _, v := range []string{Line(s, 60, 8, &st), Line(Series{Label: "x", Err: "denied \x1b[2J\x1b]52;c;aGk=\x07"}, 60, 8, &st)} {
		if strings.Contains(ansi.Strip(v), "\x1b") || strings.Contains(ansi.Strip(v), "\x07") {
			t.Fatalf("escape reached the view: %q", v)
		}
	}
}

func TestGoldenLine(t *testing.T) {
	st := theme.New(theme.Dark(), false)
	golden.RequireEqual(t, []byte(ansi.Strip(Line(series(), 72, 12, &st))))
}

func TestGoldenLineNarrowWithAGap(t *testing.T) {
	st := theme.New(theme.Light(), false)
	s := series()
	s.Unit = "Milliseconds"
	s.Label = "iterator age"
	golden.RequireEqual(t, []byte(ansi.Strip(Line(s, 34, 7, &st))))
}
