package localengine_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

func TestGetCallerIdentityThroughTheSDK(t *testing.T) {
	e := enginetest.Start(t)
	ctx := context.Background()
	for _, region := range []string{"us-east-1", "eu-west-1", "ap-southeast-2"} {
		cfg := e.Config()
		cfg.Region = region
		out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("%s: %v", region, err)
		}
		if got := aws.ToString(out.Account); got != "000000000000" {
			t.Errorf("%s: account %q", region, got)
		}
		if got := aws.ToString(out.Arn); got != "arn:aws:iam::000000000000:root" {
			t.Errorf("%s: arn %q", region, got)
		}
		if got := aws.ToString(out.UserId); got != "000000000000" {
			t.Errorf("%s: user id %q", region, got)
		}
	}
	if _, err := e.STS().GetCallerIdentity(ctx, nil); err != nil {
		t.Fatalf("helper client: %v", err)
	}
}

func TestSTSAnswersOnlyGetCallerIdentity(t *testing.T) {
	e := enginetest.Start(t)
	_, err := e.STS().GetSessionToken(context.Background(), &sts.GetSessionTokenInput{})
	if got := errorCode(t, err); got != "InvalidAction" {
		t.Fatalf("GetSessionToken answered %s, want InvalidAction", got)
	}
	if !strings.Contains(err.Error(), "answers only STS GetCallerIdentity") {
		t.Errorf("message does not say what is served: %v", err)
	}

	// Unsigned requests (served with --allow-unsigned) are STS's when
	// they name its version.
	e = enginetest.Start(t, enginetest.WithOptions(func(o *localengine.Options) { o.AllowUnsigned = true }))
	const form = "application/x-www-form-urlencoded"
	status, _, body := postUnsigned(t, e.URL+"/", "", form, "Action=AssumeRole&Version=2011-06-15&RoleArn=x&RoleSessionName=s")
	for _, want := range []string{"<ErrorResponse>", "<Type>Sender</Type>", "<Code>InvalidAction</Code>", "&#34;AssumeRole&#34;", "<RequestId>"} {
		if status != http.StatusBadRequest || !strings.Contains(body, want) {
			t.Errorf("unsigned AssumeRole: %d %s lacks %s", status, body, want)
		}
	}
	status, _, body = postUnsigned(t, e.URL+"/", "", form, "Action=GetCallerIdentity&Version=2011-06-15")
	for _, want := range []string{`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">`,
		"<GetCallerIdentityResult><Arn>arn:aws:iam::000000000000:root</Arn>", "<Account>000000000000</Account>",
		"<ResponseMetadata><RequestId>"} {
		if status != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("unsigned GetCallerIdentity: %d %s lacks %s", status, body, want)
		}
	}
}

func TestStrictAuthGuardsSTS(t *testing.T) {
	e := strictEngine(t)
	ctx := context.Background()
	if _, err := e.STS().GetCallerIdentity(ctx, nil); err != nil {
		t.Fatalf("right key: %v", err)
	}
	for _, tc := range []struct{ name, key, secret, want string }{
		{"wrong secret", "AKIDTEST", "nope", "SignatureDoesNotMatch"},
		{"unknown key", "AKIDOTHER", "secret", "InvalidClientTokenId"},
	} {
		_, err := sts.NewFromConfig(withCreds(e, tc.key, tc.secret)).GetCallerIdentity(ctx, nil)
		if got := errorCode(t, err); got != tc.want {
			t.Errorf("%s: answered %s, want %s", tc.name, got, tc.want)
		}
	}
	status, _, body := postUnsigned(t, e.URL+"/", "", "application/x-www-form-urlencoded", "Action=GetCallerIdentity&Version=2011-06-15")
	if status != http.StatusForbidden || !strings.Contains(body, "<Code>MissingAuthenticationToken</Code>") {
		t.Errorf("unsigned under strict auth: %d %s", status, body)
	}
}

// signedAs sends a request whose signature names service; the lenient
// engine takes any signature.
func signedAs(t *testing.T, method, url, service, contentType, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/eu-west-1/"+service+
		"/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	req.Header.Set("X-Amz-Date", "20260101T000000Z")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}
