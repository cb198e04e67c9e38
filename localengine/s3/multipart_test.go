package s3_test

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

const mib = 1 << 20

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.Uint64())
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

// multipartETag is S3's ETag of a multipart object, computed here
// independently of the engine: the MD5 of the parts' binary MD5s, then
// "-<part count>".
func multipartETag(parts ...[]byte) string {
	h := md5.New()
	for _, p := range parts {
		s := md5.Sum(p)
		h.Write(s[:])
	}
	return `"` + hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts)) + `"`
}

// compositeChecksum is S3's COMPOSITE checksum: the checksum of the parts'
// binary checksums, then "-<part count>".
func compositeChecksum(newHash func() hash.Hash, parts ...[]byte) string {
	outer := newHash()
	for _, p := range parts {
		h := newHash()
		h.Write(p)
		outer.Write(h.Sum(nil))
	}
	return base64.StdEncoding.EncodeToString(outer.Sum(nil)) + "-" + strconv.Itoa(len(parts))
}

func sum64(h hash.Hash, b []byte) string {
	h.Write(b)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func crc64NVME() hash.Hash { return crc64.New(crc64.MakeTable(0x9a6c9329ac4bc9b5)) }

func crc32IEEE() hash.Hash { return crc32.NewIEEE() }

func sha1New() hash.Hash { return sha1.New() }

func createUpload(t testing.TB, c *s3.Client, bucket, key string, fns ...func(*s3.CreateMultipartUploadInput)) string {
	t.Helper()
	in := &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	for _, f := range fns {
		f(in)
	}
	out, err := c.CreateMultipartUpload(ctxT(t), in)
	if err != nil {
		t.Fatalf("create upload %s/%s: %v", bucket, key, err)
	}
	if aws.ToString(out.Bucket) != bucket || aws.ToString(out.Key) != key || aws.ToString(out.UploadId) == "" {
		t.Fatalf("create upload answer: %+v", out)
	}
	return aws.ToString(out.UploadId)
}

func uploadPart(t testing.TB, c *s3.Client, bucket, key, id string, n int32, body []byte, fns ...func(*s3.UploadPartInput)) types.CompletedPart {
	t.Helper()
	in := &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id),
		PartNumber: aws.Int32(n), Body: bytes.NewReader(body)}
	for _, f := range fns {
		f(in)
	}
	out, err := c.UploadPart(ctxT(t), in)
	if err != nil {
		t.Fatalf("upload part %d: %v", n, err)
	}
	if got := aws.ToString(out.ETag); got != md5Hex(body) {
		t.Fatalf("part %d ETag %s, want %s", n, got, md5Hex(body))
	}
	return types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32,
		ChecksumCRC32C: out.ChecksumCRC32C, ChecksumCRC64NVME: out.ChecksumCRC64NVME,
		ChecksumSHA1: out.ChecksumSHA1, ChecksumSHA256: out.ChecksumSHA256}
}

func completeUpload(t testing.TB, c *s3.Client, bucket, key, id string, parts ...types.CompletedPart) *s3.CompleteMultipartUploadOutput {
	t.Helper()
	out, err := c.CompleteMultipartUpload(ctxT(t), &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
		UploadId: aws.String(id), MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		t.Fatalf("complete %s/%s: %v", bucket, key, err)
	}
	return out
}

