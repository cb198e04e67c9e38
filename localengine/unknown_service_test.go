package localengine_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/sluicehq/sluice/localengine/enginetest"
)

func TestUnknownServiceIsNamedNotTakenForS3(t *testing.T) {
	e := enginetest.Start(t)
	_, err := lambda.NewFromConfig(e.Config()).ListEventSourceMappings(context.Background(), &lambda.ListEventSourceMappingsInput{})
	if got := errorCode(t, err); got != "UnknownOperationException" {
		t.Fatalf("lambda answered %s, want UnknownOperationException", got)
	}
	if !strings.Contains(err.Error(), "the sluice engine does not serve lambda") {
		t.Errorf("message does not name the service: %v", err)
	}

	resp, body := signedAs(t, http.MethodGet, e.URL+"/2015-03-31/event-source-mappings/", "lambda", "", "")
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("X-Amzn-ErrorType") != "UnknownOperationException" ||
		body != `{"__type":"UnknownOperationException","message":"the sluice engine does not serve lambda"}` {
		t.Errorf("raw lambda request: %d %v %s", resp.StatusCode, resp.Header, body)
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
	_, err := lambda.NewFromConfig(withCreds(e, "AKIDOTHER", "nope")).ListEventSourceMappings(context.Background(), &lambda.ListEventSourceMappingsInput{})
	if got := errorCode(t, err); got != "UnknownOperationException" {
		t.Fatalf("lambda answered %s, want UnknownOperationException", got)
	}
}
