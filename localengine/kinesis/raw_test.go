package kinesis_test

import (
	"bytes"
	"context"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// rewriteBody makes the SDK send its serialized body with every old
// replaced by new before the request is signed: how a test sends what
// another client family (or a hand-written request) would, such as a
// field of the wrong JSON type, while the SDK still parses the answer.
func rewriteBody(pairs ...string) func(*kinesis.Options) {
	r := strings.NewReplacer(pairs...)
	return func(o *kinesis.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Build.Add(middleware.BuildMiddlewareFunc("rewriteBody", func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
				req, ok := in.Request.(*smithyhttp.Request)
				if ok && req.GetStream() != nil {
					b, err := io.ReadAll(req.GetStream())
					if err != nil {
						return middleware.BuildOutput{}, middleware.Metadata{}, err
					}
					b = []byte(r.Replace(string(b)))
					if req, err = req.SetStream(bytes.NewReader(b)); err != nil {
						return middleware.BuildOutput{}, middleware.Metadata{}, err
					}
					req.ContentLength = int64(len(b))
					in.Request = req
				}
				return next.HandleBuild(ctx, in)
			}), middleware.Before)
		})
	}
}
