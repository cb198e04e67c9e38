package lambda

import (
	"errors"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/sluicehq/sluice/localengine/store"
)

// FuzzRequest: any body or query on any route is answered with a result
// or a Lambda error of a client status, never a panic or a 500; whatever
// is created reads back.
func FuzzRequest(f *testing.F) {
	f.Add("POST", "", `{"FunctionName":"f","EventSourceArn":"arn:aws:kinesis:us-east-1:000000000000:stream/s","StartingPosition":"LATEST"}`, "")
	f.Add("POST", "", `{"FunctionName":"arn:aws:lambda:us-east-1:1:function:f","EventSourceArn":"arn:aws:sqs:us-east-1:1:q","BatchSize":-5}`, "")
	f.Add("PUT", "/x", `{"Enabled":false,"MaximumRecordAgeInSeconds":59}`, "")
	f.Add("GET", "", "", "MaxItems=0&Marker=zz&FunctionName=arn:aws:lambda")
	f.Add("GET", "/%zz", "", "")
	st, err := store.Open(filepath.Join(f.TempDir(), "db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	s, err := New(st, Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(s.Close)
	f.Fuzz(func(t *testing.T, method, suffix, body, query string) {
		q, _ := url.ParseQuery(query)
		status, out, err := s.dispatch(method, mappingsPath+suffix, q, []byte(body), "us-east-1")
		if err != nil {
			var e *apiError
			if !errors.As(err, &e) || e.status < 400 || e.status >= 500 {
				t.Fatalf("%s %s %q: %v", method, suffix, body, err)
			}
			return
		}
		if status != http.StatusOK && status != http.StatusAccepted {
			t.Fatalf("status %d", status)
		}
		if c, ok := out.(configuration); ok && method == http.MethodPost {
			if _, _, err := s.get(c.UUID); err != nil {
				t.Fatalf("created %s does not read back: %v", c.UUID, err)
			}
		}
	})
}