func blobFiles(t testing.TB, dataDir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dataDir, "s3-blobs"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestMultipartUploadLifecycle(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "mpu")
	p1, p2 := randomBytes(1, 5*mib), randomBytes(2, 1234567)
	id := createUpload(t, c, "mpu", "dir/big object+1", func(in *s3.CreateMultipartUploadInput) {
		in.ContentType = aws.String("application/x-ndjson")
		in.CacheControl = aws.String("no-cache")
		in.Metadata = map[string]string{"origin": "test"}
		in.Tagging = aws.String("kind=multipart")
		in.ChecksumAlgorithm = types.ChecksumAlgorithmCrc32
	})
	cp1 := uploadPart(t, c, "mpu", "dir/big object+1", id, 1, p1)
	cp2 := uploadPart(t, c, "mpu", "dir/big object+1", id, 2, p2)
	if aws.ToString(cp1.ChecksumCRC32) != sum64(crc32IEEE(), p1) {
		t.Fatalf("part 1 CRC32 %s, want %s", aws.ToString(cp1.ChecksumCRC32), sum64(crc32IEEE(), p1))
	}

	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("dir/big object+1"), UploadId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if len(lp.Parts) != 2 || aws.ToInt64(lp.Parts[0].Size) != int64(len(p1)) || aws.ToString(lp.Parts[1].ETag) != md5Hex(p2) ||
		aws.ToString(lp.Parts[1].ChecksumCRC32) != aws.ToString(cp2.ChecksumCRC32) || lp.ChecksumAlgorithm != types.ChecksumAlgorithmCrc32 ||
		lp.ChecksumType != types.ChecksumTypeComposite || aws.ToBool(lp.IsTruncated) || lp.Parts[0].LastModified == nil {
		t.Fatalf("list parts: %+v", lp)
	}
	lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu")})
	if err != nil || len(lu.Uploads) != 1 || aws.ToString(lu.Uploads[0].UploadId) != id || aws.ToString(lu.Uploads[0].Key) != "dir/big object+1" {
		t.Fatalf("list uploads: %+v %v", lu, err)
	}

	out := completeUpload(t, c, "mpu", "dir/big object+1", id, cp1, cp2)
	whole := append(append([]byte(nil), p1...), p2...)
	wantETag := multipartETag(p1, p2)
	wantSum := compositeChecksum(crc32IEEE, p1, p2)
	if aws.ToString(out.ETag) != wantETag || aws.ToString(out.ChecksumCRC32) != wantSum || out.ChecksumType != types.ChecksumTypeComposite ||
		aws.ToString(out.Key) != "dir/big object+1" || !strings.HasSuffix(aws.ToString(out.Location), "/mpu/dir/big%20object+1") {
		t.Fatalf("complete: ETag %s (want %s) CRC32 %s (want %s) type %s location %s", aws.ToString(out.ETag), wantETag,
			aws.ToString(out.ChecksumCRC32), wantSum, out.ChecksumType, aws.ToString(out.Location))
	}

	// The object reads back whole, with the upload's headers.
	g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("dir/big object+1"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(g.Body)
	g.Body.Close()
	if err != nil || !bytes.Equal(got, whole) {
		t.Fatalf("get: %d bytes, want %d: %v", len(got), len(whole), err)
	}
	if aws.ToString(g.ETag) != wantETag || aws.ToString(g.ContentType) != "application/x-ndjson" || aws.ToString(g.CacheControl) != "no-cache" ||
		g.Metadata["origin"] != "test" || aws.ToInt32(g.TagCount) != 1 || aws.ToString(g.ChecksumCRC32) != wantSum ||
		g.ChecksumType != types.ChecksumTypeComposite {
		t.Fatalf("get headers: %+v", g)
	}

	// A range across the part boundary.
	rng := fmt.Sprintf("bytes=%d-%d", len(p1)-100, len(p1)+99)
	g, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("dir/big object+1"), Range: aws.String(rng)})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(g.Body)
	g.Body.Close()
	if !bytes.Equal(got, whole[len(p1)-100:len(p1)+100]) || aws.ToString(g.ContentRange) != fmt.Sprintf("bytes %d-%d/%d", len(p1)-100, len(p1)+99, len(whole)) {
		t.Fatalf("range across parts: %d bytes, Content-Range %s", len(got), aws.ToString(g.ContentRange))
	}

	// One part by number, with its own checksum.
	g, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("dir/big object+1"), PartNumber: aws.Int32(2), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	got, err = io.ReadAll(g.Body)
	g.Body.Close()
	if err != nil || !bytes.Equal(got, p2) || aws.ToInt32(g.PartsCount) != 2 || aws.ToString(g.ChecksumCRC32) != sum64(crc32IEEE(), p2) {
		t.Fatalf("part 2: %d bytes, parts %d, CRC32 %s: %v", len(got), aws.ToInt32(g.PartsCount), aws.ToString(g.ChecksumCRC32), err)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpu"), Key: aws.String("dir/big object+1"), PartNumber: aws.Int32(3)})
	wantCode(t, err, "RequestedRangeNotSatisfiable", 416)
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpu"), Key: aws.String("dir/big object+1"), PartNumber: aws.Int32(1)})
	if err != nil || aws.ToInt64(h.ContentLength) != int64(len(p1)) || aws.ToInt32(h.PartsCount) != 2 {
		t.Fatalf("head part 1: %+v %v", h, err)
	}

	// Listing and copying see an ordinary object.
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("mpu")})
	if err != nil || len(list.Contents) != 1 || aws.ToString(list.Contents[0].ETag) != wantETag || aws.ToInt64(list.Contents[0].Size) != int64(len(whole)) ||
		list.Contents[0].ChecksumType != types.ChecksumTypeComposite {
		t.Fatalf("list: %+v %v", list, err)
	}
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("mpu"), Key: aws.String("copy"), CopySource: aws.String("mpu/dir/big%20object%2B1")})
	if err != nil || aws.ToString(cp.CopyObjectResult.ETag) != md5Hex(whole) {
		t.Fatalf("copy: %+v %v", cp, err)
	}
	if got := get(t, c, "mpu", "copy"); !bytes.Equal(got, whole) {
		t.Fatalf("copy body: %d bytes", len(got))
	}

	// The upload is gone, and so are its part files: one blob per object.
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("dir/big object+1"), UploadId: aws.String(id)})
	wantCode(t, err, "NoSuchUpload", 404)
	lu, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu")})
	if err != nil || len(lu.Uploads) != 0 {
		t.Fatalf("uploads after completion: %+v %v", lu, err)
	}
	if files := blobFiles(t, e.DataDir()); len(files) != 2 {
		t.Fatalf("blob files after completion: %v", files)
	}
}

