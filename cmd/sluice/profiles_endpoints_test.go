package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProfilesShowEachServicesEndpoint: `sluice profiles` says where a
// profile's calls go as the SDK resolves them: the profile's endpoint_url,
// its services section and AWS_ENDPOINT_URL_<SERVICE>; one URL when all
// agree, else per service.
func TestProfilesShowEachServicesEndpoint(t *testing.T) {
	home := isolateInventory(t)
	os.Unsetenv("AWS_ENDPOINT_URL") // set-but-empty hides the services section from S3
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	invWriteFile(t, filepath.Join(home, ".aws", "config"), `[profile stack]
region = us-east-1
endpoint_url = http://localhost:4566
services = stack-services

[services stack-services]
s3 =
  endpoint_url = http://localhost:9000

[profile split]
region = us-east-1
`)
	invWriteFile(t, filepath.Join(home, ".aws", "credentials"), "[stack]\naws_access_key_id = AKID\naws_secret_access_key = s\n")
	t.Setenv("AWS_ENDPOINT_URL_SQS", "http://localhost:9324")
	type row struct {
		Name, Endpoint string
		Endpoints      map[string]string
	}
	byName := map[string]row{}
	for _, r := range invJSON[[]row](t, invMustRun(t, nil, "profiles", "-o", "json")) {
		byName[r.Name] = r
	}
	stack := byName["stack"]
	if stack.Endpoints["s3"] != "http://localhost:9000" || stack.Endpoints["sqs"] != "http://localhost:9324" || stack.Endpoints["kinesis"] != "http://localhost:4566" {
		t.Errorf("stack endpoints %v", stack.Endpoints)
	}
	if stack.Endpoint != "http://localhost:4566 s3=http://localhost:9000 sqs=http://localhost:9324" {
		t.Errorf("stack endpoint %q", stack.Endpoint)
	}
	if split := byName["split"]; split.Endpoint != "sqs=http://localhost:9324" || len(split.Endpoints) != 1 {
		t.Errorf("split: %+v", split)
	}
	out := invMustRun(t, nil, "profiles")
	if !strings.Contains(out, "s3=http://localhost:9000") {
		t.Errorf("the table does not show the S3 endpoint:\n%s", out)
	}
}
