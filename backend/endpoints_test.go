package backend_test

import (
	"maps"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// endpointConfig has a profile with its own endpoint_url and a services
// section that sends s3 and sqs elsewhere.
const endpointConfig = `
[profile dev]
region = us-east-1
endpoint_url = http://profile.example:1
services = dev-services

[services dev-services]
s3 =
  endpoint_url = http://s3-section.example:2
sqs =
  endpoint_url = http://sqs-section.example:3
`

const devCredentials = "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = dev-secret\n"

// clearEndpointEnv unsets the endpoint variables a developer's shell may
// hold, for the test. Unset, not empty: the SDK takes an empty
// AWS_ENDPOINT_URL_S3 as set.
func clearEndpointEnv(t *testing.T) {
	t.Helper()
	vars := []string{"AWS_ENDPOINT_URL", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"}
	for _, svc := range []string{"KINESIS", "SQS", "S3", "CLOUDWATCH", "PIPES", "LAMBDA", "EVENTBRIDGE", "STS"} {
		vars = append(vars, "AWS_ENDPOINT_URL_"+svc)
	}
	for _, v := range vars {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
}

func openDev(t *testing.T, env backend.Env) *backend.Session {
	t.Helper()
	s, err := backend.Open(t.Context(), profileNamed(t, "dev"), env)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestEndpointsFollowAWSPrecedence checks each service's endpoint against
// AWS's order: the service's variable, then AWS_ENDPOINT_URL, then the
// services section, then the profile's endpoint_url; sluice's own
// endpoint over all, and none under AWS_IGNORE_CONFIGURED_ENDPOINT_URLS.
func TestEndpointsFollowAWSPrecedence(t *testing.T) {
	home := awsHome(t, endpointConfig)
	writeCredentials(t, home, devCredentials)
	clearEndpointEnv(t)
	t.Setenv("AWS_ENDPOINT_URL_SQS", "http://sqs-env.example:4")
	t.Setenv("AWS_ENDPOINT_URL_EVENTBRIDGE", "http://events-env.example:5")
	t.Setenv("AWS_ENDPOINT_URL_CLOUDWATCH", "http://cw-env.example:6")
	t.Setenv("AWS_ENDPOINT_URL_PIPES", "http://pipes-env.example:7")
	profile := "http://profile.example:1"
	want := map[string]string{
		"kinesis": profile, "lambda": profile, "sts": profile,
		"s3":          "http://s3-section.example:2", // the services section beats the profile's endpoint_url
		"sqs":         "http://sqs-env.example:4",    // the service's variable beats the services section
		"eventbridge": "http://events-env.example:5",
		"cloudwatch":  "http://cw-env.example:6",
		"pipes":       "http://pipes-env.example:7",
	}
	s := openDev(t, backend.Env{})
	if got := s.Endpoints(); !maps.Equal(got, want) {
		t.Errorf("endpoints\n got %v\nwant %v", got, want)
	}
	if s.Endpoint != "" || s.EndpointOf("Pipes") != want["pipes"] || s.EndpointOf("events") != want["eventbridge"] {
		t.Errorf("Endpoint %q, pipes %q, events %q", s.Endpoint, s.EndpointOf("Pipes"), s.EndpointOf("events"))
	}
	summary := s.EndpointSummary()
	for _, part := range []string{"http://profile.example:1 ", "s3=http://s3-section.example:2", "sqs=http://sqs-env.example:4", "pipes=http://pipes-env.example:7"} {
		if !strings.Contains(summary+" ", part) {
			t.Errorf("summary %q lacks %q", summary, part)
		}
	}

	// AWS_ENDPOINT_URL beats the services section and the profile, not a
	// service's own variable.
	t.Setenv("AWS_ENDPOINT_URL", "http://global.example:8")
	s = openDev(t, backend.Env{})
	for svc, ep := range map[string]string{"kinesis": "http://global.example:8", "s3": "http://global.example:8", "sqs": "http://sqs-env.example:4"} {
		if got := s.EndpointOf(svc); got != ep {
			t.Errorf("with AWS_ENDPOINT_URL, %s = %q, want %q", svc, got, ep)
		}
	}

	// sluice's --endpoint-url covers every service.
	s = openDev(t, backend.Env{Endpoint: "http://sluice.example:9"})
	if s.Endpoint != "http://sluice.example:9" || s.EndpointOf("sqs") != s.Endpoint || s.EndpointSummary() != s.Endpoint {
		t.Errorf("override: Endpoint %q, sqs %q, summary %q", s.Endpoint, s.EndpointOf("sqs"), s.EndpointSummary())
	}

	// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS leaves every service on AWS.
	t.Setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
	s = openDev(t, backend.Env{})
	if got := s.Endpoints(); len(got) != 0 || s.CustomEndpoint("s3") || s.EndpointSummary() != "" {
		t.Errorf("ignored configured endpoints, still got %v", got)
	}

	// sluice profiles reads the same, without opening a session.
	os.Unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
	os.Unsetenv("AWS_ENDPOINT_URL")
	got, err := backend.ProfileEndpoints(t.Context(), profileNamed(t, "dev"), "")
	if err != nil || !maps.Equal(got, want) {
		t.Errorf("ProfileEndpoints = %v, %v; want %v", got, err, want)
	}
}

func TestDescribeEndpoints(t *testing.T) {
	all := func(url string) map[string]string {
		m := map[string]string{}
		for _, svc := range backend.Services {
			m[svc] = url
		}
		return m
	}
	mixed := all("http://a")
	mixed["s3"] = "http://b"
	delete(mixed, "sts")
	for _, c := range []struct {
		eps  map[string]string
		want string
	}{
		{nil, ""},
		{all("http://a"), "http://a"},
		{mixed, "http://a s3=http://b sts=aws"},
		{map[string]string{"s3": "http://b", "sqs": "http://b"}, "sqs,s3=http://b"},
	} {
		if got := backend.DescribeEndpoints(c.eps); got != c.want {
			t.Errorf("DescribeEndpoints(%v) = %q, want %q", c.eps, got, c.want)
		}
	}
}

// localhostURL names the loopback address as localhost, where a
// virtual-hosted bucket would be <bucket>.localhost.
func localhostURL(u string) string { return strings.Replace(u, "127.0.0.1", "localhost", 1) }

// TestS3GoesPathStyleToACustomS3Endpoint sends only S3 to the engine,
// through AWS_ENDPOINT_URL_S3, for a profile with static keys: bucket
// calls must go path style, as a custom endpoint has no bucket hosts.
func TestS3GoesPathStyleToACustomS3Endpoint(t *testing.T) {
	home := awsHome(t, "[profile dev]\nregion = us-east-1\n")
	writeCredentials(t, home, devCredentials)
	clearEndpointEnv(t)
	e := enginetest.Start(t)
	p := faultproxy.Start(t, e.URL)
	t.Setenv("AWS_ENDPOINT_URL_S3", localhostURL(p.URL))
	s := openDev(t, backend.Env{HTTPClient: enginetest.HTTPClient()})
	ctx := t.Context()
	if _, err := s.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("orders-archive")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("orders-archive"), Key: aws.String("k.json"), Body: strings.NewReader("{}")}); err != nil {
		t.Fatal(err)
	}
	out, err := s.S3().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("orders-archive"), Key: aws.String("k.json")})
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	seen := p.Seen(func(r faultproxy.Request) bool { return r.Service == "s3" })
	if len(seen) != 3 {
		t.Fatalf("%d S3 requests reached the endpoint, want 3", len(seen))
	}
	for _, r := range seen {
		if !strings.HasPrefix(r.Path, "/orders-archive") {
			t.Errorf("%s %s: not path style", r.Method, r.Path)
		}
	}
	if s.EndpointOf("s3") != localhostURL(p.URL) || s.CustomEndpoint("kinesis") {
		t.Errorf("endpoints %v", s.Endpoints())
	}
}