// TestMultipartDefaultChecksum checks S3's default for uploads created
// without a checksum algorithm: a full-object CRC64NVME, here combined from
// the parts' CRCs, which the SDK validates against the whole body.
func TestMultipartDefaultChecksum(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "mpu")
	p1, p2, p3 := randomBytes(3, 5*mib), randomBytes(4, 5*mib+17), randomBytes(5, 999)
	id := createUpload(t, c, "mpu", "k")
	parts := []types.CompletedPart{
		uploadPart(t, c, "mpu", "k", id, 1, p1),
		uploadPart(t, c, "mpu", "k", id, 2, p2, func(in *s3.UploadPartInput) { in.ChecksumAlgorithm = types.ChecksumAlgorithmSha256 }),
		uploadPart(t, c, "mpu", "k", id, 3, p3),
	}
	out := completeUpload(t, c, "mpu", "k", id, parts...)
	whole := bytes.Join([][]byte{p1, p2, p3}, nil)
	want := sum64(crc64NVME(), whole)
	if aws.ToString(out.ChecksumCRC64NVME) != want || out.ChecksumType != types.ChecksumTypeFullObject || aws.ToString(out.ETag) != multipartETag(p1, p2, p3) {
		t.Fatalf("complete: CRC64NVME %s (want %s) type %s ETag %s", aws.ToString(out.ChecksumCRC64NVME), want, out.ChecksumType, aws.ToString(out.ETag))
	}
	g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("k"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(g.Body) // validated by the SDK as it reads
	g.Body.Close()
	if err != nil || !bytes.Equal(got, whole) || aws.ToString(g.ChecksumCRC64NVME) != want {
		t.Fatalf("get: %d bytes, CRC64NVME %s: %v", len(got), aws.ToString(g.ChecksumCRC64NVME), err)
	}
}

