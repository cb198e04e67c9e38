package events

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/store"
)

// FuzzPattern feeds arbitrary patterns and events to the compiler and the
// matcher: neither may panic, and a compiled pattern must answer.
func FuzzPattern(f *testing.F) {
	event := `{"source":"s","detail":{"a":[1,{"b":"x"}],"c":"10.0.0.1","d":null}}`
	for _, p := range []string{
		`{"source":["s"]}`,
		`{"detail":{"a":{"b":[{"prefix":"x"}]}}}`,
		`{"detail":{"a":[{"numeric":[">",0,"<=",5]}],"c":[{"cidr":"10.0.0.0/8"}]}}`,
		`{"$or":[{"source":[{"anything-but":{"wildcard":["*x*"]}}]},{"detail":{"d":[null,{"exists":false}]}}]}`,
		`{"detail":{"c":[{"suffix":{"equals-ignore-case":"1"}},{"wildcard":"1\\*0*"}]}}`,
	} {
		f.Add(p, event)
	}
	f.Fuzz(func(t *testing.T, pattern, ev string) {
		p, err := compilePattern(pattern)
		if err != nil {
			var pe patternError
			if !errors.As(err, &pe) {
				t.Fatalf("error of the wrong type: %T %v", err, err)
			}
			return
		}
		doc, err := decodeJSON([]byte(ev))
		if err != nil {
			return
		}
		if obj, ok := doc.(map[string]any); ok {
			p.matches(obj)
		}
	})
}

// FuzzTemplate renders arbitrary InputTransformer templates and paths
// against arbitrary events.
func FuzzTemplate(f *testing.F) {
	f.Add(`{"a": <a>, "b": "<b> and <aws.events.rule-name>"}`, "$.detail.x", `{"detail":{"x":"q\"uote"}}`)
	f.Add(`"<a"`, "$['k']", `{"k":[1,2]}`)
	f.Add(`\"<a>\\"`, "$[0]", `[{"x":1}]`)
	f.Fuzz(func(t *testing.T, tmpl, path, ev string) {
		doc, err := decodeJSON([]byte(ev))
		if err != nil {
			return
		}
		c := &templateContext{event: doc, eventJSON: ev, ruleArn: "arn", ruleName: "r", paths: map[string]jsonPath{}}
		if p, ok := parseJSONPath(path); ok {
			c.paths["a"], c.paths["b"] = p, p
			p.eval(doc)
		}
		renderTemplate(tmpl, c)
	})
}

// fuzzActions are the actions FuzzHandleJSON drives, with a valid body
// each for the seed corpus.
var fuzzActions = []struct{ action, body string }{
	{"CreateEventBus", `{"Name":"b","Tags":[{"Key":"k","Value":"v"}]}`},
	{"DescribeEventBus", `{"Name":"b"}`},
	{"ListEventBuses", `{"NamePrefix":"b","Limit":1}`},
	{"UpdateEventBus", `{"Name":"b","Description":"d"}`},
	{"DeleteEventBus", `{"Name":"b"}`},
	{"PutRule", `{"Name":"r","EventPattern":"{\"source\":[\"s\"]}"}`},
	{"DescribeRule", `{"Name":"r"}`},
	{"ListRules", `{"Limit":2,"NextToken":"bjE6cg"}`},
	{"DeleteRule", `{"Name":"r"}`},
	{"EnableRule", `{"Name":"r"}`},
	{"DisableRule", `{"Name":"r"}`},
	{"ListRuleNamesByTarget", `{"TargetArn":"arn:aws:sqs:us-east-1:000000000000:q"}`},
	{"PutTargets", `{"Rule":"r","Targets":[{"Id":"t","Arn":"arn:aws:sqs:us-east-1:000000000000:q","InputTransformer":{"InputPathsMap":{"a":"$.detail"},"InputTemplate":"<a>"}}]}`},
	{"ListTargetsByRule", `{"Rule":"r"}`},
	{"RemoveTargets", `{"Rule":"r","Ids":["t"]}`},
	{"PutEvents", `{"Entries":[{"Source":"s","DetailType":"t","Detail":"{\"a\":1}","Time":1700000000.5}]}`},
	{"TestEventPattern", `{"EventPattern":"{\"source\":[\"s\"]}","Event":"{\"id\":\"1\",\"account\":\"a\",\"source\":\"s\",\"time\":\"t\",\"region\":\"r\",\"resources\":[],\"detail-type\":\"d\"}"}`},
	{"TagResource", `{"ResourceARN":"arn:aws:events:us-east-1:000000000000:event-bus/default","Tags":[{"Key":"a","Value":"b"}]}`},
	{"UntagResource", `{"ResourceARN":"arn:aws:events:us-east-1:000000000000:event-bus/default","TagKeys":["a"]}`},
	{"ListTagsForResource", `{"ResourceARN":"arn:aws:events:us-east-1:000000000000:rule/r"}`},
	{"CreateConnection", `{"Name":"c","AuthorizationType":"BASIC","AuthParameters":{"BasicAuthParameters":{"Username":"u","Password":"p"}}}`},
	{"DescribeConnection", `{"Name":"c"}`},
	{"ListConnections", `{"ConnectionState":"AUTHORIZED"}`},
	{"UpdateConnection", `{"Name":"c","AuthorizationType":"API_KEY","AuthParameters":{"ApiKeyAuthParameters":{"ApiKeyName":"k","ApiKeyValue":"v"}}}`},
	{"DeauthorizeConnection", `{"Name":"c"}`},
	{"DeleteConnection", `{"Name":"c"}`},
	{"CreateApiDestination", `{"Name":"d","ConnectionArn":"arn:aws:events:us-east-1:000000000000:connection/c/1","InvocationEndpoint":"https://x","HttpMethod":"POST"}`},
	{"DescribeApiDestination", `{"Name":"d"}`},
	{"ListApiDestinations", `{}`},
	{"UpdateApiDestination", `{"Name":"d","InvocationRateLimitPerSecond":5}`},
	{"DeleteApiDestination", `{"Name":"d"}`},
	{"NoSuchAction", `{}`},
}

// FuzzHandleJSON drives every action with arbitrary bodies: each answer is
// a value that encodes, or an *awserr.Error, never a panic.
func FuzzHandleJSON(f *testing.F) {
	for i, a := range fuzzActions {
		f.Add(uint8(i), []byte(a.body))
	}
	st, err := store.Open(filepath.Join(f.TempDir(), "engine.db"))
	if err != nil {
		f.Fatal(err)
	}
	s, err := New(st, Config{RetryBase: time.Millisecond, RetryCap: time.Millisecond})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() {
		s.Close()
		_ = st.Close()
	})
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		a := fuzzActions[int(which)%len(fuzzActions)]
		out, err := s.HandleJSON(regionCtx(), a.action, body)
		if err != nil {
			var ae *awserr.Error
			if !errors.As(err, &ae) || ae.Status < 400 {
				t.Fatalf("%s: error %T %v is not an AWS error", a.action, err, err)
			}
			return
		}
		if _, err := json.Marshal(out); err != nil {
			t.Fatalf("%s: answer does not encode: %v", a.action, err)
		}
	})
}
