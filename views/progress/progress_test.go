package progress

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/views/theme"
)

func TestViewShowsBarCountsRateAndFailures(t *testing.T) {
	m := Model{Label: "hydrate", Done: 42, Total: 100, Rate: 12, Failed: 3}
	got := m.View(60)
	want := "hydrate [" + strings.Repeat("█", 11) + strings.Repeat("░", 14) + "] 42/100 · 12/s · 3 failed"
	if strings.TrimRight(got, " ") != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	if w := ansi.StringWidth(got); w != 60 {
		t.Errorf("width %d", w)
	}
}

func TestViewFitsEveryWidth(t *testing.T) {
	st := theme.New(theme.Dark(), false)
	for _, m := range []Model{
		{Label: "replay orders-to-api", Done: 7, Total: 1234, Rate: 3.5, Failed: 1, Styles: &st},
		{Label: "redrive", Done: 5, Total: -1},
		{Label: strings.Repeat("x", 500), Done: 100, Total: 100, Rate: 0.2},
		{Done: 0, Total: 0},
	} {
		for w := 1; w <= 200; w++ {
			v := m.View(w)
			if got := ansi.StringWidth(v); got != w {
				t.Fatalf("%+v at %d: width %d: %q", m, w, got, ansi.Strip(v))
			}
			if strings.Contains(v, "\n") {
				t.Fatalf("newline in %q", v)
			}
		}
	}
}

func TestViewDropsLabelThenRateWhenNarrow(t *testing.T) {
	m := Model{Label: "hydrate orders-dlq", Done: 1, Total: 2, Rate: 10, Failed: 1}
	if v := m.View(80); !strings.HasPrefix(v, "hydrate orders-dlq [") || !strings.Contains(v, "1/2 · 10/s · 1 failed") {
		t.Errorf("80: %q", v)
	}
	if v := m.View(30); strings.Contains(v, "hydrate") || !strings.Contains(v, "1/2 · 10/s · 1 failed") {
		t.Errorf("30: %q", v)
	}
	if v := m.View(22); strings.Contains(v, "/s") || !strings.Contains(v, "1/2 · 1 failed") {
		t.Errorf("22: %q", v)
	}
	if v := m.View(5); v != "1/2  " {
		t.Errorf("5: %q", v)
	}
}

func TestUnknownTotalDrawsAnEmptyBar(t *testing.T) {
	v := Model{Label: "list", Done: 17, Total: -1}.View(40)
	if !strings.Contains(v, "17/?") || strings.Contains(v, "█") {
		t.Errorf("%q", v)
	}
	if f := (Model{Done: 3, Total: -1}).Fraction(); f != 0 {
		t.Errorf("fraction %v", f)
	}
}

func TestFullAndOverfullBars(t *testing.T) {
	for _, m := range []Model{{Done: 10, Total: 10}, {Done: 12, Total: 10}} {
		v := m.View(30)
		if strings.Contains(v, "░") {
			t.Errorf("%+v: %q", m, v)
		}
	}
}

func TestLabelIsInert(t *testing.T) {
	v := Model{Label: "evil\x1b[2J\x1b]52;c;aGk=\x07", Done: 1, Total: 1}.View(80)
	if strings.ContainsAny(v, "\x1b\x07") {
		t.Errorf("escape reached the view: %q", v)
	}
}

func TestFormatRate(t *testing.T) {
	for r, want := range map[float64]string{123.4: "123/s", 12: "12/s", 1.55: "1.6/s", 0.25: "0.25/s"} {
		if got := FormatRate(r); got != want {
			t.Errorf("%v: %q want %q", r, got, want)
		}
	}
}