func TestMultipartFullObjectChecksum(t *testing.T) {
	_, c := start(t)
	mkBucket(t, c, "mpu")
	p1, p2 := randomBytes(6, 5*mib+3), randomBytes(7, 4096)
	id := createUpload(t, c, "mpu", "k", func(in *s3.CreateMultipartUploadInput) {
		in.ChecksumAlgorithm = types.ChecksumAlgorithmCrc32c
		in.ChecksumType = types.ChecksumTypeFullObject
	})
	cp1 := uploadPart(t, c, "mpu", "k", id, 1, p1, func(in *s3.UploadPartInput) { in.ChecksumAlgorithm = types.ChecksumAlgorithmCrc32c })
	cp2 := uploadPart(t, c, "mpu", "k", id, 2, p2, func(in *s3.UploadPartInput) { in.ChecksumAlgorithm = types.ChecksumAlgorithmCrc32c })
	whole := append(append([]byte(nil), p1...), p2...)
	want := sum64(crc32.New(crc32.MakeTable(crc32.Castagnoli)), whole)
	out, err := c.CompleteMultipartUpload(ctxT(t), &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("k"),
		UploadId: aws.String(id), MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{cp1, cp2}},
		ChecksumCRC32C: aws.String(want), ChecksumType: types.ChecksumTypeFullObject, MpuObjectSize: aws.Int64(int64(len(whole)))})
	if err != nil || aws.ToString(out.ChecksumCRC32C) != want || out.ChecksumType != types.ChecksumTypeFullObject {
		t.Fatalf("complete: %+v %v", out, err)
	}
	h, err := c.HeadObject(ctxT(t), &s3.HeadObjectInput{Bucket: aws.String("mpu"), Key: aws.String("k"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil || aws.ToString(h.ChecksumCRC32C) != want || h.ChecksumType != types.ChecksumTypeFullObject {
		t.Fatalf("head: %+v %v", h, err)
	}
}

func TestMultipartErrors(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "mpu")
	const bogus = "00000000000000000000000000000000"

	_, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("nope"), Key: aws.String("k")})
	wantCode(t, err, "NoSuchBucket", 404)
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("k"), UploadId: aws.String(bogus),
		PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("x"))})
	wantCode(t, err, "NoSuchUpload", 404)
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("k"), UploadId: aws.String("not-an-id")})
	wantCode(t, err, "NoSuchUpload", 404)
	_, err = c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("k"), UploadId: aws.String(bogus)})
	wantCode(t, err, "NoSuchUpload", 404)
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("k"), UploadId: aws.String(bogus),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(`"x"`)}}}})
	wantCode(t, err, "NoSuchUpload", 404)

	id := createUpload(t, c, "mpu", "k")
	// An upload belongs to its key.
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("other"), UploadId: aws.String(id)})
	wantCode(t, err, "NoSuchUpload", 404)
	for _, n := range []int32{0, 10001} {
		_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("k"), UploadId: aws.String(id),
			PartNumber: aws.Int32(n), Body: bytes.NewReader([]byte("x"))})
		wantCode(t, err, "InvalidArgument", 400)
	}
	small1 := uploadPart(t, c, "mpu", "k", id, 1, []byte("first part, too small"))
	small2 := uploadPart(t, c, "mpu", "k", id, 2, []byte("second part"))
	complete := func(parts ...types.CompletedPart) error {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("k"),
			UploadId: aws.String(id), MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
		return err
	}
	wantCode(t, complete(small1, small2), "EntityTooSmall", 400)
	wantCode(t, complete(small2, small1), "InvalidPartOrder", 400)
	wantCode(t, complete(small1, small1), "InvalidPartOrder", 400)
	wantCode(t, complete(types.CompletedPart{PartNumber: aws.Int32(3), ETag: small1.ETag}), "InvalidPart", 400)
	wantCode(t, complete(types.CompletedPart{PartNumber: aws.Int32(1), ETag: small2.ETag}), "InvalidPart", 400)
	wantCode(t, complete(), "MalformedXML", 400)
	badSum := small2
	badSum.ChecksumCRC32 = aws.String("AAAAAA==")
	wantCode(t, complete(badSum), "InvalidPart", 400)

	// Raw bodies the SDK would not send.
	for _, tc := range []struct {
		body, code string
	}{
		{"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>", "MalformedXML"},
		{"<CompleteMultipartUpload><Part><PartNumber>x</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>", "MalformedXML"},
		{"<CompleteMultipartUpload><Part><PartNumber>10001</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>", "InvalidArgument"},
		{"<Other/>", "MalformedXML"},
		{"<CompleteMultipartUpload>", "MalformedXML"},
	} {
		resp, body := rawDo(t, e, http.MethodPost, "/mpu/k?uploadId="+id, strings.NewReader(tc.body), nil)
		wantXMLCode(t, resp, body, 400, tc.code)
	}

	// A lone small part is a whole object; the unlisted part 2 is dropped.
	out := completeUpload(t, c, "mpu", "k", id, small1)
	if aws.ToString(out.ETag) != multipartETag([]byte("first part, too small")) {
		t.Fatalf("single part ETag %s", aws.ToString(out.ETag))
	}
	if got := get(t, c, "mpu", "k"); string(got) != "first part, too small" {
		t.Fatalf("single part object %q", got)
	}
	// Completed: the upload id is spent for anything but a repeat of that
	// completion (TestCompleteMultipartUploadRepeated).
	wantCode(t, complete(small2), "NoSuchUpload", 404)
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("k"), UploadId: aws.String(id),
		PartNumber: aws.Int32(3), Body: bytes.NewReader([]byte("x"))})
	wantCode(t, err, "NoSuchUpload", 404)

	// COMPOSITE uploads need every part's checksum at completion.
	id = createUpload(t, c, "mpu", "sums", func(in *s3.CreateMultipartUploadInput) { in.ChecksumAlgorithm = types.ChecksumAlgorithmSha1 })
	p := uploadPart(t, c, "mpu", "sums", id, 1, []byte("data"), func(in *s3.UploadPartInput) { in.ChecksumAlgorithm = types.ChecksumAlgorithmSha1 })
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("sums"), UploadId: aws.String(id),
		PartNumber: aws.Int32(2), Body: bytes.NewReader([]byte("x")), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	wantCode(t, err, "InvalidRequest", 400)
	noSum := types.CompletedPart{PartNumber: p.PartNumber, ETag: p.ETag}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("sums"),
		UploadId: aws.String(id), MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{noSum}}})
	wantCode(t, err, "InvalidRequest", 400)
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("sums"),
		UploadId: aws.String(id), MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{p}},
		ChecksumSHA1: aws.String("AAAAAAAAAAAAAAAAAAAAAAAAAAA=")})
	wantCode(t, err, "BadDigest", 400)
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("sums"),
		UploadId: aws.String(id), MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{p}}, MpuObjectSize: aws.Int64(5)})
	wantCode(t, err, "InvalidRequest", 400)
	out = completeUpload(t, c, "mpu", "sums", id, p)
	if want := compositeChecksum(sha1New, []byte("data")); aws.ToString(out.ChecksumSHA1) != want {
		t.Fatalf("SHA1 composite %s, want %s", aws.ToString(out.ChecksumSHA1), want)
	}

	// Checksum types that do not fit their algorithm.
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("k"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256, ChecksumType: types.ChecksumTypeFullObject})
	wantCode(t, err, "InvalidRequest", 400)
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("k"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc64nvme, ChecksumType: types.ChecksumTypeComposite})
	wantCode(t, err, "InvalidRequest", 400)

	// A corrupted part body is refused and stores nothing.
	id = createUpload(t, c, "mpu", "bad")
	resp, body := rawDo(t, e, http.MethodPut, "/mpu/bad?partNumber=1&uploadId="+id, strings.NewReader("hello"),
		map[string]string{"x-amz-checksum-crc32": "AAAAAA=="})
	wantXMLCode(t, resp, body, 400, "BadDigest")
	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("bad"), UploadId: aws.String(id)})
	if err != nil || len(lp.Parts) != 0 {
		t.Fatalf("parts after a bad body: %+v %v", lp, err)
	}
}

