package s3_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// crashChildEnv makes the test binary serve an engine on the named data
// directory until it is killed, for TestSIGKILLDurability.
const crashChildEnv = "SLUICE_S3_CRASH_CHILD_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		runCrashChild(dir)
	}
	os.Exit(m.Run())
}

func runCrashChild(dir string) {
	eng, err := localengine.Open(localengine.Options{DataDir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if _, err := eng.Start(ln); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Printf("URL http://%s\n", ln.Addr())
	// Serve until killed; a deadline stops a child whose parent vanished.
	time.Sleep(2 * time.Minute)
	os.Exit(3)
}

// TestSIGKILLDurability kills an engine process with SIGKILL right after its
// answers and checks that every acknowledged write is there on restart.
func TestSIGKILLDurability(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "URL ") {
		t.Fatalf("child: %q %v", line, err)
	}
	url := strings.TrimSpace(strings.TrimPrefix(line, "URL "))
	c := s3.NewFromConfig(aws.Config{
		Region:                     "us-east-1",
		Credentials:                credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		BaseEndpoint:               aws.String(url),
		RetryMaxAttempts:           1,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	}, func(o *s3.Options) { o.UsePathStyle = true })

	mkBucket(t, c, "crash")

	bodies := map[string][]byte{}
	for i := 0; i < 40; i++ {
		bodies[fmt.Sprintf("small-%02d", i)] = []byte(fmt.Sprintf("small body %d", i))
	}
	for i := 0; i < 3; i++ {
		bodies[fmt.Sprintf("large-%d", i)] = bytes.Repeat([]byte{byte('a' + i)}, (i+1)<<20)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(bodies))
	for k, b := range bodies {
		wg.Add(1)
		go func(k string, b []byte) {
			defer wg.Done()
			_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("crash"), Key: aws.String(k), Body: bytes.NewReader(b)})
			errs <- err
		}(k, b)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Every answer is in: kill at once, with no chance to flush anything.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	killed = true

	_, c = start(t, enginetest.WithOptions(func(o *localengine.Options) { o.DataDir = dir }))
	for k, want := range bodies {
		if got := get(t, c, "crash", k); !bytes.Equal(got, want) {
			t.Fatalf("%s after SIGKILL: %d bytes, want %d", k, len(got), len(want))
		}
	}
}