// TestA404FromACustomServiceEndpointIsNotServed: Pipes alone goes to an
// endpoint that lacks it (a bare 404); that reads as "not served", while
// the same answer from a service on AWS's own endpoint would not.
func TestA404FromACustomServiceEndpointIsNotServed(t *testing.T) {
	home := awsHome(t, "[profile dev]\nregion = us-east-1\n")
	writeCredentials(t, home, devCredentials)
	clearEndpointEnv(t)
	e := enginetest.Start(t)
	p := faultproxy.Start(t, e.URL)
	p.Add(&faultproxy.Rule{Service: "pipes", Fault: faultproxy.NotFound404()})
	t.Setenv("AWS_ENDPOINT_URL_PIPES", p.URL)
	s := openDev(t, backend.Env{HTTPClient: enginetest.HTTPClient()})
	_, err := s.Pipes().ListPipes(t.Context(), &pipes.ListPipesInput{})
	if err == nil {
		t.Fatal("ListPipes succeeded through a 404")
	}
	if k := s.Classify("pipes", err); k != backend.FailNotServed {
		t.Errorf("pipes at a custom endpoint: %s (%v), want %s", k, err, backend.FailNotServed)
	}
	if f := s.Failure("pipes", "", err); f.Kind != backend.FailNotServed {
		t.Errorf("failure %+v", f)
	}
	if k := s.Classify("kinesis", err); k == backend.FailNotServed {
		t.Errorf("a 404 for a service on AWS's endpoint read as not served")
	}
}
