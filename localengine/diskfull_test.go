package localengine_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// smallDisk mounts a tmpfs of size bytes for the test: a real file system
// that fills up. It needs root (mount); the test is skipped without it.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// fill writes a file in dir until the file system is full.
func fill(t *testing.T, dir string) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return
		}
	}
}

// TestFullDiskStartsReadOnly: an engine crashed (SIGKILL) on a disk that is
// now full. It used to refuse to start ("write address file: no space left
// on device"), locking the user out of the data; it must start, serve
// reads, refuse writes with a clear error, and say why.
func TestFullDiskStartsReadOnly(t *testing.T) {
	mnt := smallDisk(t, "8m")
	dir := filepath.Join(mnt, "data")
	ctx := context.Background()

	child, url := enginetest.StartChild(t, dir)
	cfg := clientConfig(url)
	streams, queues := kinesis.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	buckets := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := streams.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("full"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := streams.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("full"), PartitionKey: aws.String("k"), Data: []byte("kept")}); err != nil {
		t.Fatal(err)
	}
	q, err := queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("full")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := buckets.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("full")}); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("b"), 300<<10) // a blob file, not inline
	for key, body := range map[string][]byte{"small": []byte("small"), "big": big} {
		if _, err := buckets.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("full"), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	fill(t, mnt)

	var logs bytes.Buffer
	var logMu = &lockedWriter{w: &logs}
	eng, err := localengine.Open(localengine.Options{DataDir: dir, Logger: newTextLogger(logMu)})
	if err != nil {
		t.Fatalf("open on a full disk: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served, err := eng.Start(ln)
	if err != nil {
		_ = eng.Shutdown(ctx)
		t.Fatalf("start on a full disk: %v", err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = eng.Shutdown(sctx)
		<-served
	})
	why := eng.ReadOnly()
	if why == nil || !strings.Contains(why.Error(), "disk is full") {
		t.Fatalf("ReadOnly() = %v, want the disk-full reason", why)
	}
	if !strings.Contains(logMu.String(), "disk is full") {
		t.Errorf("the engine did not log why it is read-only: %q", logMu.String())
	}
	url = "http://" + ln.Addr().String()
	if a, err := localengine.ReadAddress(dir); err != nil || a.URL != url {
		t.Errorf("address file on the full disk: %+v %v, want %s", a, err, url)
	}

	cfg = clientConfig(url)
	streams, queues = kinesis.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	buckets = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })

	// Reads are served.
	if got := readAllRecords(t, streams, "full"); got["kept"] != 1 {
		t.Errorf("records read from the full disk: %v", got)
	}
	if _, err := queues.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl}); err != nil {
		t.Errorf("GetQueueAttributes: %v", err)
	}
	list, err := buckets.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("full")})
	if err != nil || len(list.Contents) != 2 {
		t.Errorf("ListObjectsV2: %v %v", list, err)
	}
	for key, want := range map[string][]byte{"small": []byte("small"), "big": big} {
		out, err := buckets.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("full"), Key: aws.String(key)})
		if err != nil {
			t.Errorf("GetObject %s: %v", key, err)
			continue
		}
		got, _ := io.ReadAll(out.Body)
		_ = out.Body.Close()
		if !bytes.Equal(got, want) {
			t.Errorf("GetObject %s: %d bytes, want %d", key, len(got), len(want))
		}
	}

	// Writes are refused, saying why.
	refused := func(what string, err error) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), "ServiceUnavailable") || !strings.Contains(err.Error(), "disk is full") {
			t.Errorf("%s on the full disk: %v, want ServiceUnavailable: the engine's disk is full", what, err)
		}
	}
	_, err = streams.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("full"),
		Records: []ktypes.PutRecordsRequestEntry{{PartitionKey: aws.String("k"), Data: []byte("new")}}})
	refused("PutRecords", err)
	_, err = queues.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("new")})
	refused("SendMessage", err)
	_, err = buckets.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("full"), Key: aws.String("new"), Body: bytes.NewReader(big)})
	refused("PutObject", err)
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}

func newTextLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
