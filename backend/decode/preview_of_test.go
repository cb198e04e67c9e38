package decode

import (
	"strings"
	"testing"
)

func TestPreviewOfLooksAtTheStartOfALargeRecord(t *testing.T) {
	big := `{"order":1,"items":[` + strings.Repeat(`{"sku":"A-1","qty":2},`, 100_000) + `{}]}`
	got := PreviewOf([]byte(big), 40)
	if !strings.HasPrefix(got, `{"order":1,"items":[{"sku":"A-1"`) || !strings.HasSuffix(got, "…") || len([]rune(got)) != 40 {
		t.Fatalf("preview of a %d-byte record: %q", len(big), got)
	}
	if small := PreviewOf([]byte(`{ "a": 1 }`), 40); small != `{"a":1}` {
		t.Fatalf("small record: %q", small)
	}
}
