package backend_test

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// syncBuffer is a log sink the SDK's goroutines may write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func debugLog() (*slog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// captureStderr points os.Stderr at a pipe until the test ends, and
// returns what was written to it so far when called. The SDK's default
// logger takes os.Stderr when the config loads, so this must run before
// Open.
func captureStderr(t *testing.T) func() string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	var out bytes.Buffer
	done := make(chan struct{})
	go func() { _, _ = io.Copy(&out, r); close(done) }()
	restore := sync.OnceFunc(func() {
		os.Stderr = saved
		_ = w.Close()
		<-done
		_ = r.Close()
	})
	t.Cleanup(restore)
	return func() string { restore(); return out.String() }
}

// putObject stores an object (which the engine, like S3 since 2025, gives
// a CRC64NVME checksum).
func putObject(t *testing.T, s *backend.Session, bucket, key string) {
	t.Helper()
	ctx := t.Context()
	if _, err := s.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(`{"order":1}`)}); err != nil {
		t.Fatal(err)
	}
}

// getRange reads the head of an object. A checksum covers the whole
// object, so the engine (as S3) answers a ranged read without one: the
// case where the SDK logs that it cannot validate, as it does for every
// object stored before S3 kept checksums.
func getRange(t *testing.T, s *backend.Session, bucket, key string) {
	t.Helper()
	out, err := s.S3().GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Range: aws.String("bytes=0-7")})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	if b, _ := io.ReadAll(out.Body); string(b) != `{"order"` {
		t.Fatalf("body %q", b)
	}
	if out.ChecksumCRC32 != nil || out.ChecksumCRC32C != nil || out.ChecksumCRC64NVME != nil || out.ChecksumSHA1 != nil || out.ChecksumSHA256 != nil {
		t.Fatalf("the engine answered a ranged read with a checksum: the test needs an answer without one")
	}
}

const skippedChecksum = "Response has no supported checksum"

// TestSDKLogsGoToTheLogNotTheTerminal: what the SDK logs goes to the
// session's log, for the local profile and for an AWS profile alike;
// nothing reaches stderr, the screen the TUI draws on.
func TestSDKLogsGoToTheLogNotTheTerminal(t *testing.T) {
	t.Run("local", func(t *testing.T) {
		e := enginetest.Start(t)
		log, buf := debugLog()
		s := backendtest.OpenOn(t, e, backend.Env{Log: log})
		putObject(t, s, "plain", "a.json")
		getRange(t, s, "plain", "a.json")
		if !strings.Contains(buf.String(), skippedChecksum) || !strings.Contains(buf.String(), "source=aws-sdk") {
			t.Fatalf("the SDK's line is not in the log:\n%s", buf.String())
		}
	})
	t.Run("aws profile", func(t *testing.T) {
		home := awsHome(t, "[profile dev]\nregion = us-east-1\n")
		writeCredentials(t, home, "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = dev-secret\n")
		e := enginetest.Start(t)
		stderr := captureStderr(t)
		log, buf := debugLog()
		s, err := backend.Open(t.Context(), profileNamed(t, "dev"), backend.Env{Endpoint: e.URL, HTTPClient: enginetest.HTTPClient(), Log: log})
		if err != nil {
			t.Fatal(err)
		}
		putObject(t, s, "plain", "a.json")
		getRange(t, s, "plain", "a.json")
		if got := stderr(); got != "" {
			t.Errorf("the SDK wrote to stderr: %q", got)
		}
		if !strings.Contains(buf.String(), skippedChecksum) {
			t.Errorf("the SDK's line is not in the log:\n%s", buf.String())
		}
	})
}

func writeCredentials(t *testing.T, home, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(home, "credentials"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
