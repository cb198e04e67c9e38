package localengine_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/localengine/enginetest"
)

func TestUnknownServiceIsNamedNotTakenForS3(t *testing.T) {
	e := enginetest.Start(t)
	// A REST-JSON service the engine lacks (API Gateway).
	resp, body := signedAs(t, http.MethodGet, e.URL+"/restapis", "apigateway", "", "")
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("X-Amzn-ErrorType") != "UnknownOperationException" ||
		body != `{"__type":"UnknownOperationException","message":"the sluice engine does not serve apigateway"}` {
		t.Errorf("raw apigateway request: %d %v %s", resp.StatusCode, resp.Header, body)
	}

	// Query-protocol clients read only XML errors.
	resp, body = signedAs(t, http.MethodPost, e.URL+"/", "iam", "application/x-www-form-urlencoded", "Action=ListUsers&Version=2010-05-08")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "<Code>UnknownOperationException</Code>") ||
		!strings.Contains(body, "does not serve iam") {
		t.Errorf("iam query request: %d %s", resp.StatusCode, body)
	}

	// Kinesis is served, but only by X-Amz-Target: without one the answer
	// is Kinesis's JSON error, not S3's.
	resp, body = signedAs(t, http.MethodPost, e.URL+"/", "kinesis", "application/x-amz-json-1.1", "{}")
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("X-Amzn-ErrorType") != "UnknownOperationException" {
		t.Errorf("kinesis without target: %d %s", resp.StatusCode, body)
	}
}

func TestUnknownServiceAnswersTheSameUnderStrictAuth(t *testing.T) {
	e := strictEngine(t)
	// signedAs's signature is not valid: the answer is the same.
	resp, body := signedAs(t, http.MethodGet, e.URL+"/restapis", "apigateway", "", "")
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("X-Amzn-ErrorType") != "UnknownOperationException" {
		t.Fatalf("apigateway answered %d %s, want UnknownOperationException", resp.StatusCode, body)
	}
}