func TestAbortMultipartUpload(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "mpu")
	id := createUpload(t, c, "mpu", "k")
	uploadPart(t, c, "mpu", "k", id, 1, randomBytes(8, 300<<10))
	uploadPart(t, c, "mpu", "k", id, 2, []byte("small"))
	// Replacing a part drops the old one's file.
	uploadPart(t, c, "mpu", "k", id, 2, []byte("small, again"))
	if files := blobFiles(t, e.DataDir()); len(files) != 2 {
		t.Fatalf("part files: %v", files)
	}
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("k"), UploadId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	if files := blobFiles(t, e.DataDir()); len(files) != 0 {
		t.Fatalf("part files after abort: %v", files)
	}
	_, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("k"), UploadId: aws.String(id)})
	wantCode(t, err, "NoSuchUpload", 404)
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("k"), UploadId: aws.String(id),
		PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("x"))})
	wantCode(t, err, "NoSuchUpload", 404)
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpu"), Key: aws.String("k")}); !isCode(err, "NotFound") {
		t.Fatalf("object after abort: %v", err)
	}

	// Uploads in progress go with their bucket.
	id = createUpload(t, c, "mpu", "k2")
	uploadPart(t, c, "mpu", "k2", id, 1, randomBytes(9, 200<<10))
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("mpu")}); err != nil {
		t.Fatal(err)
	}
	if files := blobFiles(t, e.DataDir()); len(files) != 0 {
		t.Fatalf("part files after bucket deletion: %v", files)
	}
	mkBucket(t, c, "mpu")
	lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu")})
	if err != nil || len(lu.Uploads) != 0 {
		t.Fatalf("uploads of a recreated bucket: %+v %v", lu, err)
	}
}

