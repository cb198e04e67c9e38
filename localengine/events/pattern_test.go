package events

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// patternTable is testdata/patterns.json: one event, a case for every
// operator with whether the event matches, and invalid patterns with the
// reason they are refused. The SDK test of TestEventPattern runs the same
// table through the engine.
type patternTable struct {
	Event json.RawMessage `json:"event"`
	Cases []struct {
		Name    string          `json:"name"`
		Pattern json.RawMessage `json:"pattern"`
		Match   bool            `json:"match"`
	} `json:"cases"`
	Invalid []struct {
		Pattern string `json:"pattern"`
		Error   string `json:"error"`
	} `json:"invalid"`
}

func loadPatternTable(t *testing.T) patternTable {
	t.Helper()
	raw, err := os.ReadFile("testdata/patterns.json")
	if err != nil {
		t.Fatal(err)
	}
	var tab patternTable
	if err := json.Unmarshal(raw, &tab); err != nil {
		t.Fatal(err)
	}
	return tab
}

func TestPatternOperators(t *testing.T) {
	tab := loadPatternTable(t)
	doc, err := decodeJSON(tab.Event)
	if err != nil {
		t.Fatal(err)
	}
	event := doc.(map[string]any)
	for _, c := range tab.Cases {
		t.Run(c.Name, func(t *testing.T) {
			p, err := compilePattern(string(c.Pattern))
			if err != nil {
				t.Fatalf("compile %s: %v", c.Pattern, err)
			}
			if got := p.matches(event); got != c.Match {
				t.Errorf("pattern %s: match = %v, want %v", c.Pattern, got, c.Match)
			}
		})
	}
}

func TestPatternValidation(t *testing.T) {
	tab := loadPatternTable(t)
	for _, c := range tab.Invalid {
		_, err := compilePattern(c.Pattern)
		if err == nil {
			t.Errorf("pattern %s compiled, want error %q", c.Pattern, c.Error)
			continue
		}
		if !strings.Contains(err.Error(), c.Error) {
			t.Errorf("pattern %s: error %q, want it to contain %q", c.Pattern, err, c.Error)
		}
	}
}

func TestWildcardMatch(t *testing.T) {
	cases := []struct {
		pattern, value string
		want           bool
	}{
		{"*", "", true},
		{"a*", "a", true},
		{"*a", "ba", true},
		{"a*a", "a", false},
		{"a*a", "aa", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "acb", false},
		{"*b*b*", "abab", true},
		{"*bb*", "abab", false},
		{"ab*ba", "aba", false},
		{`\*`, "*", true},
		{`\\`, `\`, true},
	}
	for _, c := range cases {
		w, err := parseWildcard(c.pattern)
		if err != nil {
			t.Fatalf("%q: %v", c.pattern, err)
		}
		if got := w.match(c.value); got != c.want {
			t.Errorf("%q against %q = %v, want %v", c.pattern, c.value, got, c.want)
		}
	}
}

func TestFoldAffixes(t *testing.T) {
	if !hasPrefixFold("ÄPFEL", "äp") || hasPrefixFold("Äp", "äpf") || !hasSuffixFold("KELVIN", "\u212aelvin") {
		t.Error("case-folded affixes")
	}
	if !hasPrefixFold("x", "") || !hasSuffixFold("", "") {
		t.Error("empty affixes match")
	}
}

func TestJSONPath(t *testing.T) {
	doc, _ := decodeJSON([]byte(`{"a":{"b":[{"c":"x"},{"c":"y"}],"d e":1}}`))
	cases := []struct {
		path  string
		want  string
		found bool
	}{
		{"$", `{"a":{"b":[{"c":"x"},{"c":"y"}],"d e":1}}`, true},
		{"$.a.b[1].c", `"y"`, true},
		{"$.a['d e']", `1`, true},
		{"$.a.b[2]", "", false},
		{"$.a.x", "", false},
		{"$.a.b.c", "", false},
	}
	for _, c := range cases {
		p, ok := parseJSONPath(c.path)
		if !ok {
			t.Fatalf("%s does not parse", c.path)
		}
		v, found := p.eval(doc)
		if found != c.found || found && marshalJSON(v) != c.want {
			t.Errorf("%s = %s %v, want %s %v", c.path, marshalJSON(v), found, c.want, c.found)
		}
	}
	for _, bad := range []string{"", "a.b", "$.", "$..a", "$[x]", "$[-1]", "$.a[", "$a"} {
		if _, ok := parseJSONPath(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestRenderTemplate(t *testing.T) {
	doc, _ := decodeJSON([]byte(`{"detail":{"id":"i-1","n":3,"q":"say \"hi\"","o":{"k":true}}}`))
	c := &templateContext{
		event: doc, eventJSON: `{"e":1}`, ruleArn: "arn:r", ruleName: "r", ingestion: "2024-01-01T00:00:00Z",
		paths: map[string]jsonPath{},
	}
	for k, v := range map[string]string{"id": "$.detail.id", "n": "$.detail.n", "q": "$.detail.q", "o": "$.detail.o", "gone": "$.detail.gone"} {
		p, _ := parseJSONPath(v)
		c.paths[k] = p
	}
	cases := []struct{ tmpl, want string }{
		{`{"instance": <id>, "count": <n>}`, `{"instance": "i-1", "count": 3}`},
		{`{"msg": "instance <id> has <n> and <o>"}`, `{"msg": "instance i-1 has 3 and {\"k\":true}"}`},
		{`"<id> is <q>"`, `"i-1 is say \"hi\""`},
		{`{"x": <gone>, "y": "<gone>"}`, `{"x": null, "y": ""}`},
		{`{"rule": "<aws.events.rule-name>", "arn": <aws.events.rule-arn>, "e": <aws.events.event>}`, `{"rule": "r", "arn": "arn:r", "e": {"e":1}}`},
		{`{"raw": "<aws.events.event.json>"}`, `{"raw": "{\"e\":1}"}`},
		{`a < b and <unknown> "<\"x>"`, `a < b and <unknown> "<\"x>"`},
	}
	for _, tc := range cases {
		if got := renderTemplate(tc.tmpl, c); got != tc.want {
			t.Errorf("render %s\n got %s\nwant %s", tc.tmpl, got, tc.want)
		}
	}
}
