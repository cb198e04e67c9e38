// Command bareloop is the floor that archive ls is measured against: it
// pages through ListObjectsV2 under a prefix, 1,000 keys a page, and
// prints each key, holding nothing but the page in hand. The benchmark
// builds and runs it as it runs sluice, so that both are measured the
// same way.
package main

import (
	"bufio"
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: bareloop ENDPOINT BUCKET PREFIX")
		os.Exit(2)
	}
	endpoint, bucket, prefix := os.Args[1], os.Args[2], os.Args[3]
	c := s3.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDBARE", "secret", ""),
		BaseEndpoint: aws.String(endpoint),
	}, func(o *s3.Options) { o.UsePathStyle = true })
	w := bufio.NewWriterSize(os.Stdout, 64<<10)
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		for _, o := range page.Contents {
			w.WriteString(aws.ToString(o.Key))
			w.WriteByte('\n')
		}
		if err := w.Flush(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
