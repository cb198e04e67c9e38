package inert

import "testing"

func TestRuneWidth(t *testing.T) {
	tests := map[rune]int{
		'a': 1, 'é': 1, 'Ω': 1, 'ж': 1,
		'\u0301': 0, '\u200d': 0, '\ufe0f': 0, // combining acute, ZWJ, variation selector
		'世': 2, 'が': 2, '한': 2, 'Ａ': 2, '🚀': 2, '😀': 2, '\U00020000': 2,
		'\u303f': 1, '\uff61': 1, // half-width ideographic space, half-width katakana stop
	}
	for r, want := range tests {
		if got := RuneWidth(r); got != want {
			t.Errorf("RuneWidth(%U) = %d, want %d", r, got, want)
		}
	}
	if got := Width("a世🚀e\u0301"); got != 6 {
		t.Errorf("Width = %d, want 6", got)
	}
}

func TestWideRangesSorted(t *testing.T) {
	for i, r := range wideRanges {
		if r[0] > r[1] || (i > 0 && r[0] <= wideRanges[i-1][1]) {
			t.Fatalf("wideRanges[%d] = %X out of order", i, r)
		}
	}
}