func TestListParts(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "mpu")
	id := createUpload(t, c, "mpu", "k")
	for _, n := range []int32{1, 2, 5, 7, 10000} {
		uploadPart(t, c, "mpu", "k", id, n, []byte(fmt.Sprintf("part %d", n)))
	}
	var seen []int32
	var marker *string
	for page := 0; ; page++ {
		out, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("k"), UploadId: aws.String(id),
			MaxParts: aws.Int32(2), PartNumberMarker: marker})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToInt32(out.MaxParts) != 2 || len(out.Parts) > 2 || out.Initiator == nil || out.Owner == nil {
			t.Fatalf("page %d: %+v", page, out)
		}
		for _, p := range out.Parts {
			seen = append(seen, aws.ToInt32(p.PartNumber))
			if aws.ToInt64(p.Size) != int64(len(fmt.Sprintf("part %d", aws.ToInt32(p.PartNumber)))) {
				t.Fatalf("part %d size %d", aws.ToInt32(p.PartNumber), aws.ToInt64(p.Size))
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		marker = out.NextPartNumberMarker
	}
	if fmt.Sprint(seen) != "[1 2 5 7 10000]" {
		t.Fatalf("parts listed: %v", seen)
	}
	out, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("k"), UploadId: aws.String(id), PartNumberMarker: aws.String("5")})
	if err != nil || len(out.Parts) != 2 || aws.ToInt32(out.Parts[0].PartNumber) != 7 || aws.ToString(out.PartNumberMarker) != "5" {
		t.Fatalf("after marker 5: %+v %v", out, err)
	}
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("k"), UploadId: aws.String(id), MaxParts: aws.Int32(-1)})
	wantCode(t, err, "InvalidArgument", 400)
}

