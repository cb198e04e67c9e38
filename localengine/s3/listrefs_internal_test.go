package s3

import (
	"encoding/xml"
	"testing"
)

func TestListCharacterReferences(t *testing.T) {
	type doc struct {
		XMLName xml.Name `xml:"R"`
		Key     string
	}
	for in, want := range map[string]string{
		"plain/key.json":     "plain/key.json",
		"a\x01b\x1bc":        "a&#x1;b&#x1b;c",
		"tab\tnl\n&<>":       "tab&#x9;nl&#xA;&amp;&lt;&gt;",
		"mark\uFDD0;x":       "mark\uFDD0;x",
		"\uFDD01;\x00\uFFFE": "\uFDD01;&#x0;&#xfffe;",
		"é\U0001F600":        "é\U0001F600",
	} {
		body, err := xml.Marshal(doc{Key: xmlRefEscape(in)})
		if err != nil {
			t.Fatal(err)
		}
		if got := string(expandRefs(body)); got != "<R><Key>"+want+"</Key></R>" {
			t.Errorf("%q: %s, want %s", in, got, want)
		}
	}
}
