package replay

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
	"github.com/sluicehq/sluice/localengine/sigv4"
)

// TestCredentialsThatStopWorkingStopTheRun: with a key the engine refuses,
// a bulk replay stops at the first event and says how to fix it, rather
// than failing every event one by one.
func TestCredentialsThatStopWorkingStopTheRun(t *testing.T) {
	e := enginetest.Start(t, enginetest.WithOptions(func(o *localengine.Options) {
		o.StrictAuth = &sigv4.Credentials{AccessKey: "AKIDGOOD", Secret: "good-secret"}
	}))
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(home, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, "credentials"))
	for _, v := range []string{"AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	config := ""
	for name, key := range map[string]string{"good": "AKIDGOOD:good-secret", "stale": "AKIDOLD:old-secret"} {
		creds := filepath.Join(home, name+".json")
		id, secret, _ := strings.Cut(key, ":")
		must(t, os.WriteFile(creds, []byte(`{"Version":1,"AccessKeyId":"`+id+`","SecretAccessKey":"`+secret+`"}`), 0o600))
		config += "[profile " + name + "]\nregion = us-east-1\ncredential_process = cat " + creds + "\n"
	}
	must(t, os.WriteFile(filepath.Join(home, "config"), []byte(config), 0o600))
	open := func(name string) *backend.Session {
		ps, err := backend.AWSProfiles(backend.DefaultAWSConfigFiles())
		must(t, err)
		p, err := backend.FindProfile(ps, name)
		must(t, err)
		s, err := backend.Open(ctxT(t), p, backend.Env{Endpoint: e.URL, HTTPClient: enginetest.HTTPClient()})
		must(t, err)
		return s
	}
	good, stale := open("good"), open("stale")
	loc := backend.ArchiveLocation{Bucket: "archive", Prefix: "failed/"}
	_, err := good.S3().CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String(loc.Bucket)})
	must(t, err)
	var keys []string
	for _, ev := range archiveEvents(t, good, loc, "orders", start, 40) {
		keys = append(keys, archive.Key(loc.Prefix, ev.KeyParts()))
	}
	tg := newTarget(t, nil)
	sum, err := Bulk(ctxT(t), stale, Plan{Archive: loc, Target: httpTarget(tg.URL), Keys: keys}, Options{Concurrency: 2})
	var ce *backend.CredentialsError
	if !errors.As(err, &ce) || ce.Profile != "stale" {
		t.Fatalf("err = %v, want the credentials error", err)
	}
	t.Log(err)
	if sum.Failed > 4 || len(tg.seen()) != 0 {
		t.Fatalf("went on after the first refusal: %d failed, %d sent", sum.Failed, len(tg.seen()))
	}
	if n := len(listAll(t, good, loc, "orders", false)); n != 40 {
		t.Fatalf("%d events left, want 40", n)
	}
}