func TestListMultipartUploads(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "mpu")
	ids := map[string][]string{}
	for _, k := range []string{"logs/a", "logs/b", "b", "b", "c", "logs/sub/x", "z"} {
		ids[k] = append(ids[k], createUpload(t, c, "mpu", k))
		e.Clock.Advance(1e9) // a later initiation for the second upload of b
	}

	type item struct{ key, id string }
	var got []item
	in := &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu"), MaxUploads: aws.Int32(2)}
	for page := 0; page < 10; page++ {
		out, err := c.ListMultipartUploads(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Uploads) > 2 {
			t.Fatalf("page %d: %d uploads", page, len(out.Uploads))
		}
		for _, u := range out.Uploads {
			got = append(got, item{aws.ToString(u.Key), aws.ToString(u.UploadId)})
			if u.Initiated == nil || u.Initiator == nil || u.StorageClass != types.StorageClassStandard {
				t.Fatalf("upload entry: %+v", u)
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
	}
	want := []item{{"b", ids["b"][0]}, {"b", ids["b"][1]}, {"c", ids["c"][0]}, {"logs/a", ids["logs/a"][0]},
		{"logs/b", ids["logs/b"][0]}, {"logs/sub/x", ids["logs/sub/x"][0]}, {"z", ids["z"][0]}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("paged uploads:\n got %v\nwant %v", got, want)
	}

	// Prefix and delimiter roll keys up into common prefixes.
	out, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu"), Prefix: aws.String("logs/"), Delimiter: aws.String("/")})
	if err != nil || len(out.Uploads) != 2 || len(out.CommonPrefixes) != 1 || aws.ToString(out.CommonPrefixes[0].Prefix) != "logs/sub/" ||
		aws.ToString(out.Prefix) != "logs/" || aws.ToString(out.Delimiter) != "/" {
		t.Fatalf("prefix and delimiter: %+v %v", out, err)
	}
	out, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu"), Delimiter: aws.String("/"), MaxUploads: aws.Int32(4)})
	if err != nil || len(out.Uploads) != 3 || len(out.CommonPrefixes) != 1 || !aws.ToBool(out.IsTruncated) || aws.ToString(out.NextKeyMarker) != "logs/" {
		t.Fatalf("delimiter page: %+v %v", out, err)
	}
	out, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu"), Delimiter: aws.String("/"), KeyMarker: out.NextKeyMarker})
	if err != nil || len(out.Uploads) != 1 || aws.ToString(out.Uploads[0].Key) != "z" || len(out.CommonPrefixes) != 0 {
		t.Fatalf("after the common prefix: %+v %v", out, err)
	}
	// key-marker alone skips every upload of that key.
	out, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu"), KeyMarker: aws.String("b")})
	if err != nil || len(out.Uploads) != 5 || aws.ToString(out.Uploads[0].Key) != "c" {
		t.Fatalf("after key b: %+v %v", out, err)
	}
	_, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("nope")})
	wantCode(t, err, "NoSuchBucket", 404)
	resp, body := rawDo(t, e, http.MethodGet, "/mpu?uploads&max-uploads=x", nil, nil)
	wantXMLCode(t, resp, body, 400, "InvalidArgument")
	resp, body = rawDo(t, e, http.MethodGet, "/mpu?uploads&prefix=logs/&encoding-type=url", nil, nil)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("<Key>logs/sub/x</Key>")) || !bytes.Contains(body, []byte("<EncodingType>url</EncodingType>")) {
		t.Fatalf("encoding-type=url: %d %s", resp.StatusCode, body)
	}
}

