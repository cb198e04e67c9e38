package cloudwatch

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"time"
)

// xmlNamespace is the query protocol's document namespace.
const xmlNamespace = "http://monitoring.amazonaws.com/doc/2010-08-01/"

// encodeXML writes a query-protocol answer: <ActionResponse> holding
// <ActionResult> (when the action has output) and the request id.
func encodeXML(action string, o obj, requestID string) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString("<" + action + `Response xmlns="` + xmlNamespace + `">`)
	if o != nil {
		b.WriteString("<" + action + "Result>")
		xmlFields(&b, o)
		b.WriteString("</" + action + "Result>")
	}
	b.WriteString("<ResponseMetadata><RequestId>")
	xmlText(&b, requestID)
	b.WriteString("</RequestId></ResponseMetadata>")
	b.WriteString("</" + action + "Response>")
	return b.Bytes()
}

func xmlText(b *bytes.Buffer, s string) {
	_ = xml.EscapeText(b, []byte(s))
}

func xmlFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func xmlTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.999Z07:00")
}

func xmlFields(b *bytes.Buffer, o obj) {
	for _, f := range o {
		b.WriteString("<" + f.name + ">")
		xmlValue(b, f.v)
		b.WriteString("</" + f.name + ">")
	}
}

func xmlValue(b *bytes.Buffer, v any) {
	member := func(write func()) {
		b.WriteString("<member>")
		write()
		b.WriteString("</member>")
	}
	switch t := v.(type) {
	case obj:
		xmlFields(b, t)
	case []obj:
		for _, x := range t {
			member(func() { xmlFields(b, x) })
		}
	case []string:
		for _, x := range t {
			member(func() { xmlText(b, x) })
		}
	case []float64:
		for _, x := range t {
			member(func() { b.WriteString(xmlFloat(x)) })
		}
	case []time.Time:
		for _, x := range t {
			member(func() { b.WriteString(xmlTime(x)) })
		}
	case floatMap:
		for _, e := range t {
			b.WriteString("<entry><key>")
			xmlText(b, e.key)
			b.WriteString("</key><value>" + xmlFloat(e.v) + "</value></entry>")
		}
	case string:
		xmlText(b, t)
	case float64:
		b.WriteString(xmlFloat(t))
	case int64:
		b.WriteString(strconv.FormatInt(t, 10))
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case time.Time:
		b.WriteString(xmlTime(t))
	default:
		panic(fmt.Sprintf("cloudwatch: no XML encoding for %T", v))
	}
}