func TestUploadPartCopy(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "mpu")
	src := randomBytes(10, 6*mib+5)
	put(t, c, "mpu", "src", src)
	id := createUpload(t, c, "mpu", "dst", func(in *s3.CreateMultipartUploadInput) { in.ChecksumAlgorithm = types.ChecksumAlgorithmCrc32 })
	cut := 5 * mib
	var parts []types.CompletedPart
	for i, rng := range []string{fmt.Sprintf("bytes=0-%d", cut-1), fmt.Sprintf("bytes=%d-%d", cut, len(src)-1)} {
		out, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("mpu"), Key: aws.String("dst"), UploadId: aws.String(id),
			PartNumber: aws.Int32(int32(i + 1)), CopySource: aws.String("mpu/src"), CopySourceRange: aws.String(rng)})
		if err != nil {
			t.Fatal(err)
		}
		piece := src[:cut]
		if i == 1 {
			piece = src[cut:]
		}
		r := out.CopyPartResult
		if aws.ToString(r.ETag) != md5Hex(piece) || aws.ToString(r.ChecksumCRC32) != sum64(crc32IEEE(), piece) || r.LastModified == nil {
			t.Fatalf("copy part %d: %+v", i+1, r)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: r.ETag, ChecksumCRC32: r.ChecksumCRC32})
	}
	out := completeUpload(t, c, "mpu", "dst", id, parts...)
	if aws.ToString(out.ETag) != multipartETag(src[:cut], src[cut:]) {
		t.Fatalf("ETag %s", aws.ToString(out.ETag))
	}
	if got := get(t, c, "mpu", "dst"); !bytes.Equal(got, src) {
		t.Fatalf("assembled copy: %d bytes", len(got))
	}

	// A whole-object copy, a bad range, a missing source, a failed
	// precondition.
	id = createUpload(t, c, "mpu", "dst2")
	whole, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("mpu"), Key: aws.String("dst2"), UploadId: aws.String(id),
		PartNumber: aws.Int32(1), CopySource: aws.String("mpu/dst")})
	if err != nil || aws.ToString(whole.CopyPartResult.ETag) != md5Hex(src) {
		t.Fatalf("whole copy: %+v %v", whole, err)
	}
	for _, rng := range []string{"bytes=5-1", fmt.Sprintf("bytes=0-%d", len(src)), "bytes=0-", "items=0-1"} {
		_, err = c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("mpu"), Key: aws.String("dst2"), UploadId: aws.String(id),
			PartNumber: aws.Int32(2), CopySource: aws.String("mpu/src"), CopySourceRange: aws.String(rng)})
		wantCode(t, err, "InvalidArgument", 400)
	}
	_, err = c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("mpu"), Key: aws.String("dst2"), UploadId: aws.String(id),
		PartNumber: aws.Int32(2), CopySource: aws.String("mpu/missing")})
	wantCode(t, err, "NoSuchKey", 404)
	_, err = c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("mpu"), Key: aws.String("dst2"), UploadId: aws.String(id),
		PartNumber: aws.Int32(2), CopySource: aws.String("mpu/src"), CopySourceIfMatch: aws.String(`"0123"`)})
	wantCode(t, err, "PreconditionFailed", 412)
}

// TestCompleteConditions covers If-None-Match: * and If-Match on a
// completion.
func TestCompleteConditions(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	mkBucket(t, c, "mpu")
	put(t, c, "mpu", "k", []byte("existing"))
	id := createUpload(t, c, "mpu", "k")
	p := uploadPart(t, c, "mpu", "k", id, 1, []byte("new"))
	in := &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("k"), UploadId: aws.String(id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{p}}, IfNoneMatch: aws.String("*")}
	_, err := c.CompleteMultipartUpload(ctx, in)
	wantCode(t, err, "PreconditionFailed", 412)
	in.IfNoneMatch, in.IfMatch = nil, aws.String(md5Hex([]byte("existing")))
	if _, err := c.CompleteMultipartUpload(ctx, in); err != nil {
		t.Fatal(err)
	}
	if got := get(t, c, "mpu", "k"); string(got) != "new" {
		t.Fatalf("after conditional completion: %q", got)
	}
}
